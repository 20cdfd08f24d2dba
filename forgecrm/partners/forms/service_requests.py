"""Forms of headquarters' partner service request pages: the queue's filters, assigning, moving, commenting."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ServiceRequestKind, ServiceRequestPriority, ServiceRequestStatus
from ..queries.service_requests import SlaState
from .funds import StyledForm

SLA_CHOICES = [
    ("", _("All")),
    (SlaState.BREACHED, _("Target missed")),
    (SlaState.DUE_SOON, _("Due within 2 hours")),
    (SlaState.ON_TRACK, _("On track")),
    (SlaState.MET, _("Met")),
]


class ServiceRequestFilterForm(StyledForm):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All")), ("open_any", _("Not resolved")), *ServiceRequestStatus.choices],
    )
    priority = forms.ChoiceField(
        label=_("priority"), required=False, choices=[("", _("All")), *ServiceRequestPriority.choices]
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All")), *ServiceRequestKind.choices])
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_CHOICES)

    def clean(self):
        data = super().clean() or {}
        if data.get("status") == "open_any":
            data["status"] = ""
            data["open"] = True
        return data


class AssignForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    assigned_to: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("assigned to"),
        queryset=None,  # type: ignore[arg-type]  # set per actor
        required=False,
    )

    def __init__(self, *args, users, **kwargs):
        self._users = users
        super().__init__(*args, **kwargs)

    def prepare(self) -> None:
        self.fields["assigned_to"].queryset = self._users  # type: ignore[attr-defined]


class StatusForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("status"), choices=ServiceRequestStatus.choices)


class CommentForm(StyledForm):
    body = forms.CharField(label=_("comment"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    is_internal = forms.BooleanField(label=_("Internal note (never shown to the partner)"), required=False)
