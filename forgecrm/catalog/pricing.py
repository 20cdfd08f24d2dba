"""Which price applies: the price list that fits the buyer best on the day, then the volume tier.

`price_for` is pure (reads, never writes) and knows nothing of who is asking: callers decide which
partner, tier or list the actor may use (queries.price_for_actor does that for pages and the API),
and sales calls it the same way when it prices a quote line.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from .models import PriceList, PriceListItem, PriceTier, Product, money_of

# Lower wins: a partner's own list beats its tier's list, which beats a segment's list, which beats the default.
PRIORITY_PARTNER, PRIORITY_TIER, PRIORITY_SEGMENT, PRIORITY_DEFAULT = range(4)


class NoPriceError(ValueError):
    """The requested price list has no price for the product on that day."""


@dataclass(frozen=True)
class PriceQuote:
    unit_price: Money
    tier_applied: PriceTier | None
    price_list: PriceList | None  # None: no list applies, the product's list price is used
    quantity: int = 1

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


def _priority(price_list: PriceList, partner_id: int | None, tier: str, segment: str) -> int:
    if partner_id and price_list.partner_id == partner_id:
        return PRIORITY_PARTNER
    if tier and price_list.partner_tier == tier:
        return PRIORITY_TIER
    if segment and price_list.segment == segment:
        return PRIORITY_SEGMENT
    return PRIORITY_DEFAULT


def _item_for(price_list_id: int, product: Product) -> PriceListItem | None:
    tiers = Prefetch("tiers", queryset=PriceTier.objects.order_by("-min_quantity"))
    return (
        PriceListItem.objects.filter(price_list_id=price_list_id, product=product)
        .select_related("price_list")
        .prefetch_related(tiers)
        .first()
    )


def quote_item(item: PriceListItem, quantity: int) -> PriceQuote:
    """The unit price of an item for a quantity: the highest volume tier the quantity reaches, else the item price."""
    for tier in sorted(item.tiers.all(), key=lambda t: t.min_quantity, reverse=True):
        if quantity >= tier.min_quantity:
            return PriceQuote(money_of(tier.unit_price), tier, item.price_list, quantity)
    return PriceQuote(money_of(item.unit_price), None, item.price_list, quantity)


def applicable_price_lists(
    *, product: Product, partner: Any = None, tier: str = "", segment: str = "", on_date: dt.date
) -> list[PriceList]:
    """The lists that price `product` for this buyer on `on_date`, best first."""
    partner_id = getattr(partner, "pk", None)
    assigned = Q(is_default=True)
    if partner_id:
        assigned |= Q(partner_id=partner_id)
    if tier:
        assigned |= Q(partner__isnull=True, partner_tier=tier)
    if segment:
        assigned |= Q(segment=segment)
    candidates = list(
        PriceList.objects.filter(assigned, items__product=product, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .distinct()
    )
    # Within one priority the most recently started list wins (a new year's list replaces last year's).
    candidates.sort(key=lambda pl: (_priority(pl, partner_id, tier, segment), -pl.valid_from.toordinal(), -pl.pk))
    return candidates


def price_for(
    *,
    product: Product,
    quantity: int,
    price_list: PriceList | None = None,
    partner: Any = None,
    tier: str | None = None,
    segment: str = "",
    on_date: dt.date | None = None,
) -> PriceQuote:
    """The unit price of `quantity` units of `product`.

    With `price_list`, that list must price the product on the day (else NoPriceError). Without it, the best
    applicable list is chosen: the partner's own list > its tier's list (the partner's tier unless `tier` is
    given) > the segment's list > the default list, each valid on `on_date` (today by default) and holding the
    product. No applicable list: the product's list price. Then the volume tier the quantity reaches applies.
    """
    if quantity < 1:
        raise ValueError(_("The quantity must be at least 1."))
    day = on_date or timezone.localdate()
    if price_list is not None:
        item = _item_for(price_list.pk, product) if price_list.is_valid_on(day) else None
        if item is None:
            raise NoPriceError(
                _("The price list “%(list)s” has no price for %(sku)s on %(day)s.")
                % {"list": price_list.name, "sku": product.sku, "day": day.isoformat()}
            )
        return quote_item(item, quantity)
    if tier is None:
        tier = getattr(partner, "tier", "") or ""
    lists = applicable_price_lists(product=product, partner=partner, tier=tier, segment=segment, on_date=day)
    if lists:
        item = _item_for(lists[0].pk, product)
        if item is not None:
            return quote_item(item, quantity)
    return PriceQuote(money_of(product.list_price), None, None, quantity)
