"""The portal's quotes: the list (keyset, constant queries), a new quote, lines by the partner's own number with
the catalog's rules, selling prices and margins, placing the order; never our cost or margin in a page; another
partner's quote is a 404; stale versions and bad input answer with a message."""

import re

import pytest
from django.urls import reverse

from forgecrm.sales.models import Quote, QuoteStatus, SalesOrder
from forgecrm.sales.operations.partner_quotes import create_partner_quote
from forgecrm.sales.tests.partner_quoting_world import build_partner_quoting_world

pytestmark = pytest.mark.django_db
COST = ("5,340,000", "5340000", "unit_cost", "unit cost")


@pytest.fixture
def world():
    return build_partner_quoting_world()


@pytest.fixture
def dealer_client(client, world):
    client.force_login(world.dealer_rep)
    return client


def _quote(world, **kwargs):
    return create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, **kwargs)


def _no_cost(body: str) -> None:
    for secret in COST:
        assert secret not in body, secret


def test_the_detail_shows_list_own_and_selling_price_and_the_margin_never_our_cost(world, dealer_client):
    quote = _quote(world)
    response = dealer_client.get(reverse("partner_portal:quote-detail", args=[quote.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "₩8,650,000" in body and "₩7,050,000" in body  # list price, own price (options included)
    assert "SN-OU23" in body  # the partner's own number
    # Margin: (8,650,000 − 7,050,000) × 4 = 6,400,000 = 18.5 % of 34,600,000.
    assert "₩6,400,000" in body and "18.5 %" in body
    _no_cost(body)


def test_the_list_pages_by_keyset_in_constant_queries(world, dealer_client, django_assert_max_num_queries):
    for _ in range(3):
        _quote(world, copy_lines=False)
    url = reverse("partner_portal:quote-list")
    with django_assert_max_num_queries(12) as few:
        dealer_client.get(url)
    for _ in range(30):
        _quote(world, copy_lines=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = dealer_client.get(url)
    body = response.content.decode()
    assert body.count('id="quote-') == 25 and "cursor=" in body
    cursor = re.search(r"cursor=([^\"&]+)", body).group(1)
    second = dealer_client.get(url, {"status": "open", "cursor": cursor}).content.decode()
    assert second.count('id="quote-') == 8
    _no_cost(body)


def test_creating_a_quote_adding_a_line_by_number_and_the_rule_named(world, dealer_client):
    response = dealer_client.post(
        reverse("partner_portal:quote-create"), {"opportunity": world.base.opportunity.pk, "language": "ko"}
    )
    quote = Quote.objects.get(partner=world.dealer)
    assert response.status_code == 302 and quote.lines.count() == 1
    add = reverse("partner_portal:quote-line-add", args=[quote.pk])
    refused = dealer_client.post(
        add,
        {
            "partner_product_number": "SN-OU23",
            "quantity": "1",
            "options": [world.base.pipe.pk, world.base.remote.pk],
            "version": Quote.objects.get(pk=quote.pk).version,
        },
    )
    assert refused.status_code == 400
    assert "무선 리모컨 (OPT-REMOTE) cannot be combined with 동배관 5m 세트 (OPT-PIPE5)." in refused.content.decode()
    ok = dealer_client.post(
        add,
        {
            "partner_product_number": "sn-ou23",
            "quantity": "2",
            "selling_unit_price": "9,100,000",
            "version": Quote.objects.get(pk=quote.pk).version,
        },
    )
    assert ok.status_code == 302
    assert quote.lines.count() == 2 and quote.lines.filter(net_unit_price=9_100_000, quantity=2).exists()
    unknown = dealer_client.post(add, {"partner_product_number": "XX-1", "quantity": "1"})
    assert unknown.status_code == 400 and "XX-1" in unknown.content.decode()


def test_option_pickers_for_the_partners_number(world, dealer_client):
    quote = _quote(world)
    url = reverse("partner_portal:quote-line-options", args=[quote.pk])
    body = dealer_client.get(url, {"partner_product_number": "SN-OU23"}).content.decode()
    assert "OPT-PIPE5" in body and "OPT-REMOTE" in body
    checked = dealer_client.get(
        url, {"product": world.base.product.pk, "options": [world.base.controller.pk], "check": "1"}
    ).content.decode()
    assert "requires 동배관 5m 세트 (OPT-PIPE5)" in checked


def test_a_stale_line_edit_is_refused_with_a_message(world, dealer_client):
    quote = _quote(world)
    line = quote.lines.get()
    url = reverse("partner_portal:quote-line-edit", args=[line.pk])
    first = dealer_client.post(url, {"quantity": "5", "selling_unit_price": "9000000", "version": line.version})
    assert first.status_code == 302
    stale = dealer_client.post(url, {"quantity": "6", "selling_unit_price": "1", "version": line.version}, follow=True)
    assert "changed this quote meanwhile" in stale.content.decode()
    line.refresh_from_db()
    assert line.quantity == 5 and line.net_unit_price.amount == 9_000_000


def test_placing_the_order(world, dealer_client):
    quote = _quote(world)
    url = reverse("partner_portal:quote-place-order", args=[quote.pk])
    response = dealer_client.post(url, {"customer_reference": "PO-1", "version": quote.version}, follow=True)
    order = SalesOrder.objects.get(quote=quote)
    assert order.sold_through == world.dealer and order.net.amount == 4 * 7_050_000
    assert order.number in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    _no_cost(response.content.decode())


def test_another_partner_never_reaches_the_quote(world, client):
    quote = _quote(world)
    client.force_login(world.other_rep)
    assert client.get(reverse("partner_portal:quote-detail", args=[quote.pk])).status_code == 404
    assert client.post(reverse("partner_portal:quote-place-order", args=[quote.pk]), {}).status_code == 404
    assert quote.number not in client.get(reverse("partner_portal:quote-list"), {"status": ""}).content.decode()
    assert not SalesOrder.objects.exists()
