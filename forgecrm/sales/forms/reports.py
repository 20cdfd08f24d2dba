"""The report filter bar: period (this quarter, last quarter, this year, last year, custom, all), owner (inside
the viewer's subtree) and product line (inside the product line scope). Pages and the API share it."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..queries.reports import (
    Period,
    ReportFilters,
    owner_choices_for,
    period_window,
    product_line_choices_for,
)

PERIOD_CHOICES = [
    (Period.THIS_QUARTER, _("This quarter")),
    (Period.LAST_QUARTER, _("Last quarter")),
    (Period.THIS_YEAR, _("This year")),
    (Period.LAST_YEAR, _("Last year")),
    (Period.CUSTOM, _("Custom")),
    (Period.ALL, _("All time")),
]


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Everyone")
    )
    product_line: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product line"), queryset=None, required=False, empty_label=_("All product lines")
    )

    def __init__(self, data: Any = None, *, actor: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.actor = actor
        self.today = today or timezone.localdate()
        owners = self.fields["owner"]
        owners.queryset = owner_choices_for(actor)  # type: ignore[attr-defined]
        self.fields["product_line"].queryset = product_line_choices_for(actor)  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["period"] = data.get("period") or Period.THIS_QUARTER
        start, end = data.get("date_from"), data.get("date_to")
        if data["period"] == Period.CUSTOM and start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> ReportFilters:
        """The filters asked for (the defaults, this quarter and everyone, when the form is not valid)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {"period": Period.THIS_QUARTER}
        period = data.get("period") or Period.THIS_QUARTER
        start, end = period_window(period, self.today, data.get("date_from"), data.get("date_to"))
        owner, line = data.get("owner"), data.get("product_line")
        return ReportFilters(
            date_from=start,
            date_to=end,
            owner_ids=(owner.pk,) if owner else None,
            product_line_id=line.pk if line else None,
            period=period,
        )
