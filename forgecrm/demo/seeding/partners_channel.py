"""The channel manager's side of the demo (issue 6): partner profiles, coverage, authorisations, certifications
(some about to expire), tier and routing rules, a season of routed offers with their answers, and scorecards."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, AccountKind
from forgecrm.partners.models import (
    LeadOffer,
    LeadRoutingRule,
    OfferKind,
    OfferStatus,
    PartnerAuthorization,
    PartnerCertification,
    PartnerCoverage,
    PartnerProfile,
    TierRule,
)
from forgecrm.partners.operations.routing import route_leads_in_bulk
from forgecrm.partners.operations.scorecards import compute_scorecards, month_start
from forgecrm.sales.models import Lead, LeadStatus

from ..places import SIGUNGU_TERRITORIES

TIERS = (("platinum", 1, 10, 3_000_000_000, 6, 80), ("gold", 2, 20, 1_000_000_000, 3, 65),
         ("silver", 3, 30, 300_000_000, 1, 45), ("bronze", 4, 40, 0, 0, 0))  # fmt: skip
CERTIFICATES = ("시스템 에어컨 설치 기사", "칠러 정비 인증", "냉매 취급 자격", "공조 설계 전문가", "제품 교육 이수")
REASONS = ("no_capacity", "out_of_area", "not_our_product", "bad_lead", "existing_customer")


def seed_partners_channel(*, org, rng: random.Random, today: dt.date) -> dict[str, int]:
    """Write the channel data on top of the partner accounts, the catalogue and the leads already seeded."""
    now = timezone.now()
    managers = org.channel_manager_ids or [org.admin.pk]
    for tier, rank, priority, sell_through, people, score in TIERS:
        TierRule.objects.update_or_create(
            tier=tier,
            defaults={"rank": rank, "lead_priority": priority, "min_annual_sell_through": sell_through,
                      "min_certified_people": people, "min_performance_score": score},
        )  # fmt: skip
    partners = list(Account.objects.filter(kind=AccountKind.PARTNER).order_by("pk"))
    lines = list(ProductLine.objects.order_by("pk"))
    profiles, areas, authorisations, certificates = [], [], [], []
    for index, partner in enumerate(partners):
        profiles.append(
            PartnerProfile(
                account=partner,
                channel_manager_id=managers[index % len(managers)],
                joined_on=today - dt.timedelta(days=rng.randint(200, 4000)),
                lead_capacity=rng.choice((10, 15, 20, 30, 40)),
                response_hours=rng.choice((24, 48, 48, 72)),
                performance_score=Decimal(rng.randint(35, 90)),
                accepts_leads=partner.partner_type != "service_centre",
                internal_note=rng.choice(
                    ("", "", "분기 리뷰에서 재고 회전율 개선 요청", "대표 교체 예정: 계약 갱신 확인")
                ),
            )
        )
        home = partner.sido or "서울특별시"
        districts = [name for name, _code in SIGUNGU_TERRITORIES.get(home, ())]
        if partner.partner_type == "distributor" or not districts or rng.random() < 0.4:
            areas.append(PartnerCoverage(partner=partner, sido=home, sigungu=""))
        for district in rng.sample(districts, min(len(districts), rng.randint(1, 2))):
            areas.append(PartnerCoverage(partner=partner, sido=home, sigungu=district))
        for line in rng.sample(lines, min(len(lines), rng.randint(2, 4))):
            ended = rng.random() < 0.08
            authorisations.append(
                PartnerAuthorization(
                    partner=partner, product_line=line, valid_from=today - dt.timedelta(days=rng.randint(100, 1500)),
                    valid_to=today - dt.timedelta(days=rng.randint(1, 60)) if ended else None,
                    can_service=partner.partner_type in ("service_centre", "distributor") or rng.random() < 0.3,
                )
            )  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            expires = today + dt.timedelta(days=rng.choice((-20, 12, 25, 90, 200, 400, 700)))
            certificates.append(
                PartnerCertification(
                    partner=partner, name=rng.choice(CERTIFICATES), product_line=rng.choice(lines),
                    number=f"CERT-{rng.randint(10000, 99999)}", issued_on=expires - dt.timedelta(days=730),
                    expires_on=expires,
                )
            )  # fmt: skip
    PartnerProfile.objects.bulk_create(profiles, ignore_conflicts=True)
    PartnerCoverage.objects.bulk_create(areas, ignore_conflicts=True)
    PartnerAuthorization.objects.bulk_create(authorisations, ignore_conflicts=True)
    PartnerCertification.objects.bulk_create(certificates)
    rules = [
        LeadRoutingRule(name="칠러·공조기: 골드 이상", priority=10, product_line=lines[-1] if lines else None,
                        min_tier="gold", response_hours=24),
        LeadRoutingRule(name="수도권 웹 문의", priority=20, sido="경기도", lead_source="web_form", response_hours=12),
        LeadRoutingRule(name="총판 경유 (지방)", priority=30, sido="경상남도", offer_to_distributors=True),
        LeadRoutingRule(name="기본 배분", priority=100),
    ]  # fmt: skip
    LeadRoutingRule.objects.bulk_create(rules)

    # Three past months of offers with their answers (the scorecards' material), then today's routing.
    open_leads = list(
        Lead.objects.filter(partner__isnull=True).exclude(status__in=[LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED])
    )
    rng.shuffle(open_leads)
    history_leads = [lead for lead in Lead.objects.filter(partner__isnull=False).order_by("pk")]
    routable = [p for p in partners if p.partner_type != "service_centre"]
    past = []

    def offer(lead, partner_id, attempt, status, offered):
        answered = offered + dt.timedelta(hours=rng.uniform(0.5, 40)) if status != OfferStatus.RECALLED else None
        return LeadOffer(
            lead=lead, partner_id=partner_id, kind=OfferKind.ROUTED, rule=rules[-1], attempt=attempt, status=status,
            offered_at=offered, respond_by=offered + dt.timedelta(hours=48), responded_at=answered,
            reject_reason=rng.choice(REASONS) if status == OfferStatus.REJECTED else "",
            match_reasons=[{"reason": "coverage", "detail": f"{lead.sido} {lead.sigungu}".strip()}],
        )  # fmt: skip

    for lead in history_leads:
        offered = now - dt.timedelta(days=rng.randint(5, 90), hours=rng.randint(0, 23))
        attempt = 1
        if routable and rng.random() < 0.35:  # an earlier partner declined or let the deadline pass
            other = rng.choice(routable).pk
            if other != lead.partner_id:
                past.append(offer(lead, other, 1, rng.choice((OfferStatus.REJECTED, OfferStatus.RECALLED)), offered))
                offered, attempt = offered + dt.timedelta(hours=49), 2
        final = (
            OfferStatus.CLOSED
            if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
            else OfferStatus.ACCEPTED
        )
        past.append(offer(lead, lead.partner_id, attempt, final, offered))
    if routable:
        LeadOffer.objects.bulk_create(past)
    today_share = open_leads[: max(1, len(open_leads) * 2 // 5)]
    routed = route_leads_in_bulk(actor=None, lead_ids=[lead.pk for lead in today_share]).routed
    cards = 0
    month = month_start(today)
    for _ in range(4):
        cards += compute_scorecards(period_start=month)
        month = month_start(month - dt.timedelta(days=1))
    return {"profiles": len(profiles), "offers": len(past) + routed, "scorecards": cards}
