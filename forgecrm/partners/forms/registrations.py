"""Headquarters' forms for deal registrations and channel conflicts: list filters and the decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import Account, AccountKind
from forgecrm.sales.models import Opportunity

from ..models import ConflictKind, ConflictStatus, RegistrationStatus
from ..operations.conflicts import DECISIONS
from ..operations.registrations import exclusive_days


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


class _PartnerChoice(forms.Form):
    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner" in self.fields and partners is not None:
            self.fields["partner"].queryset = partners.filter(kind=AccountKind.PARTNER).order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField
        style(self)


class RegistrationFilterForm(_PartnerChoice):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All")), *RegistrationStatus.choices])
    partner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("partner"), required=False, queryset=Account.objects.none(), empty_label=_("All")
    )
    expiring = forms.BooleanField(label=_("expiring soon"), required=False)
    open_conflicts = forms.BooleanField(label=_("with open conflicts"), required=False)


class ConflictFilterForm(_PartnerChoice):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *ConflictStatus.choices], initial=""
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All")), *ConflictKind.choices])
    partner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("partner"), required=False, queryset=Account.objects.none(), empty_label=_("All")
    )


class ApproveRegistrationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(label=_("exclusive for (days)"), min_value=1, max_value=730)
    note = forms.CharField(
        label=_("note to the partner"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    opportunity: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("link an open opportunity"), required=False, queryset=Opportunity.objects.none(), empty_label="—"
    )
    create_opportunity = forms.BooleanField(label=_("open an opportunity for the partner"), required=False)

    def __init__(self, *args, opportunities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = exclusive_days()
        self.fields["opportunity"].queryset = opportunities  # type: ignore[attr-defined]
        style(self)

    def clean(self):
        data = super().clean() or {}
        if data.get("opportunity") and data.get("create_opportunity"):
            raise forms.ValidationError(_("Link an opportunity or open a new one, not both."))
        return data


class RejectRegistrationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("reason (shown to the partner)"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CloseRegistrationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=[("won", _("Won")), ("lost", _("Lost"))])
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class DecideConflictForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("decision"), choices=[(value, label) for value, label in ConflictStatus.choices if value in DECISIONS]
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
