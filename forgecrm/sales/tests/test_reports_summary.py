"""`sales_summary_for`: exact figures on a small hand-built book, per viewer (rep, manager, partner, org-wide)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Stage
from forgecrm.sales.queries.reports import sales_summary_for

from . import factories as f

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def book():
    """manager > rep_a, rep_b; a partner works one of rep_b's deals.

    rep_a: proposal 100M KRW, negotiation 50M KRW, won 30M KRW (2026-04-10), won 10,000 USD (2026-05-02),
           lost 20M KRW (2026-04-20)
    rep_b: prospecting 5M KRW (partner's), won 40M KRW (2026-06-30, chillers), lost 7M KRW (2026-07-01)
    outsider: won 999M KRW (nobody above sees it)
    """
    stage = {s.code: s for s in Stage.objects.all()}
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep_a, rep_b, outsider = UserFactory(manager=manager), UserFactory(manager=manager), UserFactory()
    partner_org = PartnerAccountFactory()
    partner = UserFactory(role=Role.PARTNER_ADMIN, organization=partner_org)
    chillers = ProductLineFactory()

    def deal(owner, code, amount, currency="KRW", closed=None, close_date=dt.date(2026, 6, 15), **extra):
        return f.OpportunityFactory(
            owner=owner,
            stage=stage[code],
            amount=Money(amount, currency),
            closed_at=at(closed) if closed else None,
            close_date=closed or close_date,
            **extra,
        )

    deal(rep_a, "proposal", 100_000_000)
    deal(rep_a, "negotiation", 50_000_000, close_date=dt.date(2026, 8, 1))
    deal(rep_a, "won", 30_000_000, closed=dt.date(2026, 4, 10))
    deal(rep_a, "won", 10_000, "USD", closed=dt.date(2026, 5, 2))
    deal(rep_a, "lost", 20_000_000, closed=dt.date(2026, 4, 20))
    deal(rep_b, "prospecting", 5_000_000, partner=partner_org)
    deal(rep_b, "won", 40_000_000, closed=dt.date(2026, 6, 30), product_line=chillers)
    deal(rep_b, "lost", 7_000_000, closed=dt.date(2026, 7, 1))
    deal(outsider, "won", 999_000_000, closed=dt.date(2026, 5, 5))
    return manager, rep_a, rep_b, partner, chillers


def by_code(summary):
    return {figure.code: (figure.count, figure.amounts) for figure in summary.by_stage}


def test_a_rep_sees_their_own_deals_only(book):
    _, rep_a, _, _, _ = book
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
    manager, _, _, _, _ = book
    summary = sales_summary_for(manager)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (3, 2, 3)
    assert summary.win_rate == Decimal("0.6000")
    assert summary.won_amounts == {"KRW": Decimal("70000000.00"), "USD": Decimal("10000.00")}
    assert by_code(summary)["lost"] == (2, {"KRW": Decimal("27000000.00")})


def test_a_partner_sees_only_their_organisations_deal(book):
    _, _, _, partner, _ = book
    summary = sales_summary_for(partner)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (0, 0, 1)
    assert summary.win_rate is None and summary.won_amounts == {}
    assert by_code(summary)["prospecting"] == (1, {"KRW": Decimal("5000000.00")})


def test_org_wide_role_sees_all_of_the_book(book):
    summary = sales_summary_for(UserFactory(role=Role.ADMIN))
    assert summary.won_count == 4 and summary.won_amounts["KRW"] == Decimal("1069000000.00")


def test_the_window_keeps_closed_deals_by_closed_at_and_open_ones_by_close_date(book):
    manager, _, _, _, _ = book
    summary = sales_summary_for(manager, closed_from=dt.date(2026, 4, 1), closed_to=dt.date(2026, 6, 30))
    # won 30M (4/10), 10k USD (5/2), 40M (6/30, last day included); lost 20M (4/20); open: 100M, 5M (6/15)
    assert (summary.won_count, summary.lost_count, summary.open_count) == (3, 1, 2)
    assert summary.win_rate == Decimal("0.7500")
    only_from = sales_summary_for(manager, closed_from=dt.date(2026, 7, 1))
    assert (only_from.won_count, only_from.lost_count, only_from.open_count) == (0, 1, 1)


def test_owner_ids_and_product_line_narrow_the_scope_never_widen_it(book):
    manager, rep_a, rep_b, _, chillers = book
    assert sales_summary_for(manager, owner_ids=[rep_b.pk]).won_amounts == {"KRW": Decimal("40000000.00")}
    assert sales_summary_for(rep_a, owner_ids=[rep_b.pk]).by_stage[0].count == 0
    assert sales_summary_for(rep_a, owner_ids=[rep_b.pk]).won_count == 0
    lined = sales_summary_for(manager, product_line=chillers)
    assert (lined.won_count, lined.lost_count, lined.open_count) == (1, 0, 0)
    assert lined.win_rate == Decimal("1.0000")


def test_two_queries(book, django_assert_num_queries):
    manager, _, _, _, _ = book
    sales_summary_for(manager)  # the principal is cached on the user from here on
    with django_assert_num_queries(2):
        sales_summary_for(manager)
