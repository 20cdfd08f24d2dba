"""Sales report figures, always from the actor's scope: a rep sees their own deals, a manager the subtree,
org-wide roles all, partner users their organisation's. Amounts are never added across currencies: every
money figure is a `{currency: Decimal}` dict, KRW first, then the other currencies alphabetically."""

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.models import User, UserKind
from forgecrm.platform.models.identity import ROLE_KIND

from ..models import (
    ForecastStatus,
    ForecastSubmission,
    Lead,
    LeadStatus,
    Opportunity,
    PeriodKind,
    Quota,
    SalesRollup,
    SalesRollupState,
    Stage,
    StageHistory,
    period_bounds,
    period_end,
    period_start_for,
)

HOME_CURRENCY = "KRW"
RATE_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")
HUNDRED = Decimal(100)


def currency_order(code: str) -> tuple[int, str]:
    """KRW first, then the others alphabetically."""
    return (0 if code == HOME_CURRENCY else 1, code)


def sorted_amounts(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """KRW first, then the others alphabetically; each to the won/cent (the databases give sums their own scale)."""
    return {code: Decimal(amounts[code]).quantize(CENTS) for code in sorted(amounts, key=currency_order)}


def add_amount(amounts: dict[str, Decimal], currency: str, value: Decimal | None) -> None:
    if value is None:
        return
    amounts[currency] = amounts.get(currency, Decimal(0)) + value


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to 4 decimal places (0.6667), None when there is nothing to divide."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the site's time zone (Asia/Seoul), for filters on datetimes."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def opportunities_in_window(
    queryset: QuerySet[Opportunity], closed_from: dt.date | None, closed_to: dt.date | None
) -> QuerySet[Opportunity]:
    """Deals closing in [closed_from, closed_to] (both days included): won and lost ones by the day they were
    closed (`closed_at`, local time), open ones by their expected close date."""
    if closed_from is None and closed_to is None:
        return queryset
    closed, open_ = Q(stage__is_won=True) | Q(stage__is_lost=True), Q(stage__is_won=False, stage__is_lost=False)
    closed_q, open_q = Q(), Q()
    if closed_from is not None:
        closed_q &= Q(closed_at__gte=day_start(closed_from))
        open_q &= Q(close_date__gte=closed_from)
    if closed_to is not None:
        closed_q &= Q(closed_at__lt=day_start(closed_to + dt.timedelta(days=1)))
        open_q &= Q(close_date__lte=closed_to)
    return queryset.filter((closed & closed_q) | (open_ & open_q))


def opportunities_for_report(
    actor: Any,
    *,
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
    owner_ids: Any = None,
    product_line: Any = None,
) -> QuerySet[Opportunity]:
    """The actor's visible opportunities narrowed by the report filters (owner ids only narrow the scope: a
    foreign owner id finds nothing)."""
    queryset = opportunities_in_window(scope_for(actor, Opportunity), closed_from, closed_to)
    if owner_ids is not None:
        queryset = queryset.filter(owner_id__in=list(owner_ids))
    if product_line is not None:
        queryset = queryset.filter(product_line=product_line)
    return queryset


@dataclass
class StageFigure:
    code: str
    name: str
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    is_won: bool = False
    is_lost: bool = False


@dataclass
class SalesSummary:
    by_stage: list[StageFigure]
    won_count: int
    lost_count: int
    open_count: int
    win_rate: Decimal | None
    won_amounts: dict[str, Decimal]


def sales_summary_for(
    actor: Any,
    *,
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
    owner_ids: Any = None,
    product_line: Any = None,
) -> SalesSummary:
    """Count and amount per stage (every active stage, in pipeline order; an inactive one only if it holds
    deals), won / lost / open counts, the win rate won / (won + lost) and the won amounts per currency.

    Starts from the Opportunity scope of `actor`; `closed_from`/`closed_to` keep the deals closing in the window
    (see `opportunities_in_window`), `owner_ids` and `product_line` narrow further. Two queries."""
    rows = (
        opportunities_for_report(
            actor, closed_from=closed_from, closed_to=closed_to, owner_ids=owner_ids, product_line=product_line
        )
        .values("stage_id", "amount_currency")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by()
    )
    per_stage: dict[int, tuple[int, dict[str, Decimal]]] = {}
    for row in rows:
        count, amounts = per_stage.get(row["stage_id"], (0, {}))
        add_amount(amounts, row["amount_currency"], row["total"])
        per_stage[row["stage_id"]] = (count + row["count"], amounts)
    stages = Stage.objects.filter(Q(is_active=True) | Q(pk__in=list(per_stage))).order_by("order", "id")
    figures: list[StageFigure] = []
    won = lost = open_ = 0
    won_amounts: dict[str, Decimal] = {}
    for stage in stages:
        count, amounts = per_stage.get(stage.pk, (0, {}))
        figures.append(
            StageFigure(
                code=stage.code,
                name=stage.name,
                count=count,
                amounts=sorted_amounts(amounts),
                is_won=stage.is_won,
                is_lost=stage.is_lost,
            )
        )
        if stage.is_won:
            won += count
            for currency, value in amounts.items():
                add_amount(won_amounts, currency, value)
        elif stage.is_lost:
            lost += count
        else:
            open_ += count
    return SalesSummary(
        by_stage=figures,
        won_count=won,
        lost_count=lost,
        open_count=open_,
        win_rate=ratio(won, won + lost),
        won_amounts=sorted_amounts(won_amounts),
    )


# --- filters -----------------------------------------------------------------------------------------------------


class Period:
    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    CUSTOM = "custom"
    ALL = "all"


def period_window(
    period: str, today: dt.date, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) of a named period (fiscal year = calendar year); `custom` takes the given days."""
    if period == Period.THIS_QUARTER:
        start, end = period_bounds(PeriodKind.QUARTER, today)
    elif period == Period.LAST_QUARTER:
        start, end = period_bounds(PeriodKind.QUARTER, period_start_for(PeriodKind.QUARTER, today) - dt.timedelta(1))
    elif period == Period.THIS_YEAR:
        start, end = period_bounds(PeriodKind.YEAR, today)
    elif period == Period.LAST_YEAR:
        start, end = period_bounds(PeriodKind.YEAR, dt.date(today.year - 1, 1, 1))
    elif period == Period.CUSTOM:
        return date_from, date_to
    else:
        return None, None
    return start, end - dt.timedelta(days=1)


@dataclass(frozen=True)
class ReportFilters:
    """What every report narrows by: a window of days (both included), owners (inside the scope), a line."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    owner_ids: tuple[int, ...] | None = None
    product_line_id: int | None = None
    period: str = Period.THIS_QUARTER

    def opportunities(self, actor: Any) -> QuerySet[Opportunity]:
        return opportunities_for_report(
            actor,
            closed_from=self.date_from,
            closed_to=self.date_to,
            owner_ids=self.owner_ids,
            product_line=self.product_line_id,
        )

    def closed(self, actor: Any) -> QuerySet[Opportunity]:
        return self.opportunities(actor).filter(CLOSED)

    def open(self, actor: Any) -> QuerySet[Opportunity]:
        return self.opportunities(actor).filter(stage__is_won=False, stage__is_lost=False)


CLOSED = Q(stage__is_won=True) | Q(stage__is_lost=True)


def owner_choices_for(actor: Any) -> QuerySet[User]:
    """Whom the owner filter offers: the actor's subtree and sharing teammates (org-wide roles: every active
    internal user); partner and customer users none (their scope is their organisation's deals)."""
    principal = principal_for(actor)
    if not principal.is_internal:
        return User.objects.none()
    external = [role for role, kind in ROLE_KIND.items() if kind != UserKind.INTERNAL]
    users = User.objects.filter(is_active=True).exclude(role__in=external)
    if not principal.sees_everything:
        users = users.filter(pk__in=principal.visible_user_ids)
    return users.order_by("full_name", "pk")


def product_line_choices_for(actor: Any) -> QuerySet[ProductLine]:
    return scope_for(actor, ProductLine).order_by("name", "pk")


def localized(obj: Any) -> str:
    """The English name on English pages when there is one (stages, product lines), else the Korean one."""
    if obj is None:
        return ""
    english = getattr(obj, "name_en", "")
    return english if english and get_language() == "en" else obj.name


# --- pipeline ----------------------------------------------------------------------------------------------------


@dataclass
class PipelineRow:
    key: Any
    label: str
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)


def weighted_expression() -> ExpressionWrapper:
    """amount × probability (the weighted amount × 100, summed exactly, divided once at the end)."""
    return ExpressionWrapper(F("amount") * F("probability"), output_field=DecimalField(max_digits=24, decimal_places=2))


def weighted_of(basis: Decimal | None) -> Decimal:
    return ((basis or Decimal(0)) / HUNDRED).quantize(CENTS, rounding=ROUND_HALF_UP)


def _pipeline_rows(rows: Iterable[Any], key: str) -> dict[Any, PipelineRow]:
    found: dict[Any, PipelineRow] = {}
    for row in rows:
        item = found.setdefault(row[key], PipelineRow(key=row[key], label=""))
        item.count += row["n"]
        add_amount(item.amounts, row["currency"], row["total"])
        add_amount(item.weighted, row["currency"], row["basis"])
    for item in found.values():
        item.amounts = sorted_amounts(item.amounts)
        item.weighted = sorted_amounts({code: weighted_of(value) for code, value in item.weighted.items()})
    return found


def _grouped_pipeline(queryset: QuerySet[Opportunity], key: str) -> dict[Any, PipelineRow]:
    rows = (
        queryset.values(key, currency=F("amount_currency"))
        .annotate(n=Count("id"), total=Sum("amount"), basis=Sum(weighted_expression()))
        .order_by()
    )
    return _pipeline_rows(rows, key)


def pipeline_by_stage_for(actor: Any, filters: ReportFilters) -> list[PipelineRow]:
    """Open deals closing in the window, per open stage in pipeline order: count, amount, weighted amount."""
    found = _grouped_pipeline(filters.open(actor), "stage_id")
    stages = Stage.objects.filter(Q(is_active=True) | Q(pk__in=list(found)), is_won=False, is_lost=False)
    result = []
    for stage in stages.order_by("order", "id"):
        row = found.get(stage.pk) or PipelineRow(key=stage.pk, label="")
        row.label = localized(stage)
        row.key = stage.code
        result.append(row)
    return result


def pipeline_by_owner_for(actor: Any, filters: ReportFilters) -> list[PipelineRow]:
    """Open deals closing in the window, per owner: the largest KRW pipeline first."""
    found = _grouped_pipeline(filters.open(actor), "owner_id")
    names = dict(User.objects.filter(pk__in=list(found)).values_list("pk", "full_name"))
    for row in found.values():
        row.label = names.get(row.key, "")
    return sorted(found.values(), key=lambda row: (-row.amounts.get(HOME_CURRENCY, Decimal(0)), row.label, row.key))


def totals_of(rows: Iterable[PipelineRow]) -> PipelineRow:
    total = PipelineRow(key="total", label="")
    for row in rows:
        total.count += row.count
        for code, value in row.amounts.items():
            add_amount(total.amounts, code, value)
        for code, value in row.weighted.items():
            add_amount(total.weighted, code, value)
    total.amounts, total.weighted = sorted_amounts(total.amounts), sorted_amounts(total.weighted)
    return total


# --- funnel ------------------------------------------------------------------------------------------------------


@dataclass
class FunnelStep:
    key: str
    label: str
    count: int
    rate_from_previous: Decimal | None = None
    rate_from_first: Decimal | None = None


def funnel_for(actor: Any, filters: ReportFilters) -> list[FunnelStep]:
    """Leads created in the window (in the actor's lead scope, by the same owner and product line filters):
    all → qualified (qualified or converted) → converted → won (the converted opportunity is won). One query."""
    leads = scope_for(actor, Lead)
    if filters.date_from is not None:
        leads = leads.filter(created_at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        leads = leads.filter(created_at__lt=day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.owner_ids is not None:
        leads = leads.filter(owner_id__in=list(filters.owner_ids))
    if filters.product_line_id is not None:
        leads = leads.filter(product_line_id=filters.product_line_id)
    counts = leads.aggregate(
        total=Count("id"),
        qualified=Count("id", filter=Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED])),
        converted=Count("id", filter=Q(status=LeadStatus.CONVERTED)),
        won=Count("id", filter=Q(status=LeadStatus.CONVERTED, converted_opportunity__stage__is_won=True)),
    )
    steps = [
        FunnelStep("leads", str(_("Leads")), counts["total"]),
        FunnelStep("qualified", str(_("Qualified")), counts["qualified"]),
        FunnelStep("converted", str(_("Converted")), counts["converted"]),
        FunnelStep("won", str(_("Won")), counts["won"]),
    ]
    for index, step in enumerate(steps[1:], start=1):
        step.rate_from_previous = ratio(step.count, steps[index - 1].count)
        step.rate_from_first = ratio(step.count, steps[0].count)
    return steps


# --- win rate ----------------------------------------------------------------------------------------------------


class WinRateBy:
    OWNER = "owner"
    PRODUCT_LINE = "product_line"
    MONTH = "month"


@dataclass
class WinRateRow:
    key: Any
    label: str
    won: int = 0
    lost: int = 0
    won_amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.won, self.won + self.lost)


def win_rates_for(actor: Any, filters: ReportFilters, by: str = WinRateBy.OWNER) -> list[WinRateRow]:
    """Deals won and lost in the window, per owner, product line or closing month: won / (won + lost)."""
    queryset = filters.closed(actor)
    if by == WinRateBy.MONTH:
        queryset, key = queryset.annotate(group=TruncMonth("closed_at")), "group"
    else:
        key = "owner_id" if by == WinRateBy.OWNER else "product_line_id"
    rows = (
        queryset.values(key, "stage__is_won", currency=F("amount_currency"))
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    found: dict[Any, WinRateRow] = {}
    for row in rows:
        group = row[key]
        if isinstance(group, dt.datetime):
            group = (timezone.localtime(group) if timezone.is_aware(group) else group).date()
        item = found.setdefault(group, WinRateRow(key=group, label=""))
        if row["stage__is_won"]:
            item.won += row["n"]
            add_amount(item.won_amounts, row["currency"], row["total"])
        else:
            item.lost += row["n"]
    for item in found.values():
        item.won_amounts = sorted_amounts(item.won_amounts)
    if by == WinRateBy.MONTH:
        for item in found.values():
            item.label = f"{item.key:%Y-%m}" if item.key else ""
        return sorted(found.values(), key=lambda item: item.key or dt.date.min)
    if by == WinRateBy.OWNER:
        names = dict(User.objects.filter(pk__in=[k for k in found if k]).values_list("pk", "full_name"))
        for item in found.values():
            item.label = names.get(item.key, "")
    else:
        # Only the lines the actor may see are named (a partner does not learn an internal line's name).
        lines = {line.pk: line for line in scope_for(actor, ProductLine).filter(pk__in=[k for k in found if k])}
        for item in found.values():
            line = lines.get(item.key)
            item.label = localized(line) if line else str(_("No product line") if item.key is None else _("Other"))
    return sorted(found.values(), key=lambda item: (-(item.won + item.lost), item.label, str(item.key)))


# --- sales cycle -------------------------------------------------------------------------------------------------


@dataclass
class CycleFigure:
    key: str
    label: str
    count: int
    median_days: Decimal | None
    mean_days: Decimal | None


def _days(durations: list[Decimal], how: str) -> Decimal | None:
    if not durations:
        return None
    value = statistics.median(durations) if how == "median" else sum(durations, Decimal(0)) / len(durations)
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sales_cycle_for(actor: Any, filters: ReportFilters) -> list[CycleFigure]:
    """Days from creation to close of the deals won / lost in the window: median and mean, won, lost and all.
    A deal starts when it entered its first stage (StageHistory; an imported deal's history starts before the
    row was written) or, without history, when it was created. One query."""
    first_entry = (
        StageHistory.objects.filter(opportunity=OuterRef("pk")).order_by("entered_at", "id").values("entered_at")[:1]
    )
    rows = (
        filters.closed(actor)
        .filter(closed_at__isnull=False)
        .annotate(started=Coalesce(Subquery(first_entry), F("created_at")))
        .values_list("started", "closed_at", "stage__is_won")
    )
    won: list[Decimal] = []
    lost: list[Decimal] = []
    for started, closed_at, is_won in rows:
        days = Decimal(max((closed_at - started).total_seconds(), 0)) / Decimal(86400)
        (won if is_won else lost).append(days)
    return [
        CycleFigure(key, label, len(values), _days(values, "median"), _days(values, "mean"))
        for key, label, values in (
            ("won", str(_("Won")), won),
            ("lost", str(_("Lost")), lost),
            ("all", str(_("All closed")), won + lost),
        )
    ]


# --- forecast vs quota -------------------------------------------------------------------------------------------


@dataclass
class ForecastRow:
    owner_id: int
    label: str
    quota: dict[str, Decimal] = field(default_factory=dict)
    commit: dict[str, Decimal] = field(default_factory=dict)
    best_case: dict[str, Decimal] = field(default_factory=dict)
    won: dict[str, Decimal] = field(default_factory=dict)
    open_weighted: dict[str, Decimal] = field(default_factory=dict)
    submitted: bool = False

    @property
    def attainment(self) -> Decimal | None:
        """Won / quota in KRW (a quota is set in KRW; other currencies are not converted)."""
        quota = self.quota.get(HOME_CURRENCY)
        if not quota:
            return None
        won = self.won.get(HOME_CURRENCY, Decimal(0))
        return (won / quota).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def forecast_period(filters: ReportFilters) -> tuple[str, dt.date]:
    """The quota period a filter means: a year for this/last year, else the quarter its window starts in."""
    day = filters.date_from or timezone.localdate()
    kind = PeriodKind.YEAR if filters.period in {Period.THIS_YEAR, Period.LAST_YEAR} else PeriodKind.QUARTER
    return kind, period_start_for(kind, day)


def forecast_vs_quota_for(
    actor: Any, kind: str, start: dt.date, filters: ReportFilters | None = None
) -> list[ForecastRow]:
    """Per rep of the actor's reporting line for one period: their quota (the rep's own, without a product
    line), their submitted forecast (commit and best case as submitted), what they won in the period and the
    weighted pipeline still open for it. Quotas and forecasts follow their own scope (the reporting line);
    won and open amounts the opportunity scope. Four queries."""
    end = period_end(kind, start)
    filters = ReportFilters(
        date_from=start,
        date_to=end - dt.timedelta(days=1),
        owner_ids=filters.owner_ids if filters else None,
        product_line_id=filters.product_line_id if filters else None,
    )
    rows: dict[int, ForecastRow] = {}

    def row_for(owner_id: int) -> ForecastRow:
        return rows.setdefault(owner_id, ForecastRow(owner_id=owner_id, label=""))

    quotas = scope_for(actor, Quota).filter(
        user__isnull=False, period_kind=kind, period_start=start, product_line__isnull=True
    )
    if filters.owner_ids is not None:
        quotas = quotas.filter(user_id__in=list(filters.owner_ids))
    for user_id, currency, amount in quotas.values_list("user_id", "amount_currency", "amount"):
        add_amount(row_for(user_id).quota, currency, amount)
    forecasts = scope_for(actor, ForecastSubmission).filter(
        period_kind=kind, period_start=start, status=ForecastStatus.SUBMITTED
    )
    if filters.owner_ids is not None:
        forecasts = forecasts.filter(owner_id__in=list(filters.owner_ids))
    for owner_id, commit_currency, commit, best_currency, best in forecasts.values_list(
        "owner_id", "commit_currency", "commit", "best_case_currency", "best_case"
    ):
        row = row_for(owner_id)
        row.submitted = True
        add_amount(row.commit, commit_currency, commit)
        add_amount(row.best_case, best_currency, best)
    for item in _grouped_pipeline(filters.open(actor), "owner_id").values():
        row_for(item.key).open_weighted = dict(item.weighted)
    won = (
        filters.closed(actor)
        .filter(stage__is_won=True)
        .values("owner_id", currency=F("amount_currency"))
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for figure in won:
        add_amount(row_for(figure["owner_id"]).won, figure["currency"], figure["total"])
    names = dict(User.objects.filter(pk__in=list(rows)).values_list("pk", "full_name"))
    for row in rows.values():
        row.label = names.get(row.owner_id, "")
        for name in ("quota", "commit", "best_case", "won", "open_weighted"):
            setattr(row, name, sorted_amounts(getattr(row, name)))
    return sorted(rows.values(), key=lambda row: (row.label, row.owner_id))


# --- top accounts ------------------------------------------------------------------------------------------------


@dataclass
class AccountRow:
    account_id: int
    label: str
    won_count: int = 0
    won_amounts: dict[str, Decimal] = field(default_factory=dict)


def top_accounts_for(actor: Any, filters: ReportFilters, limit: int = 10) -> list[AccountRow]:
    """Accounts by the amount won from them in the window (KRW first, then the other currencies), the
    largest `limit`. An account's name is shown only if the actor may see the account itself. Two queries."""
    rows = (
        filters.closed(actor)
        .filter(stage__is_won=True)
        .values("account_id", currency=F("amount_currency"))
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    found: dict[int, AccountRow] = {}
    for row in rows:
        item = found.setdefault(row["account_id"], AccountRow(account_id=row["account_id"], label=""))
        item.won_count += row["n"]
        add_amount(item.won_amounts, row["currency"], row["total"])

    def rank(item: AccountRow) -> tuple:
        ordered = sorted_amounts(item.won_amounts)
        return (*(-ordered.get(code, Decimal(0)) for code in settings.CURRENCIES), item.account_id)

    top = sorted(found.values(), key=rank)[:limit]
    names = dict(scope_for(actor, Account).filter(pk__in=[item.account_id for item in top]).values_list("pk", "name"))
    for item in top:
        item.won_amounts = sorted_amounts(item.won_amounts)
        item.label = names.get(item.account_id) or str(_("(an account you do not see)"))
    return top


# --- the sales dashboard (from the rollups) ----------------------------------------------------------------------


@dataclass
class MonthRate:
    month: dt.date
    won: int = 0
    lost: int = 0

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.won, self.won + self.lost)


@dataclass
class SalesDashboard:
    quarter_start: dt.date
    quarter_end: dt.date  # the last day
    pipeline_by_stage: list[PipelineRow]
    pipeline_by_owner: list[PipelineRow]  # open deals closing this quarter, the largest first
    won_this_quarter: dict[str, Decimal]
    won_count_this_quarter: int
    quota_this_quarter: dict[str, Decimal]
    commit_this_quarter: dict[str, Decimal]
    win_rate_by_month: list[MonthRate]
    refreshed_at: dt.datetime | None

    @property
    def pipeline_total(self) -> PipelineRow:
        return totals_of(self.pipeline_by_stage)

    @property
    def attainment(self) -> Decimal | None:
        quota = self.quota_this_quarter.get(HOME_CURRENCY)
        if not quota:
            return None
        return (self.won_this_quarter.get(HOME_CURRENCY, Decimal(0)) / quota).quantize(RATE_PLACES, ROUND_HALF_UP)


DASHBOARD_OWNERS = 10
DASHBOARD_MONTHS = 6


def rollups_for(actor: Any) -> QuerySet[SalesRollup]:
    """The rollup rows of the owners whose deals the actor sees by owner (own, subtree, sharing teammates;
    org-wide roles all). Deals seen only through a team or a territory are in the reports, not here."""
    return scope_for(actor, SalesRollup)


def dashboard_pipeline_by_stage(rollups: QuerySet[SalesRollup]) -> list[PipelineRow]:
    """Tile: every open deal by stage (count, amount, weighted amount per currency). One query."""
    rows = (
        rollups.filter(is_closed=False)
        .values("stage_id", "stage__code", "stage__name", "stage__name_en", "stage__order", "currency")
        .annotate(n=Sum("count"), total=Sum("amount"), basis=Sum("weighted_basis"))
        .order_by("stage__order", "stage_id")
    )
    stages: dict[int, PipelineRow] = {}
    english = get_language() == "en"
    for row in rows:
        label = (row["stage__name_en"] if english and row["stage__name_en"] else "") or row["stage__name"]
        item = stages.setdefault(row["stage_id"], PipelineRow(key=row["stage__code"], label=label))
        item.count += row["n"]
        add_amount(item.amounts, row["currency"], row["total"])
        add_amount(item.weighted, row["currency"], row["basis"])
    for item in stages.values():
        item.amounts = sorted_amounts(item.amounts)
        item.weighted = sorted_amounts({code: weighted_of(value) for code, value in item.weighted.items()})
    return list(stages.values())


def dashboard_pipeline_by_owner(rollups: QuerySet[SalesRollup], start: dt.date, end: dt.date) -> list[PipelineRow]:
    """Tile: the open deals closing in [start, end) by owner, the largest KRW pipeline first. One query."""
    rows = list(
        rollups.filter(is_closed=False, month__gte=start, month__lt=end)
        .values("owner_id", "owner__full_name", "currency")
        .annotate(n=Sum("count"), total=Sum("amount"), basis=Sum("weighted_basis"))
        .order_by()
    )
    owners = _pipeline_rows(rows, "owner_id")
    labels = {row["owner_id"]: row["owner__full_name"] for row in rows}
    for item in owners.values():
        item.label = labels.get(item.key, "")
    return sorted(owners.values(), key=lambda row: (-row.amounts.get(HOME_CURRENCY, Decimal(0)), row.label))


def dashboard_won(rollups: QuerySet[SalesRollup], start: dt.date, end: dt.date) -> tuple[int, dict[str, Decimal]]:
    """Tile: deals won in [start, end) and their amounts per currency. One query."""
    won: dict[str, Decimal] = {}
    count = 0
    for row in (
        rollups.filter(is_closed=True, stage__is_won=True, month__gte=start, month__lt=end)
        .values("currency")
        .annotate(n=Sum("count"), total=Sum("amount"))
        .order_by()
    ):
        count += row["n"]
        add_amount(won, row["currency"], row["total"])
    return count, sorted_amounts(won)


def dashboard_win_rates(rollups: QuerySet[SalesRollup], today: dt.date, months: int) -> list[MonthRate]:
    """Tile: won and lost deals per closing month, the last `months` months up to this one. One query."""
    this_month = today.replace(day=1)
    first = this_month
    for _step in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    found: dict[dt.date, MonthRate] = {}
    current = first
    while current <= this_month:
        found[current] = MonthRate(current)
        current = period_end(PeriodKind.MONTH, current)
    for row in (
        rollups.filter(is_closed=True, month__gte=first, month__lt=current)
        .values("month", "stage__is_won")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        month = found.get(row["month"])
        if month is not None and row["stage__is_won"]:
            month.won += row["n"]
        elif month is not None:
            month.lost += row["n"]
    return list(found.values())


def dashboard_quota(actor: Any, kind: str, start: dt.date) -> dict[str, Decimal]:
    """Tile: the reporting line's quotas for the period (the reps' own, without a product line). One query."""
    quota: dict[str, Decimal] = {}
    for row in (
        scope_for(actor, Quota)
        .filter(user__isnull=False, period_kind=kind, period_start=start, product_line__isnull=True)
        .values("amount_currency")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        add_amount(quota, row["amount_currency"], row["total"])
    return sorted_amounts(quota)


def dashboard_commit(actor: Any, kind: str, start: dt.date) -> dict[str, Decimal]:
    """Tile: the reporting line's submitted commit for the period. One query."""
    commit: dict[str, Decimal] = {}
    for row in (
        scope_for(actor, ForecastSubmission)
        .filter(period_kind=kind, period_start=start, status=ForecastStatus.SUBMITTED)
        .values("commit_currency")
        .annotate(total=Sum("commit"))
        .order_by()
    ):
        add_amount(commit, row["commit_currency"], row["total"])
    return sorted_amounts(commit)


def sales_dashboard_for(actor: Any, today: dt.date | None = None) -> SalesDashboard:
    """The manager's pipeline and forecast tiles, each one aggregate over the rollups (or the quota and forecast
    rows): open pipeline by stage, this quarter's open pipeline by owner, won this quarter against the quota and
    the submitted commit, and the win rate of the last six months. Seven queries."""
    today = today or timezone.localdate()
    start, end = period_bounds(PeriodKind.QUARTER, today)
    rollups = rollups_for(actor)
    won_count, won = dashboard_won(rollups, start, end)
    return SalesDashboard(
        quarter_start=start,
        quarter_end=end - dt.timedelta(days=1),
        pipeline_by_stage=dashboard_pipeline_by_stage(rollups),
        pipeline_by_owner=dashboard_pipeline_by_owner(rollups, start, end)[:DASHBOARD_OWNERS],
        won_this_quarter=won,
        won_count_this_quarter=won_count,
        quota_this_quarter=dashboard_quota(actor, PeriodKind.QUARTER, start),
        commit_this_quarter=dashboard_commit(actor, PeriodKind.QUARTER, start),
        win_rate_by_month=dashboard_win_rates(rollups, today, DASHBOARD_MONTHS),
        refreshed_at=SalesRollupState.objects.order_by("pk").values_list("refreshed_at", flat=True).first(),
    )
