"""Partner test data: an HVAC maker's distributors and dealers, their areas, leads offered, deals, funds (KRW)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import ProductFactory, ProductLineFactory
from forgecrm.customers.models import Tier
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import (
    ChannelConflict,
    ChannelInventory,
    ConflictKind,
    DealRegistration,
    DealRegistrationLine,
    LeadOffer,
    LeadRoutingRule,
    MdfActivityType,
    MdfAllocation,
    MdfClaim,
    MdfProof,
    MdfRequest,
    PartnerAuthorization,
    PartnerCertification,
    PartnerCoverage,
    PartnerProfile,
    PartnerScorecard,
    PartnerServiceComment,
    PartnerServiceRequest,
    SellThroughLine,
    SellThroughReport,
    ServiceRequestKind,
    TierRule,
)
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.tests.factories import LeadFactory


def krw(amount) -> Money:
    return Money(amount, "KRW")


class PartnerUserFactory(UserFactory):
    role = Role.PARTNER_REP
    organization = factory.SubFactory(PartnerAccountFactory)


class PartnerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerProfile
        django_get_or_create = ("account",)

    account = factory.SubFactory(PartnerAccountFactory)
    joined_on = dt.date(2019, 3, 1)
    lead_capacity = 20
    response_hours = 48
    performance_score = Decimal("72.50")


class TierRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierRule
        django_get_or_create = ("tier",)

    tier = Tier.GOLD
    rank = 2
    min_annual_sell_through = Decimal(500_000_000)
    min_certified_people = 2
    min_performance_score = Decimal(60)
    lead_priority = 20


class PartnerCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerCoverage

    partner = factory.SubFactory(PartnerAccountFactory)
    sido = "경기도"
    sigungu = factory.Sequence(lambda n: f"성남시 {n}구")


class PartnerAuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAuthorization

    partner = factory.SubFactory(PartnerAccountFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    valid_from = dt.date(2026, 1, 1)
    can_service = True


class PartnerCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerCertification

    partner = factory.SubFactory(PartnerAccountFactory)
    name = "시스템 에어컨 설치 기술 인증"
    number = factory.Sequence(lambda n: f"CERT-{n:05d}")
    issued_on = dt.date(2025, 6, 1)
    expires_on = dt.date(2027, 5, 31)


class LeadRoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadRoutingRule

    name = factory.Sequence(lambda n: f"수도권 대리점 배분 {n}")
    sido = "경기도"


class LeadOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadOffer

    partner = factory.SubFactory(PartnerAccountFactory)
    lead = factory.SubFactory(LeadFactory, partner=factory.SelfAttribute("..partner"), owner=None)
    offered_at = factory.LazyFunction(timezone.now)
    respond_by = factory.LazyAttribute(lambda offer: offer.offered_at + dt.timedelta(hours=48))
    match_reasons = factory.LazyFunction(lambda: [{"reason": "coverage", "detail": "경기도 성남시"}])


class DealRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealRegistration

    number = factory.Sequence(lambda n: f"DR-2026-{n:05d}")
    partner = factory.SubFactory(PartnerAccountFactory)
    submitted_by = factory.SubFactory(PartnerUserFactory, organization=factory.SelfAttribute("..partner"))
    customer_name = factory.Sequence(lambda n: f"(주)미래정밀 {n}")
    contact_name = "박지훈"
    contact_email = factory.Sequence(lambda n: f"buyer{n}@mirae.kr")
    expected_amount = krw(85_000_000)
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


class DealRegistrationLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealRegistrationLine

    registration = factory.SubFactory(DealRegistrationFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 4


class ChannelConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelConflict

    kind = ConflictKind.OPPORTUNITY
    registration = factory.SubFactory(DealRegistrationFactory)
    match_reasons = factory.LazyFunction(lambda: [{"reason": "brn", "detail": "same BRN"}])


class MdfAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MdfAllocation

    partner = factory.SubFactory(PartnerAccountFactory)
    period_start = dt.date(2026, 10, 1)
    amount = krw(30_000_000)


class MdfRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MdfRequest

    number = factory.Sequence(lambda n: f"MDF-2026-{n:05d}")
    allocation = factory.SubFactory(MdfAllocationFactory)
    partner = factory.SelfAttribute("allocation.partner")
    requested_by = factory.SubFactory(
        PartnerUserFactory, role=Role.PARTNER_ADMIN, organization=factory.SelfAttribute("..partner")
    )
    campaign_name = "HVAC 전시회 부스 참가"
    activity_type = MdfActivityType.EXHIBITION
    planned_start = dt.date(2026, 11, 10)
    planned_end = dt.date(2026, 11, 12)
    planned_cost = krw(12_000_000)
    requested_amount = krw(6_000_000)
    expected_leads = 40


class MdfClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MdfClaim

    request = factory.SubFactory(MdfRequestFactory)
    submitted_by = factory.SelfAttribute("request.requested_by")
    submitted_at = factory.LazyFunction(timezone.now)
    actual_cost = krw(11_400_000)
    claimed_amount = krw(5_700_000)
    actual_leads = 37


class MdfProofFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MdfProof

    claim = factory.SubFactory(MdfClaimFactory)
    file = factory.django.FileField(filename="booth.pdf", data=b"%PDF-1.4 proof")
    original_name = "booth.pdf"
    content_type = "application/pdf"
    size = 14


class PartnerServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerServiceRequest

    number = factory.Sequence(lambda n: f"PSR-2026-{n:05d}")
    partner = factory.SubFactory(PartnerAccountFactory)
    requested_by = factory.SubFactory(PartnerUserFactory, organization=factory.SelfAttribute("..partner"))
    kind = ServiceRequestKind.TECHNICAL
    subject = "실외기 E5 오류 코드 문의"
    description = "설치 후 3일째 E5 오류가 반복됩니다."
    respond_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=4))
    resolve_by = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))


class PartnerServiceCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerServiceComment

    request = factory.SubFactory(PartnerServiceRequestFactory)
    author = factory.SelfAttribute("request.requested_by")
    body = "<p>사진 첨부합니다.</p>"


class SellThroughReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellThroughReport

    partner = factory.SubFactory(PartnerAccountFactory)
    period_start = dt.date(2026, 10, 1)
    submitted_by = factory.SubFactory(PartnerUserFactory, organization=factory.SelfAttribute("..partner"))
    submitted_at = factory.LazyFunction(timezone.now)


class SellThroughLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellThroughLine

    report = factory.SubFactory(SellThroughReportFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 12
    amount = krw(18_600_000)
    end_customer_name = "(주)서울기계"
    sido = "서울특별시"


class ChannelInventoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelInventory

    partner = factory.SubFactory(PartnerAccountFactory)
    product = factory.SubFactory(ProductFactory)
    as_of = dt.date(2026, 11, 30)
    on_hand = 25
    in_transit = 6


class PartnerScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerScorecard

    partner = factory.SubFactory(PartnerAccountFactory)
    period_start = dt.date(2026, 7, 1)
    leads_offered = 40
    leads_accepted = 31
    leads_converted = 9
    median_response_hours = Decimal("6.50")
    deals_won = 7
    won_amount = krw(310_000_000)
    sell_through_amount = krw(1_250_000_000)
    score = Decimal("74.20")
    computed_at = factory.LazyFunction(timezone.now)
