"""Quota, forecast and commission pages and API: they render (ko and en), write through the operations, turn
stale writes into conflicts (pages: a message; API: 412), keep constant query counts, and show a rep nothing of
a manager's adjustments."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import CommissionStatement, ForecastAdjustment, ForecastSubmission, Quota

from .factories import (
    CommissionPlanAssignmentFactory,
    CommissionStatementFactory,
    CommissionStatementLineFactory,
    ForecastSubmissionFactory,
    QuotaFactory,
    krw,
)

pytestmark = pytest.mark.django_db

Q1 = dt.date(2026, 1, 1)


@pytest.fixture
def people():
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="김팀장")
    rep = UserFactory(manager=manager, full_name="이영업")
    return manager, rep


def client_for(user, language="ko"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_renders_for_a_manager(people, language):
    manager, rep = people
    submission = ForecastSubmissionFactory(owner=rep, period_start=Q1)
    QuotaFactory(user=rep, period_start=Q1)
    statement = CommissionStatementFactory(user=rep)
    CommissionStatementLineFactory(statement=statement)
    CommissionPlanAssignmentFactory(plan=statement.plan, user=rep)
    client = client_for(manager, language)
    pages = [
        reverse("sales:quota-grid") + "?kind=quarter&year=2026",
        reverse("sales:quota-grid") + "?kind=month&year=2026",
        reverse("sales:quota-attainment") + "?period=quarter:2026-01-01",
        reverse("sales:forecast-rollup") + "?period=quarter:2026-01-01",
        reverse("sales:forecast-rollup") + f"?period=quarter:2026-01-01&user={rep.pk}",
        reverse("sales:forecast-history") + "?period=quarter:2026-01-01",
        reverse("sales:forecast-edit") + "?period=quarter:2026-01-01",
        reverse("sales:forecast-adjust", args=[submission.pk]),
        reverse("sales:commission-list"),
        reverse("sales:commission-detail", args=[statement.pk]),
        reverse("sales:commission-plan-list"),
        reverse("sales:commission-plan-detail", args=[statement.plan.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    text = client.get(reverse("sales:forecast-rollup") + "?period=quarter:2026-01-01").content.decode()
    assert ("조정 확정 예측" if language == "ko" else "Adjusted commit") in text
    csv = client.get(reverse("sales:commission-list") + "?export=csv")
    assert csv.status_code == 200 and "이영업" in b"".join(csv.streaming_content).decode("utf-8")


def test_the_pdf_statement_in_korean_and_english(people):
    manager, rep = people
    statement = CommissionStatementFactory(user=rep)
    CommissionStatementLineFactory(statement=statement)
    client = client_for(manager)
    for language in ("ko", "en"):
        response = client.get(reverse("sales:commission-pdf", args=[statement.pk]) + f"?lang={language}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_the_quota_grid_saves_changed_cells_and_reports_a_stale_one(people):
    manager, rep = people
    existing = QuotaFactory(user=rep, period_start=Q1, amount=krw(100_000_000))
    client = client_for(manager)
    cells = {
        "kind": "quarter",
        "year": "2026",
        "kind_of": ["user", "user"],
        "target": [rep.pk, rep.pk],
        "period_start": ["2026-01-01", "2026-04-01"],
        "version": [existing.version, ""],
        "original": ["100000000", ""],
        "amount": ["120,000,000", "130000000"],
    }
    response = client.post(reverse("sales:quota-grid"), cells)
    assert response.status_code == 302
    amounts = dict(Quota.objects.filter(user=rep).values_list("period_start", "amount"))
    assert amounts == {Q1: D(120_000_000), dt.date(2026, 4, 1): D(130_000_000)}
    # The same form posted again is stale for both cells: nothing is written, both are named.
    response = client.post(reverse("sales:quota-grid"), {**cells, "amount": ["1", "2"]})
    assert response.status_code == 409
    assert response.content.decode().count("<li>") >= 2
    assert dict(Quota.objects.filter(user=rep).values_list("period_start", "amount")) == amounts
    # Bad input names the problem.
    response = client.post(reverse("sales:quota-grid"), {**cells, "version": ["2", "1"], "amount": ["-5", "x"]})
    assert response.status_code == 400
    # A rep sees their own quotas but cannot set them.
    rep_page = client_for(rep).get(reverse("sales:quota-grid") + "?kind=quarter&year=2026")
    assert rep_page.status_code == 200 and b'name="amount"' not in rep_page.content
    refused = client_for(rep).post(reverse("sales:quota-grid"), {**cells, "version": ["2", "1"], "amount": ["5", "6"]})
    assert refused.status_code == 403


def test_the_rep_submits_from_the_form_and_a_stale_form_is_a_conflict(people):
    _manager, rep = people
    client = client_for(rep)
    url = reverse("sales:forecast-edit")
    body = {"period": "quarter:2026-01-01", "pipeline": "900", "best_case": "600", "commit": "400", "closed": "100"}
    assert client.post(url, {**body, "submit": "1"}).status_code == 302
    submission = ForecastSubmission.objects.get(owner=rep)
    assert submission.status == "submitted" and submission.commit.amount == D(400)
    stale = client.post(url, {**body, "version": "", "commit": "1"})
    assert stale.status_code == 409
    assert ForecastSubmission.objects.get(owner=rep).commit.amount == D(400)
    bad = client.post(url, {**body, "version": str(submission.version), "commit": "700"})
    assert bad.status_code == 400


def test_a_managers_adjustment_stays_apart_and_the_rep_never_sees_it(people):
    manager, rep = people
    submission = ForecastSubmissionFactory(owner=rep, period_start=Q1, note="레프 메모")
    response = client_for(manager).post(
        reverse("sales:forecast-adjust", args=[submission.pk]),
        {"best_case": "500000000", "commit": "300000000", "note": "팀장 조정 메모", "version": submission.version},
    )
    assert response.status_code == 302
    adjustment = ForecastAdjustment.objects.get(submission=submission)
    assert (adjustment.manager, adjustment.commit.amount) == (manager, D(300_000_000))
    submission.refresh_from_db()
    assert submission.commit.amount == D(400_000_000)
    rep_client = client_for(rep)
    assert rep_client.get(reverse("sales:forecast-adjust", args=[submission.pk])).status_code == 403
    page = rep_client.get(reverse("sales:forecast-rollup") + "?period=quarter:2026-01-01").content.decode()
    assert "팀장 조정 메모" not in page and "₩300,000,000" not in page
    api = rep_client.get(reverse("forecast-detail", args=[submission.pk])).json()
    assert api["adjustments"] == [] and api["commit"] == "400000000"
    manager_api = client_for(manager).get(reverse("forecast-detail", args=[submission.pk])).json()
    assert [item["commit"] for item in manager_api["adjustments"]] == ["300000000"]


def test_rollup_page_query_count_is_constant(people, django_assert_max_num_queries):
    manager, rep = people
    client = client_for(manager)
    url = reverse("sales:forecast-rollup") + "?period=quarter:2026-01-01"
    ForecastSubmissionFactory(owner=rep, period_start=Q1)
    client.get(url)
    with django_assert_max_num_queries(40) as baseline:
        client.get(url)
    for _ in range(6):
        report = UserFactory(manager=manager)
        ForecastSubmissionFactory(owner=report, period_start=Q1)
        QuotaFactory(user=report, period_start=Q1)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_statement_list_query_count_is_constant(people, django_assert_max_num_queries):
    manager, rep = people
    client = client_for(manager)
    CommissionStatementFactory(user=rep)
    client.get(reverse("sales:commission-list"))
    with django_assert_max_num_queries(40) as baseline:
        client.get(reverse("sales:commission-list"))
    for month in range(4, 10):
        CommissionStatementFactory(user=rep, period_start=dt.date(2026, month, 1))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(reverse("sales:commission-list"))


def test_approve_and_pay_from_the_pages(people):
    manager, rep = people
    admin = UserFactory(role=Role.ADMIN)
    statement = CommissionStatementFactory(user=rep)
    assert client_for(rep).post(reverse("sales:commission-approve", args=[statement.pk])).status_code == 403
    client_for(manager).post(reverse("sales:commission-approve", args=[statement.pk]), {"version": statement.version})
    statement.refresh_from_db()
    assert statement.status == "approved" and statement.approved_by == manager
    client_for(admin).post(reverse("sales:commission-paid", args=[statement.pk]), {"version": statement.version})
    assert CommissionStatement.objects.get(pk=statement.pk).status == "paid"


def test_computing_from_the_page_runs_the_task_for_the_managers_line(people):
    manager, rep = people
    CommissionPlanAssignmentFactory(user=rep)
    outsider = UserFactory()
    CommissionPlanAssignmentFactory(user=outsider)
    response = client_for(manager).post(reverse("sales:commission-compute"), {"period": "month:2026-03-01"})
    assert response.status_code == 302
    assert list(CommissionStatement.objects.values_list("user_id", flat=True)) == [rep.pk]
    assert client_for(rep).post(reverse("sales:commission-compute"), {"period": "month:2026-03-01"}).status_code == 403


# --- API ---------------------------------------------------------------------------------------------------


def test_quota_api_create_update_with_if_match(people):
    manager, rep = people
    client = client_for(manager)
    created = client.post(
        reverse("quota-list"),
        {"user": rep.pk, "period_kind": "quarter", "period_start": "2026-04-01", "amount": "150000000"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    quota_id, etag = created.json()["id"], created["ETag"]
    url = reverse("quota-detail", args=[quota_id])
    assert client.patch(url, {"amount": "1"}, content_type="application/json").status_code == 428
    ok = client.patch(url, {"amount": "160000000"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["amount"] == "160000000" and ok.json()["version"] == 2
    stale = client.patch(url, {"amount": "1"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    bad = client.post(
        reverse("quota-list"),
        {"user": rep.pk, "period_kind": "quarter", "period_start": "2026-05-01", "amount": "1"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "period_start" in bad.json()
    assert (
        client_for(rep).patch(url, {"amount": "9"}, content_type="application/json", HTTP_IF_MATCH="*").status_code
        == 403
    )
    listed = client.get(reverse("quota-list") + "?year=2026").json()
    assert [item["id"] for item in listed["results"]] == [quota_id]


def test_forecast_api_submit_and_adjust(people):
    manager, rep = people
    rep_client, manager_client = client_for(rep), client_for(manager)
    created = rep_client.post(
        reverse("forecast-list"),
        {
            "period_kind": "quarter",
            "period_start": "2026-01-01",
            "pipeline": "900",
            "best_case": "600",
            "commit": "400",
            "closed": "100",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    detail = reverse("forecast-detail", args=[pk])
    refused = manager_client.patch(detail, {"commit": "1"}, content_type="application/json", HTTP_IF_MATCH="*")
    assert refused.status_code == 403  # a forecast is its owner's: the manager adjusts beside it
    changed = rep_client.patch(detail, {"commit": "450"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["commit"] == "450"
    assert (
        rep_client.patch(detail, {"commit": "9"}, content_type="application/json", HTTP_IF_MATCH=etag).status_code
        == 412
    )
    etag = changed["ETag"]
    submitted = rep_client.post(
        reverse("forecast-submit", args=[pk]), content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    stale = manager_client.post(
        reverse("forecast-adjust", args=[pk]),
        {"best_case": "500", "commit": "300"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    adjusted = manager_client.post(
        reverse("forecast-adjust", args=[pk]),
        {"best_case": "500", "commit": "300"},
        content_type="application/json",
        HTTP_IF_MATCH=submitted["ETag"],
    )
    assert adjusted.status_code == 200 and adjusted.json()["commit"] == "300"
    assert (
        rep_client.post(
            reverse("forecast-adjust", args=[pk]),
            {"best_case": "1", "commit": "1"},
            content_type="application/json",
            HTTP_IF_MATCH="*",
        ).status_code
        == 403
    )


def test_statement_api_approve_with_if_match(people):
    manager, rep = people
    statement = CommissionStatementFactory(user=rep)
    CommissionStatementLineFactory(statement=statement)
    client = client_for(manager)
    detail = client.get(reverse("commission-statement-detail", args=[statement.pk]))
    assert detail.status_code == 200 and len(detail.json()["lines"]) == 1
    approve = reverse("commission-statement-approve", args=[statement.pk])
    assert (
        client.post(approve, content_type="application/json", HTTP_IF_MATCH='"commissionstatement-0-v9"').status_code
        == 412
    )
    ok = client.post(approve, content_type="application/json", HTTP_IF_MATCH=detail["ETag"])
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert client.post(approve, content_type="application/json", HTTP_IF_MATCH=ok["ETag"]).status_code == 400
    assert client_for(UserFactory()).get(reverse("commission-statement-detail", args=[statement.pk])).status_code == 404


def test_the_api_is_in_the_openapi_schema(people):
    manager, _rep = people
    schema = client_for(manager).get(reverse("api-schema")).content.decode()
    for path in (
        "/api/v1/quotas/",
        "/api/v1/forecasts/{id}/adjust/",
        "/api/v1/forecasts/{id}/submit/",
        "/api/v1/commission-statements/{id}/approve/",
    ):
        assert path in schema, path


def test_a_partner_sees_no_planning_page(people):
    from forgecrm.customers.tests.factories import PartnerAccountFactory

    partner = UserFactory(role=Role.PARTNER_REP, organization=PartnerAccountFactory())
    client = client_for(partner)
    for name in ("sales:quota-grid", "sales:forecast-rollup", "sales:commission-list"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("quota-list")).json()["results"] == []
