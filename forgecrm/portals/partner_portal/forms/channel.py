"""The portal's sell-through and stock forms: a month's lines (product by our SKU or the partner's own number),
a day's stock per product, and the CSV / XLSX uploads of either."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.normalization import SIDO_NAMES

LINE_ROWS = 8
STOCK_ROWS = 8


def _classes(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class MonthForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), coerce=dt.date.fromisoformat)

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(day.isoformat(), day.strftime("%Y-%m")) for day in months]  # type: ignore[attr-defined]
        _classes(self)


class SellThroughLineForm(forms.Form):
    product_number = forms.CharField(
        label=_("Product number"), max_length=60, required=False, widget=forms.TextInput(attrs={"list": "products"})
    )
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=-1_000_000, max_value=1_000_000)
    amount = forms.DecimalField(label=_("Amount (₩)"), required=False, max_digits=15, decimal_places=0)
    end_customer_name = forms.CharField(label=_("End customer"), max_length=200, required=False)
    sido = forms.ChoiceField(label=_("시/도"), required=False, choices=[("", "—"), *[(s, s) for s in SIDO_NAMES]])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _classes(self)

    def clean(self):
        data = super().clean() or {}
        if data.get("product_number") and data.get("quantity") in (None, 0):
            self.add_error("quantity", _("Enter a quantity other than zero (returns are negative)."))
        return data


SellThroughLineFormSet = forms.formset_factory(SellThroughLineForm, extra=0, max_num=500, absolute_max=500)


class StockRowForm(forms.Form):
    product_number = forms.CharField(
        label=_("Product number"), max_length=60, required=False, widget=forms.TextInput(attrs={"list": "products"})
    )
    on_hand = forms.IntegerField(label=_("On hand"), required=False, min_value=0, max_value=1_000_000)
    in_transit = forms.IntegerField(label=_("In transit"), required=False, min_value=0, max_value=1_000_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _classes(self)

    def clean(self):
        data = super().clean() or {}
        if data.get("product_number") and data.get("on_hand") is None:
            self.add_error("on_hand", _("Enter the quantity on hand."))
        return data


StockRowFormSet = forms.formset_factory(StockRowForm, extra=0, max_num=500, absolute_max=500)


class StockDateForm(forms.Form):
    as_of = forms.DateField(label=_("Stock on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _classes(self)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _classes(self)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"
