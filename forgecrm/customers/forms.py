"""HTML forms: they parse and show fields; the rules and the write belong to the operations."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.forms import VersionedForm
from forgecrm.platform.korea.brn import format_brn
from forgecrm.platform.korea.phone import display_phone
from forgecrm.platform.models import Role, Territory, User

from .models import (
    Account,
    AccountKind,
    AccountSize,
    Channel,
    ConsentPurpose,
    Contact,
    KeyPersonRole,
    Tier,
)
from .normalization import SIDO_NAMES
from .policies import PARTNER_CREATABLE_KINDS, is_record_manager
from .queries import consent_status

PORTAL_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)


class AutocompleteSelect(forms.Select):
    """A Tom Select that loads its options from a JSON endpoint: only the chosen option is in the page,
    so a picker over 100,000 accounts stays small."""

    def __init__(self, url, attrs=None):
        super().__init__(attrs)
        self.url = url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({"data-tom-select": "", "data-autocomplete-url": str(self.url)})
        return context

    def optgroups(self, name, value, attrs=None):
        selected = [v for v in value if v not in (None, "")]
        options = [self.create_option(name, "", "---------", not selected, 0)]
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None and selected:
            try:
                rows = list(queryset.filter(pk__in=selected))
            except (ValueError, TypeError):
                rows = []
            for index, row in enumerate(rows, start=1):
                options.append(self.create_option(name, row.pk, str(row), True, index))
        return [(None, options, 0)]


def _autocomplete(field: forms.ModelChoiceField, url) -> None:
    """Swap in the autocomplete widget after the queryset is set (a new widget starts without choices)."""
    field.widget = AutocompleteSelect(url)
    field.widget.choices = field.choices
    field.widget.is_required = field.required


def _tom_select(field: forms.Field) -> None:
    field.widget.attrs["data-tom-select"] = ""


def _style(widget: forms.Widget) -> None:
    """Tabler's classes on every input (a money field is two widgets: amount and currency)."""
    for part in getattr(widget, "widgets", [widget]):
        if isinstance(part, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(part, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        part.attrs.setdefault("class", css)


def style_form(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        _style(field.widget)


def _start_of(day: dt.date | None) -> dt.datetime | None:
    """A consent dated today keeps the current time; an earlier date starts at local midnight."""
    if not day or day == timezone.localdate():
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class OperationForm(VersionedForm):
    """A model form used for its fields only: the operation validates and saves."""

    sections: list[tuple[str, list[str]]] = []

    def _post_clean(self):
        # No instance validation here: the operation normalises (BRN, phone) first, then validates the model.
        pass

    def apply_errors(self, error: ValidationError) -> None:
        """Show an operation's ValidationError on the fields it names (others on top of the form)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
        groups = []
        for title, names in self.sections:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append((title, fields))
        return groups

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version" and name in self.fields}


def _sido_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [("", "---------")] + [(name, name) for name in SIDO_NAMES]
    if current and current not in SIDO_NAMES:
        choices.append((current, current))
    return choices


def _internal_users(actor):
    return scope_for(actor, User).filter(is_active=True).exclude(role__in=PORTAL_ROLES).order_by("full_name")


class AccountForm(OperationForm):
    brn = forms.CharField(label=_("business registration number"), max_length=20, required=False)
    corporate_number = forms.CharField(label=_("corporate registration number"), max_length=20, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"}))
    email = forms.CharField(label=_("email"), max_length=254, required=False, widget=forms.EmailInput)
    sido = forms.ChoiceField(label=_("시/도"), required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", widget=forms.URLInput)

    sections = [
        (_("Account"), ["name", "kind", "form", "brn", "corporate_number", "industry", "employees", "size"]),
        (_("Contact details"), ["phone", "email", "website", "annual_revenue"]),
        (_("Address"), ["postal_code", "sido", "sigungu", "road_address", "address_detail"]),
        (_("Sales"), ["parent", "owner", "territory", "tier"]),
        (_("Partner channel"), ["partner", "partner_type", "channel_parent"]),
        (_("Notes"), ["description"]),
    ]

    class Meta:
        model = Account
        fields = [
            "name",
            "kind",
            "form",
            "brn",
            "corporate_number",
            "industry",
            "employees",
            "size",
            "phone",
            "email",
            "website",
            "annual_revenue",
            "postal_code",
            "sido",
            "sigungu",
            "road_address",
            "address_detail",
            "parent",
            "owner",
            "territory",
            "tier",
            "partner",
            "partner_type",
            "channel_parent",
            "description",
        ]
        widgets = {"description": forms.Textarea({"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        principal = principal_for(actor)
        creating = self.instance.pk is None
        if not creating:
            self.fields["version"].initial = self.instance.version
            # Shown as people write them; the operation normalises again and sees no change.
            self.initial["brn"] = format_brn(self.instance.brn) if self.instance.brn else ""
            self.initial["phone"] = display_phone(self.instance.phone)
        self.fields["sido"].choices = _sido_choices(self.instance.sido if not creating else "")
        visible_accounts = scope_for(actor, Account)
        autocomplete = reverse_lazy("customers:account-autocomplete")
        partners_autocomplete = reverse_lazy("customers:partner-autocomplete")
        self.fields["parent"].queryset = visible_accounts
        _autocomplete(self.fields["parent"], autocomplete)
        for name in ("partner", "channel_parent"):
            self.fields[name].queryset = visible_accounts.filter(kind=AccountKind.PARTNER)
            _autocomplete(self.fields[name], partners_autocomplete)
        self.fields["owner"].queryset = _internal_users(actor)
        self.fields["owner"].required = False
        _tom_select(self.fields["owner"])
        self.fields["territory"].queryset = scope_for(actor, Territory)
        if not is_record_manager(actor):
            for name in ("owner", "partner", "channel_parent", "territory"):
                del self.fields[name]
        if principal.is_partner:
            for name in ("tier", "partner_type", "channel_parent"):
                self.fields.pop(name, None)
            self.fields["kind"].choices = [c for c in AccountKind.choices if c[0] in PARTNER_CREATABLE_KINDS]
        self.fields["size"].help_text = _("Filled in from the number of employees when left empty.")
        if creating:
            check = {
                "hx-get": reverse_lazy("customers:account-duplicates"),
                "hx-trigger": "input changed delay:600ms",
                "hx-target": "#duplicate-check",
                "hx-include": "[name=name],[name=brn],[name=email],[name=phone]",
            }
            for name in ("name", "brn", "email", "phone"):
                self.fields[name].widget.attrs.update(check)
        style_form(self)


class ContactForm(OperationForm):
    phone = forms.CharField(label=_("phone"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"}))
    mobile = forms.CharField(label=_("mobile"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"}))
    email = forms.CharField(label=_("email"), max_length=254, required=False, widget=forms.EmailInput)
    consent_source = forms.CharField(
        label=_("Where consent was given"),
        max_length=64,
        required=False,
        help_text=_("Web form, paper form, phone call…"),
    )
    consent_date = forms.DateField(
        label=_("Consent date"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )

    sections = [
        (_("Contact"), ["account", "full_name", "title", "department", "key_person_role", "owner"]),
        (_("Reaching them"), ["email", "phone", "mobile", "preferred_channel"]),
        (_("Marketing consent"), []),  # filled in __init__
        (_("Notes"), ["notes"]),
    ]

    class Meta:
        model = Contact
        fields = [
            "account",
            "full_name",
            "title",
            "department",
            "key_person_role",
            "owner",
            "email",
            "phone",
            "mobile",
            "preferred_channel",
            "notes",
        ]
        widgets = {"notes": forms.Textarea({"rows": 3})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
            self.initial["phone"] = display_phone(self.instance.phone)
            self.initial["mobile"] = display_phone(self.instance.mobile)
        self.fields["account"].queryset = scope_for(actor, Account)
        _autocomplete(self.fields["account"], reverse_lazy("customers:account-autocomplete"))
        self.fields["owner"].queryset = _internal_users(actor)
        self.fields["owner"].required = False
        _tom_select(self.fields["owner"])
        if not is_record_manager(actor):
            del self.fields["owner"]
        current = {}
        if self.instance.pk is not None:
            current = {status.purpose: status for status in consent_status(list(self.instance.consents.all()))}
        consent_names = []
        for value, label in ConsentPurpose.choices:
            name = f"consent_{value}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("No change")), ("granted", _("Given")), ("withdrawn", _("Withdrawn"))],
                help_text=_consent_now(current.get(value)),
            )
            consent_names.append(name)
        consent_names += ["consent_date", "consent_source"]
        self.sections = [(title, names if names else consent_names) for title, names in type(self).sections]
        style_form(self)

    def clean(self):
        cleaned = super().clean()
        if self.consent_changes() and not (cleaned.get("consent_source") or "").strip():
            self.add_error("consent_source", _("Say where the consent was given (web form, paper, call…)."))
        return cleaned

    def consent_changes(self) -> list[tuple[str, bool]]:
        data = getattr(self, "cleaned_data", {})
        return [
            (value, data[f"consent_{value}"] == "granted")
            for value in ConsentPurpose.values
            if data.get(f"consent_{value}")
        ]

    def consent_moment(self) -> dt.datetime | None:
        return _start_of(self.cleaned_data.get("consent_date"))

    def values(self) -> dict:
        return {name: value for name, value in super().values().items() if not name.startswith("consent_")}


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("Choice"),
        choices=[("1", _("Given")), ("0", _("Withdrawn"))],
        coerce=lambda value: value == "1",
    )
    recorded_at = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.CharField(label=_("source"), max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)

    def moment(self) -> dt.datetime | None:
        return _start_of(self.cleaned_data.get("recorded_at"))


def _consent_now(status) -> str:
    if status is None or status.consent is None:
        return str(_("Now: not asked"))
    text = _("Now: given on %(date)s (%(source)s)") if status.granted else _("Now: withdrawn on %(date)s (%(source)s)")
    return str(text) % {"date": timezone.localdate(status.consent.recorded_at), "source": status.consent.source}


ACTIVE_CHOICES = [("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))]


def _optional(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *list(choices)]


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput({"placeholder": _("Name, BRN, phone, email"), "type": "search"}),
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_optional(AccountKind.choices))
    tier = forms.ChoiceField(label=_("tier"), required=False, choices=_optional(Tier.choices))
    sido = forms.ChoiceField(label=_("시/도"), required=False, choices=_optional((n, n) for n in SIDO_NAMES))
    industry = forms.CharField(label=_("industry"), required=False)
    size = forms.ChoiceField(label=_("size"), required=False, choices=_optional(AccountSize.choices))
    owner = forms.ModelChoiceField(label=_("owner"), required=False, queryset=User.objects.none(), empty_label=_("All"))
    territory = forms.ModelChoiceField(
        label=_("territory"), required=False, queryset=Territory.objects.none(), empty_label=_("All")
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
    partner = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if principal_for(actor).is_internal:
            self.fields["owner"].queryset = _internal_users(actor)
            self.fields["territory"].queryset = scope_for(actor, Territory)
        else:
            del self.fields["owner"], self.fields["territory"]
        style_form(self)


class ContactFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput({"placeholder": _("Name, email, phone, account"), "type": "search"}),
    )
    key_person_role = forms.ChoiceField(
        label=_("key-person role"), required=False, choices=_optional(KeyPersonRole.choices)
    )
    preferred_channel = forms.ChoiceField(
        label=_("preferred channel"), required=False, choices=_optional(Channel.choices)
    )
    owner = forms.ModelChoiceField(label=_("owner"), required=False, queryset=User.objects.none(), empty_label=_("All"))
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if principal_for(actor).is_internal:
            self.fields["owner"].queryset = _internal_users(actor)
        else:
            del self.fields["owner"]
        style_form(self)


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(label=_("Duplicate to merge into this record"), queryset=Account.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, survivor, autocomplete_url, model=Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = scope_for(actor, model).exclude(pk=survivor.pk)
        _autocomplete(self.fields["duplicate"], autocomplete_url)
        self.fields["version"].initial = survivor.version
        style_form(self)
