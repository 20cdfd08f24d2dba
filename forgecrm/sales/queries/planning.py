"""Reads of quotas and forecasts: the quota grid, attainment, the forecast prefill, the roll-up along the role
hierarchy and forecast vs actual history. Each starts from the access scope of the actor; amounts are KRW.

Actuals are closed-won opportunities by close date in the period (the opportunity scope of the actor, owned by
the people shown). A roll-up row's figures are its person's own numbers plus everyone below them.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.access.predicates import is_admin
from forgecrm.platform.models import Role, Team, Territory, User

from ..models import (
    ForecastAdjustment,
    ForecastCategory,
    ForecastStatus,
    ForecastSubmission,
    Opportunity,
    Quota,
)
from ..models.planning import PeriodKind, period_end, period_start_for

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CURRENCY = "KRW"
SALES_ROLES = (Role.SALES_MANAGER, Role.SALES_REP)


# --- periods ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date

    @property
    def end(self) -> dt.date:
        return period_end(self.kind, self.start)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def previous(self) -> "Period":
        return Period(self.kind, period_start_for(self.kind, self.start - dt.timedelta(days=1)))

    @property
    def next(self) -> "Period":
        return Period(self.kind, self.end)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def parse_period(value: str | None, *, default_kind: str = PeriodKind.QUARTER, today: dt.date | None = None) -> Period:
    """`quarter:2026-04-01` (or `month:2026-05-13`: any day of the period) -> that period; else today's."""
    today = today or dt.date.today()
    kind, _sep, day = (value or "").partition(":")
    if kind not in PeriodKind.values:
        return Period(default_kind, period_start_for(default_kind, today))
    try:
        start = dt.date.fromisoformat(day)
    except ValueError:
        start = today
    return Period(kind, period_start_for(kind, start))


def attainment_percent(actual: Decimal, quota: Decimal | None) -> Decimal | None:
    if not quota:
        return None
    return (actual * HUNDRED / quota).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- people ----------------------------------------------------------------------------------------------------


def _people_below(actor, manager: User, *, include_self: bool = True) -> list[User]:
    """The manager and everyone below them (active), as the actor may see users: one indexed prefix scan."""
    prefix = f"{manager.hierarchy_path}{manager.pk}/"
    q = Q(hierarchy_path__startswith=prefix)
    if include_self:
        q |= Q(pk=manager.pk)
    return list(scope_for(actor, User).filter(q, is_active=True).order_by("hierarchy_path", "full_name", "pk"))


def planning_people_for(actor) -> list[User]:
    """Whose quotas and forecasts the actor works with: administrators every active sales user; everyone else
    themselves and their subtree."""
    if is_admin(actor):
        return list(
            scope_for(actor, User).filter(is_active=True, role__in=SALES_ROLES).order_by("hierarchy_path", "full_name")
        )
    return _people_below(actor, actor)


def get_person_for(actor, pk: int) -> User:
    """A person in the actor's reporting line (administrators: any internal user); 404 otherwise."""
    principal = principal_for(actor)
    if not is_admin(actor) and pk not in principal.subtree_user_ids:
        raise Http404
    return get_for_or_404(actor, User, pk=pk)


def _won_by_owner(actor, owner_ids, start: dt.date, end: dt.date, product_line=None) -> dict[int, Decimal]:
    queryset = scope_for(actor, Opportunity).filter(
        owner_id__in=list(owner_ids),
        stage__is_won=True,
        close_date__gte=start,
        close_date__lt=end,
        amount_currency=CURRENCY,
    )
    if product_line is not None:
        queryset = queryset.filter(product_line=product_line)
    rows = queryset.values("owner_id").annotate(total=Sum("amount")).order_by()
    return {row["owner_id"]: row["total"] or ZERO for row in rows}


# --- quotas ----------------------------------------------------------------------------------------------------


def quota_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Quota]:
    """Quotas the actor may see. filters: user, team, territory (ids), period_kind, period_start, year,
    product_line (id; "none" for quotas without one)."""
    filters = filters or {}
    queryset = scope_for(actor, Quota).select_related("user", "team", "territory", "product_line")
    for name in ("user", "team", "territory"):
        if filters.get(name):
            queryset = queryset.filter(**{f"{name}_id": filters[name]})
    if filters.get("period_kind"):
        queryset = queryset.filter(period_kind=filters["period_kind"])
    if filters.get("period_start"):
        queryset = queryset.filter(period_start=filters["period_start"])
    if filters.get("year"):
        queryset = queryset.filter(period_start__year=filters["year"])
    if filters.get("product_line") == "none":
        queryset = queryset.filter(product_line__isnull=True)
    elif filters.get("product_line"):
        queryset = queryset.filter(product_line_id=filters["product_line"])
    return queryset


def get_quota_for(actor, pk: int) -> Quota:
    return get_for_or_404(actor, Quota, queryset=quota_list_for(actor), pk=pk)


@dataclass
class QuotaCell:
    period: Period
    quota: Quota | None

    @property
    def amount(self) -> Decimal | None:
        return self.quota.amount.amount if self.quota else None

    @property
    def version(self) -> int | None:
        return self.quota.version if self.quota else None


@dataclass
class QuotaRow:
    kind: str  # user / team / territory
    target: Any
    cells: list[QuotaCell]
    editable: bool
    depth: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.target.pk}"

    @property
    def total(self) -> Decimal:
        return sum((cell.amount or ZERO for cell in self.cells), ZERO)


@dataclass
class QuotaGrid:
    period_kind: str
    year: int
    product_line: Any
    periods: list[Period]
    rows: list[QuotaRow]

    @property
    def editable(self) -> bool:
        return any(row.editable for row in self.rows)

    def cell(self, kind: str, target_id: int, start: dt.date) -> QuotaCell | None:
        for row in self.rows:
            if row.kind == kind and row.target.pk == target_id:
                return next((cell for cell in row.cells if cell.period.start == start), None)
        return None


def quota_grid_for(actor, *, period_kind: str, year: int, product_line=None) -> QuotaGrid:
    """People × periods of one year (and product line, or none): the quotas the actor sees, and which rows the
    actor may set (rule `sales.set_quota`). Rows: the actor's reporting line (administrators: every sales user),
    the teams it leads, and (administrators) the top-level territories. Four queries whatever the size."""
    year_start = dt.date(year, 1, 1)
    periods = [Period(period_kind, start) for start in _starts(period_kind, year_start)]
    people = planning_people_for(actor)
    admin = is_admin(actor)
    teams_q = scope_for(actor, Team).select_related("lead")
    if not admin:
        teams_q = teams_q.filter(lead_id__in=[person.pk for person in people])
    teams = list(teams_q.order_by("name"))
    territories = list(scope_for(actor, Territory).filter(parent__isnull=True).order_by("name")) if admin else []
    quotas = scope_for(actor, Quota).filter(
        period_kind=period_kind, period_start__gte=year_start, period_start__lt=dt.date(year + 1, 1, 1)
    )
    quotas = quotas.filter(product_line=product_line) if product_line else quotas.filter(product_line__isnull=True)
    by_target: dict[tuple[str, int, dt.date], Quota] = {}
    for quota in quotas:
        for name in ("user", "team", "territory"):
            target_id = getattr(quota, f"{name}_id")
            if target_id:
                by_target[(name, target_id, quota.period_start)] = quota

    def row(kind: str, target, depth: int = 0) -> QuotaRow:
        probe = Quota(**{kind: target}, period_kind=period_kind, period_start=year_start)
        return QuotaRow(
            kind=kind,
            target=target,
            cells=[QuotaCell(period, by_target.get((kind, target.pk, period.start))) for period in periods],
            editable=actor.has_perm("sales.set_quota", probe),
            depth=depth,
        )

    base_depth = min((person.hierarchy_path.count("/") for person in people), default=0)
    rows = [row("user", person, person.hierarchy_path.count("/") - base_depth) for person in people]
    rows += [row("team", team) for team in teams]
    rows += [row("territory", territory) for territory in territories]
    return QuotaGrid(period_kind=period_kind, year=year, product_line=product_line, periods=periods, rows=rows)


def _starts(kind: str, year_start: dt.date) -> list[dt.date]:
    from ..models.planning import periods_in

    return periods_in(kind, PeriodKind.YEAR, year_start)


@dataclass
class AttainmentRow:
    user: User
    quota: Decimal | None
    won: Decimal
    depth: int = 0

    @property
    def percent(self) -> Decimal | None:
        return attainment_percent(self.won, self.quota)


@dataclass
class Attainment:
    period: Period
    product_line: Any
    rows: list[AttainmentRow]

    @property
    def quota_total(self) -> Decimal:
        return sum((row.quota or ZERO for row in self.rows), ZERO)

    @property
    def won_total(self) -> Decimal:
        return sum((row.won for row in self.rows), ZERO)

    @property
    def percent(self) -> Decimal | None:
        return attainment_percent(self.won_total, self.quota_total)


def attainment_for(actor, *, period: Period, product_line=None) -> Attainment:
    """Each person's quota and closed-won amount (opportunities won with a close date in the period) for the
    actor's reporting line; three queries whatever the number of people."""
    people = planning_people_for(actor)
    ids = [person.pk for person in people]
    quotas = scope_for(actor, Quota).filter(
        user_id__in=ids, period_kind=period.kind, period_start=period.start, amount_currency=CURRENCY
    )
    quotas = quotas.filter(product_line=product_line) if product_line else quotas.filter(product_line__isnull=True)
    quota_by_user = {quota.user_id: quota.amount.amount for quota in quotas}
    won = _won_by_owner(actor, ids, period.start, period.end, product_line)
    base_depth = min((person.hierarchy_path.count("/") for person in people), default=0)
    rows = [
        AttainmentRow(
            person,
            quota_by_user.get(person.pk),
            won.get(person.pk, ZERO),
            person.hierarchy_path.count("/") - base_depth,
        )
        for person in people
    ]
    return Attainment(period=period, product_line=product_line, rows=rows)


# --- forecasts: the rep's prefill ------------------------------------------------------------------------------


@dataclass
class CategoryFigure:
    category: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO


@dataclass
class ForecastPrefill:
    """A rep's opportunities closing in the period, by forecast category, and the numbers they suggest.

    Salesforce's cumulative convention: closed = won; commit = closed + commit; best case = commit + best case;
    pipeline = every open opportunity not omitted. `weighted` is amount × probability (expected revenue)."""

    period: Period
    categories: list[CategoryFigure]
    closed: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal

    def initial(self) -> dict[str, Decimal]:
        return {"pipeline": self.pipeline, "best_case": self.best_case, "commit": self.commit, "closed": self.closed}


def forecast_prefill_for(actor, *, period: Period, owner: User | None = None) -> ForecastPrefill:
    owner = owner or actor
    rows = (
        scope_for(actor, Opportunity)
        .filter(owner=owner, close_date__gte=period.start, close_date__lt=period.end, amount_currency=CURRENCY)
        .exclude(stage__is_lost=True)
        .values_list("forecast_category", "stage__is_won", "amount", "probability")
    )
    figures = {
        value: CategoryFigure(value, str(label))
        for value, label in ForecastCategory.choices
        if value != ForecastCategory.OMITTED
    }
    for category, is_won, amount, probability in rows:
        key = ForecastCategory.CLOSED if is_won else category
        if key not in figures:
            continue  # omitted
        figure = figures[key]
        figure.count += 1
        figure.amount += amount or ZERO
        figure.weighted += (amount or ZERO) * (HUNDRED if is_won else Decimal(probability)) / HUNDRED
    closed = figures[ForecastCategory.CLOSED].amount
    commit = closed + figures[ForecastCategory.COMMIT].amount
    best_case = commit + figures[ForecastCategory.BEST_CASE].amount
    pipeline = sum((figures[key].amount for key in figures if key != ForecastCategory.CLOSED), ZERO)
    weighted = sum((figure.weighted for figure in figures.values()), ZERO).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    for figure in figures.values():
        figure.weighted = figure.weighted.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return ForecastPrefill(period, list(figures.values()), closed, commit, best_case, pipeline, weighted)


def own_forecast_for(actor, *, period: Period) -> ForecastSubmission | None:
    return (
        scope_for(actor, ForecastSubmission)
        .filter(owner=actor, period_kind=period.kind, period_start=period.start)
        .first()
    )


def get_forecast_for(actor, pk: int) -> ForecastSubmission:
    return get_for_or_404(actor, ForecastSubmission, queryset=forecast_list_for(actor), pk=pk)


def forecast_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[ForecastSubmission]:
    """Forecast submissions the actor may see. filters: owner (id), period_kind, period_start, status."""
    filters = filters or {}
    queryset = scope_for(actor, ForecastSubmission).select_related("owner")
    if filters.get("owner"):
        queryset = queryset.filter(owner_id=filters["owner"])
    for name in ("period_kind", "period_start", "status"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def adjustment_of(actor, submission: ForecastSubmission) -> ForecastAdjustment | None:
    """The actor's own adjustment of a submission (None if they have not adjusted it)."""
    return scope_for(actor, ForecastAdjustment).filter(submission=submission, manager=actor).first()


# --- forecasts: the roll-up ------------------------------------------------------------------------------------


@dataclass
class Figures:
    pipeline: Decimal = ZERO
    best_case: Decimal = ZERO
    commit: Decimal = ZERO
    closed: Decimal = ZERO
    adjusted_best_case: Decimal = ZERO
    adjusted_commit: Decimal = ZERO
    quota: Decimal = ZERO
    won: Decimal = ZERO
    people: int = 0
    submitted: int = 0

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def attainment(self) -> Decimal | None:
        return attainment_percent(self.won, self.quota)

    @property
    def is_adjusted(self) -> bool:
        return (self.adjusted_best_case, self.adjusted_commit) != (self.best_case, self.commit)


@dataclass
class RollupRow:
    user: User
    own: Figures  # the person's own numbers
    subtree: Figures  # theirs and everyone's below them
    submission: ForecastSubmission | None
    adjustment: ForecastAdjustment | None  # the viewer's own adjustment of this person's submission
    has_reports: bool = False


@dataclass
class ForecastRollup:
    manager: User
    period: Period
    own: RollupRow
    reports: list[RollupRow]
    total: Figures = field(default_factory=Figures)


def _effective_adjustments(actor, submission_ids: list[int]) -> dict[int, ForecastAdjustment]:
    """Per submission, the adjustment of the most senior manager the actor sees (a director's adjustment
    overrides a manager's, as a forecast rolls up): adjustments are the adjusting manager's line's."""
    chosen: dict[int, ForecastAdjustment] = {}
    adjustments = (
        scope_for(actor, ForecastAdjustment)
        .filter(submission_id__in=submission_ids)
        .select_related("manager")
        .order_by("submission_id", "updated_at")
    )
    for adjustment in adjustments:
        current = chosen.get(adjustment.submission_id)
        seniority = len(adjustment.manager.hierarchy_path)
        if current is None or seniority <= len(current.manager.hierarchy_path):
            chosen[adjustment.submission_id] = adjustment
    return chosen


def forecast_rollup_for(actor, *, period: Period, manager: User | None = None) -> ForecastRollup:
    """The forecast of `manager` (default: the actor) for a period: their own row, one row per direct report with
    the report's subtree totals, and the grand total. Rep numbers and adjustments are separate columns
    (adjusted = the most senior visible adjustment, else the rep's number). Six queries whatever the subtree."""
    manager = manager or actor
    people = _people_below(actor, manager)
    ids = [person.pk for person in people]
    submissions = {
        submission.owner_id: submission
        for submission in scope_for(actor, ForecastSubmission).filter(
            owner_id__in=ids, period_kind=period.kind, period_start=period.start
        )
    }
    adjustments = _effective_adjustments(actor, [submission.pk for submission in submissions.values()])
    own_adjustments = {
        adjustment.submission_id: adjustment
        for adjustment in adjustments.values()
        if adjustment.manager_id == getattr(actor, "pk", None)
    }
    quotas = {
        quota.user_id: quota.amount.amount
        for quota in scope_for(actor, Quota).filter(
            user_id__in=ids,
            period_kind=period.kind,
            period_start=period.start,
            product_line__isnull=True,
            amount_currency=CURRENCY,
        )
    }
    won = _won_by_owner(actor, ids, period.start, period.end)

    own: dict[int, Figures] = {}
    for person in people:
        figures = Figures(quota=quotas.get(person.pk, ZERO), won=won.get(person.pk, ZERO), people=1)
        submission = submissions.get(person.pk)
        if submission is not None:
            adjustment = adjustments.get(submission.pk)
            figures.pipeline = submission.pipeline.amount
            figures.best_case = submission.best_case.amount
            figures.commit = submission.commit.amount
            figures.closed = submission.closed.amount
            figures.adjusted_best_case = adjustment.best_case.amount if adjustment else figures.best_case
            figures.adjusted_commit = adjustment.commit.amount if adjustment else figures.commit
            figures.submitted = 1 if submission.status == ForecastStatus.SUBMITTED else 0
        own[person.pk] = figures

    def subtree(person: User) -> Figures:
        prefix = f"{person.hierarchy_path}{person.pk}/"
        total = Figures()
        for other in people:
            if other.pk == person.pk or other.hierarchy_path.startswith(prefix):
                total.add(own[other.pk])
        return total

    def row(person: User) -> RollupRow:
        submission = submissions.get(person.pk)
        prefix = f"{person.hierarchy_path}{person.pk}/"
        return RollupRow(
            user=person,
            own=own[person.pk],
            subtree=subtree(person),
            submission=submission,
            adjustment=own_adjustments.get(submission.pk) if submission else None,
            has_reports=any(other.hierarchy_path.startswith(prefix) for other in people),
        )

    direct = [person for person in people if person.manager_id == manager.pk and person.pk != manager.pk]
    rollup = ForecastRollup(manager=manager, period=period, own=row(manager), reports=[row(p) for p in direct])
    for figures in own.values():
        rollup.total.add(figures)
    return rollup


# --- forecasts: history ----------------------------------------------------------------------------------------


@dataclass
class HistoryPoint:
    period: Period
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    adjusted_commit: Decimal = ZERO
    quota: Decimal = ZERO
    won: Decimal = ZERO

    @property
    def accuracy(self) -> Decimal | None:
        """Actual as a percentage of the commit forecast (100 % = the commit came true)."""
        return attainment_percent(self.won, self.commit)


def forecast_history_for(actor, *, period: Period, count: int = 6, manager: User | None = None) -> list[HistoryPoint]:
    """Forecast (rep commit, best case, adjusted commit) vs quota vs actual for the `count` periods ending with
    `period`, summed over `manager`'s subtree (default: the actor). Five queries whatever the length."""
    manager = manager or actor
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous)
    first, end = periods[0].start, periods[-1].end
    ids = [person.pk for person in _people_below(actor, manager)]
    points = {p.start: HistoryPoint(p) for p in periods}
    submissions = list(
        scope_for(actor, ForecastSubmission).filter(
            owner_id__in=ids, period_kind=period.kind, period_start__gte=first, period_start__lt=end
        )
    )
    adjustments = _effective_adjustments(actor, [submission.pk for submission in submissions])
    for submission in submissions:
        point = points.get(submission.period_start)
        if point is None:
            continue
        adjustment = adjustments.get(submission.pk)
        point.commit += submission.commit.amount
        point.best_case += submission.best_case.amount
        point.adjusted_commit += adjustment.commit.amount if adjustment else submission.commit.amount
    quotas = (
        scope_for(actor, Quota)
        .filter(
            user_id__in=ids,
            period_kind=period.kind,
            period_start__gte=first,
            period_start__lt=end,
            product_line__isnull=True,
            amount_currency=CURRENCY,
        )
        .values("period_start")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for item in quotas:
        if item["period_start"] in points:
            points[item["period_start"]].quota = item["total"] or ZERO
    won_by_day = (
        scope_for(actor, Opportunity)
        .filter(
            owner_id__in=ids, stage__is_won=True, close_date__gte=first, close_date__lt=end, amount_currency=CURRENCY
        )
        .values("close_date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for day_total in won_by_day:
        start = period_start_for(period.kind, day_total["close_date"])
        if start in points:
            points[start].won += day_total["total"] or ZERO
    return [points[p.start] for p in periods]
