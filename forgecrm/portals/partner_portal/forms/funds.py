"""The partner admin's MDF forms: a request for a marketing activity, and the claim after it (with proof files)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.partners.models import MdfActivityType, MdfAllocation

from .registrations import style


class MdfRequestForm(forms.Form):
    allocation = forms.ModelChoiceField(label=_("Budget"), queryset=MdfAllocation.objects.none(), empty_label=None)
    campaign_name = forms.CharField(label=_("Activity"), max_length=200)
    activity_type = forms.ChoiceField(label=_("Activity type"), choices=MdfActivityType.choices)
    planned_start = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_end = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_cost = forms.IntegerField(label=_("Planned cost (KRW)"), min_value=1, max_value=10**12)
    requested_amount = forms.IntegerField(label=_("Requested from MDF (KRW)"), min_value=1, max_value=10**12)
    expected_leads = forms.IntegerField(label=_("Expected leads"), required=False, min_value=0, max_value=1_000_000)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, allocations, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["allocation"]
        field.queryset = allocations  # type: ignore[attr-defined]  # a ModelChoiceField
        field.label_from_instance = lambda row: f"{row.partner.name} · {row.period_start:%Y-%m}"  # type: ignore[attr-defined]
        if editing:
            del self.fields["allocation"]  # a request stays on the budget it was drafted against
        style(self)

    def values(self) -> dict:
        data = self.cleaned_data
        names = (
            "campaign_name",
            "activity_type",
            "planned_start",
            "planned_end",
            "planned_cost",
            "requested_amount",
            "expected_leads",
            "description",
        )
        return {name: data.get(name) for name in names}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class MdfClaimForm(forms.Form):
    actual_cost = forms.IntegerField(label=_("Actual cost (KRW)"), min_value=1, max_value=10**12)
    claimed_amount = forms.IntegerField(label=_("Claimed amount (KRW)"), min_value=1, max_value=10**12)
    actual_leads = forms.IntegerField(label=_("Leads generated"), required=False, min_value=0, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    proofs = MultipleFileField(label=_("Proof of performance (photos, invoices, attendee lists)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
