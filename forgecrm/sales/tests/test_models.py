import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from djmoney.money import Money

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform.tests.factories import TeamFactory
from forgecrm.sales.models import (
    LeadSource,
    LeadStatus,
    PeriodKind,
    Quota,
    Stage,
    StageHistory,
    period_bounds,
    period_end,
    period_start_for,
    periods_in,
)

from . import factories as f

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    f.StageFactory,
    f.StageProbabilityFactory,
    f.WebFormFactory,
    f.LeadFactory,
    f.LeadConsentFactory,
    f.LeadAssignmentRuleFactory,
    f.LeadScoringRuleFactory,
    f.LeadScoreModelFactory,
    f.OpportunityFactory,
    f.OpportunityLineFactory,
    f.OpportunityCompetitorFactory,
    f.StageHistoryFactory,
    f.QuoteFactory,
    f.QuoteLineFactory,
    f.QuoteLineOptionFactory,
    f.DiscountApprovalThresholdFactory,
    f.QuoteApprovalFactory,
    f.SalesOrderFactory,
    f.SalesOrderLineFactory,
    f.SalesOrderStatusChangeFactory,
    f.QuotaFactory,
    f.ForecastSubmissionFactory,
    f.ForecastAdjustmentFactory,
    f.CommissionPlanFactory,
    f.CommissionRateFactory,
    f.CommissionTierFactory,
    f.CommissionPlanAssignmentFactory,
    f.CommissionStatementFactory,
    f.CommissionStatementLineFactory,
]


@pytest.mark.parametrize("factory", ALL_FACTORIES, ids=lambda factory: factory._meta.model.__name__)
def test_every_factory_builds_a_valid_row(factory):
    row = factory()
    row.full_clean()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_default_stages_come_with_the_migration():
    stages = list(Stage.objects.filter(code__in=["prospecting", "proposal", "won", "lost"]).order_by("order"))
    assert [s.code for s in stages] == ["prospecting", "proposal", "won", "lost"]
    won, lost = stages[2], stages[3]
    assert (won.is_won, won.default_probability, won.default_forecast_category) == (True, 100, "closed")
    assert lost.is_lost and lost.is_closed and not stages[0].is_closed


def test_a_stage_is_not_won_and_lost_at_once():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.StageFactory(is_won=True, is_lost=True)


def test_lead_keys_follow_the_names_for_the_duplicate_check():
    lead = f.LeadFactory(company_name="주식회사 한빛공조", person_name="김 민준")
    assert lead.company_name_key == company_name_key("(주)한빛공조") == f.AccountFactory.build(name="한빛공조").name_key
    assert lead.person_name_key == person_name_key("김민준")
    lead.company_name = "(주) 대한설비"
    lead.save(update_fields=["company_name"])
    lead.refresh_from_db()
    assert lead.company_name_key == company_name_key("대한설비")


def test_lead_import_is_idempotent_by_source_and_external_id():
    f.LeadFactory(source=LeadSource.IMPORT, external_id="X-1")
    f.LeadFactory(source=LeadSource.IMPORT, external_id="")
    f.LeadFactory(source=LeadSource.IMPORT, external_id="")  # blank ids never collide
    f.LeadFactory(source=LeadSource.API, external_id="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.LeadFactory(source=LeadSource.IMPORT, external_id="X-1")


def test_a_disqualified_lead_names_its_reason_and_a_converted_one_its_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.LeadFactory(status=LeadStatus.DISQUALIFIED)
    f.LeadFactory(status=LeadStatus.DISQUALIFIED, disqualify_reason="no_budget")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.LeadFactory(status=LeadStatus.CONVERTED)


def test_an_unassigned_lead_has_no_owner():
    lead = f.LeadFactory(owner=None, team=TeamFactory())
    assert lead.owner is None and lead.is_open


def test_assignment_rule_targets_a_user_or_a_team_not_both():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.LeadAssignmentRuleFactory(assign_to_team=TeamFactory())
    f.LeadAssignmentRuleFactory(assign_to_user=None, assign_to_team=TeamFactory(), capacity=30)


def test_only_one_lead_score_model_is_active():
    f.LeadScoreModelFactory(is_active=True)
    f.LeadScoreModelFactory(is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.LeadScoreModelFactory(is_active=True)


def test_one_open_stage_history_row_per_opportunity():
    history = f.StageHistoryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.StageHistoryFactory(opportunity=history.opportunity)
    history.left_at = history.entered_at + dt.timedelta(days=3)
    history.seconds_in_stage = 3 * 86400
    history.save()
    f.StageHistoryFactory(opportunity=history.opportunity)
    assert StageHistory.objects.filter(opportunity=history.opportunity, left_at__isnull=True).count() == 1


def test_opportunity_amount_is_krw_by_default():
    opportunity = f.OpportunityFactory(amount=Decimal("1000"))
    opportunity.refresh_from_db()
    assert opportunity.amount == Money(1000, "KRW")


def test_quote_amounts_are_in_the_quote_currency():
    quote = f.QuoteFactory.build(opportunity=f.OpportunityFactory(), price_list=None, total=Money(100, "USD"))
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "total" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        quote.save()


def test_quote_revisions_are_unique_in_their_family():
    first = f.QuoteFactory()
    second = f.QuoteFactory(family=first.family, revision=2, previous_revision=first, opportunity=first.opportunity)
    assert first.next_revision == second
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuoteFactory(family=first.family, revision=2, opportunity=first.opportunity)


def test_quote_discount_and_vat_stay_within_0_and_100_percent():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuoteFactory(header_discount_percent=Decimal("120"))
    assert f.QuoteFactory().vat_rate == Decimal("10.00")


def test_one_pending_approval_per_level():
    approval = f.QuoteApprovalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuoteApprovalFactory(quote=approval.quote, level=approval.level)
    f.QuoteApprovalFactory(quote=approval.quote, level="director")


def test_an_order_belongs_to_one_quote():
    order = f.SalesOrderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.SalesOrderFactory(quote=order.quote)


@pytest.mark.parametrize(
    "kind,day,start,end",
    [
        (PeriodKind.MONTH, dt.date(2026, 2, 14), dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
        (PeriodKind.MONTH, dt.date(2026, 12, 31), dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        (PeriodKind.QUARTER, dt.date(2026, 5, 20), dt.date(2026, 4, 1), dt.date(2026, 7, 1)),
        (PeriodKind.QUARTER, dt.date(2026, 11, 2), dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        (PeriodKind.YEAR, dt.date(2026, 7, 7), dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_period_bounds_follow_the_calendar_year(kind, day, start, end):
    assert period_bounds(kind, day) == (start, end)
    assert period_start_for(kind, start) == start and period_end(kind, start) == end


def test_months_of_a_quarter():
    assert periods_in(PeriodKind.MONTH, PeriodKind.QUARTER, dt.date(2026, 4, 1)) == [
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 1),
    ]


def test_a_quota_is_for_exactly_one_target_and_starts_on_a_period():
    quota = f.QuotaFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuotaFactory(team=TeamFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuotaFactory(user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.QuotaFactory(user=quota.user)  # the same rep and period twice
    misaligned = Quota(user=quota.user, period_kind=PeriodKind.QUARTER, period_start=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError) as error:
        misaligned.full_clean()
    assert "period_start" in error.value.message_dict
    f.QuotaFactory(user=quota.user, product_line=ProductLineFactory())  # per product line beside the total


def test_a_statement_is_not_approved_by_its_rep():
    statement = f.CommissionStatementFactory()
    statement.approved_by = statement.user
    with pytest.raises(ValidationError):
        statement.full_clean()


def test_a_deleted_catalog_option_leaves_the_quote_reading_the_same():
    chosen = f.QuoteLineOptionFactory()
    name = chosen.option_name
    chosen.option.delete()
    chosen.refresh_from_db()
    assert chosen.option is None and str(chosen) == name and chosen.option_sku
