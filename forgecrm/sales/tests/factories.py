"""Sales test data: an HVAC maker's leads, deals, quotes, orders, quotas and commission plans (KRW)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import OptionFactory, PriceListFactory, ProductFactory, ProductLineFactory
from forgecrm.customers.models import ConsentPurpose
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import (
    ApprovalLevel,
    CommissionPlan,
    CommissionPlanAssignment,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
    CommissionTier,
    DiscountApprovalThreshold,
    ForecastAdjustment,
    ForecastSubmission,
    Lead,
    LeadAssignmentRule,
    LeadConsent,
    LeadScoreModel,
    LeadScoringRule,
    LeadSource,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    PeriodKind,
    Quota,
    Quote,
    QuoteApproval,
    QuoteLine,
    QuoteLineOption,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    ScoreKind,
    ScoreOperator,
    Stage,
    StageHistory,
    StageProbability,
    StatusChangeSource,
    WebForm,
)


def krw(amount) -> Money:
    return Money(amount, "KRW")


class StageFactory(factory.django.DjangoModelFactory):
    """A stage of its own (the default stages of migration 0002 exist too: `Stage.objects.get(code="proposal")`)."""

    class Meta:
        model = Stage
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"stage-{n}")
    name = factory.Sequence(lambda n: f"단계 {n}")
    name_en = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: 100 + n)
    default_probability = 30


class StageProbabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageProbability

    stage = factory.SubFactory(StageFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    probability = 40


class WebFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebForm

    name = factory.Sequence(lambda n: f"제품 문의 {n}")
    slug = factory.Sequence(lambda n: f"inquiry-{n}")
    consent_purposes = factory.LazyFunction(lambda: [ConsentPurpose.MARKETING_EMAIL])
    consent_text_ko = "마케팅 정보 수신에 동의합니다."
    consent_text_en = "I agree to receive marketing information."
    consent_version = "2026-01"
    allowed_origins = factory.LazyFunction(lambda: ["https://www.example.kr"])


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    company_name = factory.Sequence(lambda n: f"(주)대한설비{n}")
    person_name = factory.Sequence(lambda n: f"이서연{n}")
    title = "구매팀장"
    email = factory.Sequence(lambda n: f"lead{n}@daehan.kr")
    phone = "+8221234567"
    sido = "서울특별시"
    sigungu = "강남구"
    industry = "construction"
    source = LeadSource.WEB_FORM
    owner = factory.SubFactory(UserFactory)


class LeadConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadConsent

    lead = factory.SubFactory(LeadFactory)
    purpose = ConsentPurpose.MARKETING_EMAIL
    text_version = "2026-01"
    recorded_at = factory.LazyFunction(timezone.now)
    source = "web form"


class LeadAssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadAssignmentRule

    name = factory.Sequence(lambda n: f"배정 규칙 {n}")
    sido = "서울특별시"
    assign_to_user = factory.SubFactory(UserFactory)


class LeadScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadScoringRule

    name = factory.Sequence(lambda n: f"점수 규칙 {n}")
    kind = ScoreKind.FIT
    field = "size"
    operator = ScoreOperator.EQUALS
    value = "enterprise"
    points = 20


class LeadScoreModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadScoreModel

    trained_at = factory.LazyFunction(timezone.now)
    samples = 400
    positives = 80
    metrics = factory.LazyFunction(lambda: {"auc": 0.81})
    feature_names = factory.LazyFunction(lambda: ["fit_score", "engagement_score"])
    coefficients = factory.LazyFunction(lambda: [0.04, 0.06])
    intercept = -3.0


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"본사 사옥 냉난방 교체 {n}")
    owner = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))
    stage = factory.LazyFunction(lambda: Stage.objects.get(code="proposal"))
    probability = 50
    amount = krw(120_000_000)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=45))
    stage_entered_at = factory.LazyFunction(timezone.now)


class OpportunityLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityLine
        skip_postgeneration_save = True

    opportunity = factory.SubFactory(OpportunityFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 4
    unit_price = krw(8_900_000)
    amount = krw(35_600_000)

    @factory.post_generation
    def selected_options(self, create, extracted, **kwargs):
        if create and extracted:
            self.selected_options.set(extracted)


class OpportunityCompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityCompetitor

    opportunity = factory.SubFactory(OpportunityFactory)
    competitor_name = "경쟁사 공조"


class StageHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageHistory

    opportunity = factory.SubFactory(OpportunityFactory)
    stage = factory.LazyAttribute(lambda h: h.opportunity.stage)
    entered_at = factory.LazyFunction(timezone.now)
    amount = krw(120_000_000)
    probability = 50


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    number = factory.Sequence(lambda n: f"Q-2026-{n:05d}")
    family = factory.LazyAttribute(lambda q: q.number)
    opportunity = factory.SubFactory(OpportunityFactory)
    account = factory.LazyAttribute(lambda q: q.opportunity.account)
    owner = factory.LazyAttribute(lambda q: q.opportunity.owner)
    price_list = factory.SubFactory(PriceListFactory)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    subtotal = krw(35_600_000)
    net = krw(35_600_000)
    vat = krw(3_560_000)
    total = krw(39_160_000)


class QuoteLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteLine

    quote = factory.SubFactory(QuoteFactory)
    position = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = 4
    list_unit_price = krw(8_900_000)
    net_unit_price = krw(8_900_000)
    line_total = krw(35_600_000)
    unit_cost = krw(5_340_000)


class QuoteLineOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteLineOption

    line = factory.SubFactory(QuoteLineFactory)
    option = factory.SubFactory(OptionFactory)
    option_sku = factory.LazyAttribute(lambda o: o.option.sku)
    option_name = factory.LazyAttribute(lambda o: o.option.name)
    price_delta = krw(350_000)


class DiscountApprovalThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountApprovalThreshold

    level = ApprovalLevel.MANAGER
    from_discount_percent = Decimal("10.00")


class QuoteApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteApproval

    quote = factory.SubFactory(QuoteFactory)
    level = ApprovalLevel.MANAGER
    approver = factory.SubFactory(UserFactory, role=Role.SALES_MANAGER)
    reason = "할인율 12 % ≥ 팀장 승인 기준 10 %"


class SalesOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesOrder

    number = factory.Sequence(lambda n: f"SO-2026-{n:05d}")
    quote = factory.SubFactory(QuoteFactory)
    opportunity = factory.LazyAttribute(lambda o: o.quote.opportunity if o.quote else None)
    account = factory.LazyAttribute(lambda o: o.quote.account)
    owner = factory.LazyAttribute(lambda o: o.quote.owner)
    ordered_at = factory.LazyFunction(timezone.now)
    net = krw(35_600_000)
    vat = krw(3_560_000)
    total = krw(39_160_000)


class SalesOrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesOrderLine

    order = factory.SubFactory(SalesOrderFactory)
    position = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = 4
    unit_price = krw(8_900_000)
    line_total = krw(35_600_000)


class SalesOrderStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesOrderStatusChange

    order = factory.SubFactory(SalesOrderFactory)
    status = "confirmed"
    at = factory.LazyFunction(timezone.now)
    source = StatusChangeSource.ERP


def _this_quarter() -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    user = factory.SubFactory(UserFactory)
    period_kind = PeriodKind.QUARTER
    period_start = factory.LazyFunction(_this_quarter)
    amount = krw(500_000_000)


class ForecastSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForecastSubmission

    owner = factory.SubFactory(UserFactory)
    period_kind = PeriodKind.QUARTER
    period_start = factory.LazyFunction(_this_quarter)
    pipeline = krw(900_000_000)
    best_case = krw(600_000_000)
    commit = krw(400_000_000)
    closed = krw(150_000_000)


class ForecastAdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForecastAdjustment

    submission = factory.SubFactory(ForecastSubmissionFactory)
    manager = factory.SubFactory(UserFactory, role=Role.SALES_MANAGER)
    best_case = krw(550_000_000)
    commit = krw(350_000_000)


class CommissionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionPlan

    name = factory.Sequence(lambda n: f"2026 영업 수당 체계 {n}")
    period_kind = PeriodKind.MONTH
    base_rate_percent = Decimal("2.00")
    valid_from = dt.date(2026, 1, 1)


class CommissionRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionRate

    plan = factory.SubFactory(CommissionPlanFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    rate_percent = Decimal("3.00")


class CommissionTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionTier

    plan = factory.SubFactory(CommissionPlanFactory)
    attainment_from_percent = Decimal("100.00")
    multiplier = Decimal("1.50")


class CommissionPlanAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionPlanAssignment

    plan = factory.SubFactory(CommissionPlanFactory)
    user = factory.SubFactory(UserFactory)
    valid_from = dt.date(2026, 1, 1)


class CommissionStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionStatement

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(CommissionPlanFactory)
    period_kind = PeriodKind.MONTH
    period_start = dt.date(2026, 3, 1)
    quota = krw(150_000_000)
    attained = krw(180_000_000)
    attainment_percent = Decimal("120.00")
    total = krw(5_400_000)


class CommissionStatementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionStatementLine

    statement = factory.SubFactory(CommissionStatementFactory)
    sales_order = factory.SubFactory(SalesOrderFactory)
    base = krw(180_000_000)
    rate_percent = Decimal("2.00")
    multiplier = Decimal("1.50")
    commission = krw(5_400_000)
