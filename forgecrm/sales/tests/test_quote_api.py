"""The quotes and sales orders API: create from an opportunity, lines, actions, If-Match/412, ERP status,
and partner bodies without the cost snapshot, margins, internal note or approvals."""

import pytest
from rest_framework.test import APIClient

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import SalesOrder

from . import factories as f
from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_quoting_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_add_lines_and_walk_the_quote_to_an_order(world):
    client = api(world.rep)
    created = client.post("/api/v1/quotes/", {"opportunity": world.opportunity.pk}, format="json")
    assert created.status_code == 201, created.content
    quote = created.json()
    assert quote["total"] == "36157000.00" and quote["lines"][0]["unit_cost"] == "5340000.00"
    etag = created["ETag"]
    added = client.post(
        f"/api/v1/quotes/{quote['id']}/lines/",
        {"product": world.product.pk, "quantity": 1, "option_ids": [world.pipe.pk, world.remote.pk]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert added.status_code == 400 and "options" in added.json()
    stale = client.patch(
        f"/api/v1/quotes/{quote['id']}/", {"language": "en"}, format="json", HTTP_IF_MATCH='"quote-1-v0"'
    )
    assert stale.status_code == 412
    current = client.get(f"/api/v1/quotes/{quote['id']}/")
    sent = client.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json", HTTP_IF_MATCH=current["ETag"])
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    accepted = client.post(
        f"/api/v1/quotes/{quote['id']}/accept/", {"customer_reference": "PO-9"}, format="json", HTTP_IF_MATCH="*"
    )
    again = client.post(f"/api/v1/quotes/{quote['id']}/accept/", {}, format="json", HTTP_IF_MATCH="*")
    assert accepted.status_code == again.status_code == 200
    assert accepted.json()["id"] == again.json()["id"] and SalesOrder.objects.count() == 1
    order = accepted.json()
    assert order["status"] == "submitted" and order["lines"][0]["quantity"] == 4


def test_writes_need_if_match(world):
    client = api(world.rep)
    quote = client.post("/api/v1/quotes/", {"opportunity": world.opportunity.pk}, format="json").json()
    assert client.patch(f"/api/v1/quotes/{quote['id']}/", {"language": "en"}, format="json").status_code == 428


def test_erp_status_endpoint_is_idempotent(world):
    client = api(world.admin)
    rep = api(world.rep)
    quote = rep.post("/api/v1/quotes/", {"opportunity": world.opportunity.pk}, format="json").json()
    rep.post(f"/api/v1/quotes/{quote['id']}/send/", {}, format="json", HTTP_IF_MATCH="*")
    order = rep.post(f"/api/v1/quotes/{quote['id']}/accept/", {}, format="json", HTTP_IF_MATCH="*").json()
    url = f"/api/v1/sales-orders/{order['id']}/erp-status/"
    first = client.post(url, {"erp_number": "ERP-1001", "status": "confirmed"}, format="json")
    second = client.post(url, {"erp_number": "ERP-1001", "status": "confirmed"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert [c["source"] for c in second.json()["status_changes"]] == ["user", "erp"]
    found = client.get("/api/v1/sales-orders/", {"erp_number": "ERP-1001"}).json()["results"]
    assert [row["id"] for row in found] == [order["id"]]
    bad = client.post(url, {"erp_number": "ERP-1001", "status": "teleported"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()


def test_partner_bodies_leave_out_cost_margin_internal_note_and_approvals(world):
    distributor = PartnerAccountFactory()
    opportunity = f.OpportunityFactory(partner=distributor)
    partner_user = UserFactory(role=Role.PARTNER_REP, organization=distributor)
    quote = f.QuoteFactory(
        opportunity=opportunity, account=opportunity.account, owner=opportunity.owner, internal_note="ZQXinternalQ"
    )
    line = f.QuoteLineFactory(quote=quote, unit_cost=f.krw(7_654_321))
    f.QuoteApprovalFactory(quote=quote, reason="ZQXapprovalQ")
    for url in (
        f"/api/v1/quotes/{quote.pk}/",
        "/api/v1/quotes/",
        f"/api/v1/quote-lines/{line.pk}/",
        "/api/v1/quote-lines/",
    ):
        response = api(partner_user).get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        for secret in ("unit_cost", "margin", "7654321", "internal_note", "ZQXinternalQ", "ZQXapprovalQ", "approvals"):
            assert secret not in body, (url, secret)
    internal = api(world.admin).get(f"/api/v1/quotes/{quote.pk}/").json()
    assert internal["lines"][0]["unit_cost"] == "7654321.00" and internal["internal_note"] == "ZQXinternalQ"
    assert internal["approvals"][0]["reason"] == "ZQXapprovalQ"


def test_a_foreign_opportunity_is_a_404(world):
    assert (
        api(world.outsider).post("/api/v1/quotes/", {"opportunity": world.opportunity.pk}, format="json").status_code
        == 404
    )


def test_the_api_pdf(world):
    client = api(world.rep)
    quote = client.post("/api/v1/quotes/", {"opportunity": world.opportunity.pk}, format="json").json()
    response = client.get(f"/api/v1/quotes/{quote['id']}/pdf/")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"


def test_the_schema_names_the_quote_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/quotes/",
        "/api/v1/quotes/{id}/accept/",
        "/api/v1/quotes/{id}/lines/",
        "/api/v1/quote-lines/{id}/",
        "/api/v1/sales-orders/{id}/erp-status/",
    ):
        assert path in schema["paths"], path
