"""Writes on commissions: plans and assignments, statements computed from closed-won sales orders (idempotent:
a draft is recomputed in place, an approved or paid statement is frozen), approval and payment.

The maths is `sales.commission_calculation` (marginal accelerator above quota, documented and tested there)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.platform.access import principal_for
from forgecrm.platform.access.predicates import is_admin
from forgecrm.platform.models import User
from forgecrm.platform.versioning import save_versioned

from ..commission_calculation import Calculation, Rates, Sale, Tier, calculate_commission
from ..models import (
    CommissionPlan,
    CommissionPlanAssignment,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
    CommissionTier,
    Quota,
    SalesOrder,
    SalesOrderStatus,
    StatementStatus,
)
from ..models.planning import PeriodKind, period_end, validate_period_start

CURRENCY = "KRW"
CENT = Decimal("0.01")
FROZEN = (StatementStatus.APPROVED, StatementStatus.PAID)


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- plans -----------------------------------------------------------------------------------------------------


def _require_settings(actor: User | None) -> None:
    if actor is not None and not actor.has_perm("sales.manage_sales_settings"):
        raise PermissionDenied(_("Only an administrator or a sales manager configures commission plans."))


PLAN_FIELDS = {"name", "period_kind", "base_rate_percent", "valid_from", "valid_to", "is_active", "description"}


def check_plan_table(rates: Mapping[Any, Decimal], tiers: Iterable[tuple[Decimal, Decimal]]) -> list[tuple]:
    """The rate table and tiers a plan may have: rates 0–100 %, tiers strictly ascending by attainment with a
    multiplier ≥ 0 (attainment ≥ 0). Raises a ValidationError on `rates` / `tiers`; returns the tiers sorted."""
    errors: dict[str, list[str]] = {}
    if any(rate is None or rate < 0 or rate > 100 for rate in rates.values()):
        errors.setdefault("rates", []).append(_("A rate is a percentage from 0 to 100."))
    tiers = list(tiers)
    if any(start < 0 or multiplier < 0 for start, multiplier in tiers):
        errors.setdefault("tiers", []).append(_("Tier thresholds and multipliers cannot be negative."))
    starts = [start for start, _multiplier in tiers]
    if any(later <= earlier for earlier, later in pairwise(starts)):
        errors.setdefault("tiers", []).append(
            _("Tiers must go up: each threshold above the one before (%(thresholds)s).")
            % {"thresholds": " → ".join(f"{start}%" for start in starts)}
        )
    if errors:
        raise ValidationError(errors)
    return tiers


def _write_table(plan: CommissionPlan, actor: User | None, rates: Mapping[Any, Decimal], tiers: list[tuple]) -> None:
    for product_line, rate in rates.items():
        row = CommissionRate(plan=plan, product_line=product_line, rate_percent=rate, created_by=actor)
        row.full_clean()
        row.save()
    for from_percent, multiplier in tiers:
        tier = CommissionTier(plan=plan, attainment_from_percent=from_percent, multiplier=multiplier, created_by=actor)
        tier.full_clean()
        tier.save()


def create_commission_plan(
    *,
    actor: User | None,
    name: str,
    valid_from: dt.date,
    period_kind: str = PeriodKind.MONTH,
    base_rate_percent: Decimal = Decimal(0),
    valid_to: dt.date | None = None,
    rates: Mapping[Any, Decimal] | None = None,
    tiers: Iterable[tuple[Decimal, Decimal]] = (),
    description: str = "",
    is_active: bool = True,
) -> CommissionPlan:
    """A plan with its rate table (`rates`: product line, or None for the default row, -> rate %) and its tiers
    ((attainment from %, multiplier) pairs)."""
    _require_settings(actor)
    tiers = check_plan_table(rates or {}, tiers)
    with transaction.atomic():
        plan = CommissionPlan(
            name=name,
            period_kind=period_kind,
            base_rate_percent=base_rate_percent,
            valid_from=valid_from,
            valid_to=valid_to,
            description=description,
            is_active=is_active,
            created_by=actor,
            updated_by=actor,
        )
        plan.full_clean()
        plan.save()
        _write_table(plan, actor, rates or {}, tiers)
    return plan


def update_commission_plan(
    *,
    actor: User | None,
    plan: CommissionPlan,
    expected_version: int | None,
    changes: Mapping[str, Any],
    rates: Mapping[Any, Decimal] | None = None,
    tiers: Iterable[tuple[Decimal, Decimal]] | None = None,
) -> CommissionPlan:
    """Change a plan's header fields and, when given, replace its rate table and tiers (checked like
    `create_commission_plan`). A stale `expected_version` raises ConflictError. Statements already approved or
    paid keep their figures; drafts follow the new table when they are next computed."""
    if actor is not None and not actor.has_perm("sales.change_commissionplan", plan):
        raise PermissionDenied(_("Only an administrator or a sales manager configures commission plans."))
    unknown = set(changes) - PLAN_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    checked = check_plan_table(rates or {}, tiers or ()) if tiers is not None or rates is not None else None
    with transaction.atomic():
        updated = save_versioned(plan, actor=actor, expected_version=expected_version, changes=dict(changes))
        if checked is not None:
            if rates is not None:
                CommissionRate.objects.filter(plan=updated).delete()
                _write_table(updated, actor, rates, [])
            if tiers is not None:
                CommissionTier.objects.filter(plan=updated).delete()
                _write_table(updated, actor, {}, checked)
    return updated


def assign_commission_plan(
    *, actor: User | None, plan: CommissionPlan, user: User, valid_from: dt.date, valid_to: dt.date | None = None
) -> CommissionPlanAssignment:
    """Put a rep on a plan from a date; the rep's assignment running then ends the day before (one plan at a time)."""
    _require_settings(actor)
    with transaction.atomic():
        running = CommissionPlanAssignment.objects.select_for_update().filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from), user=user, valid_from__lt=valid_from
        )
        for previous in running:
            save_versioned(
                previous, actor=actor, expected_version=None, changes={"valid_to": valid_from - dt.timedelta(days=1)}
            )
        if CommissionPlanAssignment.objects.filter(user=user, valid_from=valid_from).exists():
            raise ValidationError({"valid_from": _("This rep already starts a plan on that day.")})
        assignment = CommissionPlanAssignment(
            plan=plan, user=user, valid_from=valid_from, valid_to=valid_to, created_by=actor, updated_by=actor
        )
        assignment.full_clean()
        assignment.save()
    return assignment


# --- statements ------------------------------------------------------------------------------------------------


def plan_assignment_for(user: User, period_kind: str, period_start: dt.date) -> CommissionPlanAssignment | None:
    """The rep's assignment to an active plan of this period kind that runs during the period (the latest one)."""
    end = period_end(period_kind, period_start)
    return (
        CommissionPlanAssignment.objects.select_related("plan")
        .filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=period_start),
            user=user,
            valid_from__lt=end,
            plan__is_active=True,
            plan__period_kind=period_kind,
        )
        .order_by("-valid_from", "-id")
        .first()
    )


def sales_of(user: User, period_kind: str, period_start: dt.date) -> list[Sale]:
    """The rep's closed-won sales of the period: their sales orders (not cancelled, in KRW) ordered in it, in
    order; each order's net amount split by product line in proportion to its line totals (a header discount
    spreads over the lines; the last product line takes the rounding remainder)."""
    end = period_end(period_kind, period_start)
    orders = (
        SalesOrder.objects.filter(
            owner=user,
            currency=CURRENCY,
            ordered_at__gte=_local_start(period_start),
            ordered_at__lt=_local_start(end),
        )
        .exclude(status=SalesOrderStatus.CANCELLED)
        .select_related("opportunity")
        .prefetch_related("lines__product")
        .order_by("ordered_at", "id")
    )
    sales: list[Sale] = []
    for order in orders:
        net = order.net.amount
        by_line: dict[int | None, Decimal] = defaultdict(Decimal)
        for line in order.lines.all():
            by_line[line.product.product_line_id] += line.line_total.amount
        lines_total = sum(by_line.values(), Decimal(0))
        if not by_line or lines_total <= 0:
            product_line = order.opportunity.product_line_id if order.opportunity else None
            sales.append(Sale(order.pk, product_line, net))
            continue
        remaining = net
        items = list(by_line.items())
        for index, (product_line, amount) in enumerate(items):
            if index == len(items) - 1:
                share = remaining
            else:
                share = (net * amount / lines_total).quantize(CENT, rounding=ROUND_HALF_UP)
                remaining -= share
            sales.append(Sale(order.pk, product_line, share))
    return sales


def calculate_statement(user: User, plan: CommissionPlan, period_kind: str, period_start: dt.date) -> Calculation:
    """The maths of a rep's statement (nothing written)."""
    quota = Quota.objects.filter(
        user=user, period_kind=period_kind, period_start=period_start, product_line__isnull=True
    ).first()
    rate_rows = list(plan.rates.all())
    default_rows = [row.rate_percent for row in rate_rows if row.product_line_id is None]
    rates = Rates(
        by_product_line={row.product_line_id: row.rate_percent for row in rate_rows if row.product_line_id},
        default=default_rows[0] if default_rows else plan.base_rate_percent,
    )
    tiers = [Tier(tier.attainment_from_percent, tier.multiplier) for tier in plan.tiers.all()]
    return calculate_commission(
        sales=sales_of(user, period_kind, period_start),
        quota=quota.amount.amount if quota else Decimal(0),
        rates=rates,
        tiers=tiers,
    )


def _may_compute_for(actor: User | None, user: User) -> bool:
    if actor is None:
        return True  # the scheduled task
    if is_admin(actor):
        return True
    return actor.has_perm("sales.manage_sales_settings") and user.pk in principal_for(actor).subtree_user_ids


def compute_commission_statement(
    *, actor: User | None, user: User, period_kind: str, period_start: dt.date
) -> CommissionStatement | None:
    """Compute (or recompute) a rep's statement for a period under the plan they are on; None without a plan.

    Idempotent: a draft or submitted statement gets its figures and lines replaced; an approved or paid one is
    frozen and returned unchanged. Administrators compute for everyone, sales managers for their subtree; the
    scheduled task has no actor."""
    validate_period_start(period_kind, period_start)
    if not _may_compute_for(actor, user):
        raise PermissionDenied(_("You cannot compute commission for this rep."))
    assignment = plan_assignment_for(user, period_kind, period_start)
    if assignment is None:
        return None
    plan = assignment.plan
    with transaction.atomic():
        statement, _created = CommissionStatement.objects.select_for_update().get_or_create(
            user=user,
            plan=plan,
            period_kind=period_kind,
            period_start=period_start,
            defaults={"created_by": actor, "updated_by": actor},
        )
        if statement.status in FROZEN:
            return statement
        calculation = calculate_statement(user, plan, period_kind, period_start)
        statement.lines.all().delete()
        CommissionStatementLine.objects.bulk_create(
            [
                CommissionStatementLine(
                    statement=statement,
                    sales_order_id=line.sales_order_id,
                    product_line_id=line.product_line_id,
                    base=Money(line.base, CURRENCY),
                    rate_percent=line.rate_percent,
                    multiplier=line.multiplier,
                    commission=Money(line.commission, CURRENCY),
                )
                for line in calculation.lines
            ]
        )
        changes = {
            "quota": Money(calculation.quota, CURRENCY),
            "attained": Money(calculation.attained, CURRENCY),
            "attainment_percent": calculation.attainment_percent,
            "total": Money(calculation.total, CURRENCY),
        }
        return save_versioned(statement, actor=actor, expected_version=None, changes=changes)


def compute_commission_statements(
    *, actor: User | None, period_kind: str, period_start: dt.date, user_ids: Iterable[int] | None = None
) -> list[CommissionStatement]:
    """Every statement of a period: each rep on a plan then (administrators and the task: all; a sales manager:
    their subtree), or only `user_ids`. Safe to run again (see compute_commission_statement)."""
    validate_period_start(period_kind, period_start)
    end = period_end(period_kind, period_start)
    assignments = CommissionPlanAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=period_start),
        valid_from__lt=end,
        plan__is_active=True,
        plan__period_kind=period_kind,
    )
    if user_ids is not None:
        assignments = assignments.filter(user_id__in=list(user_ids))
    if actor is not None and not is_admin(actor):
        if not actor.has_perm("sales.manage_sales_settings"):
            raise PermissionDenied(_("You cannot compute commission statements."))
        assignments = assignments.filter(user_id__in=principal_for(actor).subtree_user_ids)
    users = User.objects.filter(pk__in=assignments.values("user_id")).order_by("pk")
    statements = []
    for user in users:
        statement = compute_commission_statement(
            actor=actor, user=user, period_kind=period_kind, period_start=period_start
        )
        if statement is not None:
            statements.append(statement)
    return statements


def approve_commission_statement(
    *, actor: User, statement: CommissionStatement, expected_version: int | None
) -> CommissionStatement:
    """A manager above the rep (or an administrator) approves the statement: its figures are frozen from now on."""
    if not actor.has_perm("sales.approve_commissionstatement", statement):
        raise PermissionDenied(_("Only a manager above the rep approves this statement."))
    if statement.status in FROZEN:
        raise ValidationError({"status": _("This statement is already approved.")})
    return save_versioned(
        statement,
        actor=actor,
        expected_version=expected_version,
        changes={"status": StatementStatus.APPROVED, "approved_by": actor, "approved_at": timezone.now()},
    )


def mark_commission_statement_paid(
    *, actor: User, statement: CommissionStatement, expected_version: int | None
) -> CommissionStatement:
    """Payroll paid an approved statement (administrators record it)."""
    if not (is_admin(actor) and actor.has_perm("sales.approve_commissionstatement", statement)):
        raise PermissionDenied(_("Only an administrator records a payment."))
    if statement.status != StatementStatus.APPROVED:
        raise ValidationError({"status": _("Only an approved statement can be paid.")})
    return save_versioned(
        statement,
        actor=actor,
        expected_version=expected_version,
        changes={"status": StatementStatus.PAID, "paid_at": timezone.now()},
    )
