"""The seeded sales history is consistent: stage history, amounts, quote maths, orders, plans and statements
agree with one another, and the generator writes set-based (the number of INSERTs does not grow with rows)."""

import datetime as dt
import io
import itertools
import random
from collections import Counter, defaultdict
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from forgecrm.activities.models import Activity
from forgecrm.demo.generators import sales as gen
from forgecrm.demo.scales import SCALES
from forgecrm.demo.seeding.progress import Progress
from forgecrm.demo.seeding.sales import book_from_database, organisation_from_database, seed_opportunities
from forgecrm.platform.models import User
from forgecrm.sales.models import (
    CommissionStatement,
    CommissionStatementLine,
    DiscountApprovalThreshold,
    ForecastAdjustment,
    ForecastSubmission,
    Lead,
    LeadAssignmentRule,
    LeadConsent,
    LeadScoringRule,
    Opportunity,
    OpportunityLine,
    Quota,
    Quote,
    QuoteLine,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    StageHistory,
    WebForm,
)
from forgecrm.sales.models.planning import period_end, period_start_for

TINY = SCALES["tiny"]


INSERTS: Counter = Counter()


def _count_inserts(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith("INSERT INTO"):
        INSERTS[sql.split()[2].strip('"')] += 1
    return execute(sql, params, many, context)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The tiny demo, loaded once for the module (rolled back at the end), with its INSERTs counted per table
    (PostgreSQL's COPY is no INSERT statement at all)."""
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        with connection.execute_wrapper(_count_inserts):
            call_command("seed_demo", "--scale", "tiny", "--seed", "11", stdout=io.StringIO())
        yield timezone.localdate()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _floor_percent(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).to_integral_value(ROUND_FLOOR)


def test_makes_the_scales_opportunities_with_a_realistic_win_rate(seeded):
    assert Opportunity.objects.count() == TINY.opportunities
    won = Opportunity.objects.filter(stage__is_won=True).count()
    lost = Opportunity.objects.filter(stage__is_lost=True).count()
    assert 0.28 <= won / (won + lost) <= 0.45
    open_deals = Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False)
    assert open_deals.count() >= TINY.opportunities * 0.08
    assert open_deals.filter(close_date__gte=seeded).count() >= open_deals.count() * 0.7  # pipeline ahead
    assert open_deals.filter(close_date__lt=seeded).exists()  # and some stale deals
    assert open_deals.exclude(next_step="").filter(next_step_date__gte=seeded).exists()
    assert Opportunity.objects.filter(stage__is_lost=True).exclude(win_loss_reason="").count() == lost
    assert Opportunity.objects.filter(competitors__isnull=False).distinct().count() > TINY.opportunities * 0.2


def test_one_open_stage_row_per_deal_equal_to_its_stage(seeded):
    rows = defaultdict(list)
    for row in StageHistory.objects.order_by("entered_at", "id"):
        rows[row.opportunity_id].append(row)
    for opportunity in Opportunity.objects.select_related("stage"):
        history = rows[opportunity.pk]
        open_rows = [row for row in history if row.left_at is None]
        assert len(open_rows) == 1, opportunity.pk
        assert open_rows[0] is history[-1]
        assert open_rows[0].stage_id == opportunity.stage_id
        assert open_rows[0].entered_at == opportunity.stage_entered_at
        for before, after in itertools.pairwise(history):
            assert before.left_at == after.entered_at
            assert before.seconds_in_stage == int((before.left_at - before.entered_at).total_seconds())
        if opportunity.stage.is_closed:
            assert opportunity.closed_at == opportunity.stage_entered_at
            assert opportunity.probability == (100 if opportunity.stage.is_won else 0)
        else:
            assert opportunity.closed_at is None
        if opportunity.stage.is_won:
            assert [row.stage.code for row in history] == [*gen.OPEN_STAGES, "won"]


def test_every_deal_lies_inside_the_24_months(seeded):
    first = seeded - dt.timedelta(days=gen.HISTORY_DAYS)
    now = timezone.now()
    for opportunity in Opportunity.objects.all():
        assert timezone.localdate(opportunity.created_at) >= first
        assert opportunity.created_at <= now
        if opportunity.closed_at:
            assert opportunity.created_at <= opportunity.closed_at <= now
            assert opportunity.close_date == timezone.localdate(opportunity.closed_at)
    assert not StageHistory.objects.filter(entered_at__gt=now).exists()


def test_amounts_are_the_sum_of_lines_priced_from_price_lists(seeded):
    totals = defaultdict(Decimal)
    for line in OpportunityLine.objects.all():
        unit = line.unit_price.amount
        net = (unit * (100 - line.discount_percent) / 100).to_integral_value(ROUND_FLOOR)
        assert line.amount.amount == net * line.quantity
        assert line.price_list_id is not None
        totals[line.opportunity_id] += line.amount.amount
    for pk, amount in Opportunity.objects.values_list("pk", "amount"):
        assert amount == totals[pk] > 0


def test_quote_maths_and_lines_copied_from_the_deal(seeded):
    deal_lines = defaultdict(list)
    for line in OpportunityLine.objects.order_by("position"):
        deal_lines[line.opportunity_id].append((line.product_id, line.quantity, line.amount.amount))
    quote_lines = defaultdict(list)
    for line in QuoteLine.objects.order_by("position"):
        quote_lines[line.quote_id].append((line.product_id, line.quantity, line.line_total.amount))
        assert line.line_total.amount == line.net_unit_price.amount * line.quantity
    quotes = list(Quote.objects.all())
    assert quotes
    for quote in quotes:
        if quote.partner_id:  # the partner's own selling prices: the deal's products and quantities
            assert [r[:2] for r in quote_lines[quote.pk]] == [r[:2] for r in deal_lines[quote.opportunity_id]]
        else:
            assert quote_lines[quote.pk] == deal_lines[quote.opportunity_id]
        subtotal = sum(total for _p, _q, total in quote_lines[quote.pk])
        assert quote.subtotal.amount == subtotal
        assert quote.discount.amount == _floor_percent(subtotal, quote.header_discount_percent)
        assert quote.net.amount == quote.subtotal.amount - quote.discount.amount
        assert quote.vat_rate == Decimal("10.00")
        assert quote.vat.amount == _floor_percent(quote.net.amount, quote.vat_rate)  # 10 %, down to the won
        assert quote.total.amount == quote.net.amount + quote.vat.amount
    statuses = Counter(quote.status for quote in quotes)
    assert statuses["accepted"] and statuses["superseded"] and statuses["sent"]


def test_discounted_quotes_have_their_approvals(seeded):
    thresholds = defaultdict(dict)
    for threshold in DiscountApprovalThreshold.objects.select_related("product_line"):
        line = threshold.product_line.code if threshold.product_line else ""
        thresholds[line][threshold.level] = threshold.from_discount_percent
    assert thresholds[""] == {"manager": Decimal(10), "director": Decimal(20)}
    checked = 0
    for quote in Quote.objects.select_related("opportunity__product_line").prefetch_related("approvals"):
        limits = thresholds.get(quote.opportunity.product_line.code) or thresholds[""]
        levels = {approval.level: approval for approval in quote.approvals.all()}
        needed = {level for level, start in limits.items() if quote.header_discount_percent >= start}
        if quote.status == "draft":
            assert not levels
        elif quote.status == "pending_approval":
            assert "manager" in levels and any(approval.status == "pending" for approval in levels.values())
        else:
            assert set(levels) == needed, quote.number
            assert all(approval.status == "approved" and approval.decided_at for approval in levels.values())
            checked += bool(needed)
        for approval in levels.values():
            assert approval.approver_id != quote.owner_id
    assert checked


def test_orders_only_from_accepted_quotes_with_their_figures(seeded):
    # The partners' sell-in orders come from the ERP (forgecrm/demo/seeding/partners_sell_through.py), no quote.
    quoted = SalesOrder.objects.filter(quote__isnull=False, sold_through__isnull=True)
    orders = list(quoted.select_related("quote", "opportunity__stage"))
    assert orders
    assert quoted.count() == Quote.objects.filter(status="accepted", partner__isnull=True).count()
    assert not SalesOrder.objects.filter(quote__isnull=True).exclude(number__startswith="SO-ERP-").exists()
    for order in orders:
        assert order.quote.status == "accepted"
        assert order.opportunity.stage.is_won
        assert order.ordered_at == order.quote.accepted_at == order.opportunity.closed_at
        assert (order.net, order.vat, order.total) == (order.quote.net, order.quote.vat, order.quote.total)
        lines = sum(line.line_total.amount for line in SalesOrderLine.objects.filter(order=order))
        assert lines == order.quote.subtotal.amount
        changes = list(SalesOrderStatusChange.objects.filter(order=order).order_by("at", "id"))
        assert changes[0].status == "submitted" and changes[-1].status == order.status
        if order.status not in ("submitted",):
            assert order.erp_number
    assert SalesOrder.objects.filter(status="invoiced").exists()


class _Rollback(Exception):
    pass


def _deals(seeded, seed, count: int = 60) -> list[tuple]:
    org, book = organisation_from_database(), book_from_database()
    before = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first()
    with pytest.raises(_Rollback) as raised, transaction.atomic():
        seed_opportunities(
            org=org, book=book, rng=random.Random(seed), scale=TINY, today=seeded, progress=Progress(), count=count
        )
        rows = Opportunity.objects.filter(pk__gt=before).order_by("pk")
        raise _Rollback(
            list(rows.values_list("name", "account_id", "amount", "stage__code", "close_date", "closed_at"))
        )
    return raised.value.args[0]


def test_the_same_seed_gives_the_same_deals(seeded):
    first = _deals(seeded, "one")
    assert len(first) == 60
    assert _deals(seeded, "one") == first
    assert _deals(seeded, "two") != first


def _inserts(count: int, seeded, owner_ids=None) -> tuple[int, int]:
    org, book = organisation_from_database(), book_from_database()
    with pytest.raises(_Rollback), transaction.atomic(), CaptureQueriesContext(connection) as queries:
        seed_opportunities(
            org=org,
            book=book,
            rng=random.Random(count),
            scale=TINY,
            today=seeded,
            progress=Progress(),
            count=count,
            owner_ids=owner_ids,
        )
        raise _Rollback
    inserts = sum(1 for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("INSERT"))
    return inserts, len(queries.captured_queries)


def test_the_generator_is_set_based(seeded):
    small, small_total = _inserts(40, seeded)
    large, large_total = _inserts(400, seeded)
    assert small == large  # one INSERT (executemany / COPY) per table and chunk, not per row
    assert small_total == large_total
    assert large <= 20


def test_sales_tables_are_written_set_based(seeded):
    """Thousands of rows, a bounded number of INSERT statements per table (one per chunk, not per row)."""
    sales_tables = {table: count for table, count in INSERTS.items() if table.startswith("sales_")}
    assert "sales_stageprobability" in sales_tables  # configuration through bulk_create_with_history
    if connection.vendor != "postgresql":  # executemany, one statement per table and chunk
        assert {"sales_opportunity", "sales_stagehistory", "sales_lead", "sales_commissionstatementline"} <= set(
            sales_tables
        )
    assert max(sales_tables.values()) <= 2, {t: n for t, n in sales_tables.items() if n > 2}
    assert StageHistory.objects.count() > 20 * max(sales_tables.values())


def test_leads_in_every_status_with_reasons_scores_and_consents(seeded):
    statuses = Counter(Lead.objects.values_list("status", flat=True))
    assert set(statuses) == {"new", "working", "nurturing", "qualified", "disqualified", "converted"}
    assert not Lead.objects.filter(status="disqualified", disqualify_reason="").exists()
    assert len(set(Lead.objects.values_list("source", flat=True))) >= 6
    assert len(set(Lead.objects.exclude(sido="").values_list("sido", flat=True))) >= 5
    for lead in Lead.objects.all():
        assert lead.score == lead.fit_score + lead.engagement_score
        assert sum(reason["points"] for reason in lead.score_reasons) == lead.score
        assert lead.product_line_id
    web = Lead.objects.filter(source="web_form")
    assert web.exists() and not web.filter(web_form__isnull=True).exists()
    assert LeadConsent.objects.filter(lead__source="web_form").count() >= web.count()
    assert WebForm.objects.count() == 3
    assert LeadScoringRule.objects.filter(kind="fit").exists() and LeadScoringRule.objects.filter(kind="engagement")
    assert LeadAssignmentRule.objects.filter(sido="서울특별시", assign_to_team__name="수도권영업팀").exists()


def test_converted_leads_point_at_their_deal_and_back(seeded):
    converted = list(Lead.objects.filter(status="converted").select_related("converted_opportunity"))
    assert len(converted) >= TINY.opportunities * 0.2
    for lead in converted:
        deal = lead.converted_opportunity
        assert deal.source_lead_id == lead.pk
        assert lead.converted_account_id == deal.account_id
        assert lead.converted_contact_id == deal.primary_contact_id
        assert lead.converted_at == deal.created_at and lead.converted_by_id == deal.owner_id
        assert lead.created_at <= lead.converted_at
    assert Opportunity.objects.filter(source_lead__isnull=False).count() == len(converted)


def test_quotas_per_rep_and_team_for_every_month_and_quarter(seeded):
    first = period_start_for("month", seeded - dt.timedelta(days=gen.HISTORY_DAYS - 1))
    reps = set(Quota.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    assert reps
    months = set()
    day = first
    while day <= seeded:
        months.add(day)
        day = period_end("month", day)
    for rep in reps:
        mine = {
            quota.period_start: quota.amount.amount for quota in Quota.objects.filter(user_id=rep, period_kind="month")
        }
        assert months <= set(mine)
        for quota in Quota.objects.filter(user_id=rep, period_kind="quarter"):
            parts = [mine[start] for start in mine if period_start_for("quarter", start) == quota.period_start]
            assert quota.amount.amount == sum(parts)
    for quota in Quota.objects.filter(team__isnull=False).select_related("team"):
        members = Quota.objects.filter(
            user__in=quota.team.members.all(), period_kind=quota.period_kind, period_start=quota.period_start
        )
        assert quota.amount.amount == sum(member.amount.amount for member in members)


def test_forecasts_per_rep_per_quarter_with_adjustments_kept_apart(seeded):
    current = period_start_for("quarter", seeded)
    submissions = list(ForecastSubmission.objects.all())
    assert submissions
    per_rep = Counter(submission.owner_id for submission in submissions)
    assert len(set(per_rep.values())) == 1 and min(per_rep.values()) >= 7
    for submission in submissions:
        figures = [submission.pipeline, submission.best_case, submission.commit, submission.closed]
        assert figures == sorted(figures, reverse=True)
        assert submission.period_start <= current
    assert ForecastSubmission.objects.filter(period_start=current).count() == len(per_rep)
    for adjustment in ForecastAdjustment.objects.select_related("submission__owner"):
        assert adjustment.manager_id == adjustment.submission.owner.manager_id
        assert adjustment.submission.status == "submitted"
    assert ForecastAdjustment.objects.exists()


def test_commission_statements_match_the_won_orders(seeded):
    statements = list(CommissionStatement.objects.all())
    assert statements
    for statement in statements:
        start = statement.period_start
        end = period_end("month", start)
        orders = [
            order
            for order in SalesOrder.objects.filter(owner_id=statement.user_id).exclude(status="cancelled")
            if start <= timezone.localdate(order.ordered_at) < end
        ]
        assert statement.attained.amount == sum(order.net.amount for order in orders)
        lines = list(CommissionStatementLine.objects.filter(statement=statement))
        assert {line.sales_order_id for line in lines} == {order.pk for order in orders}
        assert sum(line.base.amount for line in lines) == statement.attained.amount
        assert sum(line.commission.amount for line in lines) == statement.total.amount
        for line in lines:
            expected = _floor_percent(line.base.amount, line.rate_percent * line.multiplier)
            assert line.commission.amount == expected
        if statement.status in ("approved", "paid"):
            assert statement.approved_by_id not in (None, statement.user_id) and statement.approved_at
        if statement.status == "paid":
            assert statement.paid_at
    statuses = {statement.status for statement in statements}
    assert "paid" in statuses and statuses & {"approved", "submitted"}
    assert not CommissionStatement.objects.filter(period_start__gte=seeded.replace(day=1)).exists()


def test_activities_regarding_deals_and_leads_fall_in_their_lifetime(seeded):
    deal_type = ContentType.objects.get_for_model(Opportunity)
    deals = {deal.pk: deal for deal in Opportunity.objects.all()}
    regarding = list(Activity.objects.filter(regarding_type=deal_type))
    assert len(regarding) >= TINY.opportunities
    kinds = Counter(activity.kind for activity in regarding)
    assert kinds["call"] and kinds["meeting"] and kinds["demo"]
    for activity in regarding:
        deal = deals[activity.regarding_id]
        assert activity.owner_id == deal.owner_id and activity.account_id == deal.account_id
        assert timezone.localdate(activity.timeline_at) >= timezone.localdate(deal.created_at)
        if deal.closed_at:
            assert timezone.localdate(activity.timeline_at) <= timezone.localdate(deal.closed_at)
            assert activity.status != "planned"
    lead_type = ContentType.objects.get_for_model(Lead)
    assert Activity.objects.filter(regarding_type=lead_type).exists()


def test_a_benchmark_can_put_deals_under_one_managers_subtree(seeded):
    """Bench scenario 5's use: deals added to a loaded data set, all owned inside a manager's subtree."""
    manager = User.objects.get(email="manager@demo.forgecrm.kr")
    subtree = list(
        User.objects.filter(hierarchy_path__startswith=f"{manager.hierarchy_path}{manager.pk}/", role="sales_rep")
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    before = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first()
    with pytest.raises(_Rollback), transaction.atomic():
        sales = seed_opportunities(
            org=organisation_from_database(),
            book=book_from_database(),
            rng=random.Random(5),
            scale=TINY,
            today=seeded,
            progress=Progress(),
            count=120,
            owner_ids=subtree,
            documents=False,
        )
        added = Opportunity.objects.filter(pk__gt=before)
        assert added.count() == len(sales.deals) == 120
        assert set(added.values_list("owner_id", flat=True)) <= set(subtree)
        assert StageHistory.objects.filter(opportunity__in=added, left_at__isnull=True).count() == 120
        assert not Quote.objects.filter(opportunity__in=added).exists()
        raise _Rollback


def test_partners_quote_on_their_own_prices_and_one_order_is_sold_through_its_partner(seeded):
    partner_quotes = list(Quote.objects.filter(partner__isnull=False))
    assert len(partner_quotes) >= 2
    lines = list(QuoteLine.objects.filter(quote__in=partner_quotes))
    assert lines and all(line.partner_unit_price is not None for line in lines)
    assert any(line.partner_unit_price.amount < line.list_unit_price.amount for line in lines)
    assert any(line.partner_product_number for line in lines)
    for quote in partner_quotes:
        assert quote.owner.organization_id == quote.partner_id == quote.opportunity.partner_id
    orders = list(SalesOrder.objects.filter(sold_through__isnull=False, quote__isnull=False).select_related("quote"))
    assert len(orders) == 1
    order = orders[0]
    assert order.quote.status == "accepted" and order.sold_through_id == order.quote.partner_id
    own = sum(line.partner_unit_price.amount * line.quantity for line in QuoteLine.objects.filter(quote=order.quote))
    assert order.net.amount == own
