"""Forms of the partner directory and a partner's page (profile, coverage, authorisations, certifications,
deactivation). Forms parse; the operations validate the business rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, PartnerType, Tier
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Role, User

from ..models import PartnerProfile
from ..queries.directory import partner_choices_for

PORTAL_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)


def style(form: forms.BaseForm) -> None:
    """Tabler's classes on every widget, and the invalid state on fields with errors."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def sido_choices(empty=None) -> list[tuple[str, Any]]:
    return [("", empty or _("All")), *((name, name) for name in SIDO_NAMES)]


def product_lines_for(actor):
    return scope_for(actor, ProductLine).order_by("name")


def channel_managers_for(actor):
    return scope_for(actor, User).filter(is_active=True).exclude(role__in=PORTAL_ROLES).order_by("full_name", "pk")


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    partner_type = forms.ChoiceField(label=_("partner type"), required=False)
    tier = forms.ChoiceField(label=_("tier"), required=False)
    sido = forms.ChoiceField(label=_("시/도"), required=False)
    product_line = forms.ModelChoiceField(label=_("product line"), required=False, queryset=ProductLine.objects.none())
    inactive = forms.BooleanField(label=_("include inactive"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = [("", _("All")), *PartnerType.choices]  # type: ignore[attr-defined]
        self.fields["tier"].choices = [("", _("All")), *Tier.choices]  # type: ignore[attr-defined]
        self.fields["sido"].choices = sido_choices()  # type: ignore[attr-defined]
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        self.fields["product_line"].empty_label = _("All")  # type: ignore[attr-defined]
        style(self)


class PartnerProfileForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PartnerProfile
        fields = ["channel_manager", "joined_on", "accepts_leads", "lead_capacity", "response_hours", "internal_note"]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}),
            "internal_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel_manager"].queryset = channel_managers_for(actor)  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        style(self)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CoverageForm(forms.Form):
    sido = forms.ChoiceField(label=_("시/도"))
    sigungu = forms.CharField(
        label=_("시/군/구"), required=False, max_length=32, help_text=_("Empty: the whole 시/도.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sido"].choices = sido_choices(empty="---------")  # type: ignore[attr-defined]
        style(self)


class AuthorizationForm(forms.Form):
    product_line = forms.ModelChoiceField(label=_("product line"), queryset=ProductLine.objects.none())
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    can_service = forms.BooleanField(label=_("may install and repair"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        style(self)


class CertificationForm(forms.Form):
    name = forms.CharField(label=_("certification"), max_length=120)
    product_line = forms.ModelChoiceField(label=_("product line"), required=False, queryset=ProductLine.objects.none())
    number = forms.CharField(label=_("certificate number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("issued on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = product_lines_for(actor)  # type: ignore[attr-defined]
        style(self)


class DeactivationForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("hand open leads and deals to"),
        required=False,
        queryset=Account.objects.none(),
        empty_label=_("Headquarters (no partner)"),
    )
    confirm = forms.BooleanField(
        label=_("I understand: the partner stops receiving leads and its account is deactivated.")
    )

    def __init__(self, *args, actor, partner: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = partner_choices_for(actor).exclude(pk=partner.pk)  # type: ignore[attr-defined]
        style(self)
