import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import LeadOffer, OfferStatus
from forgecrm.partners.operations.distribution import (
    accept_lead_offer,
    partner_candidates,
    recall_expired_offers,
    reject_lead_offer,
    reroute_lead_to_dealer,
    route_lead_to_partner,
)
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SIDO, SIGUNGU = "경기도", "성남시"


def partner(name, *, tier="gold", score=70, capacity=5, covers=SIGUNGU, line=None, **extra):
    account = PartnerAccountFactory(name=name, tier=tier, **extra)
    f.PartnerProfileFactory(account=account, performance_score=score, lead_capacity=capacity, response_hours=24)
    f.PartnerCoverageFactory(partner=account, sido=SIDO, sigungu=covers)
    if line is not None:
        f.PartnerAuthorizationFactory(partner=account, product_line=line, valid_from=dt.date(2020, 1, 1))
    return account


@pytest.fixture
def setup():
    line = ProductLineFactory()
    f.TierRuleFactory(tier="platinum", rank=1, lead_priority=10)
    f.TierRuleFactory(tier="gold", rank=2, lead_priority=20)
    f.TierRuleFactory(tier="silver", rank=3, lead_priority=30)
    people = {
        "channel": UserFactory(role=Role.CHANNEL_MANAGER),
        "rep": UserFactory(role=Role.SALES_REP),
    }
    lead = LeadFactory(sido=SIDO, sigungu=SIGUNGU, product_line=line, owner=None)
    return line, people, lead


def test_the_best_qualified_partner_gets_the_offer(setup):
    line, people, lead = setup
    partner("골드 낮은점수", score=60, line=line)
    platinum = partner("플래티넘", tier="platinum", score=50, line=line)
    partner("지역 밖", tier="platinum", covers="수원시", line=line)
    partner("인증 없음", tier="platinum")
    partner("총판", tier="platinum", partner_type="distributor", line=line)
    full = partner("여력 없음", tier="platinum", score=99, capacity=0, line=line)
    whole_province = partner("도 전체", tier="gold", score=65, covers="", line=line)

    names = [candidate.name for candidate in partner_candidates(lead, None)]
    assert names == ["플래티넘", "도 전체", "골드 낮은점수"]  # tier first, then score; full and foreign left out
    offer = route_lead_to_partner(actor=people["channel"], lead=lead)
    assert offer.partner == platinum and offer.attempt == 1 and offer.status == OfferStatus.OFFERED
    assert offer.respond_by - offer.offered_at == dt.timedelta(hours=24)
    assert {reason["reason"] for reason in offer.match_reasons} >= {"coverage", "authorisation", "tier", "capacity"}
    lead.refresh_from_db()
    assert lead.partner_id == platinum.pk  # the partner now sees it
    assert OutboxEvent.objects.filter(event_type="LeadOffered").count() == 1
    assert full.pk not in {c.partner_id for c in partner_candidates(lead, None)}
    assert whole_province.pk in {c.partner_id for c in partner_candidates(lead, None)}
    with pytest.raises(ValidationError):
        route_lead_to_partner(actor=people["channel"], lead=lead)  # already with a partner


def test_a_rejected_lead_moves_on_and_returns_to_headquarters_when_nobody_takes_it(setup):
    line, people, lead = setup
    first, second = partner("첫째", tier="platinum", line=line), partner("둘째", line=line)
    first_rep = UserFactory(role=Role.PARTNER_REP, organization=first)
    second_rep = UserFactory(role=Role.PARTNER_REP, organization=second)
    offer = route_lead_to_partner(actor=people["channel"], lead=lead)
    with pytest.raises(ValidationError):
        reject_lead_offer(actor=first_rep, offer=offer, reason="")
    with pytest.raises(PermissionDenied):
        accept_lead_offer(actor=second_rep, offer=offer)  # not offered to them
    following = reject_lead_offer(actor=first_rep, offer=offer, reason="no_capacity", note="이번 달 설치 일정 만석")
    assert following.partner == second and following.attempt == 2
    assert reject_lead_offer(actor=second_rep, offer=following, reason="out_of_area") is None
    lead.refresh_from_db()
    assert lead.partner_id is None  # nobody left: headquarters has it again
    assert list(LeadOffer.objects.filter(lead=lead).order_by("attempt").values_list("status", flat=True)) == [
        "rejected",
        "rejected",
    ]


def test_offers_not_accepted_in_time_are_recalled_once_and_offered_on(setup):
    line, people, lead = setup
    first, second = partner("느린 대리점", tier="platinum", line=line), partner("다음 대리점", line=line)
    offer = route_lead_to_partner(actor=people["channel"], lead=lead)
    assert recall_expired_offers() == 0  # not due yet
    later = timezone.now() + dt.timedelta(hours=25)
    assert recall_expired_offers(now=later) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.RECALLED
    following = LeadOffer.objects.get(lead=lead, status=OfferStatus.OFFERED)
    assert following.partner == second and following.attempt == 2
    # Run again at a moment when the second offer is overdue too: only that one is recalled (the first never
    # twice), and with no partner left the lead returns to headquarters.
    assert recall_expired_offers(now=later + dt.timedelta(days=2)) == 1
    assert recall_expired_offers(now=later + dt.timedelta(days=2)) == 0
    assert LeadOffer.objects.filter(lead=lead, status=OfferStatus.RECALLED).count() == 2
    lead.refresh_from_db()
    assert lead.partner_id is None
    first_rep = UserFactory(role=Role.PARTNER_REP, organization=first)
    with pytest.raises(PermissionDenied):
        accept_lead_offer(actor=first_rep, offer=offer)  # too late: the offer is no longer open


def test_capacity_is_never_exceeded(setup):
    line, people, lead = setup
    only = partner("한 자리", capacity=1, line=line)
    route_lead_to_partner(actor=people["channel"], lead=lead)
    another = LeadFactory(sido=SIDO, sigungu=SIGUNGU, product_line=line, owner=None)
    assert route_lead_to_partner(actor=people["channel"], lead=another) is None
    assert LeadOffer.objects.filter(partner=only).count() == 1


def test_a_distributor_passes_an_accepted_lead_to_its_own_dealer_only(setup):
    line, people, lead = setup
    distributor = partner("총판", partner_type="distributor", line=line)
    dealer = partner("산하 대리점", channel_parent=distributor, line=line)
    stranger = partner("다른 총판 대리점", line=line)
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=distributor)
    offer = route_lead_to_partner(actor=people["channel"], lead=lead, partner=distributor)
    assert offer.kind == "manual"
    with pytest.raises(PermissionDenied):
        reroute_lead_to_dealer(actor=admin, offer=offer, dealer=dealer)  # accept first
    offer = accept_lead_offer(actor=admin, offer=offer)
    with pytest.raises(ValidationError):
        reroute_lead_to_dealer(actor=admin, offer=offer, dealer=stranger)
    child = reroute_lead_to_dealer(actor=admin, offer=offer, dealer=dealer)
    assert child.parent_offer == offer and child.kind == "rerouted"
    lead.refresh_from_db()
    assert lead.partner_id == dealer.pk
    dealer_rep = UserFactory(role=Role.PARTNER_REP, organization=dealer)
    reject_lead_offer(actor=dealer_rep, offer=child, reason="no_capacity")
    lead.refresh_from_db()
    assert lead.partner_id == distributor.pk  # back with the distributor, which still holds its offer


def test_only_headquarters_routes_leads(setup):
    line, people, lead = setup
    partner("대리점", line=line)
    with pytest.raises(PermissionDenied):
        route_lead_to_partner(actor=people["rep"], lead=lead)
    assert not LeadOffer.objects.exists()
