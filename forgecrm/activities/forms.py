from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.models import User

from .models import (
    DIRECTED_KINDS,
    PERSONAL_KINDS,
    SCHEDULED_KINDS,
    ActivityKind,
    ActivityStatus,
    CallOutcome,
    Direction,
)
from .queries import owner_choices_for


def account_autocomplete_url() -> str:
    """The customers app's scoped account autocomplete (Tom Select JSON: {"results": [{id, text}]})."""
    try:
        return reverse("customers:account-autocomplete")
    except NoReverseMatch:
        return "/accounts/autocomplete/"


# Which form fields a kind shows (the rest are hidden in the browser and ignored on save).
FIELD_KINDS: dict[str, frozenset[str]] = {
    "starts_at": frozenset(ActivityKind.values) - PERSONAL_KINDS,
    "ends_at": SCHEDULED_KINDS,
    "all_day": SCHEDULED_KINDS | {ActivityKind.TASK},
    "due_at": frozenset({ActivityKind.TASK, ActivityKind.CALL, ActivityKind.CORRESPONDENCE}),
    "duration_minutes": SCHEDULED_KINDS | {ActivityKind.CALL},
    "location": SCHEDULED_KINDS,
    "direction": DIRECTED_KINDS,
    "outcome_code": frozenset({ActivityKind.CALL}),
    "outcome": frozenset(ActivityKind.values) - {ActivityKind.NOTE},
    "status": frozenset(ActivityKind.values) - {ActivityKind.NOTE},
}


class AutocompleteSelect(forms.Select):
    """A Tom Select box that renders only the chosen option; the rest load from a scoped autocomplete URL."""

    def __init__(self, url: str, attrs=None):
        super().__init__(attrs)
        self.url = url

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-autocomplete-url": self.url}
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        selected = {str(v) for v in value if v not in (None, "")}
        options = [self.create_option(name, "", "—", False, 0)]
        if not selected:
            return [(None, options, 0)]
        chosen = self.choices.queryset.filter(pk__in=selected)  # type: ignore[attr-defined]
        options += [self.create_option(name, obj.pk, str(obj), True, i + 1) for i, obj in enumerate(chosen)]
        return [(None, options, 0)]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def style_widgets(form: forms.Form) -> None:
    """Tabler/Bootstrap classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.HiddenInput)):
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none(), required=False)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=LocalDateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=LocalDateTimeInput)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=LocalDateTimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=0, max_value=10080)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=[("", "—"), *Direction.choices], required=False)
    outcome_code = forms.ChoiceField(label=_("Call result"), choices=[("", "—"), *CallOutcome.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices, initial=ActivityStatus.PLANNED)
    body = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6, "data-rich-text": ""})
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=True)
    shared_with_team = forms.BooleanField(label=_("Shared with my teams"), required=False, initial=True)
    visible_to_partner = forms.BooleanField(
        label=_("Visible to the account's partner"),
        required=False,
        help_text=_("Headquarters notes stay internal unless this is ticked."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    wide_fields = ("subject", "body", "outcome")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        account_field = self.fields["account"]
        account_field.queryset = scope_for(actor, Account)  # type: ignore[attr-defined]
        account_field.widget = AutocompleteSelect(account_autocomplete_url(), attrs={"data-tom-select": ""})
        account_field.widget.choices = account_field.choices  # type: ignore[attr-defined]
        contact_field = self.fields["contact"]
        contact_field.queryset = scope_for(actor, Contact)  # type: ignore[attr-defined]
        contact_field.widget = AutocompleteSelect(
            reverse("activities:contacts-autocomplete"), attrs={"data-contact-select": ""}
        )
        contact_field.widget.choices = contact_field.choices  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owner_choices_for(actor).order_by("full_name")  # type: ignore[attr-defined]
        self.fields["owner"].initial = actor.pk
        if not principal_for(actor).is_internal:
            del self.fields["visible_to_partner"]
        for name in ("subject", "location", "duration_minutes"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        style_widgets(self)

    @property
    def current_kind(self) -> str:
        value = self["kind"].value()
        return value if value in ActivityKind.values else ActivityKind.CALL

    @property
    def hidden_for_kind(self) -> list[str]:
        """Fields the chosen kind does not use (hidden on first render; the script follows later changes)."""
        return [name for name, kinds in FIELD_KINDS.items() if self.current_kind not in kinds]

    @staticmethod
    def field_kinds() -> dict[str, list[str]]:
        return {name: sorted(kinds) for name, kinds in FIELD_KINDS.items()}

    def operation_fields(self) -> dict:
        """The cleaned values the chosen kind uses; fields the kind hides are sent empty."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        kind = data["kind"]
        for name, kinds in FIELD_KINDS.items():
            if kind not in kinds and name in data:
                data[name] = False if name == "all_day" else (None if name.endswith(("_at", "minutes")) else "")
        if kind == ActivityKind.NOTE:
            data["status"] = ActivityStatus.DONE
        return data


class CompleteForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome_code = forms.ChoiceField(label=_("Call result"), choices=[("", "—"), *CallOutcome.choices], required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Subject"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ActivityKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ActivityStatus.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("All owners")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mine = forms.BooleanField(label=_("Mine only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices_for(actor).order_by("full_name")  # type: ignore[attr-defined]
        style_widgets(self)


# The kinds the regarding panel logs with one click (the rest sit in its "more" menu).
QUICK_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.CORRESPONDENCE)
MORE_KINDS = (ActivityKind.VISIT, ActivityKind.TASK, ActivityKind.NOTE)

# Which quick-log fields a kind shows.
QUICK_FIELD_KINDS: dict[str, frozenset[str]] = {
    "starts_at": frozenset(ActivityKind.values) - PERSONAL_KINDS,
    "due_at": frozenset({ActivityKind.TASK}),
    "duration_minutes": SCHEDULED_KINDS | {ActivityKind.CALL},
    "location": SCHEDULED_KINDS,
    "direction": DIRECTED_KINDS,
    "phone_number": frozenset({ActivityKind.CALL}),
    "outcome_code": frozenset({ActivityKind.CALL}),
    "status": frozenset(ActivityKind.values) - {ActivityKind.NOTE},
}


class QuickLogForm(forms.Form):
    """The regarding panel's small form: everything prefilled, so logging is "click the kind, click save".

    The record the activity is about (and so its account) is not a field: the view takes it from the URL,
    inside the actor's scope. `contact` is the person a click-to-call dialled (checked by the operation)."""

    kind = forms.ChoiceField(choices=ActivityKind.choices, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = forms.DateTimeField(label=_("When"), required=False, widget=LocalDateTimeInput)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=LocalDateTimeInput)
    duration_minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=0, max_value=10080)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, required=False)
    phone_number = forms.CharField(label=_("Number"), max_length=32, required=False)
    outcome_code = forms.ChoiceField(label=_("Call result"), choices=[("", "—"), *CallOutcome.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ActivityStatus.DONE, _("Done")), (ActivityStatus.PLANNED, _("Planned"))],
        required=False,
    )
    outcome = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    shared_with_team = forms.BooleanField(label=_("Share with my team"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject", "location", "duration_minutes", "phone_number"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["duration_minutes"].widget.attrs["inputmode"] = "numeric"
        self.fields["phone_number"].widget.attrs.update(inputmode="tel", type="tel")
        style_widgets(self)

    @property
    def current_kind(self) -> str:
        value = self["kind"].value()
        return value if value in ActivityKind.values else ActivityKind.CALL

    def visible_fields_for_kind(self) -> list:
        kind = self.current_kind
        shown = []
        for bound in self.visible_fields():
            kinds = QUICK_FIELD_KINDS.get(bound.name)
            if kinds is None or kind in kinds:
                shown.append(bound)
        return shown

    def operation_fields(self) -> dict:
        """`log_activity` keywords for the fields the kind uses (the rest are not sent)."""
        data = dict(self.cleaned_data)
        kind = data["kind"]
        for name, kinds in QUICK_FIELD_KINDS.items():
            if kind not in kinds:
                data.pop(name, None)
        if not data.get("status"):
            data.pop("status", None)
        if data.get("contact") is None:
            data.pop("contact", None)
        return data
