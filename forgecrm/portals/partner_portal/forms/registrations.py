"""The partner's deal registration form: the end customer, its contact, where it is, what it buys and when."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import Product, ProductLine
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.platform.access import scope_for

LINE_ROWS = 5  # products with quantities: a fixed number of rows keeps the page working without JavaScript


def style(form: forms.BaseForm) -> None:
    """Tabler's classes on every visible input."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")


class RegistrationForm(forms.Form):
    customer_name = forms.CharField(label=_("End customer"), max_length=200)
    customer_brn = forms.CharField(
        label=_("Business registration number (사업자등록번호)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}),
    )
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=120)
    contact_email = forms.CharField(label=_("Contact email"), required=False, max_length=254, widget=forms.EmailInput())
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    sido = forms.ChoiceField(label=_("시/도"), required=False, choices=[("", "—"), *((s, s) for s in SIDO_NAMES)])
    sigungu = forms.CharField(label=_("시/군/구"), required=False, max_length=32)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), required=False, queryset=ProductLine.objects.none(), empty_label="—"
    )
    expected_amount = forms.IntegerField(label=_("Expected amount (KRW)"), min_value=0, max_value=10**13)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("What the customer needs"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = (  # type: ignore[attr-defined]  # a ModelChoiceField
            scope_for(actor, ProductLine).filter(is_active=True).order_by("name", "pk")
        )
        products = scope_for(actor, Product).order_by("name", "pk")
        for row in range(LINE_ROWS):
            self.fields[f"product_{row}"] = forms.ModelChoiceField(
                label=_("Product"),
                required=False,
                queryset=products,
                empty_label=_("Product"),
                widget=forms.Select(attrs={"aria-label": _("Product")}),
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                label=_("Quantity"),
                required=False,
                min_value=1,
                max_value=1_000_000,
                widget=forms.NumberInput(attrs={"placeholder": _("Quantity"), "aria-label": _("Quantity")}),
            )
        style(self)

    @property
    def line_rows(self):
        return [(self[f"product_{row}"], self[f"quantity_{row}"]) for row in range(LINE_ROWS)]

    def clean(self):
        data = super().clean() or {}
        lines = []
        for row in range(LINE_ROWS):
            product, quantity = data.get(f"product_{row}"), data.get(f"quantity_{row}")
            if product is not None:
                lines.append((product, quantity or 1))
            elif quantity:
                self.add_error(f"product_{row}", _("Choose the product."))
        data["lines"] = lines
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        names = (
            "customer_name",
            "customer_brn",
            "contact_name",
            "contact_email",
            "contact_phone",
            "sido",
            "sigungu",
            "product_line",
            "description",
            "expected_amount",
            "expected_close_date",
        )
        return {name: data.get(name) for name in names}

    @classmethod
    def initial_for(cls, registration, lines) -> dict:
        initial = {
            "customer_name": registration.customer_name,
            "customer_brn": registration.customer_brn,
            "contact_name": registration.contact_name,
            "contact_email": registration.contact_email,
            "contact_phone": registration.contact_phone,
            "sido": registration.sido,
            "sigungu": registration.sigungu,
            "product_line": registration.product_line_id,
            "expected_amount": int(registration.expected_amount.amount),
            "expected_close_date": registration.expected_close_date.isoformat(),
            "description": registration.description,
            "version": registration.version,
        }
        for row, line in enumerate(lines[:LINE_ROWS]):
            initial[f"product_{row}"] = line.product_id
            initial[f"quantity_{row}"] = line.quantity
        return initial


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
