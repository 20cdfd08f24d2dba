"""Partner scorecards (PRODUCT part 3): per partner and month, computed set-based from offers, opportunities,
sell-through and certifications, scored 0-100, and fed back into routing as the profile's performance score.

Score = the weighted sum of seven parts, each 0..1 (weights below, they add up to 100):
- acceptance 20: offers accepted / offers answered or recalled in the month;
- conversion 20: accepted leads converted / accepted leads;
- speed 15: 1 - median hours to answer / 48 (0 at two days or slower);
- won amount 15: the partner's won amount / the best of its tier this month;
- sell-through 10: the partner's reported sell-through / the best of its tier this month;
- certifications 10: valid certifications, three or more count full;
- MDF return 10: won business from the leads of the partner's MDF activities paid in the twelve months to the
  month's end ÷ the MDF paid for them (`partners.attribution.mdf_returns`), ten times or more counts full.
A part without data (no offers yet, nobody in the tier won anything, no MDF paid) counts 0.5, so a new partner
starts in the middle instead of at the bottom. The profile's performance score (what routing ranks by) is the
mean of the partner's last three monthly scores. Sell-through is read here from its lines as the system (the
beat has no actor for `queries.channel.sell_through_for`, which gives a person the same figure from its scopes).
"""

import datetime as dt
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from djmoney.money import Money

from forgecrm.customers.models import Account, AccountKind
from forgecrm.sales.models import LeadStatus, Opportunity

from ..attribution import ROI_WINDOW_MONTHS, MdfReturn, mdf_returns
from ..models import (
    LeadOffer,
    MdfRequest,
    OfferStatus,
    PartnerCertification,
    PartnerProfile,
    PartnerScorecard,
    SellThroughLine,
)

WEIGHTS = {
    "acceptance": 20,
    "conversion": 20,
    "speed": 15,
    "won": 15,
    "sell_through": 10,
    "certifications": 10,
    "mdf_return": 10,
}
NEUTRAL = 0.5
SPEED_HOURS = 48
FULL_CERTIFICATIONS = 3
SCORE_MONTHS = 3
FULL_MDF_RETURN = 10  # won of business per won of MDF paid that counts the part full


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def score_of(parts: dict[str, float | None]) -> Decimal:
    """The 0-100 score of parts in 0..1 (None = no data = neutral)."""
    total = 0.0
    for name, weight in WEIGHTS.items():
        value = parts.get(name)
        total += weight * (NEUTRAL if value is None else value)
    return Decimal(str(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(part: float, whole: float) -> float | None:
    return min(1.0, part / whole) if whole else None


def compute_scorecards(*, actor=None, period_start: dt.date, partner_ids: list[int] | None = None) -> int:
    """(Re)compute every partner's scorecard of the month starting `period_start`; returns how many were written.

    A fixed number of queries whatever the number of partners; idempotent (one row per partner and month,
    replaced on every run). `actor` None is the beat task; a person needs `partners.manage_partner`."""
    if actor is not None and not actor.has_perm("partners.manage_partner"):
        raise PermissionDenied("partners.manage_partner")
    start = month_start(period_start)
    end = next_month(start)
    since, until = _aware(start), _aware(end)
    partners = Account.objects.filter(kind=AccountKind.PARTNER, is_active=True, partner_profile__isnull=False)
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
    tiers = dict(partners.values_list("pk", "tier"))
    ids = list(tiers)
    if not ids:
        return 0

    in_month = Q(offered_at__gte=since, offered_at__lt=until)
    taken = Q(status__in=[OfferStatus.ACCEPTED, OfferStatus.CLOSED])
    offer_rows = (
        LeadOffer.objects.filter(in_month, partner_id__in=ids)
        .values("partner_id")
        .annotate(
            offered=Count("pk"),
            accepted=Count("pk", filter=taken),
            settled=Count("pk", filter=~Q(status=OfferStatus.OFFERED) & ~Q(status=OfferStatus.WITHDRAWN)),
            converted=Count("pk", filter=taken & Q(lead__status=LeadStatus.CONVERTED)),
        )
    )
    offers: dict[int, dict[str, Any]] = {row["partner_id"]: dict(row) for row in offer_rows}
    waits: dict[int, list[float]] = defaultdict(list)
    for partner_id, offered_at, responded_at in LeadOffer.objects.filter(
        in_month, partner_id__in=ids, responded_at__isnull=False
    ).values_list("partner_id", "offered_at", "responded_at"):
        if responded_at is not None:
            waits[partner_id].append((responded_at - offered_at).total_seconds() / 3600)
    won: dict[int, dict[str, Any]] = {
        row["partner_id"]: dict(row)
        for row in Opportunity.objects.filter(
            partner_id__in=ids, stage__is_won=True, closed_at__gte=since, closed_at__lt=until
        )
        .values("partner_id")
        .annotate(n=Count("pk"), amount=Sum("amount", filter=Q(amount_currency="KRW")))
    }
    sold = dict(
        SellThroughLine.objects.filter(report__partner_id__in=ids, report__period_start=start, amount_currency="KRW")
        .values("report__partner_id")
        .annotate(amount=Sum("amount"))
        .values_list("report__partner_id", "amount")
    )
    last_day = end - dt.timedelta(days=1)
    certified = dict(
        PartnerCertification.objects.filter(partner_id__in=ids, issued_on__lte=last_day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=last_day))
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    window_start = start
    for _month in range(ROI_WINDOW_MONTHS - 1):
        window_start = month_start(window_start - dt.timedelta(days=1))
    returns = mdf_returns(
        MdfRequest.objects.filter(partner_id__in=ids), Opportunity.objects.all(), _aware(window_start), until
    )

    best_won: dict[str, Decimal] = defaultdict(Decimal)
    best_sold: dict[str, Decimal] = defaultdict(Decimal)
    for pk in ids:
        tier = tiers[pk] or ""
        best_won[tier] = max(best_won[tier], (won.get(pk) or {}).get("amount") or Decimal(0))
        best_sold[tier] = max(best_sold[tier], sold.get(pk) or Decimal(0))

    now = timezone.now()
    cards = []
    for pk in ids:
        tier = tiers[pk] or ""
        row: dict[str, Any] = offers.get(pk) or {"offered": 0, "accepted": 0, "settled": 0, "converted": 0}
        median = statistics.median(waits[pk]) if waits.get(pk) else None
        won_amount = (won.get(pk) or {}).get("amount") or Decimal(0)
        sold_amount = sold.get(pk) or Decimal(0)
        parts: dict[str, float | None] = {
            "acceptance": _ratio(row["accepted"], row["settled"]),
            "conversion": _ratio(row["converted"], row["accepted"]),
            "speed": None if median is None else max(0.0, 1 - median / SPEED_HOURS),
            "won": _ratio(float(won_amount), float(best_won[tier])),
            "sell_through": _ratio(float(sold_amount), float(best_sold[tier])),
            "certifications": min(certified.get(pk, 0), FULL_CERTIFICATIONS) / FULL_CERTIFICATIONS,
        }
        mdf = returns.get(pk) or MdfReturn()
        ratio = mdf.ratio
        parts["mdf_return"] = None if ratio is None else min(1.0, float(ratio) / FULL_MDF_RETURN)
        cards.append(
            PartnerScorecard(
                partner_id=pk,
                period_start=start,
                leads_offered=row["offered"],
                leads_accepted=row["accepted"],
                leads_converted=row["converted"],
                median_response_hours=None
                if median is None
                else Decimal(str(median)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                deals_won=(won.get(pk) or {}).get("n", 0),
                currency="KRW",
                won_amount=Money(won_amount, "KRW"),
                sell_through_amount=Money(sold_amount, "KRW"),
                mdf_paid=Money(mdf.paid, "KRW"),
                mdf_won_amount=Money(mdf.won_amount, "KRW"),
                mdf_return=ratio,
                score=score_of(parts),
                computed_at=now,
            )
        )
    with transaction.atomic():
        PartnerScorecard.objects.bulk_create(
            cards,
            update_conflicts=True,
            unique_fields=["partner", "period_start"],
            update_fields=[
                "leads_offered",
                "leads_accepted",
                "leads_converted",
                "median_response_hours",
                "deals_won",
                "currency",
                "won_amount",
                "won_amount_currency",
                "sell_through_amount",
                "sell_through_amount_currency",
                "mdf_paid",
                "mdf_paid_currency",
                "mdf_won_amount",
                "mdf_won_amount_currency",
                "mdf_return",
                "score",
                "computed_at",
            ],
        )
        _feed_performance_scores(ids, start)
    return len(cards)


def _feed_performance_scores(ids: list[int], start: dt.date) -> None:
    """The profile's performance score = mean of the last SCORE_MONTHS monthly scores (routing ranks by it)."""
    first = start
    for _month in range(SCORE_MONTHS - 1):
        first = month_start(first - dt.timedelta(days=1))
    means = dict(
        PartnerScorecard.objects.filter(partner_id__in=ids, period_start__gte=first, period_start__lte=start)
        .values("partner_id")
        .annotate(mean=Avg("score"))
        .values_list("partner_id", "mean")
    )
    profiles = list(PartnerProfile.objects.filter(account_id__in=list(means)))
    for profile in profiles:
        profile.performance_score = Decimal(str(means[profile.account_id])).quantize(Decimal("0.01"))
    PartnerProfile.objects.bulk_update(profiles, ["performance_score"])


def refresh_current_scorecards(*, today: dt.date | None = None) -> int:
    """The beat's work: this month's scorecards (and last month's during the first days, for late answers)."""
    today = today or timezone.localdate()
    written = 0
    if today.day <= 3:
        written += compute_scorecards(period_start=month_start(today - dt.timedelta(days=today.day)))
    written += compute_scorecards(period_start=month_start(today))
    return written


def tier_ranking(cards: list[PartnerScorecard], tiers: dict[int, str]) -> dict[int, tuple[int, int]]:
    """partner id -> (rank within its tier, partners in the tier) for one month's scorecards."""
    by_tier: dict[str, list[PartnerScorecard]] = defaultdict(list)
    for card in cards:
        by_tier[tiers.get(card.partner_id, "")].append(card)
    ranking = {}
    for group in by_tier.values():
        group.sort(key=lambda card: (-card.score, card.partner_id))
        for index, card in enumerate(group, start=1):
            ranking[card.partner_id] = (index, len(group))
    return ranking
