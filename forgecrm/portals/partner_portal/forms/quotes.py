"""The partner's quote forms: a new quote for one of its deals, a line (our product or its own number), a line's
quantity and selling price, and placing the order."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import Product
from forgecrm.catalog.policies import SELLABLE_STATUSES
from forgecrm.platform.access import scope_for
from forgecrm.sales.models import Opportunity
from forgecrm.sales.queries.partner_quotes import quotable_partner_opportunities_for

from .registrations import style

MAX_QUANTITY = 1_000_000


class QuoteCreateForm(forms.Form):
    opportunity: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Opportunity"),
        queryset=Opportunity.objects.none(),  # replaced per actor in __init__
        empty_label="—",
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("ko", "한국어"), ("en", "English")], initial="ko")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        choices = quotable_partner_opportunities_for(actor)
        field = self.fields["opportunity"]
        field.queryset = choices  # type: ignore[attr-defined]  # a ModelChoiceField
        field.label_from_instance = lambda opp: f"{opp.name} · {opp.account.name}"  # type: ignore[attr-defined]  # a ModelChoiceField
        style(self)


class LineAddForm(forms.Form):
    product: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.none(),  # replaced per actor in __init__
        empty_label="—",
    )
    partner_product_number = forms.CharField(label=_("or your product number"), required=False, max_length=60)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    selling_unit_price = forms.CharField(
        label=_("Your selling price per unit"),
        required=False,
        max_length=24,
        help_text=_("Empty: the list price."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        products = scope_for(actor, Product).filter(status__in=SELLABLE_STATUSES).order_by("name", "pk")
        self.fields["product"].queryset = products  # type: ignore[attr-defined]  # a ModelChoiceField
        style(self)

    def clean(self):
        data = super().clean() or {}
        if data.get("product") is None and not (data.get("partner_product_number") or "").strip():
            self.add_error("product", _("Choose a product or enter your product number."))
        return data


class LineEditForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    selling_unit_price = forms.CharField(
        label=_("Your selling price per unit"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class PlaceOrderForm(forms.Form):
    customer_reference = forms.CharField(label=_("Your order reference"), required=False, max_length=64)
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
