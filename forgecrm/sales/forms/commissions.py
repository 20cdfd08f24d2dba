"""Forms of the commission pages: statement filters and the compute request."""

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
