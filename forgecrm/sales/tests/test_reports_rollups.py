"""The dashboard's rollups: a refresh (full or incremental) leaves them equal to the live opportunities, and the
dashboard's tiles read them within the viewer's owners."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Opportunity, SalesRollup, Stage
from forgecrm.sales.operations.reports import refresh_sales_rollups
from forgecrm.sales.queries.reports import sales_dashboard_for
from forgecrm.sales.tasks import refresh_sales_rollups_task

from . import factories as f
from .reports_data import TODAY, make_book

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def book():
    return make_book()


def live_figures() -> dict:
    """What the rollups must hold, computed row by row in Python from the opportunities themselves."""
    found: dict = defaultdict(lambda: [0, D(0), D(0)])
    for opp in Opportunity.objects.select_related("stage"):
        closed = opp.stage.is_won or opp.stage.is_lost
        day = timezone.localtime(opp.closed_at).date() if closed and opp.closed_at else opp.close_date
        key = (opp.owner_id, opp.stage_id, opp.product_line_id, day.replace(day=1), str(opp.amount.currency))
        found[key][0] += 1
        found[key][1] += opp.amount.amount
        found[key][2] += opp.amount.amount * opp.probability
    return {key: tuple(value) for key, value in found.items()}


def rollup_figures() -> dict:
    return {
        (r.owner_id, r.stage_id, r.product_line_id, r.month, r.currency): (r.count, r.amount, r.weighted_basis)
        for r in SalesRollup.objects.all()
    }


def test_a_full_refresh_equals_the_live_figures_exactly(book):
    assert refresh_sales_rollups(full=True)["owners"] == 3
    assert rollup_figures() == live_figures()
    assert SalesRollup.objects.filter(is_closed=True).count() == 6  # won and lost rows per owner/month/currency


def test_the_incremental_refresh_follows_owner_changes_deletions_and_bulk_writes(book):
    refresh_sales_rollups(full=True)
    moved = Opportunity.objects.get(pk=book.deals.a_proposal.pk)
    moved.owner = book.rep_b
    moved.save()  # a history row: rep_a's figures must lose it, rep_b's gain it
    Opportunity.objects.get(pk=book.deals.b_lost.pk).delete()
    Opportunity.objects.bulk_create(  # no history rows: found by updated_at
        [
            Opportunity(
                name="bulk",
                account=book.big,
                owner=book.outsider,
                stage=Stage.objects.get(code="qualification"),
                probability=25,
                amount=Money(1_000, "EUR"),
                close_date=dt.date(2026, 6, 1),
                stage_entered_at=timezone.now(),
            )
        ]
    )
    result = refresh_sales_rollups()
    assert result["owners"] == 3  # rep_a, rep_b (moved, deleted) and the outsider (bulk)
    assert rollup_figures() == live_figures()
    later = timezone.now() + dt.timedelta(hours=1)
    refresh_sales_rollups(now=later)
    assert refresh_sales_rollups(now=later + dt.timedelta(hours=1))["owners"] == 0  # nothing changed since


def test_the_beat_task_refreshes(book):
    assert refresh_sales_rollups_task.delay().get()["owners"] == 3  # eager in tests; the first run is full
    assert rollup_figures() == live_figures()


def test_the_dashboard_of_a_manager_rep_and_org_wide_role(book):
    refresh_sales_rollups(full=True)
    board = sales_dashboard_for(book.manager, TODAY)
    assert [(r.key, r.count, r.amounts, r.weighted) for r in board.pipeline_by_stage] == [
        ("prospecting", 1, {"KRW": D("5000000.00")}, {"KRW": D("500000.00")}),
        ("proposal", 1, {"KRW": D("100000000.00")}, {"KRW": D("50000000.00")}),
        ("negotiation", 1, {"KRW": D("50000000.00")}, {"KRW": D("37500000.00")}),
    ]
    assert board.pipeline_total.amounts == {"KRW": D("155000000.00")}
    assert [(r.label, r.amounts) for r in board.pipeline_by_owner] == [
        ("가영업", {"KRW": D("100000000.00")}),  # the August negotiation is next quarter's
        ("나영업", {"KRW": D("5000000.00")}),
    ]
    assert board.won_this_quarter == {"KRW": D("70000000.00"), "USD": D("10000.00")}
    assert board.won_count_this_quarter == 3
    assert board.quota_this_quarter == {"KRW": D("130000000.00")}
    assert board.commit_this_quarter == {"KRW": D("45000000.00")}  # rep_b's forecast is a draft
    assert board.attainment == D("0.5385")
    assert [(m.month, m.won, m.lost) for m in board.win_rate_by_month][-2:] == [
        (dt.date(2026, 4, 1), 1, 1),
        (dt.date(2026, 5, 1), 1, 0),
    ]
    assert len(board.win_rate_by_month) == 6 and board.win_rate_by_month[0].month == dt.date(2025, 12, 1)
    assert board.refreshed_at is not None

    rep = sales_dashboard_for(book.rep_a, TODAY)
    assert rep.won_this_quarter == {"KRW": D("30000000.00"), "USD": D("10000.00")}
    assert rep.quota_this_quarter == {"KRW": D("50000000.00")}
    admin = sales_dashboard_for(UserFactory(role=Role.ADMIN), TODAY)
    assert admin.won_this_quarter["KRW"] == D("1069000000.00")
    partner = sales_dashboard_for(book.partner, TODAY)
    assert partner.pipeline_by_stage == [] and partner.won_this_quarter == {}


def test_the_dashboard_runs_seven_queries_however_many_deals(book, django_assert_num_queries):
    for _ in range(5):
        f.OpportunityFactory(owner=book.rep_a, amount=Money(1_000_000, "KRW"))
    refresh_sales_rollups(full=True)
    sales_dashboard_for(book.manager, TODAY)  # the principal is cached on the user from here on
    with django_assert_num_queries(7):
        sales_dashboard_for(book.manager, TODAY)
