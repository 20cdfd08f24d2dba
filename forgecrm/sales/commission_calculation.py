"""Commission maths, pure (no database): what a statement's lines and total are, from its sales, quota and plan.

The convention is the common **marginal accelerator** (Xactly's and most plans' "tiered, retroactive = no"):

1. The rep's sales of the period are taken in order (sales order date, then id) and accumulate towards quota.
2. Each sale is priced at its product line's rate (the plan's rate for that line, else the plan's default
   rate row, else the plan's base rate).
3. A tier "from X % × M" applies to the **portion** of sales above X % of quota (up to the next tier's
   threshold), never retroactively to the sales below it. Below the first tier the multiplier is 1.00 (a tier
   from 0 % sets another one, e.g. a decelerator). A sale that crosses a threshold is split in two lines, one per
   multiplier.
4. Each line's commission is `base × rate % × multiplier`, rounded half up to the whole won (KRW has no minor
   unit); the statement's total is the sum of its lines, so the lines add up to it exactly.
5. Without a quota (none, or zero) the position is 0 % throughout: only a tier from 0 % changes the multiplier.

Worked example (tested in test_commission_calculation.py): quota ₩100,000,000, tiers from 100 % × 1.5 and from
150 % × 2.0, chillers 3 %, everything else 2 %. Sales in order: chillers ₩60M, fans ₩30M, chillers ₩40M, fans
₩30M (₩160M, 160 %). Lines: 60M × 3 % = 1,800,000; 30M × 2 % = 600,000; the third sale crosses 100 % after
₩10M: 10M × 3 % = 300,000 and 30M × 3 % × 1.5 = 1,350,000; the fourth crosses 150 % after ₩20M: 20M × 2 % × 1.5
= 600,000 and 10M × 2 % × 2.0 = 400,000. Total ₩5,050,000.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ONE = Decimal(1)
CENT = Decimal("0.01")
WON = Decimal(1)


@dataclass(frozen=True)
class Sale:
    """One sales order's amount of one product line (`product_line_id` None: no product line)."""

    sales_order_id: int
    product_line_id: int | None
    base: Decimal


@dataclass(frozen=True)
class Tier:
    from_percent: Decimal
    multiplier: Decimal


@dataclass(frozen=True)
class Rates:
    by_product_line: Mapping[int, Decimal]
    default: Decimal

    def for_line(self, product_line_id: int | None) -> Decimal:
        if product_line_id is not None and product_line_id in self.by_product_line:
            return self.by_product_line[product_line_id]
        return self.default


@dataclass(frozen=True)
class Line:
    sales_order_id: int
    product_line_id: int | None
    base: Decimal
    rate_percent: Decimal
    multiplier: Decimal
    commission: Decimal


@dataclass(frozen=True)
class Calculation:
    quota: Decimal
    attained: Decimal
    attainment_percent: Decimal
    lines: list[Line]
    total: Decimal


def attainment_percent(attained: Decimal, quota: Decimal) -> Decimal:
    """attained / quota in percent, two decimals (0 without a quota)."""
    if quota <= 0:
        return Decimal("0.00")
    return (attained * HUNDRED / quota).quantize(CENT, rounding=ROUND_HALF_UP)


def line_commission(base: Decimal, rate_percent: Decimal, multiplier: Decimal) -> Decimal:
    return (base * rate_percent / HUNDRED * multiplier).quantize(WON, rounding=ROUND_HALF_UP)


def _segments(start: Decimal, amount: Decimal, thresholds: list[tuple[Decimal, Decimal]]):
    """Split the sales from `start` to `start + amount` at the tier thresholds: (portion, multiplier) pairs."""
    end = start + amount
    position = start
    while position < end:
        multiplier = ONE
        next_threshold = None
        for threshold, tier_multiplier in thresholds:
            if threshold <= position:
                multiplier = tier_multiplier
            else:
                next_threshold = threshold
                break
        stop = end if next_threshold is None else min(end, next_threshold)
        yield stop - position, multiplier
        position = stop


def calculate_commission(*, sales: Sequence[Sale], quota: Decimal, rates: Rates, tiers: Sequence[Tier]) -> Calculation:
    """The statement of a period: lines per sale and multiplier, the total and the attainment (see the module)."""
    if quota > 0:
        thresholds = sorted(
            ((quota * tier.from_percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP), tier.multiplier)
            for tier in tiers
        )
    else:
        thresholds = [(Decimal(0), tier.multiplier) for tier in tiers if tier.from_percent <= 0]
    # (order, product line, multiplier) -> base: one line each (two sales of one order and line are one base)
    portions: dict[tuple[int, int | None, Decimal], Decimal] = {}
    attained = Decimal(0)
    for sale in sales:
        if sale.base <= 0:
            continue
        position = attained if quota > 0 else Decimal(0)
        for portion, multiplier in _segments(position, sale.base, thresholds):
            key = (sale.sales_order_id, sale.product_line_id, multiplier)
            portions[key] = portions.get(key, Decimal(0)) + portion
        attained += sale.base
    lines = [
        Line(
            sales_order_id=order_id,
            product_line_id=line_id,
            base=base,
            rate_percent=rates.for_line(line_id),
            multiplier=multiplier,
            commission=line_commission(base, rates.for_line(line_id), multiplier),
        )
        for (order_id, line_id, multiplier), base in portions.items()
    ]
    return Calculation(
        quota=quota,
        attained=attained,
        attainment_percent=attainment_percent(attained, quota),
        lines=lines,
        total=sum((line.commission for line in lines), Decimal(0)),
    )
