"""`sales_summary_for`: exact figures on a small hand-built book, per viewer (rep, manager, partner, org-wide)."""

import datetime as dt
from decimal import Decimal

import pytest

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.queries.reports import sales_summary_for

from .reports_data import make_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return make_book()


def by_code(summary):
    return {figure.code: (figure.count, figure.amounts) for figure in summary.by_stage}


def test_a_rep_sees_their_own_deals_only(book):
    rep_a = book.rep_a
    summary = sales_summary_for(rep_a)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (2, 1, 2)
    assert summary.win_rate == Decimal("0.6667")
    assert summary.won_amounts == {"KRW": Decimal("30000000.00"), "USD": Decimal("10000.00")}
    assert list(summary.won_amounts) == ["KRW", "USD"]  # KRW first, never added together
    stages = by_code(summary)
    assert stages["proposal"] == (1, {"KRW": Decimal("100000000.00")})
    assert stages["prospecting"] == (0, {})
    assert [figure.code for figure in summary.by_stage] == [
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "won",
        "lost",
    ]


def test_a_manager_sees_the_subtree_and_not_the_outsider(book):
    manager = book.manager
    summary = sales_summary_for(manager)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (3, 2, 3)
    assert summary.win_rate == Decimal("0.6000")
    assert summary.won_amounts == {"KRW": Decimal("70000000.00"), "USD": Decimal("10000.00")}
    assert by_code(summary)["lost"] == (2, {"KRW": Decimal("27000000.00")})


def test_a_partner_sees_only_their_organisations_deal(book):
    partner = book.partner
    summary = sales_summary_for(partner)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (0, 0, 1)
    assert summary.win_rate is None and summary.won_amounts == {}
    assert by_code(summary)["prospecting"] == (1, {"KRW": Decimal("5000000.00")})


def test_org_wide_role_sees_all_of_the_book(book):
    summary = sales_summary_for(UserFactory(role=Role.ADMIN))
    assert summary.won_count == 4 and summary.won_amounts["KRW"] == Decimal("1069000000.00")


def test_the_window_keeps_closed_deals_by_closed_at_and_open_ones_by_close_date(book):
    manager = book.manager
    summary = sales_summary_for(manager, closed_from=dt.date(2026, 4, 1), closed_to=dt.date(2026, 6, 30))
    # won 30M (4/10), 10k USD (5/2), 40M (6/30, last day included); lost 20M (4/20); open: 100M, 5M (6/15)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (3, 1, 2)
    assert summary.win_rate == Decimal("0.7500")
    only_from = sales_summary_for(manager, closed_from=dt.date(2026, 7, 1))
    assert (only_from.won_count, only_from.lost_count, only_from.open_count) == (0, 1, 1)


def test_owner_ids_and_product_line_narrow_the_scope_never_widen_it(book):
    manager, rep_a, rep_b, chillers = book.manager, book.rep_a, book.rep_b, book.chillers
    assert sales_summary_for(manager, owner_ids=[rep_b.pk]).won_amounts == {"KRW": Decimal("40000000.00")}
    assert sales_summary_for(rep_a, owner_ids=[rep_b.pk]).by_stage[0].count == 0
    assert sales_summary_for(rep_a, owner_ids=[rep_b.pk]).won_count == 0
    lined = sales_summary_for(manager, product_line=chillers)
    assert (lined.won_count, lined.lost_count, lined.open_count) == (1, 0, 0)
    assert lined.win_rate == Decimal("1.0000")


def test_two_queries(book, django_assert_num_queries):
    manager = book.manager
    sales_summary_for(manager)  # the principal is cached on the user from here on
    with django_assert_num_queries(2):
        sales_summary_for(manager)
