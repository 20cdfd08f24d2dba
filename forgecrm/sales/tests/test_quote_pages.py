"""Quote and sales order pages: list, builder (HTMX lines, option pickers with rule errors, live totals),
approval panel, PDF, send, accept; margin for internal users only; constant query counts."""

import itertools

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import QuoteStatus, SalesOrder
from forgecrm.sales.operations.quote_lines import update_quote_line
from forgecrm.sales.operations.quoting import accept_quote, create_quote, send_quote

from . import factories as f
from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count(1)


def factory_quote(**fields):
    """A quote made by the factory, numbered apart from the operations' sequence (Q-<year>-…)."""
    return f.QuoteFactory(number=f"FQ-{next(NUMBERS):05d}", **fields)


@pytest.fixture
def world():
    return build_quoting_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_visible_quotes_only(world):
    mine = create_quote(actor=world.rep, opportunity=world.opportunity)
    other = factory_quote()
    body = client_for(world.rep).get(reverse("sales:quote-list")).content.decode()
    assert mine.number in body and other.number not in body


def test_create_from_an_opportunity_opens_the_builder(world):
    response = client_for(world.rep).post(
        reverse("sales:quote-create"), {"opportunity": world.opportunity.pk, "language": "ko"}
    )
    quote = world.opportunity.quotes.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:quote-detail", args=[quote.pk])
    assert quote.lines.count() == 1


def test_the_builder_adds_lines_over_htmx_and_shows_rule_errors(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    client = client_for(world.rep)
    url = reverse("sales:quote-line-add", args=[quote.pk])
    refused = client.post(
        url,
        {"product": world.product.pk, "quantity": 1, "options": [world.pipe.pk, world.remote.pk]},
        HTTP_HX_REQUEST="true",
    )
    text = refused.content.decode()
    assert refused.status_code == 200 and "data-builder-error" in text and "OPT-REMOTE" in text
    added = client.post(
        url, {"product": world.product.pk, "quantity": 10, "options": [world.pipe.pk]}, HTTP_HX_REQUEST="true"
    )
    text = added.content.decode()
    assert 'id="quote-builder"' in text and "data-builder-error" not in text
    quote.refresh_from_db()
    assert quote.lines.count() == 2
    assert f"{quote.total.amount:,.0f}" in text  # the live totals in the same fragment


def test_the_option_picker_checks_the_rules_live(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    url = reverse("sales:quote-line-options", args=[quote.pk])
    client = client_for(world.rep)
    pickers = client.get(url, {"product": world.product.pk}).content.decode()
    assert "중앙 제어기" in pickers and "배관 키트" in pickers
    checked = client.get(
        url, {"product": world.product.pk, "options": [world.controller.pk], "check": 1}
    ).content.decode()
    assert "data-rule-error" in checked and "OPT-PIPE5" in checked


def test_margin_and_internal_note_for_internal_users_only(world):
    partner = f.OpportunityFactory()  # a partner's deal with a quote
    from forgecrm.customers.tests.factories import PartnerAccountFactory

    distributor = PartnerAccountFactory()
    partner.partner = distributor
    partner.save()
    partner_user = UserFactory(role=Role.PARTNER_REP, organization=distributor)
    quote = factory_quote(opportunity=partner, account=partner.account, owner=partner.owner, internal_note="본사 메모")
    f.QuoteLineFactory(quote=quote, unit_cost=f.krw(7_654_321))
    admin_page = client_for(world.admin).get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    assert "data-margin" in admin_page and "본사 메모" in admin_page and "approval-panel" in admin_page
    response = client_for(partner_user).get(reverse("sales:quote-detail", args=[quote.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-margin" not in body and "본사 메모" not in body and "approval-panel" not in body
    assert "7,654,321" not in body and "7654321" not in body


def test_approval_panel_approve_and_order_pages(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    update_quote_line(actor=world.rep, line=quote.lines.get(), discount_percent="16")
    rep, manager = client_for(world.rep), client_for(world.manager)
    rep.post(reverse("sales:quote-submit", args=[quote.pk]))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert rep.post(reverse("sales:quote-approve", args=[quote.pk])).status_code == 403  # never the owner
    page = manager.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()
    assert reverse("sales:quote-approve", args=[quote.pk]) in page
    manager.post(reverse("sales:quote-approve", args=[quote.pk]), {"comment": "OK"})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    rep.post(reverse("sales:quote-send", args=[quote.pk]), {"to": "buyer@hanbit.example"})
    assert len(mail.outbox) == 1
    response = rep.post(reverse("sales:quote-accept", args=[quote.pk]), {"customer_reference": "PO-1"})
    order = SalesOrder.objects.get(quote=quote)
    assert response["Location"] == reverse("sales:order-detail", args=[order.pk])
    page = rep.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert order.number in page and 'data-change="submitted"' in page
    rep.post(reverse("sales:order-status", args=[order.pk]), {"status": "confirmed", "version": order.version})
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_the_pdf_downloads(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    response = client_for(world.rep).get(reverse("sales:quote-pdf", args=[quote.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:4] == b"%PDF" and quote.number in response["Content-Disposition"]


def test_a_stale_header_edit_is_a_conflict(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    client = client_for(world.rep)
    data = {"version": quote.version, "language": "en", "header_discount_percent": "2"}
    assert client.post(reverse("sales:quote-edit", args=[quote.pk]), data).status_code == 302
    stale = client.post(reverse("sales:quote-edit", args=[quote.pk]), {**data, "language": "ko"})
    assert stale.status_code == 409
    quote.refresh_from_db()
    assert quote.language == "en"


def _quotes(world, count):
    for _ in range(count):
        quote = factory_quote(opportunity=world.opportunity, account=world.account, owner=world.rep)
        f.QuoteLineFactory(quote=quote, product=world.product)


def test_the_quote_list_keeps_its_query_count(world, django_assert_max_num_queries):
    client = client_for(world.rep)
    _quotes(world, 3)
    client.get(reverse("sales:quote-list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sales:quote-list"))
    _quotes(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales:quote-list"))


def test_the_builder_keeps_its_query_count(world, django_assert_max_num_queries):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    client = client_for(world.rep)
    url = reverse("sales:quote-detail", args=[quote.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for position in range(100, 106):  # after the lines copied from the deal, whatever the factory sequence is at
        line = f.QuoteLineFactory(quote=quote, product=world.product, position=position)
        f.QuoteLineOptionFactory(line=line, option=world.pipe)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_order_pages_keep_their_query_count(world, django_assert_max_num_queries):
    quote = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    order = accept_quote(actor=world.rep, quote=quote)
    client = client_for(world.rep)
    client.get(reverse("sales:order-list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sales:order-list"))
    with django_assert_max_num_queries(30) as detail:
        client.get(reverse("sales:order-detail", args=[order.pk]))
    for _ in range(8):
        f.SalesOrderFactory(
            number=f"FSO-{next(NUMBERS):05d}",
            quote=factory_quote(opportunity=world.opportunity, account=world.account, owner=world.rep),
        )
        f.SalesOrderLineFactory(order=order, product=world.product, position=order.lines.count() + 1)
        f.SalesOrderStatusChangeFactory(order=order)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales:order-list"))
    with django_assert_max_num_queries(len(detail.captured_queries)):
        client.get(reverse("sales:order-detail", args=[order.pk]))
