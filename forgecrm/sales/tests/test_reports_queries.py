"""The report queries: exact figures on the hand-built book (reports_data.py) per viewer."""

import datetime as dt
from decimal import Decimal

import pytest

from forgecrm.sales.queries.reports import (
    Period,
    ReportFilters,
    WinRateBy,
    forecast_vs_quota_for,
    funnel_for,
    period_window,
    pipeline_by_owner_for,
    pipeline_by_stage_for,
    sales_cycle_for,
    top_accounts_for,
    win_rates_for,
)

from .reports_data import Q2, make_book

pytestmark = pytest.mark.django_db
D = Decimal
QUARTER = ReportFilters(date_from=Q2, date_to=dt.date(2026, 6, 30))
EVER = ReportFilters(period=Period.ALL)


@pytest.fixture
def book():
    return make_book()


def test_period_windows():
    today = dt.date(2026, 5, 15)
    assert period_window(Period.THIS_QUARTER, today) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert period_window(Period.LAST_QUARTER, today) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_window(Period.LAST_QUARTER, dt.date(2026, 2, 1)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert period_window(Period.THIS_YEAR, today) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_window(Period.LAST_YEAR, today) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period_window(Period.CUSTOM, today, dt.date(2026, 2, 3), None) == (dt.date(2026, 2, 3), None)
    assert period_window(Period.ALL, today) == (None, None)


def rows(figures):
    return {row.key: (row.count, row.amounts, row.weighted) for row in figures}


def test_pipeline_by_stage_is_open_deals_closing_in_the_window_with_weighted_amounts(book):
    assert rows(pipeline_by_stage_for(book.manager, QUARTER)) == {
        "prospecting": (1, {"KRW": D("5000000.00")}, {"KRW": D("500000.00")}),
        "qualification": (0, {}, {}),
        "proposal": (1, {"KRW": D("100000000.00")}, {"KRW": D("50000000.00")}),
        "negotiation": (0, {}, {}),
    }
    ever = rows(pipeline_by_stage_for(book.rep_a, EVER))
    assert ever["negotiation"] == (1, {"KRW": D("50000000.00")}, {"KRW": D("37500000.00")})
    assert ever["prospecting"] == (0, {}, {})
    partner = rows(pipeline_by_stage_for(book.partner, EVER))
    assert partner["prospecting"][0] == 1 and partner["proposal"][0] == 0


def test_pipeline_by_owner_largest_first(book):
    result = pipeline_by_owner_for(book.manager, EVER)
    assert [(row.label, row.count, row.amounts, row.weighted) for row in result] == [
        ("가영업", 2, {"KRW": D("150000000.00")}, {"KRW": D("87500000.00")}),
        ("나영업", 1, {"KRW": D("5000000.00")}, {"KRW": D("500000.00")}),
    ]
    assert [row.label for row in pipeline_by_owner_for(book.rep_b, EVER)] == ["나영업"]


def test_funnel_leads_qualified_converted_won(book):
    def steps(actor, filters=EVER):
        return [(s.key, s.count, s.rate_from_previous) for s in funnel_for(actor, filters)]

    assert steps(book.rep_a) == [
        ("leads", 5, None),
        ("qualified", 3, D("0.6000")),
        ("converted", 2, D("0.6667")),
        ("won", 1, D("0.5000")),
    ]
    assert [count for _k, count, _r in steps(book.manager)] == [6, 4, 3, 2]
    assert [count for _k, count, _r in steps(book.partner)] == [0, 0, 0, 0]
    lined = ReportFilters(period=Period.ALL, product_line_id=book.chillers.pk)
    assert [count for _k, count, _r in steps(book.manager, lined)] == [1, 1, 1, 1]
    assert funnel_for(book.rep_a, EVER)[3].rate_from_first == D("0.2000")


def test_win_rate_by_owner_product_line_and_month(book):
    by_owner = win_rates_for(book.manager, QUARTER, WinRateBy.OWNER)
    assert [(r.label, r.won, r.lost, r.rate, r.won_amounts) for r in by_owner] == [
        ("가영업", 2, 1, D("0.6667"), {"KRW": D("30000000.00"), "USD": D("10000.00")}),
        ("나영업", 1, 0, D("1.0000"), {"KRW": D("40000000.00")}),
    ]
    by_line = win_rates_for(book.manager, QUARTER, WinRateBy.PRODUCT_LINE)
    assert [(r.label, r.won, r.lost) for r in by_line] == [
        ("No product line", 2, 1),
        ("Chillers", 1, 0),
    ]  # English pages
    by_month = win_rates_for(book.manager, QUARTER, WinRateBy.MONTH)
    assert [(r.label, r.won, r.lost) for r in by_month] == [("2026-04", 1, 1), ("2026-05", 1, 0), ("2026-06", 1, 0)]
    assert win_rates_for(book.partner, QUARTER, WinRateBy.OWNER) == []
    # the outsider's 999M deal is nobody's here but an org-wide role's
    assert sum(r.won for r in win_rates_for(book.rep_a, QUARTER)) == 2


def test_sales_cycle_median_and_mean_days(book):
    figures = {f.key: (f.count, f.median_days, f.mean_days) for f in sales_cycle_for(book.rep_a, EVER)}
    assert figures == {
        "won": (2, D("35.0"), D("35.0")),  # 40 days (stage history from 3/1) and 30 (created 4/2)
        "lost": (1, D("10.0"), D("10.0")),
        "all": (3, D("30.0"), D("26.7")),
    }
    assert {f.key: f.count for f in sales_cycle_for(book.partner, EVER)} == {"won": 0, "lost": 0, "all": 0}
    assert sales_cycle_for(book.partner, EVER)[0].median_days is None


def test_forecast_vs_quota_per_rep_of_the_line(book):
    result = forecast_vs_quota_for(book.manager, "quarter", Q2)
    assert [(r.label, r.quota, r.commit, r.best_case, r.submitted, r.won, r.open_weighted) for r in result] == [
        (
            "가영업",
            {"KRW": D("50000000.00")},
            {"KRW": D("45000000.00")},
            {"KRW": D("60000000.00")},
            True,
            {"KRW": D("30000000.00"), "USD": D("10000.00")},
            {"KRW": D("50000000.00")},
        ),
        ("나영업", {"KRW": D("80000000.00")}, {}, {}, False, {"KRW": D("40000000.00")}, {"KRW": D("500000.00")}),
    ]
    assert [r.attainment for r in result] == [D("0.6000"), D("0.5000")]
    assert [r.label for r in forecast_vs_quota_for(book.rep_a, "quarter", Q2)] == ["가영업"]
    partner = forecast_vs_quota_for(book.partner, "quarter", Q2)
    assert all(not r.quota and not r.commit for r in partner)  # partners never see quotas or forecasts


def test_top_accounts_by_won_amount_names_only_visible_accounts(book):
    top = top_accounts_for(book.manager, QUARTER)
    assert (top[0].label, top[0].won_count, top[0].won_amounts) == ("큰손", 2, {"KRW": D("70000000.00")})
    assert top[1].won_amounts == {"USD": D("10000.00")}
    assert len(top) == 2
    seen_by_b = top_accounts_for(book.rep_b, QUARTER)
    assert [(r.won_amounts, r.label) for r in seen_by_b] == [
        ({"KRW": D("40000000.00")}, "(an account you do not see)")  # the account is rep_a's
    ]
    assert top_accounts_for(book.partner, QUARTER) == []
