"""A partner's quotes: priced on its own price list (partner list > tier list > default), lines by its own product
number, the catalog's rules as on every quote, its margin, and the order it places with us (its own prices,
sold through it)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import QuoteStatus, SalesOrder
from forgecrm.sales.operations.partner_quotes import (
    add_partner_quote_line,
    create_partner_quote,
    place_partner_order,
)
from forgecrm.sales.operations.quote_lines import update_quote_line
from forgecrm.sales.quote_amounts import partner_margin

from .partner_quoting_world import build_partner_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_partner_quoting_world()


def amount(money) -> Decimal:
    return money.amount


def test_the_partner_quotes_on_its_own_list_and_sees_list_price_own_price_and_margin(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    line = quote.lines.get()
    assert quote.partner == world.dealer and quote.owner == world.dealer_rep and quote.status == QuoteStatus.DRAFT
    # 4 units with the 5 m pipe kit (+150,000): list price from the default list, own price from the dealer's list.
    assert amount(line.list_unit_price) == 8_650_000
    assert amount(line.partner_unit_price) == 7_050_000
    assert amount(line.net_unit_price) == 8_650_000  # the selling price defaults to the list price
    assert line.discount_percent == 0 and line.tier_unit_price is None
    assert line.partner_product_number == "SN-OU23"
    assert amount(quote.subtotal) == 34_600_000 and amount(quote.vat) == 3_460_000


def test_without_its_own_list_the_partner_buys_at_its_tier_list():
    world = build_partner_quoting_world(own_list=False)
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    assert amount(quote.lines.get().partner_unit_price) == 7_200_000 + 150_000


def test_margin_maths():
    margin = partner_margin(selling_unit_price=Decimal(9_000_000), own_unit_price=Decimal(7_050_000), quantity=4)
    assert margin.amount == Decimal(7_800_000)
    assert margin.percent == Decimal("21.7")  # 1,950,000 / 9,000,000
    assert partner_margin(selling_unit_price=Decimal(0), own_unit_price=Decimal(1), quantity=1).percent is None


def test_a_line_by_the_partners_own_number_with_a_selling_price_that_survives_a_new_quantity(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, copy_lines=False)
    line = add_partner_quote_line(
        actor=world.dealer_rep,
        quote=quote,
        partner_product_number=" sn-ou23 ",
        quantity=2,
        selling_unit_price="8,800,000",
    )
    assert line.product == world.base.product and line.partner_product_number == "SN-OU23"
    assert amount(line.net_unit_price) == 8_800_000 and amount(line.partner_unit_price) == 6_900_000
    line = update_quote_line(actor=world.dealer_rep, line=line, quantity=3)
    assert amount(line.net_unit_price) == 8_800_000 and amount(line.line_total) == 26_400_000
    line = update_quote_line(actor=world.dealer_rep, line=line, selling_unit_price="6500000")
    assert amount(line.net_unit_price) == 6_500_000  # below its own price: allowed, the margin goes negative


def test_an_unknown_partner_number_and_a_bad_selling_price_are_field_errors(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, copy_lines=False)
    with pytest.raises(ValidationError) as error:
        add_partner_quote_line(actor=world.dealer_rep, quote=quote, partner_product_number="NOPE-1")
    assert "partner_product_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        add_partner_quote_line(actor=world.dealer_rep, quote=quote, product=world.base.product, selling_unit_price="-5")
    assert "selling_unit_price" in error.value.message_dict
    assert not quote.lines.exists()


def test_the_catalogs_excludes_rule_refuses_the_combination_by_name(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, copy_lines=False)
    with pytest.raises(ValidationError) as error:
        add_partner_quote_line(
            actor=world.dealer_rep,
            quote=quote,
            product=world.base.product,
            option_ids=[world.base.pipe.pk, world.base.remote.pk],
        )
    assert error.value.message_dict["options"] == [
        "무선 리모컨 (OPT-REMOTE) cannot be combined with 동배관 5m 세트 (OPT-PIPE5)."
    ]
    with pytest.raises(ValidationError) as error:
        add_partner_quote_line(
            actor=world.dealer_rep, quote=quote, product=world.base.product, option_ids=[world.base.controller.pk]
        )
    assert "requires 동배관 5m 세트 (OPT-PIPE5)" in error.value.message_dict["options"][0]


def test_only_the_deals_partner_quotes_it(world):
    with pytest.raises(PermissionDenied):
        create_partner_quote(actor=world.other_rep, opportunity=world.base.opportunity)
    with pytest.raises(PermissionDenied):
        create_partner_quote(actor=world.base.rep, opportunity=world.base.opportunity)


def test_placing_the_order_buys_at_the_partners_own_prices_sold_through_it(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    line = quote.lines.get()
    update_quote_line(actor=world.dealer_rep, line=line, selling_unit_price="9000000")
    quote.refresh_from_db()
    order = place_partner_order(
        actor=world.dealer_rep, quote=quote, expected_version=quote.version, customer_reference="PO-77"
    )
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.accepted_at is not None
    assert order.sold_through == world.dealer and order.account == world.base.account
    assert order.owner == world.base.rep  # headquarters' owner of the deal keeps the order
    assert amount(order.net) == 4 * 7_050_000 and amount(order.vat) == 2_820_000
    order_line = order.lines.get()
    assert amount(order_line.unit_price) == 7_050_000 and amount(order_line.line_total) == 28_200_000
    world.base.opportunity.refresh_from_db()
    assert world.base.opportunity.stage.is_won
    # A retry returns the same order.
    assert place_partner_order(actor=world.dealer_rep, quote=quote, expected_version=1).pk == order.pk
    assert SalesOrder.objects.filter(quote=quote).count() == 1


def test_placing_on_a_stale_version_another_partner_or_an_empty_quote_is_refused(world):
    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    with pytest.raises(ConflictError):
        place_partner_order(actor=world.dealer_rep, quote=quote, expected_version=quote.version - 1)
    with pytest.raises(PermissionDenied):
        place_partner_order(actor=world.other_rep, quote=quote)
    empty = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity, copy_lines=False)
    with pytest.raises(ValidationError):
        place_partner_order(actor=world.dealer_rep, quote=empty)
    with pytest.raises(ValidationError) as error:
        place_partner_order(
            actor=world.dealer_rep, quote=quote, requested_delivery_date=timezone.localdate() - dt.timedelta(days=1)
        )
    assert "requested_delivery_date" in error.value.message_dict
    assert not SalesOrder.objects.exists()


def test_headquarters_sees_the_channel_on_the_order_and_both_timelines(world, client):
    from django.urls import reverse

    from forgecrm.platform.timeline import timeline_for

    quote = create_partner_quote(actor=world.dealer_rep, opportunity=world.base.opportunity)
    order = place_partner_order(actor=world.dealer_rep, quote=quote)
    customer = [e for e in timeline_for(world.base.rep, "account", world.base.account.pk) if order.number in e.title]
    assert customer and "(주)서울냉열 대리점" in customer[0].summary
    partner = [e for e in timeline_for(world.base.admin, "account", world.dealer.pk) if order.number in e.title]
    assert partner and world.base.account.name in partner[0].summary
    client.force_login(world.base.rep)
    detail = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert "data-sold-through" in detail and "(주)서울냉열 대리점" in detail
    listing = client.get(reverse("sales:order-list")).content.decode()
    assert "data-sold-through" in listing
