"""Forms of headquarters' MDF pages: list filters, allocating a budget, and the decisions on a request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import MdfActivityType, MdfRequestStatus

AMOUNT = {"max_digits": 15, "decimal_places": 0, "min_value": 0}


def style(form: forms.BaseForm) -> None:
    """Tabler's classes on every widget, and the invalid state on fields with errors."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] += " is-invalid"


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare()
        style(self)

    def prepare(self) -> None:
        """Set per-request choices here (style() validates a bound form to mark its invalid fields)."""


class MdfRequestFilterForm(StyledForm):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All")), *MdfRequestStatus.choices])
    activity_type = forms.ChoiceField(
        label=_("activity type"), required=False, choices=[("", _("All")), *MdfActivityType.choices]
    )


class AllocationForm(StyledForm):
    """A partner's budget for a period (a new allocation, or a new amount for an existing one)."""

    partner: forms.ModelChoiceField = forms.ModelChoiceField(label=_("partner"), queryset=None)  # type: ignore[arg-type]  # set per actor
    period = forms.ChoiceField(label=_("period"))
    amount = forms.DecimalField(label=_("allocated"), **AMOUNT)  # type: ignore[arg-type]
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, partners, periods, **kwargs):
        self._partners, self._periods = partners, periods
        super().__init__(*args, **kwargs)

    def prepare(self) -> None:
        self.fields["partner"].queryset = self._partners  # type: ignore[attr-defined]
        self.fields["period"].choices = self._periods  # type: ignore[attr-defined]


class AllocationChangeForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = forms.DecimalField(label=_("allocated"), **AMOUNT)  # type: ignore[arg-type]
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class ApproveForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    approved_amount = forms.DecimalField(label=_("approved amount"), required=False, **AMOUNT)  # type: ignore[arg-type]
    note = forms.CharField(label=_("decision note"), required=False, max_length=2000)


class ReasonForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class PaymentForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    payment_reference = forms.CharField(label=_("payment reference"), required=False, max_length=64)
