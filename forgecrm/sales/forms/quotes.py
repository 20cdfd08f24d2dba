"""Forms of the quote and sales order pages (parse and show errors; the operations decide)."""

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import PriceList, Product
from forgecrm.customers.models import Contact
from forgecrm.platform.access import scope_for

from ..models import Opportunity, Quote, QuoteLanguage, SalesOrderStatus
from ..queries.quotes import quotable_opportunities_for, sees_margins


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")


class QuoteCreateForm(forms.Form):
    opportunity = forms.ModelChoiceField(label=_("opportunity"), queryset=Quote.objects.none())
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=forms.DateInput({"type": "date"}))
    language = forms.ChoiceField(label=_("language"), choices=QuoteLanguage.choices, initial=QuoteLanguage.KO)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["opportunity"])
        field.queryset = scope_for(actor, Opportunity).select_related("account")
        # The picker lists the newest opportunities (and the one asked for); any visible one validates.
        shown = list(quotable_opportunities_for(actor, limit=50))
        chosen = self.data.get("opportunity") or self.initial.get("opportunity")
        if chosen and str(chosen).isdigit() and all(str(opp.pk) != str(chosen) for opp in shown):
            shown = [*field.queryset.filter(pk=int(chosen)), *shown]
        field.widget.choices = [("", "---------"), *((opp.pk, f"{opp.name} · {opp.account.name}") for opp in shown)]
        style(self)


class QuoteHeaderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    contact = forms.ModelChoiceField(label=_("contact"), queryset=Contact.objects.none(), required=False)
    price_list = forms.ModelChoiceField(label=_("price list"), queryset=PriceList.objects.none(), required=False)
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=forms.DateInput({"type": "date"}))
    language = forms.ChoiceField(label=_("language"), choices=QuoteLanguage.choices)
    header_discount_percent = forms.DecimalField(
        label=_("header discount (%)"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    terms = forms.CharField(label=_("terms"), required=False, max_length=20_000, widget=forms.Textarea({"rows": 4}))
    internal_note = forms.CharField(
        label=_("internal note"), required=False, max_length=5_000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, actor, quote, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": quote.version,
                "contact": quote.contact_id,
                "price_list": quote.price_list_id,
                "valid_until": quote.valid_until,
                "language": quote.language,
                "header_discount_percent": quote.header_discount_percent,
                "terms": quote.terms,
                "internal_note": quote.internal_note,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = scope_for(actor, Contact).filter(
            account_id=quote.account_id
        )
        cast(forms.ModelChoiceField, self.fields["price_list"]).queryset = scope_for(actor, PriceList).filter(
            currency=quote.currency
        )
        if not sees_margins(actor):
            del self.fields["internal_note"]
        style(self)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("header_discount_percent") is None:
            data["header_discount_percent"] = 0
        return data


class AddLineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=1_000_000, initial=1)
    discount_percent = forms.DecimalField(
        label=_("discount (%)"), min_value=0, max_value=100, decimal_places=2, required=False, initial=0
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = scope_for(actor, Product)
        style(self)
        widget = self.fields["product"].widget
        widget.attrs.update(
            {
                "data-tom-select": "",
                "data-autocomplete-url": str(reverse_lazy("catalog:product-autocomplete")),
            }
        )
        widget.choices = [("", "---------")]  # options load from the autocomplete; the chosen one is validated


class LineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=1_000_000)
    discount_percent = forms.DecimalField(label=_("discount (%)"), min_value=0, max_value=100, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CommentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("comment"), required=False, max_length=2_000, widget=forms.Textarea({"rows": 2}))


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    to = forms.CharField(label=_("to"), required=False, max_length=254)
    message = forms.CharField(label=_("message"), required=False, max_length=5_000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class AcceptForm(forms.Form):
    customer_reference = forms.CharField(label=_("customer PO number"), required=False, max_length=64)
    requested_delivery_date = forms.DateField(
        label=_("requested delivery date"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class QuoteFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False)
    latest = forms.BooleanField(label=_("newest revisions only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..models import QuoteStatus

        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All")), *QuoteStatus.choices]
        style(self)


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All")), *SalesOrderStatus.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class OrderStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("status"), choices=SalesOrderStatus.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
