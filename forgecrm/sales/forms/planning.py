"""Forms of the quota grid filters, the rep's forecast and a manager's adjustment."""

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.planning import PeriodKind

AMOUNT_ATTRS = {"inputmode": "numeric", "class": "form-control text-end", "autocomplete": "off"}


class AmountInput(forms.DecimalField):
    """An amount typed as people type it: `150,000,000` or `150000000` (whole won)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("₩", "").strip()
        return super().to_python(value)


def krw_field(label, *, required: bool = True) -> AmountInput:
    return AmountInput(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=0,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )


class QuotaGridFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    product_line: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product line"), queryset=None, required=False, empty_label=_("All product lines (overall quota)")
    )

    def __init__(self, *args, product_lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product_line"]).queryset = product_lines
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def values(self) -> tuple[str, int, Any]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return (
            data.get("kind") or PeriodKind.QUARTER,
            data.get("year") or dt.date.today().year,
            data.get("product_line"),
        )


class ForecastForm(forms.Form):
    pipeline = krw_field(_("Pipeline"))
    best_case = krw_field(_("Best case"))
    commit = krw_field(_("Commit"))
    closed = krw_field(_("Closed"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def numbers(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data[name] for name in ("pipeline", "best_case", "commit", "closed")}


class AdjustmentForm(forms.Form):
    best_case = krw_field(_("Adjusted best case"))
    commit = krw_field(_("Adjusted commit"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
