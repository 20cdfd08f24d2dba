"""Reads of partner scorecards: one month across partners (ranked within their tier) and one partner's months."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from forgecrm.platform.access import scope_for

from ..models import PartnerScorecard
from ..operations.scorecards import tier_ranking


def scorecards_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[PartnerScorecard]:
    filters = filters or {}
    queryset = scope_for(actor, PartnerScorecard).select_related("partner", "partner__partner_profile")
    if filters.get("period_start"):
        queryset = queryset.filter(period_start=filters["period_start"])
    if filters.get("tier"):
        queryset = queryset.filter(partner__tier=filters["tier"])
    if filters.get("partner"):
        queryset = queryset.filter(partner_id=filters["partner"])
    return queryset


def latest_period_for(actor) -> dt.date | None:
    return scope_for(actor, PartnerScorecard).order_by("-period_start").values_list("period_start", flat=True).first()


@dataclass
class RankedMonth:
    period_start: dt.date | None
    cards: list[PartnerScorecard]
    ranking: dict[int, tuple[int, int]]
    periods: list[dt.date]


def ranked_month_for(actor, period_start: dt.date | None = None, tier: str = "") -> RankedMonth:
    """One month's scorecards, best first, with each partner's rank within its tier (three queries)."""
    periods = list(
        scope_for(actor, PartnerScorecard)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()[:24]
    )
    period = period_start or (periods[0] if periods else None)
    cards = list(scorecards_for(actor, {"period_start": period}).order_by("-score", "partner__name")) if period else []
    ranking = tier_ranking(cards, {card.partner_id: card.partner.tier or "" for card in cards})
    for card in cards:
        card.rank_in_tier = ranking.get(card.partner_id, (0, 0))  # type: ignore[attr-defined]  # for the page
    if tier:
        cards = [card for card in cards if card.partner.tier == tier]
    return RankedMonth(period_start=period, cards=cards, ranking=ranking, periods=periods)
