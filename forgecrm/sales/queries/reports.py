"""Sales report figures, always from the actor's scope: a rep sees their own deals, a manager the subtree,
org-wide roles all, partner users their organisation's. Amounts are never added across currencies: every
money figure is a `{currency: Decimal}` dict, KRW first, then the other currencies alphabetically."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from forgecrm.platform.access import scope_for

from ..models import Opportunity, Stage

HOME_CURRENCY = "KRW"
RATE_PLACES = Decimal("0.0001")


def currency_order(code: str) -> tuple[int, str]:
    """KRW first, then the others alphabetically."""
    return (0 if code == HOME_CURRENCY else 1, code)


def sorted_amounts(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {code: amounts[code] for code in sorted(amounts, key=currency_order)}


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
