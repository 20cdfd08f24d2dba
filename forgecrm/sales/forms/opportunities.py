"""HTML forms of the pipeline: they parse and show fields; the rules and the writes belong to the operations."""

from typing import cast

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forgecrm.catalog.models import Option, PriceList, Product, ProductLine
from forgecrm.customers.models import Account, AccountKind, Contact
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.forms import VersionedForm, add_validation_error
from forgecrm.platform.models import Team, Territory, User, UserKind
from forgecrm.platform.models.identity import ROLE_KIND

from ..models import (
    ForecastCategory,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Stage,
    StageProbability,
    WinLossReason,
)
from ..policies import is_assigner

DATE = {"type": "date"}


def style(form: forms.BaseForm) -> None:
    """Tabler's classes on every input (a money field is two widgets: amount and currency)."""
    for field in form.fields.values():
        for part in getattr(field.widget, "widgets", [field.widget]):
            if isinstance(part, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(part, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            part.attrs.setdefault("class", css)


def choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A model choice field of the form (django-stubs types `form.fields` as plain fields)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _autocomplete(field: forms.Field, url) -> None:
    field.widget.attrs.update({"data-tom-select": "", "data-autocomplete-url": str(url)})


def internal_users(actor):
    portal_roles = [role for role, kind in ROLE_KIND.items() if kind != UserKind.INTERNAL]
    return scope_for(actor, User).filter(is_active=True).exclude(role__in=portal_roles).order_by("full_name")


class OperationForm(VersionedForm):
    """A model form used for its fields only: the operation validates and saves."""

    def _post_clean(self):
        pass

    def apply_errors(self, error) -> None:
        add_validation_error(self, error)

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version" and name in self.fields}


class OpportunityForm(OperationForm):
    """Create and edit a deal. The stage is set on create only; later it moves on the board or the detail page."""

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "primary_contact",
            "stage",
            "product_line",
            "amount",
            "close_date",
            "forecast_category",
            "probability",
            "next_step",
            "next_step_date",
            "owner",
            "team",
            "territory",
            "partner",
            "description",
        ]
        widgets = {
            "close_date": forms.DateInput(DATE, format="%Y-%m-%d"),
            "next_step_date": forms.DateInput(DATE, format="%Y-%m-%d"),
            "description": forms.Textarea({"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        creating = self.instance.pk is None
        accounts = scope_for(actor, Account).filter(is_active=True)
        choices(self, "account").queryset = accounts
        choices(self, "partner").queryset = accounts.filter(kind=AccountKind.PARTNER)
        _autocomplete(self.fields["account"], reverse_lazy("customers:account-autocomplete"))
        choices(self, "primary_contact").queryset = scope_for(actor, Contact).filter(is_active=True)
        account_id = self.data.get("account") or self.initial.get("account") or self.instance.account_id
        if account_id:
            try:
                choices(self, "primary_contact").queryset = scope_for(actor, Contact).filter(
                    is_active=True, account_id=int(str(getattr(account_id, "pk", account_id)))
                )
            except (TypeError, ValueError):
                choices(self, "primary_contact").queryset = Contact.objects.none()
        else:
            choices(self, "primary_contact").queryset = Contact.objects.none()
        choices(self, "product_line").queryset = scope_for(actor, ProductLine).order_by("name")
        choices(self, "team").queryset = scope_for(actor, Team).order_by("name")
        choices(self, "territory").queryset = scope_for(actor, Territory)
        choices(self, "owner").queryset = internal_users(actor)
        for name in ("owner", "stage", "forecast_category", "probability", "amount"):
            self.fields[name].required = False
        self.fields["probability"].help_text = _("Empty: the stage's probability for the product line.")
        self.fields["forecast_category"].help_text = _("Empty: the stage's forecast category.")
        self.fields["amount"].help_text = _("With product lines, the amount is their sum.")
        if creating:
            choices(self, "stage").queryset = (
                scope_for(actor, Stage).filter(is_active=True, is_lost=False).order_by("order", "id")
            )
            self.fields["stage"].help_text = _("Empty: the first stage of the pipeline.")
            self.fields.pop("probability")
        else:
            self.fields.pop("stage")
            self.fields["version"].initial = self.instance.version
            # Empty keeps the account; a territory deal's account the user does not see cannot be changed here.
            self.fields["account"].required = False
            if not accounts.filter(pk=self.instance.account_id).exists():
                self.fields.pop("account")
            if self.instance.lines.exists():
                self.fields.pop("amount")
        if not is_assigner.test(actor):
            for name in ("owner", "team", "territory", "partner"):
                self.fields.pop(name, None)
        style(self)

    def values(self) -> dict:
        values = super().values()
        if values.get("probability") is None:
            values.pop("probability", None)
        if not values.get("forecast_category"):
            values.pop("forecast_category", None)
        if "stage" in values and values["stage"] is None:
            values.pop("stage")
        for name in ("owner", "account"):
            if name in values and values[name] is None:
                values.pop(name)
        return values


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", pgettext_lazy("open deals or leads", "Open")),
            ("won", _("Won")),
            ("lost", _("Lost")),
        ],
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), required=False, choices=[("", "---------"), *ForecastCategory.choices]
    )
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=ProductLine.objects.none(), required=False)
    close_from = forms.DateField(label=_("Close from"), required=False, widget=forms.DateInput(DATE))
    close_to = forms.DateField(label=_("Close to"), required=False, widget=forms.DateInput(DATE))
    stale = forms.BooleanField(label=_("Stale only"), required=False)

    def __init__(self, *args, actor, board: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices(self, "stage").queryset = scope_for(actor, Stage).filter(is_active=True).order_by("order", "id")
        if principal_for(actor).is_internal:
            choices(self, "owner").queryset = internal_users(actor)
        else:
            self.fields.pop("owner")
        choices(self, "product_line").queryset = scope_for(actor, ProductLine).order_by("name")
        if board:
            self.fields.pop("status")
            self.fields.pop("stage")
        style(self)

    def clean(self):
        data = super().clean() or {}
        start, end = data.get("close_from"), data.get("close_to")
        if start and end and start > end:
            self.add_error("close_to", _("The end is before the start."))
        return data


class MoveForm(forms.Form):
    """A stage move from the board (drag or select) or the detail page: the version the card showed."""

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    win_loss_reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", "---------"), *WinLossReason.choices]
    )
    win_loss_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        choices(self, "stage").queryset = scope_for(actor, Stage).filter(is_active=True).order_by("order", "id")
        style(self)


class OpportunityLineForm(OperationForm):
    options = forms.ModelMultipleChoiceField(label=_("Options"), queryset=Option.objects.none(), required=False)

    class Meta:
        model = OpportunityLine
        fields = ["product", "quantity", "price_list", "discount_percent"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        products = scope_for(actor, Product).filter(status__in=["active", "phase_out"]).order_by("sku")
        choices(self, "product").queryset = products
        self.fields["product"].widget.attrs["data-tom-select"] = ""
        choices(self, "price_list").queryset = scope_for(actor, PriceList).order_by("-valid_from", "name")
        self.fields["price_list"].required = False
        self.fields["price_list"].help_text = _("Empty: the list that fits the deal best.")
        self.fields["discount_percent"].required = False
        product_id = self.data.get("product") or (self.instance.product_id if editing else None)
        options = scope_for(actor, Option).filter(is_active=True).select_related("group").order_by("group", "position")
        try:
            choices(self, "options").queryset = (
                options.filter(group__product_id=int(product_id)) if product_id else options
            )
        except (TypeError, ValueError):
            choices(self, "options").queryset = Option.objects.none()
        self.fields["options"].widget.attrs["data-tom-select"] = ""
        if editing:
            self.fields.pop("product")
            self.fields["version"].initial = self.instance.version
            self.initial["options"] = [option.pk for option in self.instance.selected_options.all()]
        style(self)


class OpportunityCompetitorForm(OperationForm):
    class Meta:
        model = OpportunityCompetitor
        fields = ["competitor", "competitor_name", "notes", "won_by"]
        widgets = {"notes": forms.Textarea({"rows": 2})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        choices(self, "competitor").queryset = scope_for(actor, Account).filter(kind=AccountKind.COMPETITOR)
        self.fields["competitor"].widget.attrs["data-tom-select"] = ""
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        style(self)


class StageForm(OperationForm):
    class Meta:
        model = Stage
        fields = [
            "code",
            "name",
            "name_en",
            "order",
            "default_probability",
            "default_forecast_category",
            "is_won",
            "is_lost",
            "is_active",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["code"].disabled = True
        style(self)

    def values(self) -> dict:
        values = super().values()
        if self.instance.pk:
            values.pop("code", None)
        return values


class StageProbabilityForm(OperationForm):
    class Meta:
        model = StageProbability
        fields = ["stage", "product_line", "probability"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        choices(self, "stage").queryset = scope_for(actor, Stage).order_by("order", "id")
        choices(self, "product_line").queryset = scope_for(actor, ProductLine).order_by("name")
        style(self)
