from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forgecrm.activities.models import ActivityKind
from forgecrm.sales.models import DisqualifyReason, LeadStatus

PORTAL_STATUSES = [LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED]
# What a partner logs on a lead: correspondence, an appointment, an outbound call, a demo.
PORTAL_ACTIVITY_KINDS = [
    (ActivityKind.CALL, _("Outbound call")),
    (ActivityKind.MEETING, _("Appointment")),
    (ActivityKind.CORRESPONDENCE, _("Correspondence")),
    (ActivityKind.DEMO, _("Demo")),
]


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in PORTAL_STATUSES])
    reason = forms.ChoiceField(
        label=_("Reason (when disqualified)"), required=False, choices=[("", "—"), *DisqualifyReason.choices]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("status") == LeadStatus.DISQUALIFIED and not data.get("reason"):
            self.add_error("reason", _("Say why the lead is disqualified."))
        return data


class LogActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PORTAL_ACTIVITY_KINDS, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    body = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("kind", ActivityKind.CALL)
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].initial = (
            timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
        )


class ConvertLeadForm(forms.Form):
    opportunity_name = forms.CharField(label=_("Deal name"), required=False, max_length=200)
    close_date = forms.DateField(label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.IntegerField(label=_("Expected amount (KRW)"), required=False, min_value=0, max_value=10**13)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
