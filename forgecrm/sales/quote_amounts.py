"""The arithmetic of a quote: line prices, discounts, VAT and totals (pure: no database, no access checks).

Rounding, as Korean tax invoices (세금계산서) do it:
- KRW has no minor unit. A discounted unit price is rounded half-up to the whole won; the header discount is
  rounded half-up to the whole won; VAT (부가세) is 공급가액 × 10 % with the fraction of a won cut off (원 미만
  절사), which is how 세금계산서 and most ERP systems compute 부가세, so the total never exceeds 공급가액 × 1.1.
- Other currencies round to the cent the same way (half-up for prices and discounts, VAT truncated).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO_DECIMAL_CURRENCIES = frozenset({"KRW", "JPY"})


def minor_unit(currency: str) -> Decimal:
    return Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def round_price(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def truncate_tax(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_DOWN)


def discounted(amount: Decimal, percent: Decimal) -> Decimal:
    return Decimal(amount) * (HUNDRED - Decimal(percent)) / HUNDRED


@dataclass(frozen=True)
class LinePrice:
    """One line's prices per unit and in total (amounts in the quote's currency)."""

    list_unit_price: Decimal  # the price list's (or the product's) price for one unit, before tiers
    tier_unit_price: Decimal | None  # the volume-tier price the quantity reached, if any
    options_delta: Decimal  # Σ of the chosen options' price differences, per unit
    gross_unit_price: Decimal  # (tier price or list price) + options
    net_unit_price: Decimal  # gross less the line discount, rounded
    line_total: Decimal  # net unit price × quantity


def price_line(
    *,
    list_unit_price: Decimal,
    tier_unit_price: Decimal | None,
    option_deltas: Iterable[Decimal],
    quantity: int,
    discount_percent: Decimal,
    currency: str,
) -> LinePrice:
    options_delta = sum((Decimal(delta) for delta in option_deltas), Decimal(0))
    base = tier_unit_price if tier_unit_price is not None else list_unit_price
    gross = Decimal(base) + options_delta
    net_unit = round_price(discounted(gross, discount_percent), currency)
    return LinePrice(
        list_unit_price=Decimal(list_unit_price),
        tier_unit_price=None if tier_unit_price is None else Decimal(tier_unit_price),
        options_delta=options_delta,
        gross_unit_price=gross,
        net_unit_price=net_unit,
        line_total=net_unit * quantity,
    )


@dataclass(frozen=True)
class QuoteTotals:
    subtotal: Decimal  # Σ line totals
    discount: Decimal  # the header discount on the subtotal
    net: Decimal  # 공급가액
    vat: Decimal  # 부가세
    total: Decimal  # 합계


def quote_totals(
    line_totals: Iterable[Decimal], *, header_discount_percent: Decimal, vat_rate: Decimal, currency: str
) -> QuoteTotals:
    subtotal = sum((Decimal(amount) for amount in line_totals), Decimal(0))
    discount = round_price(subtotal * Decimal(header_discount_percent) / HUNDRED, currency)
    net = subtotal - discount
    vat = truncate_tax(net * Decimal(vat_rate) / HUNDRED, currency)
    return QuoteTotals(subtotal=subtotal, discount=discount, net=net, vat=vat, total=net + vat)


def effective_discount_percent(line_discount: Decimal, header_discount: Decimal) -> Decimal:
    """The share taken off a line's price by its own discount and the header discount together."""
    kept = (HUNDRED - Decimal(line_discount)) * (HUNDRED - Decimal(header_discount)) / HUNDRED
    return (HUNDRED - kept).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def margin_percent(revenue: Decimal, cost: Decimal) -> Decimal | None:
    """Gross margin of revenue over cost in % (internal only), None without revenue."""
    if not revenue:
        return None
    return ((Decimal(revenue) - Decimal(cost)) * HUNDRED / Decimal(revenue)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class PartnerMargin:
    """What a partner earns on a line: its selling price to its customer less its own purchase price."""

    amount: Decimal  # (selling − own) × quantity
    percent: Decimal | None  # of the selling amount, None when nothing is sold


def partner_margin(*, selling_unit_price: Decimal, own_unit_price: Decimal, quantity: int) -> PartnerMargin:
    revenue = Decimal(selling_unit_price) * quantity
    cost = Decimal(own_unit_price) * quantity
    return PartnerMargin(amount=revenue - cost, percent=margin_percent(revenue, cost))
