"""How a line of a partner's quote is priced: the list price, the partner's own price and its selling price.

- List price: the catalog's price for everybody (the default list, else the product's list price) for one unit.
- Own price: what the partner pays us for the quantity, resolved by `catalog.pricing.price_for` with the
  partner: its own list first, then its tier's list, then the default list, then the volume tier reached.
- Options add their price difference per unit to both (the catalog prices options once, for every buyer).
- Selling price: what the partner charges its customer; it defaults to the list price, and a price the partner
  set stays when the line is re-priced (a line left at the list price follows the list price).

HQ's quote lines (`quote_lines._fill_line`) call `fill_partner_line` for a quote that has a partner, so every
entry point (portal, API, HQ pages) prices a partner's quote the same way.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.models import Option, PartnerProductNumber, Product, money_of
from forgecrm.catalog.pricing import NoPriceError, PriceQuote, price_for

from ..models import Quote, QuoteLine
from ..quote_amounts import round_price

MAX_PRICE = Decimal(10) ** 15


def parse_selling_price(value: Any, currency: str) -> Decimal:
    """A selling price typed by the partner (digits, optionally with thousands separators)."""
    text = str(value).replace(",", "").strip()
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"selling_unit_price": _("Enter an amount of 0 or more.")}) from error
    if not amount.is_finite() or amount < 0 or amount >= MAX_PRICE:
        raise ValidationError({"selling_unit_price": _("Enter an amount of 0 or more.")})
    return round_price(amount, currency)


def _in_currency(priced: PriceQuote, product: Product, currency: str) -> Decimal:
    money = money_of(priced.unit_price)
    if money.currency.code != currency:
        raise ValidationError(
            {"product": _("%(sku)s has no price in %(currency)s.") % {"sku": product.sku, "currency": currency}}
        )
    return money.amount


def partner_unit_prices(quote: Quote, product: Product, quantity: int) -> tuple[Decimal, Decimal]:
    """(list price for one unit, the partner's own unit price for `quantity`), before options."""
    try:
        listed = price_for(product=product, quantity=1, tier="")
        own = price_for(product=product, quantity=quantity, partner=quote.partner)
    except NoPriceError as error:
        raise ValidationError({"product": str(error)}, code="no_price") from error
    return _in_currency(listed, product, quote.currency), _in_currency(own, product, quote.currency)


def partner_number_of(quote: Quote, product: Product) -> str:
    number = PartnerProductNumber.objects.filter(partner_id=quote.partner_id, product=product)
    return number.values_list("partner_sku", flat=True).first() or ""


def fill_partner_line(line: QuoteLine, quote: Quote, options: list[Option], *, selling_unit_price: Any = None) -> None:
    currency = quote.currency
    listed, own = partner_unit_prices(quote, line.product, line.quantity)
    deltas = sum((money_of(option.price_delta).amount for option in options), Decimal(0))
    list_unit = round_price(listed + deltas, currency)
    own_unit = round_price(own + deltas, currency)
    if selling_unit_price not in (None, ""):
        selling = parse_selling_price(selling_unit_price, currency)
    elif line.pk and line.net_unit_price is not None and line.net_unit_price != line.list_unit_price:
        selling = money_of(line.net_unit_price).amount  # the partner's own price to its customer stays
    else:
        selling = list_unit
    line.list_unit_price = Money(list_unit, currency)
    line.tier_unit_price = None
    line.discount_percent = Decimal(0)  # the partner prices its customer directly; our discount rules do not apply
    line.net_unit_price = Money(selling, currency)
    line.line_total = Money(selling * line.quantity, currency)
    line.partner_unit_price = Money(own_unit, currency)
    if not line.partner_product_number:
        line.partner_product_number = partner_number_of(quote, line.product)
