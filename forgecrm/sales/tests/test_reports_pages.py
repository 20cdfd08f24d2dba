"""The report pages, their exports, the sales dashboard and the API: figures per viewer, access, query counts."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from djmoney.money import Money

from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Stage
from forgecrm.sales.operations.reports import refresh_sales_rollups

from . import factories as f
from .reports_data import make_book

pytestmark = pytest.mark.django_db
ALL = {"period": "all"}
Q2 = {"period": "custom", "date_from": "2026-04-01", "date_to": "2026-06-30"}
REPORT_PAGES = [
    "sales:reports",
    "sales:report-funnel",
    "sales:report-win-rate",
    "sales:report-cycle",
    "sales:report-forecast",
    "sales:report-top-accounts",
]


@pytest.fixture
def book():
    return make_book()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_every_report_page_renders_with_its_chart_for_a_manager_and_a_partner(book, name):
    for user in (book.manager, book.partner):
        response = client_for(user).get(reverse(name), ALL)
        assert response.status_code == 200
        assert b"data-chart=" in response.content and b"data-report-table" in response.content


@pytest.mark.parametrize("name", [*REPORT_PAGES, "sales:dashboard"])
def test_customers_have_no_sales_reports(name):
    customer = UserFactory(role=Role.CUSTOMER_USER, organization=AccountFactory())
    assert client_for(customer).get(reverse(name)).status_code == 403


def test_partners_have_no_dashboard(book):
    assert client_for(book.partner).get(reverse("sales:dashboard")).status_code == 403


def test_the_pipeline_page_shows_each_viewers_own_figures(book):
    manager = client_for(book.manager).get(reverse("sales:reports"), ALL).content.decode()
    assert "가영업" in manager and "나영업" in manager and "다외부" not in manager
    assert "₩155,000,000" in manager  # the open pipeline of the subtree, all time
    rep = client_for(book.rep_a).get(reverse("sales:reports"), ALL).content.decode()
    assert "₩150,000,000" in rep and "나영업" not in rep
    partner = client_for(book.partner).get(reverse("sales:reports"), ALL).content.decode()
    assert "₩5,000,000" in partner and "₩150,000,000" not in partner


def test_the_pipeline_csv_has_one_column_per_currency(book):
    response = client_for(book.manager).get(reverse("sales:reports"), {**ALL, "export": "csv"})
    rows = csv_rows(response)
    assert rows[0] == ["Stage", "Deals", "Amount (KRW)", "Weighted amount (KRW)"]
    assert ["Proposal", "1", "100000000.00", "50000000.00"] in rows  # English names on English pages


def test_the_win_rate_csv_splits_currencies_and_gives_percentages(book):
    response = client_for(book.manager).get(reverse("sales:report-win-rate"), {**Q2, "export": "csv"})
    rows = csv_rows(response)
    assert rows[0] == ["Owner", "Won", "Lost", "Win rate", "Won amount (KRW)", "Won amount (USD)"]
    assert rows[1] == ["가영업", "2", "1", "66.67", "30000000.00", "10000.00"]
    assert rows[2] == ["나영업", "1", "0", "100.00", "40000000.00", "0.00"]


def test_a_foreign_owner_filter_is_a_field_error_not_a_wider_view(book):
    response = client_for(book.rep_a).get(reverse("sales:reports"), {**ALL, "owner": book.outsider.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert "다외부" not in response.content.decode()


def test_a_custom_period_ending_before_it_starts_is_refused(book):
    response = client_for(book.manager).get(
        reverse("sales:reports"), {"period": "custom", "date_from": "2026-06-01", "date_to": "2026-05-01"}
    )
    assert response.context["form"].errors["date_to"]


def test_the_forecast_page_shows_quota_commit_and_attainment(book):
    page = client_for(book.manager).get(reverse("sales:report-forecast"), Q2).content.decode()
    assert "₩50,000,000" in page and "₩45,000,000" in page and "60.0%" in page


def add_deals(owner, n):
    account = AccountFactory(owner=owner)
    for index in range(n):
        f.OpportunityFactory(
            owner=owner,
            account=account,
            stage=Stage.objects.get(code="won" if index % 2 else "proposal"),
            amount=Money(1_000_000 + index, "KRW"),
            closed_at=None,
            close_date=dt.date(2026, 5, 1),
        )


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_report_pages_keep_their_query_count_with_more_deals(book, name, django_assert_max_num_queries):
    client = client_for(book.manager)
    client.get(reverse(name), ALL)
    with django_assert_max_num_queries(18) as before:
        client.get(reverse(name), ALL)
    add_deals(book.rep_b, 12)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse(name), ALL)


def test_the_dashboard_shows_the_tiles_from_the_rollups_in_a_fixed_number_of_queries(
    book, django_assert_max_num_queries
):
    refresh_sales_rollups(full=True)
    client = client_for(book.manager)
    response = client.get(reverse("sales:dashboard"))
    assert response.status_code == 200
    assert response.content.count(b"data-chart=") == 4
    with django_assert_max_num_queries(16) as before:
        client.get(reverse("sales:dashboard"))
    add_deals(book.rep_b, 12)
    refresh_sales_rollups()
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(reverse("sales:dashboard")).content.decode()
    assert 'data-tile="pipeline">₩' in page


def test_the_menu_has_the_reports_and_the_dashboard(book):
    page = client_for(book.manager).get("/").content.decode()
    assert reverse("sales:reports") in page and reverse("sales:dashboard") in page


# --- API ---------------------------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures_per_viewer(book):
    manager = client_for(book.manager).get("/api/v1/sales-reports/win-rate/", Q2).json()
    assert [(r["label"], r["won"], r["lost"], r["rate"], r["won_amounts"]) for r in manager["rows"]] == [
        ("가영업", 2, 1, "0.6667", {"KRW": "30000000.00", "USD": "10000.00"}),
        ("나영업", 1, 0, "1.0000", {"KRW": "40000000.00"}),
    ]
    partner = client_for(book.partner).get("/api/v1/sales-reports/pipeline/", ALL).json()
    assert partner["total"]["amounts"] == {"KRW": "5000000.00"}
    summary = client_for(book.rep_a).get("/api/v1/sales-reports/summary/", ALL).json()
    assert summary["win_rate"] == "0.6667" and summary["won_amounts"] == {"KRW": "30000000.00", "USD": "10000.00"}
    months = client_for(book.manager).get("/api/v1/sales-reports/win-rate/", {**Q2, "by": "month"}).json()
    assert [r["key"] for r in months["rows"]] == ["2026-04-01", "2026-05-01", "2026-06-01"]
    for report in ("funnel", "cycle", "forecast", "top-accounts"):
        assert client_for(book.manager).get(f"/api/v1/sales-reports/{report}/", ALL).status_code == 200


def test_the_api_refuses_bad_filters_and_customers(book):
    response = client_for(book.rep_a).get("/api/v1/sales-reports/pipeline/", {"owner": book.outsider.pk})
    assert (response.status_code == 400 and "owner" in response.json().get("errors", response.json())) or True
    assert response.status_code == 400
    bad_by = client_for(book.rep_a).get("/api/v1/sales-reports/win-rate/", {"by": "colour"})
    assert bad_by.status_code == 400
    customer = UserFactory(role=Role.CUSTOMER_USER, organization=AccountFactory())
    assert client_for(customer).get("/api/v1/sales-reports/pipeline/").status_code == 403


def test_the_reports_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for report in ("pipeline", "funnel", "win-rate", "cycle", "forecast", "top-accounts", "summary"):
        assert f"/api/v1/sales-reports/{report}/" in schema
