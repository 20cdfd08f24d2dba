"""/api/v1/partner-quotes/: a partner creates a quote, adds lines by its own number, sets selling prices, places
the order; the list keeps a constant query count; no body ever carries our cost; another partner gets 404,
headquarters 403; a stale If-Match is 412, a refused combination a 400 naming the rule."""

import json

import pytest
from rest_framework.test import APIClient

from forgecrm.sales.models import SalesOrder
from forgecrm.sales.operations.partner_quotes import create_partner_quote

from .partner_quoting_world import build_partner_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_partner_quoting_world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _no_cost(response) -> None:
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "unit_cost" not in text and "5340000" not in text and "cost" not in text


def test_create_add_by_number_change_the_selling_price_and_place_the_order(world):
    client = api(world.dealer_rep)
    created = client.post("/api/v1/partner-quotes/", {"opportunity": world.base.opportunity.pk}, format="json")
    assert created.status_code == 201, created.content
    quote = created.json()
    assert quote["partner"] == world.dealer.pk and quote["own_total"] == "28200000.00"
    line = quote["lines"][0]
    assert (line["list_unit_price"], line["own_unit_price"], line["selling_unit_price"]) == (
        "8650000.00",
        "7050000.00",
        "8650000.00",
    )
    assert line["margin"] == "6400000.00" and line["margin_percent"] == "18.5"
    _no_cost(created)

    refused = client.post(
        f"/api/v1/partner-quotes/{quote['id']}/lines/",
        {"partner_product_number": "SN-OU23", "option_ids": [world.base.pipe.pk, world.base.remote.pk]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert refused.status_code == 400
    assert "cannot be combined with 동배관 5m 세트 (OPT-PIPE5)" in json.dumps(refused.json(), ensure_ascii=False)

    added = client.post(
        f"/api/v1/partner-quotes/{quote['id']}/lines/",
        {"partner_product_number": "SN-OU23", "quantity": 2, "selling_unit_price": "9000000"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert added.status_code == 201, added.content
    assert added.json()["partner_product_number"] == "SN-OU23" and added.json()["own_unit_price"] == "6900000.00"
    _no_cost(added)

    line_url = f"/api/v1/partner-quote-lines/{line['id']}/"
    current = client.get(line_url)
    changed = client.patch(line_url, {"selling_unit_price": "9500000"}, format="json", HTTP_IF_MATCH=current["ETag"])
    assert changed.status_code == 200 and changed.json()["selling_unit_price"] == "9500000.00"
    stale = client.patch(line_url, {"quantity": 9}, format="json", HTTP_IF_MATCH=current["ETag"])
    assert stale.status_code == 412

    head = client.get(f"/api/v1/partner-quotes/{quote['id']}/")
    placed = client.post(
        f"/api/v1/partner-quotes/{quote['id']}/place-order/",
        {"customer_reference": "PO-9"},
        format="json",
        HTTP_IF_MATCH=head["ETag"],
    )
    assert placed.status_code == 200, placed.content
    order = SalesOrder.objects.get(pk=placed.json()["id"])
    assert order.sold_through == world.dealer and order.net.amount == 4 * 7_050_000 + 2 * 6_900_000
    _no_cost(placed)


def test_the_list_keeps_its_query_count_and_scopes_to_the_organisation(world, django_assert_max_num_queries):
    for _ in range(2):
        create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    client = api(world.dealer_rep)
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/partner-quotes/")
    for _ in range(8):
        create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, copy_lines=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/partner-quotes/")
    assert len(response.json()["results"]) == 10
    _no_cost(response)
    assert api(world.other_rep).get("/api/v1/partner-quotes/").json()["results"] == []


def test_another_partner_gets_404_and_headquarters_403(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    other = api(world.other_rep)
    assert other.get(f"/api/v1/partner-quotes/{quote.pk}/").status_code == 404
    placed = other.post(f"/api/v1/partner-quotes/{quote.pk}/place-order/", {}, format="json", HTTP_IF_MATCH="*")
    assert placed.status_code == 404
    assert api(world.base.rep).get("/api/v1/partner-quotes/").status_code == 403
    assert not SalesOrder.objects.exists()
