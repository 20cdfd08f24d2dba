"""/api/v1/sell-through-reports/ and /api/v1/channel-inventory/: partners create / replace their own month
(idempotent), PUT with If-Match (412 when stale), row errors by index, headquarters reads, scopes."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from forgecrm.catalog.tests.factories import PartnerProductNumberFactory, ProductFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import ChannelInventory, SellThroughReport
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MONTH = timezone.localdate().replace(day=1)


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def w():
    distributor = PartnerAccountFactory(name="동부 냉동공조", partner_type="distributor")
    dealer = PartnerAccountFactory(name="수원 공조", channel_parent=distributor)
    sibling = PartnerAccountFactory(name="서부 설비", partner_type="distributor")
    product = ProductFactory(sku="SAC-OU-1001")
    PartnerProductNumberFactory(partner=dealer, product=product, partner_sku="SW-1")
    return {
        "distributor": distributor,
        "dealer": dealer,
        "sibling": sibling,
        "admin": UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
        "dealer_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer),
        "sibling_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=sibling),
        "hq": UserFactory(role=Role.CHANNEL_MANAGER),
        "product": product,
    }


def body(quantity=3):
    return {
        "month": MONTH.isoformat(),
        "lines": [{"product_number": "SW-1", "quantity": quantity, "amount": "2670000", "sido": "경기"}],
    }


def test_partner_creates_then_replaces_its_month(api, w):
    client = api(w["dealer_rep"])
    url = "/api/v1/sell-through-reports/"
    created = client.post(url, body(), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["source"] == "api" and data["lines"][0]["sku"] == "SAC-OU-1001" and data["version"] == 1
    assert data["lines"][0]["sido"] == "경기도"
    again = client.post(url, body(), format="json")
    assert again.status_code == 200 and again.json()["version"] == 1  # the same lines: unchanged
    replaced = client.post(url, body(5), format="json")
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert SellThroughReport.objects.count() == 1


def test_put_needs_the_current_etag(api, w):
    client = api(w["dealer_rep"])
    created = client.post("/api/v1/sell-through-reports/", body(), format="json")
    detail = f"/api/v1/sell-through-reports/{created.json()['id']}/"
    etag = client.get(detail)["ETag"]
    assert client.put(detail, body(4), format="json").status_code == 428
    assert client.put(detail, body(4), format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert client.put(detail, body(6), format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_row_errors_by_index_and_nothing_written(api, w):
    client = api(w["dealer_rep"])
    data = body()
    data["lines"].append({"product_number": "NOPE", "quantity": 1})
    response = client.post("/api/v1/sell-through-reports/", data, format="json")
    assert response.status_code == 400 and "1" in response.json()["lines"]
    data["lines"][1] = {"product_number": "SW-1", "quantity": 0}
    response = client.post("/api/v1/sell-through-reports/", data, format="json")
    assert response.status_code == 400 and response.json()["lines"]["1"]["quantity"]
    assert not SellThroughReport.objects.exists()


def test_scopes_and_hq_reads(api, w):
    api(w["dealer_rep"]).post("/api/v1/sell-through-reports/", body(), format="json")
    sibling = api(w["sibling_admin"])
    sibling_report = sibling.post(
        "/api/v1/sell-through-reports/",
        {**body(), "lines": [{"product": w["product"].pk, "quantity": 1}]},
        format="json",
    )
    assert sibling_report.status_code == 201
    names = lambda user: {r["partner_name"] for r in api(user).get("/api/v1/sell-through-reports/").json()["results"]}  # noqa: E731
    assert names(w["admin"]) == {"수원 공조"}
    assert names(w["hq"]) == {"수원 공조", "서부 설비"}
    assert api(w["admin"]).get(f"/api/v1/sell-through-reports/{sibling_report.json()['id']}/").status_code == 404
    assert api(w["hq"]).post("/api/v1/sell-through-reports/", body(), format="json").status_code == 403


def test_inventory_batch(api, w):
    client = api(w["dealer_rep"])
    day = timezone.localdate().isoformat()
    rows = {"rows": [{"product_number": "SW-1", "as_of": day, "on_hand": 4, "in_transit": 1}]}
    response = client.post("/api/v1/channel-inventory/", rows, format="json")
    assert response.status_code == 201, response.json()
    rows["rows"][0]["on_hand"] = 6
    client.post("/api/v1/channel-inventory/", rows, format="json")
    assert ChannelInventory.objects.get().on_hand == 6
    listed = api(w["admin"]).get("/api/v1/channel-inventory/").json()["results"]
    assert [row["on_hand"] for row in listed] == [6]
    assert api(w["sibling_admin"]).get("/api/v1/channel-inventory/").json()["results"] == []
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    bad = client.post(
        "/api/v1/channel-inventory/",
        {"rows": [{"product_number": "SW-1", "as_of": future, "on_hand": 1}]},
        format="json",
    )
    assert bad.status_code == 400
