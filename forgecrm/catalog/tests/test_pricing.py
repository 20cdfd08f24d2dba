import datetime as dt
from decimal import Decimal

import pytest
from djmoney.money import Money

from forgecrm.catalog.pricing import NoPriceError, price_for

from .factories import (
    PartnerFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 15)


@pytest.fixture
def outdoor_unit():
    return ProductFactory(sku="SAC-OU-23K", name="시스템 에어컨 실외기 23kW", list_price=Money(8_900_000, "KRW"))


def _list(product, price, **assignment):
    defaults = {"is_default": False, "valid_from": dt.date(2026, 1, 1)}
    price_list = PriceListFactory(**{**defaults, **assignment})
    return PriceListItemFactory(price_list=price_list, product=product, unit_price=Money(price, "KRW"))


def test_partner_list_beats_tier_list_beats_default(outdoor_unit):
    partner = PartnerFactory(tier="gold")
    default = _list(outdoor_unit, 8_500_000, is_default=True)
    gold = _list(outdoor_unit, 7_900_000, partner_tier="gold")
    own = _list(outdoor_unit, 7_600_000, partner=partner)
    _list(outdoor_unit, 7_000_000, segment="건설사")  # a segment list does not apply to a partner without it

    quote = price_for(product=outdoor_unit, quantity=1, partner=partner, on_date=DAY)
    assert quote.price_list == own.price_list
    assert quote.unit_price == Money(7_600_000, "KRW")

    other_gold_partner = PartnerFactory(tier="gold")
    assert (
        price_for(product=outdoor_unit, quantity=1, partner=other_gold_partner, on_date=DAY).price_list
        == gold.price_list
    )

    silver_partner = PartnerFactory(tier="silver")
    assert (
        price_for(product=outdoor_unit, quantity=1, partner=silver_partner, on_date=DAY).price_list
        == default.price_list
    )
    # An explicit tier overrides the partner's own tier.
    assert price_for(product=outdoor_unit, quantity=1, tier="gold", on_date=DAY).unit_price == Money(7_900_000, "KRW")


def test_segment_list_beats_default_but_not_a_tier(outdoor_unit):
    _list(outdoor_unit, 8_500_000, is_default=True)
    _list(outdoor_unit, 8_100_000, segment="건설사")
    _list(outdoor_unit, 7_900_000, partner_tier="gold")

    assert price_for(product=outdoor_unit, quantity=1, segment="건설사", on_date=DAY).unit_price.amount == 8_100_000
    both = price_for(product=outdoor_unit, quantity=1, segment="건설사", tier="gold", on_date=DAY)
    assert both.unit_price.amount == 7_900_000


def test_a_list_applies_only_within_its_validity_dates(outdoor_unit):
    partner = PartnerFactory(tier="gold")
    _list(outdoor_unit, 8_500_000, is_default=True)
    promotion = _list(
        outdoor_unit, 7_200_000, partner=partner, valid_from=dt.date(2026, 7, 1), valid_to=dt.date(2026, 7, 31)
    )

    def price_on(day):
        return price_for(product=outdoor_unit, quantity=1, partner=partner, on_date=day)

    assert price_on(dt.date(2026, 6, 30)).unit_price.amount == 8_500_000
    assert price_on(dt.date(2026, 7, 1)).price_list == promotion.price_list  # first day included
    assert price_on(dt.date(2026, 7, 31)).price_list == promotion.price_list  # last day included
    assert price_on(dt.date(2026, 8, 1)).unit_price.amount == 8_500_000


def test_newer_list_of_the_same_rank_replaces_the_older(outdoor_unit):
    _list(outdoor_unit, 8_300_000, is_default=True, valid_from=dt.date(2025, 1, 1))
    newer = _list(outdoor_unit, 8_700_000, is_default=True, valid_from=dt.date(2026, 3, 1))

    assert price_for(product=outdoor_unit, quantity=1, on_date=DAY).price_list == newer.price_list
    assert price_for(product=outdoor_unit, quantity=1, on_date=dt.date(2026, 2, 28)).unit_price.amount == 8_300_000


def test_volume_tier_boundaries(outdoor_unit):
    item = _list(outdoor_unit, 8_500_000, is_default=True)
    ten = PriceTierFactory(item=item, min_quantity=10, unit_price=Money(8_100_000, "KRW"))
    fifty = PriceTierFactory(item=item, min_quantity=50, unit_price=Money(7_700_000, "KRW"))

    def quote(quantity):
        return price_for(product=outdoor_unit, quantity=quantity, on_date=DAY)

    assert quote(1).tier_applied is None and quote(1).unit_price.amount == 8_500_000
    assert quote(9).tier_applied is None
    assert quote(10).tier_applied == ten and quote(10).unit_price.amount == 8_100_000
    assert quote(49).tier_applied == ten
    assert quote(50).tier_applied == fifty and quote(50).unit_price.amount == 7_700_000
    assert quote(50).total == Money(Decimal(7_700_000 * 50), "KRW")


def test_without_any_list_the_product_list_price_applies(outdoor_unit):
    quote = price_for(product=outdoor_unit, quantity=3, on_date=DAY)
    assert quote.price_list is None and quote.tier_applied is None
    assert quote.unit_price == Money(8_900_000, "KRW")


def test_a_list_without_the_product_is_skipped_for_the_next_best(outdoor_unit):
    partner = PartnerFactory(tier="gold")
    other_product = ProductFactory(sku="AP-H-100", name="공기청정기 100㎡")
    _list(other_product, 390_000, partner=partner)  # the partner's own list does not price the outdoor unit
    default = _list(outdoor_unit, 8_500_000, is_default=True)

    assert price_for(product=outdoor_unit, quantity=1, partner=partner, on_date=DAY).price_list == default.price_list


def test_an_explicit_list_must_price_the_product_on_the_day(outdoor_unit):
    item = _list(outdoor_unit, 61_000, is_default=False, segment="수출", currency="USD")
    item.unit_price = Money(Decimal("6100.50"), "USD")
    item.save()
    quote = price_for(product=outdoor_unit, quantity=2, price_list=item.price_list, on_date=DAY)
    assert quote.unit_price == Money(Decimal("6100.50"), "USD")

    with pytest.raises(NoPriceError):
        price_for(product=outdoor_unit, quantity=1, price_list=item.price_list, on_date=dt.date(2025, 12, 31))
    empty = PriceListFactory(is_default=False, segment="공공기관")
    with pytest.raises(NoPriceError):
        price_for(product=outdoor_unit, quantity=1, price_list=empty, on_date=DAY)


def test_quantity_must_be_positive(outdoor_unit):
    with pytest.raises(ValueError):
        price_for(product=outdoor_unit, quantity=0)
