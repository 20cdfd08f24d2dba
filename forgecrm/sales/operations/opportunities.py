"""Writes on opportunities: create, update, move between stages (with the stage history), assign.

Every stage change closes the open `StageHistory` row (its `seconds_in_stage`) and opens the next one in the same
transaction, under the opportunity's row lock, so there is always exactly one open row and
`Opportunity.stage_entered_at` equals its `entered_at`. A write names the version it read (`expected_version`);
a newer version in the database raises `platform.versioning.ConflictError`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.customers.models import Account, AccountKind, Contact
from forgecrm.platform import events
from forgecrm.platform.access import is_in_scope
from forgecrm.platform.models import User, UserKind
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import ForecastCategory, Opportunity, Stage, StageHistory, StageProbability, WinLossReason

DEFAULT_CURRENCY = "KRW"

# The fields `update_opportunity` changes; the stage moves through `move_opportunity_to_stage` only.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "account",
        "primary_contact",
        "owner",
        "team",
        "territory",
        "partner",
        "product_line",
        "probability",
        "amount",
        "forecast_category",
        "close_date",
        "next_step",
        "next_step_date",
        "description",
        "win_loss_reason",
        "win_loss_note",
        "source",
        "external_id",
    }
)
# The fields that decide who sees the deal: changed by an assigner (`sales.assign_opportunity`) only.
VISIBILITY_FIELDS = frozenset({"owner", "team", "territory", "partner"})
FOREIGN_KEYS = frozenset({"account", "primary_contact", "owner", "team", "territory", "partner", "product_line"})


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _error(errors: dict, name: str, message: str, code: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code=code))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def probability_for(stage: Stage, product_line: Any = None) -> int:
    """The stage's probability for the product line (its own override), else the stage's default."""
    line_id = _pk(product_line)
    if line_id is not None:
        override = (
            StageProbability.objects.filter(stage=stage, product_line_id=line_id)
            .values_list("probability", flat=True)
            .first()
        )
        if override is not None:
            return override
    return stage.default_probability


def first_open_stage() -> Stage | None:
    return Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order", "id").first()


def _check_references(actor: User | None, values: dict[str, Any], account: Any, errors: dict) -> None:
    """Linked records must be visible to the actor and of the right kind."""
    if "account" in values:
        if values["account"] is None:
            _error(errors, "account", _("Choose an account."), "required")
        elif actor is not None and not is_in_scope(actor, values["account"]):
            _error(errors, "account", _("No such account."), "does_not_exist")
    contact = values.get("primary_contact")
    if contact is not None and account is not None and _pk(contact) is not None:
        contact_account_id = contact.account_id if isinstance(contact, Contact) else None
        if contact_account_id != _pk(account):
            _error(errors, "primary_contact", _("Choose a contact of the opportunity's account."), "wrong_account")
    partner = values.get("partner")
    if partner is not None and (not isinstance(partner, Account) or partner.kind != AccountKind.PARTNER):
        _error(errors, "partner", _("Choose a partner account."), "not_partner")
    owner = values.get("owner")
    if owner is not None and (not owner.is_active or owner.kind != UserKind.INTERNAL):
        # deals are owned by the maker's staff; a partner works them through `partner`
        _error(errors, "owner", _("Choose an active internal user."), "not_internal")
    amount = values.get("amount")
    if amount is not None:
        if not isinstance(amount, Money):
            _error(errors, "amount", _("Enter an amount with its currency."), "invalid")
        elif amount.amount < 0:
            _error(errors, "amount", _("The amount cannot be negative."), "negative")
    probability = values.get("probability")
    if probability is not None and not 0 <= int(probability) <= 100:
        _error(errors, "probability", _("Enter a probability between 0 and 100."), "out_of_range")
    if "close_date" in values and values["close_date"] is None:
        _error(errors, "close_date", _("Enter the expected close date."), "required")
    if "name" in values and not (values["name"] or "").strip():
        _error(errors, "name", _("Enter a name."), "required")


def _check_win_loss(stage: Stage, reason: str, errors: dict) -> None:
    if reason and reason not in WinLossReason.values:
        _error(errors, "win_loss_reason", _("Choose a reason from the list."), "invalid_choice")
    elif stage.is_lost and not reason:
        _error(errors, "win_loss_reason", _("A lost opportunity needs a reason."), "required")


def create_opportunity(
    *,
    actor: User | None,
    account: Account,
    name: str,
    close_date: Any,
    amount: Money | None = None,
    owner: User | None = None,
    stage: Stage | None = None,
    product_line: Any = None,
    primary_contact: Contact | None = None,
    team: Any = None,
    territory: Any = None,
    partner: Account | None = None,
    source_lead: Any = None,
    forecast_category: str | None = None,
    next_step: str = "",
    next_step_date: Any = None,
    description: str = "",
    source: str = "",
    external_id: str = "",
) -> Opportunity:
    """Open a deal in the first active open stage (or `stage`), owned by the actor (or `owner`), with the stage's
    probability for the product line and its forecast category; opens the first stage history row.
    `actor=None` is the system (imports, demo data) and must name the owner."""
    if actor is not None and not actor.has_perm("sales.add_opportunity"):
        raise PermissionDenied(_("You cannot create opportunities."))
    errors: dict[str, list] = {}
    if owner is None:
        if actor is None:
            _error(errors, "owner", _("Choose an owner."), "required")
        owner = actor
    elif actor is not None and _pk(owner) != actor.pk and not _is_assigner(actor):
        _error(errors, "owner", _("Only a manager can give a deal to someone else."), "not_allowed")
    if stage is None:
        stage = first_open_stage()
        if stage is None:
            _error(errors, "stage", _("No active stage is configured."), "required")
    elif not stage.is_active:
        _error(errors, "stage", _("This stage is no longer used."), "inactive")
    values: dict[str, Any] = {
        "name": (name or "").strip(),
        "account": account,
        "close_date": close_date,
        "amount": amount if amount is not None else Money(0, DEFAULT_CURRENCY),
        "owner": owner,
        "product_line": product_line,
        "primary_contact": primary_contact,
        "team": team,
        "territory": territory,
        "partner": partner,
    }
    _check_references(actor, values, account, errors)
    if stage is not None and stage.is_lost:
        _error(errors, "stage", _("A new opportunity cannot start lost."), "closed")
    if forecast_category and forecast_category not in ForecastCategory.values:
        _error(errors, "forecast_category", _("Choose a forecast category from the list."), "invalid_choice")
    _raise(errors)
    if stage is None or owner is None:  # refused above with its field error; this narrows the types
        raise ValidationError(errors)
    now = timezone.now()
    probability = probability_for(stage, product_line)
    with transaction.atomic():
        opportunity = Opportunity(
            **values,
            stage=stage,
            probability=probability,
            forecast_category=forecast_category or stage.default_forecast_category,
            next_step=next_step or "",
            next_step_date=next_step_date,
            description=description or "",
            source_lead=source_lead,
            source=source or "",
            external_id=external_id or "",
            stage_entered_at=now,
            closed_at=now if stage.is_closed else None,
            created_by=actor,
            updated_by=actor,
        )
        opportunity.full_clean()
        opportunity._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        opportunity.save()
        _open_stay(opportunity, stage, now, actor)
        index_objects("opportunity", [opportunity])
        events.emit(
            "OpportunityCreated",
            {"opportunity_id": opportunity.pk, "account_id": opportunity.account_id, "actor_id": _pk(actor)},
        )
        if stage.is_won:
            _emit_closed(opportunity, actor)
    return opportunity


def _is_assigner(actor: User) -> bool:
    from ..policies import is_assigner

    return bool(is_assigner.test(actor))


def _open_stay(opportunity: Opportunity, stage: Stage, now: Any, actor: User | None) -> StageHistory:
    return StageHistory.objects.create(
        opportunity=opportunity,
        stage=stage,
        entered_at=now,
        changed_by=actor if _pk(actor) else None,
        amount=opportunity.amount,
        probability=opportunity.probability,
    )


def _close_open_stay(opportunity: Opportunity, now: Any) -> None:
    stay = StageHistory.objects.select_for_update().filter(opportunity=opportunity, left_at__isnull=True).first()
    if stay is None:
        return
    left_at = max(now, stay.entered_at)
    stay.left_at = left_at
    stay.seconds_in_stage = int((left_at - stay.entered_at).total_seconds())
    stay.save(update_fields=["left_at", "seconds_in_stage"])


def _emit_closed(opportunity: Opportunity, actor: User | None) -> None:
    stage = opportunity.stage
    payload = {
        "opportunity_id": opportunity.pk,
        "account_id": opportunity.account_id,
        "owner_id": opportunity.owner_id,
        "stage": stage.code,
        "amount": str(opportunity.amount.amount),
        "currency": str(opportunity.amount.currency),
        "win_loss_reason": opportunity.win_loss_reason,
        "actor_id": _pk(actor),
    }
    events.emit("OpportunityWon" if stage.is_won else "OpportunityLost", payload)


def move_opportunity_to_stage(
    *,
    actor: User | None,
    opportunity: Opportunity,
    stage: Stage,
    expected_version: int | None,
    win_loss_reason: str = "",
    win_loss_note: str = "",
) -> Opportunity:
    """Move the deal to `stage`: the open stay is closed (seconds in stage) and the next opened; probability and
    forecast category follow the stage (the product line's probability when it has one); won and lost set
    `closed_at` (lost needs a reason), reopening clears it. A stale `expected_version` raises ConflictError."""
    if actor is not None and not actor.has_perm("sales.change_opportunity", opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    return _move_to_stage(
        actor=actor,
        opportunity=opportunity,
        stage=stage,
        expected_version=expected_version,
        win_loss_reason=win_loss_reason,
        win_loss_note=win_loss_note,
    )


def win_opportunity_for_accepted_quote(*, actor: User | None, opportunity: Opportunity) -> Opportunity | None:
    """An accepted quote wins its deal: a still open opportunity moves to the first active won stage (stage
    history, `closed_at`, OpportunityStageChanged and OpportunityWon) like any move. Called by
    `quoting.accept_quote` inside its transaction; the `sales.accept_quote` rule it checked stands for the
    move (a partner who may accept the offer may not edit the deal otherwise). A closed deal (won, or lost
    meanwhile) is left alone; returns the moved deal or None."""
    with transaction.atomic():
        current = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
        if current.stage.is_closed:
            return None
        won = Stage.objects.filter(is_won=True, is_active=True).order_by("order", "id").first()
        if won is None:
            return None
        return _move_to_stage(actor=actor, opportunity=current, stage=won, expected_version=None)


def _move_to_stage(
    *,
    actor: User | None,
    opportunity: Opportunity,
    stage: Stage,
    expected_version: int | None,
    win_loss_reason: str = "",
    win_loss_note: str = "",
) -> Opportunity:
    errors: dict[str, list] = {}
    if not stage.is_active:
        _error(errors, "stage", _("This stage is no longer used."), "inactive")
    if stage.is_closed:
        _check_win_loss(stage, win_loss_reason, errors)
    _raise(errors)
    with transaction.atomic():
        current = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        if current.stage_id == stage.pk:
            return current
        now = timezone.now()
        changes: dict[str, Any] = {
            "stage": stage,
            "probability": probability_for(stage, current.product_line_id),
            "forecast_category": stage.default_forecast_category,
            "stage_entered_at": now,
        }
        if stage.is_closed:
            changes.update(closed_at=now, win_loss_reason=win_loss_reason, win_loss_note=win_loss_note or "")
        elif current.closed_at is not None or current.win_loss_reason:
            changes.update(closed_at=None, win_loss_reason="", win_loss_note="")
        _close_open_stay(current, now)
        updated = save_versioned(current, actor=actor, expected_version=current.version, changes=changes)
        _open_stay(updated, stage, now, actor)
        events.emit(
            "OpportunityStageChanged",
            {
                "opportunity_id": updated.pk,
                "from_stage": opportunity.stage.code if opportunity.stage_id else None,
                "to_stage": stage.code,
                "actor_id": _pk(actor),
            },
        )
        if stage.is_closed:
            _emit_closed(updated, actor)
    return updated


def _differs(opportunity: Opportunity, name: str, value: Any) -> bool:
    if name in FOREIGN_KEYS:
        return getattr(opportunity, f"{name}_id") != _pk(value)
    current = getattr(opportunity, name)
    if isinstance(current, str) or isinstance(value, str):
        return (current or "") != (value or "")
    return current != value


def update_opportunity(
    *, actor: User | None, opportunity: Opportunity, expected_version: int | None, **changes: Any
) -> Opportunity:
    """Apply `changes` (field name → value; linked records as instances) if the deal is still at
    `expected_version`, else raise ConflictError. Owner, team, territory and partner need
    `sales.assign_opportunity`; the stage changes through `move_opportunity_to_stage`; a deal with lines has the
    sum of its lines as its amount. Changing the product line re-reads the stage's probability unless given."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    errors: dict[str, list] = {}
    for name in unknown:
        message = (
            _("Move the opportunity to another stage instead.")
            if name == "stage"
            else _("This field cannot be changed here.")
        )
        _error(errors, name, message, "not_editable")
    _raise(errors)
    if actor is not None and not actor.has_perm("sales.change_opportunity", opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    for name in ("name", "next_step", "description", "win_loss_note", "source", "external_id"):
        if name in changes:
            changes[name] = (changes[name] or "").strip() if name != "description" else changes[name] or ""
    values = {name: value for name, value in changes.items() if _differs(opportunity, name, value)}
    if (
        actor is not None
        and VISIBILITY_FIELDS & values.keys()
        and not actor.has_perm("sales.assign_opportunity", opportunity)
    ):
        for name in sorted(VISIBILITY_FIELDS & values.keys()):
            _error(errors, name, _("Only a manager can change who works this deal."), "not_allowed")
    account = values.get("account", opportunity.account)
    if "account" in values and "primary_contact" not in values and opportunity.primary_contact_id:
        values["primary_contact"] = None
    _check_references(actor, values, account, errors)
    if "amount" in values and opportunity.lines.exists():
        _error(errors, "amount", _("The amount is the sum of the lines; change the lines instead."), "has_lines")
    if "forecast_category" in values and values["forecast_category"] not in ForecastCategory.values:
        _error(errors, "forecast_category", _("Choose a forecast category from the list."), "invalid_choice")
    if "win_loss_reason" in values or "win_loss_note" in values:
        if not opportunity.stage.is_closed:
            _error(errors, "win_loss_reason", _("Only a won or lost deal has a win/loss reason."), "open")
        else:
            _check_win_loss(opportunity.stage, values.get("win_loss_reason", opportunity.win_loss_reason), errors)
    _raise(errors)
    if "product_line" in values and "probability" not in values:
        values["probability"] = probability_for(opportunity.stage, values["product_line"])
    if not values:
        if expected_version is not None and opportunity.version != expected_version:
            raise ConflictError(opportunity)
        return opportunity
    with transaction.atomic():
        updated = save_versioned(opportunity, actor=actor, expected_version=expected_version, changes=values)
        if {"name", "account", "external_id"} & values.keys():
            index_objects("opportunity", [updated])
        events.emit(
            "OpportunityUpdated",
            {"opportunity_id": updated.pk, "actor_id": _pk(actor), "fields": sorted(values)},
        )
    return updated


def assign_opportunity(
    *,
    actor: User | None,
    opportunity: Opportunity,
    expected_version: int | None,
    owner: User | None = None,
    team: Any = ...,
    territory: Any = ...,
) -> Opportunity:
    """Hand the deal to another owner (and/or team, territory): rule `sales.assign_opportunity`."""
    if actor is not None and not actor.has_perm("sales.assign_opportunity", opportunity):
        raise PermissionDenied(_("You cannot assign this opportunity."))
    changes: dict[str, Any] = {}
    if owner is not None:
        changes["owner"] = owner
    if team is not ...:
        changes["team"] = team
    if territory is not ...:
        changes["territory"] = territory
    if not changes:
        raise ValidationError({"owner": [ValidationError(_("Choose an owner."), code="required")]})
    return update_opportunity(actor=actor, opportunity=opportunity, expected_version=expected_version, **changes)
