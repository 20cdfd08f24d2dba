"""Forms of the commission pages: statement filters, the compute request and the plan form."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import StatementStatus
from ..models.planning import PeriodKind


class StatementFilterForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period"), choices=[("", "—"), *PeriodKind.choices], required=False)
    period_start = forms.DateField(
        label=_("Period start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *StatementStatus.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class ComputeForm(forms.Form):
    period = forms.CharField(max_length=20)


EXTRA_TIER_ROWS = 3


class CommissionPlanForm(forms.Form):
    """A plan's header, its rate per product line (empty: the base rate) and its tiers (empty rows ignored)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The page always posts the whole table; a post without it (a script) changes the header only.
    table = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)
    name = forms.CharField(label=_("Name"), max_length=120)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    base_rate_percent = forms.DecimalField(
        label=_("Base rate (%)"), min_value=0, max_value=100, decimal_places=2, initial=0
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, product_lines, tier_rows: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.product_lines = list(product_lines)
        self.rate_names = []
        for line in [None, *self.product_lines]:
            name = f"rate_{line.pk if line else 'default'}"
            label = str(line) if line else _("Every other product line")
            self.fields[name] = forms.DecimalField(label=label, required=False, decimal_places=2)
            self.rate_names.append((name, line))
        self.tier_names = []
        for index in range(tier_rows + EXTRA_TIER_ROWS):
            start, multiplier = f"tier_from_{index}", f"tier_multiplier_{index}"
            self.fields[start] = forms.DecimalField(label=_("From attainment (%)"), required=False, decimal_places=2)
            self.fields[multiplier] = forms.DecimalField(label=_("Multiplier"), required=False, decimal_places=2)
            self.tier_names.append((start, multiplier))
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                )
            if name.startswith(("rate_", "tier_")):
                field.widget.attrs.update(inputmode="decimal", step="0.01")

    def rate_rows(self):
        return [self[name] for name, _line in self.rate_names]

    def tier_rows(self):
        return [(self[start], self[multiplier]) for start, multiplier in self.tier_names]

    def clean(self):
        data = super().clean() or {}
        self.rates: dict[Any, Decimal] = {}
        for name, line in self.rate_names:
            rate = data.get(name)
            if rate is not None:
                if rate < 0 or rate > 100:
                    self.add_error(name, _("A rate is a percentage from 0 to 100."))
                self.rates[line] = rate
        self.tiers: list[tuple[Decimal, Decimal]] = []
        previous: Decimal | None = None
        for start_name, multiplier_name in self.tier_names:
            start, multiplier = data.get(start_name), data.get(multiplier_name)
            if start is None and multiplier is None:
                continue
            if start is None or multiplier is None:
                missing = start_name if start is None else multiplier_name
                self.add_error(missing, _("Give both the threshold and the multiplier."))
                continue
            if start < 0 or multiplier < 0:
                self.add_error(start_name, _("Tier thresholds and multipliers cannot be negative."))
            elif previous is not None and start <= previous:
                self.add_error(start_name, _("Tiers must go up: each threshold above the one before."))
            previous = start if previous is None else max(previous, start)
            self.tiers.append((start, multiplier))
        return data

    def plan_fields(self) -> dict:
        names = ("name", "period_kind", "base_rate_percent", "valid_from", "valid_to", "is_active", "description")
        return {name: self.cleaned_data.get(name) for name in names}
