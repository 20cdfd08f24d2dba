import datetime as dt

import pytest
from djmoney.money import Money

from forgecrm.catalog import queries
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .factories import (
    PartnerFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def purifier(partner_a):
    product = ProductFactory(
        sku="AP-H-100", name="공기청정기 100㎡", list_price=Money(890_000, "KRW"), standard_cost=Money(534_000, "KRW")
    )
    PriceListItemFactory(product=product, price_list=PriceListFactory(name="표준"), unit_price=Money(850_000, "KRW"))
    PriceListItemFactory(
        product=product,
        price_list=PriceListFactory(name="골드", is_default=False, partner_tier="gold"),
        unit_price=Money(800_000, "KRW"),
    )
    PriceListItemFactory(
        product=product,
        price_list=PriceListFactory(name="대한 전용", is_default=False, partner=partner_a),
        unit_price=Money(780_000, "KRW"),
    )
    return product


def test_text_filter_finds_own_partner_numbers_only(partner_user_a, partner_b):
    product = ProductFactory(sku="SAC-OU-23K")
    PartnerProductNumberFactory(product=product, partner=partner_user_a.organization, partner_sku="DH-OU-23")
    PartnerProductNumberFactory(product=product, partner=partner_b, partner_sku="SN-OU-23")
    assert list(queries.product_list_for(partner_user_a, text="DH-OU")) == [product]
    assert list(queries.product_list_for(partner_user_a, text="SN-OU")) == []
    row = queries.product_list_for(partner_user_a).get()
    assert [n.partner_sku for n in row.visible_partner_numbers] == ["DH-OU-23"]


def test_detail_for_a_customer_shows_the_default_price_only(purifier, customer_user):
    detail = queries.product_detail_for(customer_user, purifier.pk, on_date=dt.date(2026, 6, 1))
    assert [row.price_list.name for row in detail.prices] == ["표준"]
    assert detail.partner_numbers == [] and not detail.show_cost and detail.margin_percent is None


def test_detail_for_internal_users_has_every_list_and_the_margin(purifier, sales_rep):
    detail = queries.product_detail_for(sales_rep, purifier.pk, on_date=dt.date(2026, 6, 1))
    assert {row.price_list.name for row in detail.prices} == {"표준", "골드", "대한 전용"}
    assert all(row.current for row in detail.prices)
    assert detail.show_cost and round(detail.margin_percent, 1) == 40.0  # (890,000 - 534,000) / 890,000


def test_price_for_actor_binds_partner_users_to_their_organisation(purifier, partner_user_a, partner_b, customer_user):
    day = dt.date(2026, 6, 1)
    own = queries.price_for_actor(partner_user_a, product=purifier, quantity=1, partner=partner_b, on_date=day)
    assert own.price_list.name == "대한 전용"
    assert queries.price_for_actor(customer_user, product=purifier, quantity=1, on_date=day).price_list.name == "표준"
    gold_partner = PartnerFactory(tier="gold")
    admin = UserFactory(role=Role.ADMIN)
    quote = queries.price_for_actor(admin, product=purifier, quantity=1, partner=gold_partner, on_date=day)
    assert quote.price_list.name == "골드" and quote.unit_price.amount == 800_000


def test_price_list_filters(sales_rep, partner_a):
    PriceListFactory(name="표준")
    PriceListFactory(name="만료", valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31))
    PriceListFactory(name="대한", is_default=False, partner=partner_a)
    PriceListFactory(name="USD", is_default=False, segment="수출", currency="USD")
    names = lambda **kw: {pl.name for pl in queries.price_list_list_for(sales_rep, **kw)}  # noqa: E731
    assert names(assignment="partner") == {"대한"}
    assert names(assignment="segment") == {"USD"}
    assert names(currency="USD") == {"USD"}
    assert "만료" not in names(valid_on=dt.date(2026, 1, 5))
    assert names(text="대한공조") == {"대한"}  # by the partner's name
