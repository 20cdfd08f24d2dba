"""/api/v1/opportunities/ (+ move, history), opportunity lines and competitors, stages; If-Match and 412."""

import datetime as dt

import pytest
from django.utils import timezone
from djmoney.money import Money
from rest_framework.test import APIClient

from forgecrm.catalog.tests.factories import PartnerFactory, PriceListItemFactory, ProductFactory
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Opportunity, Stage, StageHistory
from forgecrm.sales.operations.opportunities import create_opportunity
from forgecrm.sales.operations.opportunity_competitors import add_opportunity_competitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def deal(owner, **kwargs):
    return create_opportunity(
        actor=owner,
        account=kwargs.pop("account", None) or AccountFactory(owner=owner),
        name=kwargs.pop("name", "API 딜"),
        close_date=timezone.localdate() + dt.timedelta(days=30),
        **kwargs,
    )


def test_create_read_and_list(api, rep):
    account = AccountFactory(owner=rep)
    response = api.post(
        "/api/v1/opportunities/",
        {"name": "API 신규", "account": account.pk, "close_date": "2026-12-31", "amount": "7000000"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage_code"] == "prospecting" and body["probability"] == 10
    assert body["amount"] == "7000000.00" and body["amount_currency"] == "KRW"
    assert response["ETag"] == f'"opportunity-{body["id"]}-v1"'

    listed = api.get("/api/v1/opportunities/", {"stage_code": "prospecting"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_bad_input_is_a_400_with_field_errors(api, rep):
    response = api.post(
        "/api/v1/opportunities/",
        {"name": "", "account": AccountFactory(owner=rep).pk, "close_date": "someday", "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert {"close_date", "amount"} <= set(response.json()) or "errors" in response.json()


def test_a_foreign_account_is_a_404(api):
    response = api.post(
        "/api/v1/opportunities/",
        {"name": "x", "account": AccountFactory().pk, "close_date": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 404


def test_update_needs_if_match_and_a_stale_one_is_412(api, rep):
    opportunity = deal(rep)
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    assert api.patch(url, {"next_step": "데모"}, format="json").status_code == 428
    response = api.patch(url, {"next_step": "데모"}, format="json", HTTP_IF_MATCH=f'"opportunity-{opportunity.pk}-v1"')
    assert response.status_code == 200 and response.json()["next_step"] == "데모"
    response = api.patch(url, {"next_step": "견적"}, format="json", HTTP_IF_MATCH=f'"opportunity-{opportunity.pk}-v1"')
    assert response.status_code == 412


def test_the_stage_is_read_only_on_update(api, rep):
    opportunity = deal(rep)
    won = Stage.objects.get(code="won")
    response = api.patch(
        f"/api/v1/opportunities/{opportunity.pk}/", {"stage": won.pk}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200
    assert Opportunity.objects.get(pk=opportunity.pk).stage.code == "prospecting"


def test_move_with_if_match_history_and_412(api, rep):
    opportunity = deal(rep)
    url = f"/api/v1/opportunities/{opportunity.pk}/move/"
    proposal = Stage.objects.get(code="proposal")
    response = api.post(url, {"stage": proposal.pk}, format="json", HTTP_IF_MATCH=f'"opportunity-{opportunity.pk}-v1"')
    assert response.status_code == 200, response.json()
    assert response.json()["stage_code"] == "proposal" and response["ETag"].endswith('-v2"')

    response = api.post(
        url,
        {"stage": Stage.objects.get(code="negotiation").pk},
        format="json",
        HTTP_IF_MATCH=f'"opportunity-{opportunity.pk}-v1"',
    )
    assert response.status_code == 412

    response = api.post(url, {"stage": Stage.objects.get(code="lost").pk}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "win_loss_reason" in str(response.json())

    history = api.get(f"/api/v1/opportunities/{opportunity.pk}/history/").json()
    assert [row["stage_code"] for row in history] == ["prospecting", "proposal"]
    assert history[0]["seconds_in_stage"] is not None and history[1]["left_at"] is None
    assert StageHistory.objects.filter(opportunity=opportunity, left_at__isnull=True).count() == 1


def test_there_is_no_delete(api, rep):
    opportunity = deal(rep)
    assert api.delete(f"/api/v1/opportunities/{opportunity.pk}/", HTTP_IF_MATCH="*").status_code == 405


def test_lines_through_the_api_set_the_amount(api, rep):
    opportunity = deal(rep)
    product = ProductFactory()
    PriceListItemFactory(product=product, unit_price=Money(9_000_000, "KRW"))
    response = api.post(
        "/api/v1/opportunity-lines/",
        {"opportunity": opportunity.pk, "product": product.pk, "quantity": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert line["unit_price"] == "9000000.00" and line["amount"] == "27000000.00"
    detail = api.get(f"/api/v1/opportunities/{opportunity.pk}/").json()
    assert detail["amount"] == "27000000.00" and len(detail["lines"]) == 1

    response = api.patch(f"/api/v1/opportunity-lines/{line['id']}/", {"quantity": 0}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    response = api.delete(f"/api/v1/opportunity-lines/{line['id']}/", HTTP_IF_MATCH="*")
    assert response.status_code == 204


def test_partners_get_their_deals_without_internal_fields_or_competitors():
    partner = PartnerFactory()
    owner = UserFactory()
    opportunity = deal(owner, partner=partner)
    add_opportunity_competitor(actor=owner, opportunity=opportunity, competitor_name="비밀경쟁사")
    deal(owner, name="남의 딜")
    client = APIClient()
    client.force_authenticate(UserFactory(organization=partner, role=Role.PARTNER_REP))

    rows = client.get("/api/v1/opportunities/").json()["results"]
    assert [row["id"] for row in rows] == [opportunity.pk]
    assert "probability" not in rows[0] and "forecast_category" not in rows[0] and "win_loss_note" not in rows[0]
    assert client.get("/api/v1/opportunity-competitors/").json()["results"] == []
    response = client.post(
        "/api/v1/opportunity-competitors/", {"opportunity": opportunity.pk, "competitor_name": "x"}, format="json"
    )
    assert response.status_code in {403, 404}


def test_stages_in_order(api):
    codes = [row["code"] for row in api.get("/api/v1/stages/").json()]
    assert codes[:6] == ["prospecting", "qualification", "proposal", "negotiation", "won", "lost"]


def test_the_schema_documents_the_pipeline(api):
    schema = api.get("/api/schema/", {"format": "json"}).content.decode()
    for path in ("/api/v1/opportunities/{id}/move/", "/api/v1/opportunity-lines/", "/api/v1/stages/"):
        assert path in schema
