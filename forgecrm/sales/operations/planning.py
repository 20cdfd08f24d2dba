"""Writes on quotas and forecasts: set a quota (versioned), save and submit a forecast, adjust one apart."""

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.platform.models import BusinessModel, User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import ForecastAdjustment, ForecastStatus, ForecastSubmission, Quota
from ..models.planning import PeriodKind, validate_period_start

CURRENCY = "KRW"
M = TypeVar("M", bound=BusinessModel)


def _krw(value: Any, field: str) -> Money:
    """A non-negative KRW amount from a Money, a Decimal or a number (a field error otherwise)."""
    amount = getattr(value, "amount", value)
    currency = getattr(getattr(value, "currency", None), "code", CURRENCY)
    try:
        amount = Decimal(str(amount))
    except ArithmeticError as error:
        raise ValidationError({field: _("Enter an amount.")}) from error
    if currency != CURRENCY:
        raise ValidationError({field: _("Amounts are in KRW.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return Money(amount, CURRENCY)


def _check_period(period_kind: str, period_start: dt.date) -> None:
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a month, a quarter or a year.")})
    validate_period_start(period_kind, period_start)


def _create_once(instance: M, *, actor: User, lookup: dict[str, Any]) -> M:
    """Insert a record that a unique constraint allows once: when two writers insert the same one at once, the
    second one's view ("this cell is empty") was stale, so it gets the first one's row as a ConflictError."""
    instance.created_by = instance.updated_by = actor
    instance._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
    # Fields and clean() (one target, the period start) here; the unique constraints are the database's to
    # decide, so that a concurrent insert is a conflict and not a validation error.
    instance.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ConflictError(type(instance)._default_manager.filter(**lookup).first() or instance) from error
    return instance


# --- quotas ----------------------------------------------------------------------------------------------------


def set_quota(
    *,
    actor: User,
    period_kind: str,
    period_start: dt.date,
    amount: Any,
    expected_version: int | None,
    user: User | None = None,
    team: Any = None,
    territory: Any = None,
    product_line: Any = None,
) -> Quota:
    """Set the quota of one rep, team or territory for one period (and product line), creating it if none exists.

    `expected_version` is the version the actor read, None for an empty cell: a quota saved by someone else
    since (or created meanwhile for an empty cell) raises ConflictError and nothing is written. Rule
    `sales.set_quota` (administrators; a sales manager for people below them and teams their line leads)."""
    if sum(1 for target in (user, team, territory) if target is not None) != 1:
        raise ValidationError(_("A quota is for exactly one of: a rep, a team or a territory."))
    _check_period(period_kind, period_start)
    money = _krw(amount, "amount")
    target = {"user": user, "team": team, "territory": territory}
    probe = Quota(period_kind=period_kind, period_start=period_start, product_line=product_line, **target)
    if not actor.has_perm("sales.set_quota", probe):
        raise PermissionDenied(_("You cannot set this quota."))
    lookup = {
        **{f"{name}": value for name, value in target.items() if value is not None},
        "period_kind": period_kind,
        "period_start": period_start,
        "product_line": product_line,
    }
    with transaction.atomic():
        existing = Quota.objects.select_for_update().filter(**lookup).first()
        if existing is not None:
            if expected_version is None:
                raise ConflictError(existing)  # the actor saw an empty cell; someone set it since
            return save_versioned(existing, actor=actor, expected_version=expected_version, changes={"amount": money})
        if expected_version is not None:
            raise ConflictError(probe)  # the quota the actor read was removed since
        probe.amount = money
        return _create_once(probe, actor=actor, lookup=lookup)


def delete_quota(*, actor: User, quota: Quota, expected_version: int) -> None:
    if not actor.has_perm("sales.set_quota", quota):
        raise PermissionDenied(_("You cannot change this quota."))
    with transaction.atomic():
        current = Quota.objects.select_for_update().get(pk=quota.pk)
        if current.version != expected_version:
            raise ConflictError(current)
        current._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
        current.delete()


# --- forecasts -------------------------------------------------------------------------------------------------

FORECAST_NUMBERS = ("pipeline", "best_case", "commit", "closed")


def _forecast_numbers(numbers: dict[str, Any]) -> dict[str, Money]:
    values = {name: _krw(numbers.get(name) or 0, name) for name in FORECAST_NUMBERS}
    if values["commit"].amount > values["best_case"].amount:
        raise ValidationError({"best_case": _("Best case includes commit: it cannot be lower than commit.")})
    return values


def save_forecast(
    *,
    actor: User,
    period_kind: str,
    period_start: dt.date,
    expected_version: int | None,
    submit: bool = False,
    note: str = "",
    **numbers: Any,
) -> ForecastSubmission:
    """Save the actor's own forecast for a period (pipeline, best case, commit, closed), and submit it if asked.

    A new forecast has `expected_version` None; saving over one changed since it was read raises ConflictError.
    Rule `sales.submit_forecast` (a forecast is its owner's own)."""
    unknown = set(numbers) - set(FORECAST_NUMBERS)
    if unknown:
        raise TypeError(f"unknown forecast numbers: {sorted(unknown)}")
    _check_period(period_kind, period_start)
    values = _forecast_numbers(numbers)
    probe = ForecastSubmission(owner=actor, period_kind=period_kind, period_start=period_start)
    if not actor.has_perm("sales.submit_forecast", probe):
        raise PermissionDenied(_("You cannot submit a forecast."))
    changes: dict[str, Any] = {**values, "note": note}
    if submit:
        changes.update(status=ForecastStatus.SUBMITTED, submitted_at=timezone.now())
    lookup = {"owner": actor, "period_kind": period_kind, "period_start": period_start}
    with transaction.atomic():
        existing = ForecastSubmission.objects.select_for_update().filter(**lookup).first()
        if existing is not None:
            if expected_version is None:
                raise ConflictError(existing)
            return save_versioned(existing, actor=actor, expected_version=expected_version, changes=changes)
        for name, value in changes.items():
            setattr(probe, name, value)
        return _create_once(probe, actor=actor, lookup=lookup)


def _owns(actor: User, submission: ForecastSubmission) -> bool:
    """The rule, and the owner in person: an administrator passes every rule, but a rep's own numbers are the
    rep's alone (managers and administrators adjust beside them)."""
    return submission.owner_id == actor.pk and actor.has_perm("sales.submit_forecast", submission)


def update_forecast(
    *, actor: User, submission: ForecastSubmission, expected_version: int, note: str | None = None, **numbers: Any
) -> ForecastSubmission:
    """Change the numbers (and note) of a saved forecast, its owner only; a stale version raises ConflictError."""
    if not _owns(actor, submission):
        raise PermissionDenied(_("Only its owner changes a forecast."))
    unknown = set(numbers) - set(FORECAST_NUMBERS)
    if unknown:
        raise TypeError(f"unknown forecast numbers: {sorted(unknown)}")
    current = {name: getattr(submission, name) for name in FORECAST_NUMBERS}
    changes: dict[str, Any] = _forecast_numbers({**current, **numbers})
    if note is not None:
        changes["note"] = note
    return save_versioned(submission, actor=actor, expected_version=expected_version, changes=changes)


def submit_forecast(*, actor: User, submission: ForecastSubmission, expected_version: int) -> ForecastSubmission:
    """Submit a saved forecast as it stands (its owner only)."""
    if not _owns(actor, submission):
        raise PermissionDenied(_("Only its owner submits a forecast."))
    return save_versioned(
        submission,
        actor=actor,
        expected_version=expected_version,
        changes={"status": ForecastStatus.SUBMITTED, "submitted_at": timezone.now()},
    )


def adjust_forecast(
    *,
    actor: User,
    submission: ForecastSubmission,
    best_case: Any,
    commit: Any,
    expected_version: int | None,
    note: str = "",
) -> ForecastAdjustment:
    """A manager's own best case and commit for a rep's forecast, kept beside the rep's numbers (never over them).

    `expected_version` is the submission's version the manager adjusted: if the rep changed their numbers since,
    ConflictError. One adjustment per manager and submission (saved again, it is replaced). Rule
    `sales.adjust_forecast` (administrators; a sales manager above the rep)."""
    if not actor.has_perm("sales.adjust_forecast", submission):
        raise PermissionDenied(_("Only a manager above the rep adjusts this forecast."))
    values = {"best_case": _krw(best_case, "best_case"), "commit": _krw(commit, "commit")}
    if values["commit"].amount > values["best_case"].amount:
        raise ValidationError({"best_case": _("Best case includes commit: it cannot be lower than commit.")})
    with transaction.atomic():
        current = ForecastSubmission.objects.select_for_update().get(pk=submission.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        adjustment = ForecastAdjustment.objects.select_for_update().filter(submission=current, manager=actor).first()
        if adjustment is not None:
            return save_versioned(adjustment, actor=actor, expected_version=None, changes={**values, "note": note})
        adjustment = ForecastAdjustment(submission=current, manager=actor, note=note, **values)
        adjustment.created_by = adjustment.updated_by = actor
        adjustment._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
        adjustment.full_clean()
        adjustment.save()
    return adjustment
