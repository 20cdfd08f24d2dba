"""Every read of opportunities and the pipeline a user sees; each starts from the access scope.

Flags a sales manager scans the board for: a *stale* deal (open, and no stage change or activity for
`SALES_STALE_DEAL_DAYS` days, or its close date has passed) and a *next step* warning (open, and no next step or
its date has passed). Both are computed in the same query as the rows (one subquery for the last activity).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from forgecrm.activities.models import Activity
from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.search import search_queryset

from ..models import (
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Stage,
    StageHistory,
    StageProbability,
)

DEFAULT_STALE_DAYS = 30
CARDS_PER_COLUMN = 30
CLOSED_COLUMN_DAYS = 30  # the won and lost columns show what closed this recently
HISTORY_ON_DETAIL = 100


def stale_days() -> int:
    return int(getattr(settings, "SALES_STALE_DEAL_DAYS", DEFAULT_STALE_DAYS))


def opportunities_for(actor) -> QuerySet[Opportunity]:
    return scope_for(actor, Opportunity)


def _with_last_activity(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """`last_activity_at`: the latest activity about the deal that has happened (not a planned one)."""
    content_type = ContentType.objects.get_for_model(Opportunity)
    latest = (
        Activity.objects.filter(
            regarding_type=content_type, regarding_id=OuterRef("pk"), timeline_at__lte=timezone.now()
        )
        .order_by("-timeline_at")
        .values("timeline_at")[:1]
    )
    return queryset.annotate(last_activity_at=Subquery(latest))


def with_account_visibility(actor, queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """`account_visible`: whether the actor sees the deal's account. A rep may see a deal through its territory
    without seeing its account: pages and the API then leave the account's name out."""
    return queryset.annotate(account_visible=Exists(scope_for(actor, Account).filter(pk=OuterRef("account_id"))))


def is_stale(opportunity: Opportunity, *, today: dt.date | None = None, now: dt.datetime | None = None) -> bool:
    if opportunity.stage.is_closed:
        return False
    today = today or timezone.localdate()
    now = now or timezone.now()
    if opportunity.close_date < today:
        return True
    touched = opportunity.stage_entered_at
    last_activity = getattr(opportunity, "last_activity_at", None)
    if last_activity is not None and last_activity > touched:
        touched = last_activity
    return touched < now - dt.timedelta(days=stale_days())


def needs_next_step(opportunity: Opportunity, *, today: dt.date | None = None) -> bool:
    if opportunity.stage.is_closed:
        return False
    today = today or timezone.localdate()
    return not opportunity.next_step or (opportunity.next_step_date is not None and opportunity.next_step_date < today)


def _mark(rows: list[Opportunity]) -> list[Opportunity]:
    today, now = timezone.localdate(), timezone.now()
    for row in rows:
        row.is_stale = is_stale(row, today=today, now=now)  # type: ignore[attr-defined]  # shown on cards
        row.needs_next_step = needs_next_step(row, today=today)  # type: ignore[attr-defined]
    return rows


def mark_flags(rows: list[Opportunity]) -> list[Opportunity]:
    """Set `is_stale` and `needs_next_step` on rows from `opportunity_list_for` (list pages, exports)."""
    return _mark(rows)


def _filtered(queryset: QuerySet[Opportunity], filters: dict[str, Any]) -> QuerySet[Opportunity]:
    for name in ("owner", "product_line", "account", "partner", "forecast_category", "team"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    stages = filters.get("stage")
    if stages:
        many = isinstance(stages, (list, tuple, set)) or hasattr(stages, "model")
        queryset = queryset.filter(stage__in=stages) if many else queryset.filter(stage=stages)
    if filters.get("close_from"):
        queryset = queryset.filter(close_date__gte=filters["close_from"])
    if filters.get("close_to"):
        queryset = queryset.filter(close_date__lte=filters["close_to"])
    status = filters.get("status") or ""
    if status == "open":
        queryset = queryset.filter(stage__is_won=False, stage__is_lost=False)
    elif status == "won":
        queryset = queryset.filter(stage__is_won=True)
    elif status == "lost":
        queryset = queryset.filter(stage__is_lost=True)
    if filters.get("mine"):
        queryset = queryset.filter(owner=filters["mine"])
    if filters.get("stale"):
        cutoff = timezone.now() - dt.timedelta(days=stale_days())
        queryset = (
            _with_last_activity(queryset)
            .filter(stage__is_won=False, stage__is_lost=False)
            .filter(
                Q(close_date__lt=timezone.localdate())
                | (Q(stage_entered_at__lt=cutoff) & (Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=cutoff)))
            )
        )
    return queryset


def opportunity_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Opportunity]:
    """Opportunities the actor may see, narrowed by list filters, with what a row shows (account, owner, stage,
    product line, the last activity for the flags).

    filters: q (name or account through the search index), stage (one or several), owner, product_line,
    forecast_category, account, partner, team, close_from / close_to (dates), status (open/won/lost),
    stale (bool).
    """
    filters = filters or {}
    text = (filters.get("q") or "").strip()
    queryset = search_queryset(actor, "opportunity", text) if text else opportunities_for(actor)
    queryset = _filtered(queryset, filters).select_related("account", "owner", "stage", "product_line", "partner")
    if not filters.get("stale"):
        queryset = _with_last_activity(queryset)
    return with_account_visibility(actor, queryset)


def get_opportunity_for(actor, pk: Any) -> Opportunity:
    """One opportunity inside the actor's scope, or 404."""
    return get_for_or_404(
        actor,
        Opportunity,
        queryset=Opportunity.objects.select_related(
            "account", "owner", "stage", "product_line", "partner", "primary_contact", "team", "territory"
        ),
        pk=pk,
    )


@dataclass
class OpportunityDetail:
    opportunity: Opportunity
    lines: list[OpportunityLine]
    competitors: list[OpportunityCompetitor]  # empty for partner users (internal only)
    history: list[StageHistory]
    stages: list[Stage]
    is_stale: bool
    needs_next_step: bool
    seconds_in_stage: int
    shows_competitors: bool
    account_visible: bool
    contact_visible: bool


def opportunity_detail_for(actor, pk: Any) -> OpportunityDetail:
    """The detail page: the deal, its lines with options, its competitors (internal users only), its stage
    history with time in stage, and the stages it can move to. A fixed number of queries."""
    opportunity = get_for_or_404(
        actor,
        Opportunity,
        queryset=with_account_visibility(
            actor,
            _with_last_activity(
                Opportunity.objects.select_related(
                    "account", "owner", "stage", "product_line", "partner", "primary_contact", "team", "territory"
                )
            ),
        ),
        pk=pk,
    )
    contact_visible = bool(
        opportunity.primary_contact_id and scope_for(actor, Contact).filter(pk=opportunity.primary_contact_id).exists()
    )
    # The activity panel reads both flags instead of asking again (activities.regarding.context_for).
    opportunity.contact_visible = contact_visible  # type: ignore[attr-defined]
    lines = list(
        scope_for(actor, OpportunityLine)
        .filter(opportunity=opportunity)
        .select_related("product", "price_list")
        .prefetch_related("selected_options")
        .order_by("position", "id")
    )
    internal = principal_for(actor).is_internal
    competitors = (
        list(
            scope_for(actor, OpportunityCompetitor)
            .filter(opportunity=opportunity)
            .select_related("competitor")
            .order_by("id")
        )
        if internal
        else []
    )
    history = list(
        scope_for(actor, StageHistory)
        .filter(opportunity=opportunity)
        .select_related("stage", "changed_by")
        .order_by("-entered_at", "-id")[:HISTORY_ON_DETAIL]
    )
    now = timezone.now()
    return OpportunityDetail(
        opportunity=opportunity,
        lines=lines,
        competitors=competitors,
        history=history,
        stages=list(stage_choices_for(actor)),
        is_stale=is_stale(opportunity, now=now),
        needs_next_step=needs_next_step(opportunity),
        seconds_in_stage=max(0, int((now - opportunity.stage_entered_at).total_seconds())),
        shows_competitors=internal,
        account_visible=bool(getattr(opportunity, "account_visible", False)),
        contact_visible=contact_visible,
    )


def get_opportunity_line_for(actor, pk: Any) -> OpportunityLine:
    return get_for_or_404(
        actor,
        OpportunityLine,
        queryset=OpportunityLine.objects.select_related("opportunity", "opportunity__stage", "product", "price_list"),
        pk=pk,
    )


def get_opportunity_competitor_for(actor, pk: Any) -> OpportunityCompetitor:
    return get_for_or_404(
        actor,
        OpportunityCompetitor,
        queryset=OpportunityCompetitor.objects.select_related("opportunity", "opportunity__stage", "competitor"),
        pk=pk,
    )


def opportunity_lines_for(actor, opportunity: Opportunity) -> QuerySet[OpportunityLine]:
    return (
        scope_for(actor, OpportunityLine)
        .filter(opportunity=opportunity)
        .select_related("product", "price_list")
        .prefetch_related("selected_options")
        .order_by("position", "id")
    )


def opportunity_competitors_for(actor, opportunity: Opportunity) -> QuerySet[OpportunityCompetitor]:
    return scope_for(actor, OpportunityCompetitor).filter(opportunity=opportunity).select_related("competitor")


def stage_history_for(actor, opportunity: Opportunity) -> QuerySet[StageHistory]:
    return (
        scope_for(actor, StageHistory)
        .filter(opportunity=opportunity)
        .select_related("stage", "changed_by")
        .order_by("entered_at", "id")
    )


# --- stages --------------------------------------------------------------------------------------------------


def stage_choices_for(actor) -> QuerySet[Stage]:
    """The active stages, in pipeline order (what a deal can move to)."""
    return scope_for(actor, Stage).filter(is_active=True).order_by("order", "id")


def stage_list_for(actor) -> QuerySet[Stage]:
    """Every stage the actor sees (configuration: inactive ones too), with the product line probabilities."""
    overrides = Prefetch(
        "probabilities",
        queryset=scope_for(actor, StageProbability).select_related("product_line").order_by("product_line__name"),
    )
    return scope_for(actor, Stage).prefetch_related(overrides).order_by("order", "id")


def get_stage_for(actor, pk: Any) -> Stage:
    return get_for_or_404(actor, Stage, pk=pk)


def get_stage_probability_for(actor, pk: Any) -> StageProbability:
    return get_for_or_404(
        actor, StageProbability, queryset=StageProbability.objects.select_related("stage", "product_line"), pk=pk
    )


# --- the kanban board ------------------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # per currency: never added across currencies
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.cards))


@dataclass
class Board:
    columns: list[BoardColumn]
    stale_days: int


def pipeline_board_for(
    actor, filters: dict[str, Any] | None = None, *, cards_per_column: int = CARDS_PER_COLUMN
) -> Board:
    """The kanban: one column per active stage (won and lost: what closed in the last CLOSED_COLUMN_DAYS days)
    with the count and the amounts per currency of every deal in it and its first `cards_per_column` cards by
    close date. Three queries however many deals and stages."""
    filters = dict(filters or {})
    filters.pop("status", None)
    stages = list(stage_choices_for(actor))
    base = _filtered(opportunities_for(actor), filters).filter(stage__in=[stage.pk for stage in stages])
    recent = timezone.now() - dt.timedelta(days=CLOSED_COLUMN_DAYS)
    base = base.filter(Q(stage__is_won=False, stage__is_lost=False) | Q(closed_at__gte=recent))
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    totals = base.order_by().values("stage_id", "amount_currency").annotate(count=Count("pk"), total=Sum("amount"))
    for row in totals:
        column = columns[row["stage_id"]]
        column.count += row["count"]
        column.amounts[row["amount_currency"]] = row["total"] or Decimal(0)
    ranked = base.annotate(
        column_rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("close_date").asc(), F("id").asc()])
    )
    cards = with_account_visibility(
        actor,
        _with_last_activity(
            ranked.filter(column_rank__lte=cards_per_column).select_related("account", "owner", "stage")
        ),
    ).order_by("stage__order", "close_date", "id")
    for card in _mark(list(cards)):
        columns[card.stage_id].cards.append(card)
    for column in columns.values():
        column.amounts = dict(sorted(column.amounts.items()))
    return Board(columns=list(columns.values()), stale_days=stale_days())


def board_card_for(actor, pk: Any) -> Opportunity:
    """One card of the board, with its flags (after a move, to redraw it)."""
    card = get_for_or_404(
        actor,
        Opportunity,
        queryset=with_account_visibility(
            actor, _with_last_activity(Opportunity.objects.select_related("account", "owner", "stage"))
        ),
        pk=pk,
    )
    return _mark([card])[0]


# --- the account's 360° timeline -------------------------------------------------------------------------------


def timeline_opportunities_for(actor, subject_kind: str, subject_id: int, limit: int) -> list[Opportunity]:
    """The deals of an account (or those a contact is the primary contact of), newest first."""
    if subject_kind == "account":
        condition = Q(account_id=subject_id)
    elif subject_kind == "contact":
        condition = Q(primary_contact_id=subject_id)
    else:
        return []
    return list(
        opportunities_for(actor)
        .filter(condition)
        .select_related("stage", "owner")
        .order_by("-created_at", "-id")[:limit]
    )


def summarize_amounts(rows: list[Opportunity]) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        amounts[str(row.amount.currency)] += row.amount.amount
    return dict(amounts)
