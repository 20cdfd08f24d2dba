"""Lead forms: they parse and show fields; the rules and the writes belong to the operations."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, AccountKind, ConsentPurpose, Contact
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.platform.access import scope_for
from forgecrm.platform.forms import VersionedForm, add_validation_error
from forgecrm.platform.models import Role, Team, Territory, User

from ..models import (
    DisqualifyReason,
    Lead,
    LeadAssignmentRule,
    LeadScoringRule,
    LeadSource,
    LeadStatus,
    WebForm,
)
from ..policies import is_assigner

PORTAL_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)


def style(form: forms.BaseForm) -> None:
    """Tabler's classes on every widget."""
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


def internal_users(actor):
    return scope_for(actor, User).filter(is_active=True).exclude(role__in=PORTAL_ROLES).order_by("full_name", "id")


def sido_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [("", "---------")] + [(name, name) for name in SIDO_NAMES]
    if current and current not in SIDO_NAMES:
        choices.append((current, current))
    return choices


class OperationFormMixin:
    """A model form used for its fields only: the operation normalises and validates, then saves."""

    def _post_clean(self):
        pass

    def apply_errors(self, error: ValidationError) -> None:
        add_validation_error(self, error)  # type: ignore[arg-type]
        style(self)  # type: ignore[arg-type]

    def values(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()  # type: ignore[attr-defined]
            if name != "version" and name in self.fields  # type: ignore[attr-defined]
        }


class LeadForm(OperationFormMixin, VersionedForm):
    # Text, so the operation can normalise and name the rule that failed (BRN checksum, phone format).
    brn = forms.CharField(label=_("business registration number"), required=False, max_length=20)
    email = forms.CharField(label=_("email"), required=False, max_length=254)
    phone = forms.CharField(label=_("phone"), required=False, max_length=30)
    mobile = forms.CharField(label=_("mobile"), required=False, max_length=30)

    class Meta:
        model = Lead
        fields = [
            "person_name",
            "title",
            "company_name",
            "brn",
            "email",
            "mobile",
            "phone",
            "sido",
            "sigungu",
            "road_address",
            "industry",
            "size",
            "product_line",
            "interest",
            "source",
            "source_detail",
            "owner",
            "team",
            "territory",
            "partner",
        ]
        widgets = {"interest": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        instance = self.instance if self.instance.pk else None
        self.fields["sido"] = forms.ChoiceField(
            label=_("시/도"), required=False, choices=sido_choices(instance.sido if instance else "")
        )
        self.fields["product_line"].queryset = scope_for(actor, ProductLine).filter(is_active=True)  # type: ignore[attr-defined]
        assigns = actor.has_perm("sales.assign_lead", instance) if instance else bool(is_assigner(actor))
        if assigns:
            self.fields["owner"].queryset = internal_users(actor)  # type: ignore[attr-defined]
            self.fields["owner"].required = False
            self.fields["team"].queryset = scope_for(actor, Team)  # type: ignore[attr-defined]
            self.fields["territory"].queryset = scope_for(actor, Territory)  # type: ignore[attr-defined]
            self.fields["partner"].queryset = scope_for(actor, Account).filter(kind=AccountKind.PARTNER, is_active=True)  # type: ignore[attr-defined]
            self.fields["owner"].help_text = _("Leave empty to let the assignment rules decide.")
        else:
            for name in ("owner", "team", "territory", "partner"):
                del self.fields[name]
        if instance is None:
            self.fields["source"].initial = LeadSource.PHONE
        else:
            self.fields["version"].initial = instance.version
        style(self)


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All")), ("open", pgettext_lazy("open deals or leads", "Open")), *list(LeadStatus.choices)],
    )
    owner = forms.ChoiceField(label=_("owner"), required=False)
    source = forms.ChoiceField(label=_("source"), required=False, choices=[("", _("All")), *list(LeadSource.choices)])
    min_score = forms.IntegerField(label=_("score at least"), required=False, min_value=-32767, max_value=32767)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        users = [(str(user.pk), str(user)) for user in internal_users(actor)[:300]]
        owner: forms.ChoiceField = self.fields["owner"]  # type: ignore[assignment]
        owner.choices = [("", _("All")), ("none", _("Unassigned (queue)")), *users]
        style(self)

    def clean_owner(self):
        value = self.cleaned_data.get("owner") or ""
        return value if value in ("", "none") else int(value)


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=[c for c in LeadStatus.choices if c[0] != "converted"])
    reason = forms.ChoiceField(
        label=_("disqualification reason"), required=False, choices=[("", "---------"), *list(DisqualifyReason.choices)]
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class LeadAssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    use_rules = forms.BooleanField(label=_("Let the assignment rules decide"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = internal_users(actor)  # type: ignore[attr-defined]
        self.fields["team"].queryset = scope_for(actor, Team)  # type: ignore[attr-defined]
        style(self)

    def clean(self):
        data = super().clean() or {}
        if not data.get("use_rules") and not data.get("owner") and not data.get("team"):
            raise ValidationError(_("Choose a user or a team, or let the rules decide."))
        return data


class BulkAssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=User.objects.none())
    ids = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = internal_users(actor)  # type: ignore[attr-defined]
        style(self)


class ConvertForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Existing account"),
        queryset=Account.objects.none(),
        required=False,
        empty_label=_("Create a new account"),
    )
    account_name = forms.CharField(label=_("New account name"), required=False, max_length=200)
    contact = forms.ModelChoiceField(
        label=_("Existing contact"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("Create a new contact"),
    )
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False, initial=True)
    opportunity_name = forms.CharField(label=_("opportunity name"), required=False, max_length=200)
    close_date = forms.DateField(label=_("close date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("amount (KRW)"), required=False, min_value=0, max_digits=18, decimal_places=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, account_ids=(), contact_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = scope_for(actor, Account).filter(pk__in=list(account_ids))  # type: ignore[attr-defined]
        self.fields["contact"].queryset = scope_for(actor, Contact).filter(pk__in=list(contact_ids))  # type: ignore[attr-defined]
        style(self)


# --- configuration ---------------------------------------------------------------------------------------------


class WebFormForm(OperationFormMixin, VersionedForm):
    consent_purposes = forms.MultipleChoiceField(
        label=_("consent purposes"),
        required=False,
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    allowed_origins = forms.CharField(
        label=_("allowed embedding origins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, such as https://www.example.co.kr; empty: only this site."),
    )
    success_redirect_url = forms.URLField(label=_("redirect after sending"), required=False, assume_scheme="https")

    class Meta:
        model = WebForm
        fields = [
            "name",
            "slug",
            "product_line",
            "default_owner",
            "default_team",
            "consent_purposes",
            "consent_text_ko",
            "consent_text_en",
            "consent_version",
            "allowed_origins",
            "success_message",
            "success_redirect_url",
            "is_active",
        ]
        widgets = {
            "consent_text_ko": forms.Textarea(attrs={"rows": 3}),
            "consent_text_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = scope_for(actor, ProductLine).filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["default_owner"].queryset = internal_users(actor)  # type: ignore[attr-defined]
        self.fields["default_team"].queryset = scope_for(actor, Team)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["allowed_origins"] = "\n".join(self.instance.allowed_origins or [])
            self.fields["version"].initial = self.instance.version
        style(self)

    def clean_allowed_origins(self):
        lines = [line.strip().rstrip("/") for line in (self.cleaned_data.get("allowed_origins") or "").splitlines()]
        origins = [line for line in lines if line]
        for origin in origins:
            scheme, _sep, host = origin.partition("://")
            if scheme not in ("https", "http") or not host or "/" in host or " " in host:
                raise ValidationError(
                    _("%(origin)s is not an origin such as https://www.example.co.kr.") % {"origin": origin}
                )
        return origins


class AssignmentRuleForm(OperationFormMixin, VersionedForm):
    sido = forms.ChoiceField(label=_("시/도"), required=False)

    class Meta:
        model = LeadAssignmentRule
        fields = [
            "name",
            "priority",
            "is_active",
            "territory",
            "product_line",
            "sido",
            "industry",
            "source",
            "assign_to_user",
            "assign_to_team",
            "capacity",
        ]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sido"].choices = sido_choices(self.instance.sido if self.instance.pk else "")  # type: ignore[attr-defined]
        self.fields["territory"].queryset = scope_for(actor, Territory)  # type: ignore[attr-defined]
        self.fields["product_line"].queryset = scope_for(actor, ProductLine).filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["assign_to_user"].queryset = internal_users(actor)  # type: ignore[attr-defined]
        self.fields["assign_to_team"].queryset = scope_for(actor, Team)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        style(self)


class ScoringRuleForm(OperationFormMixin, VersionedForm):
    class Meta:
        model = LeadScoringRule
        fields = ["name", "kind", "field", "operator", "value", "points", "is_active"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].help_text = _(
            "A lead field (size, industry, sido, title, source, product_line, email_domain…), "
            "activities.<kind> or activities.total, or consents."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        style(self)


class PublicLeadForm(forms.Form):
    """What a visitor fills in on an embedded form; spam traps: a honeypot field and the signed fill time."""

    person_name = forms.CharField(label=_("Your name"), max_length=120)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=80, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    interest = forms.CharField(
        label=_("How can we help?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Honeypot: hidden from people by CSS and aria-hidden; a bot that fills every input gives itself away.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, web_form: WebForm, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        text = web_form.consent_text_ko if language == "ko" else (web_form.consent_text_en or web_form.consent_text_ko)
        labels = dict(ConsentPurpose.choices)
        for purpose in web_form.consent_purposes or []:
            if purpose in labels:
                self.fields[f"consent_{purpose}"] = forms.BooleanField(
                    label=labels[purpose], required=False, help_text=text
                )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        style(self)

    def clean(self):
        data = super().clean() or {}
        if not data.get("email") and not data.get("mobile"):
            raise ValidationError(_("Give an email address or a mobile number so that we can answer."))
        return data

    def consent_purposes(self) -> list[str]:
        return [
            name.removeprefix("consent_")
            for name, value in self.cleaned_data.items()
            if name.startswith("consent_") and value
        ]

    def consent_fields(self):
        return [self[name] for name in self.fields if name.startswith("consent_")]

    def person_fields(self):
        return [self[name] for name in ("person_name", "company_name", "title", "email", "mobile", "interest")]
