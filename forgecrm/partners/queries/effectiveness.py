"""The channel's effectiveness loop (PRODUCT part 3, issue 6 item 3): what the leads routed to partners in a
period became, per marketing programme and per partner, with the MDF paid for them.

A programme is the lead's source and source detail, or the partner's MDF activity its source detail names
(`partners.attribution`). The leads are a cohort by routing date: leads offered in the period, and what they
have become so far (accepted, rejected, recalled, converted, won). Four queries whatever the number of
partners and programmes; every row comes from the actor's scopes."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from forgecrm.customers.models import Tier
from forgecrm.platform.access import scope_for
from forgecrm.sales.models import LeadSource, Opportunity
from forgecrm.sales.queries.planning import Period

from ..attribution import ZERO, mdf_number_of, paid_mdf_activities, programme_key
from ..models import LeadOffer, MdfRequest, OfferStatus

TAKEN = (OfferStatus.ACCEPTED, OfferStatus.CLOSED)


@dataclass
class Outcome:
    routed: int = 0
    accepted: int = 0
    rejected: int = 0
    recalled: int = 0
    converted: int = 0  # leads converted to opportunities
    won: int = 0
    won_amount: Decimal = ZERO  # KRW
    cost: Decimal = ZERO  # MDF paid (KRW)

    def add(self, other: "Outcome") -> None:
        for name in ("routed", "accepted", "rejected", "recalled", "converted", "won", "won_amount", "cost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def conversion_rate(self) -> Decimal | None:
        """Leads converted to opportunities ÷ leads routed, in percent."""
        if not self.routed:
            return None
        return (Decimal(self.converted) * 100 / self.routed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def cost_per_won(self) -> Decimal | None:
        if not self.won or not self.cost:
            return None
        return (self.cost / self.won).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class ProgrammeRow:
    source: str
    detail: str
    outcome: Outcome = field(default_factory=Outcome)
    mdf_number: str = ""  # when the programme is a partner's MDF activity
    mdf_activity: str = ""
    mdf_partner: str = ""

    @property
    def source_label(self) -> str:
        return str(LeadSource(self.source).label) if self.source in LeadSource.values else self.source

    @property
    def label(self) -> str:
        if self.mdf_number:
            return f"{self.mdf_number} {self.mdf_activity}"
        return f"{self.source_label} · {self.detail}" if self.detail else self.source_label


@dataclass
class PartnerRow:
    partner_id: int
    name: str
    tier: str
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier


@dataclass
class Effectiveness:
    period: Period
    programmes: list[ProgrammeRow]
    partners: list[PartnerRow]
    total: Outcome


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _counts(prefix: str = "") -> dict[str, Any]:
    taken = Q(status__in=TAKEN)
    opportunity = "lead__converted_opportunity"
    won = taken & Q(**{f"{opportunity}__stage__is_won": True})
    return {
        "routed": Count("lead", distinct=True) if prefix else Count("pk"),
        "accepted": Count("lead", distinct=True, filter=taken) if prefix else Count("pk", filter=taken),
        "rejected": Count("pk", filter=Q(status=OfferStatus.REJECTED)),
        "recalled": Count("pk", filter=Q(status=OfferStatus.RECALLED)),
        "converted": Count(opportunity, distinct=True, filter=taken & Q(**{f"{opportunity}__isnull": False})),
        "won": Count(opportunity, distinct=True, filter=won),
        "won_amount": Coalesce(
            Sum(f"{opportunity}__amount", filter=won & Q(**{f"{opportunity}__amount_currency": "KRW"})), ZERO
        ),
    }


def _outcome(row: Mapping[str, Any]) -> Outcome:
    return Outcome(
        routed=row["routed"],
        accepted=row["accepted"],
        rejected=row["rejected"],
        recalled=row["recalled"],
        converted=row["converted"],
        won=row["won"],
        won_amount=Decimal(row["won_amount"]),
    )


def channel_effectiveness_for(
    actor, period: Period, *, tier: str = "", partner_ids: list[int] | None = None
) -> Effectiveness:
    """Per programme and per partner: leads routed in `period` (offers made; a programme counts each lead
    once), accepted, rejected, recalled, converted, won, won amount (KRW) and MDF paid; `tier` and
    `partner_ids` narrow the partners. Four queries."""
    since, until = _aware(period.start), _aware(period.end)
    offers = scope_for(actor, LeadOffer).filter(offered_at__gte=since, offered_at__lt=until)
    mdf = scope_for(actor, MdfRequest)
    if tier:
        offers, mdf = offers.filter(partner__tier=tier), mdf.filter(partner__tier=tier)
    if partner_ids is not None:
        offers, mdf = offers.filter(partner_id__in=partner_ids), mdf.filter(partner_id__in=partner_ids)

    partners: dict[int, PartnerRow] = {}
    row: Mapping[str, Any]
    for row in (
        offers.values("partner_id", "partner__name", "partner__tier").annotate(**_counts()).order_by("partner_id")
    ):
        partners[row["partner_id"]] = PartnerRow(
            row["partner_id"], row["partner__name"], row["partner__tier"] or "", _outcome(row)
        )

    programmes: dict[tuple[str, str], ProgrammeRow] = {}
    for row in offers.values("lead__source", "lead__source_detail").annotate(**_counts("lead")).order_by():
        key = programme_key(row["lead__source"], row["lead__source_detail"])
        item = programmes.setdefault(key, ProgrammeRow(key[0], row["lead__source_detail"].strip()))
        outcome = _outcome(row)
        outcome.converted, outcome.won, outcome.won_amount = 0, 0, ZERO  # counted over the opportunities below
        item.outcome.add(outcome)
    # A lead whose offers reached two partners (a re-routing, a second attempt) converts once: a programme's
    # opportunities, wins and won amount are counted over the opportunities the actor sees, not over offers.
    won = Q(stage__is_won=True)
    for row in (
        scope_for(actor, Opportunity)
        .filter(source_lead__in=offers.filter(status__in=TAKEN).values("lead"))
        .values("source_lead__source", "source_lead__source_detail")
        .annotate(
            converted=Count("pk"),
            won=Count("pk", filter=won),
            amount=Coalesce(Sum("amount", filter=won & Q(amount_currency="KRW")), ZERO),
        )
        .order_by()
    ):
        key = programme_key(row["source_lead__source"], row["source_lead__source_detail"])
        if key in programmes:
            programmes[key].outcome.converted += row["converted"]
            programmes[key].outcome.won += row["won"]
            programmes[key].outcome.won_amount += Decimal(row["amount"])

    # MDF activities: those the programmes name, and those paid in the period (a cost without leads shows too).
    by_number = {key[1]: key for key in programmes if key[1]}
    paid_in_period = paid_mdf_activities(mdf, since, until).values("pk")
    for number, name, partner_id, partner_name, partner_tier, status, paid in (
        mdf.filter(Q(number__in=list(by_number)) | Q(pk__in=paid_in_period))
        .values_list(
            "number", "campaign_name", "partner_id", "partner__name", "partner__tier", "status", "claim__claimed_amount"
        )
        .order_by("number")
    ):
        cost = Decimal(paid or 0) if status == "paid" else ZERO
        key = by_number.get(mdf_number_of(number)) or ("", mdf_number_of(number))
        item = programmes.setdefault(key, ProgrammeRow(*key))
        item.mdf_number, item.mdf_activity, item.mdf_partner = number, name, partner_name
        item.outcome.cost = cost
        owner = partners.setdefault(partner_id, PartnerRow(partner_id, partner_name, partner_tier or ""))
        owner.outcome.cost += cost

    total = Outcome()  # over programmes: each lead and each MDF activity once
    for programme in programmes.values():
        total.add(programme.outcome)
    ordered = sorted(programmes.values(), key=lambda item: (-item.outcome.won_amount, -item.outcome.routed, item.label))
    return Effectiveness(
        period=period,
        programmes=ordered,
        partners=sorted(partners.values(), key=lambda item: (-item.outcome.won_amount, item.name)),
        total=total,
    )
