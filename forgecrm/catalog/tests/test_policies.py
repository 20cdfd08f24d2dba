"""Who sees what in the catalog, by scope, page, API, search and export."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from djmoney.money import Money

from forgecrm.catalog.models import (
    Option,
    OptionGroup,
    OptionRule,
    PartnerProductNumber,
    PriceList,
    PriceListItem,
    PriceTier,
    Product,
    ProductLine,
)
from forgecrm.catalog.policies import can_edit_catalog, sees_cost
from forgecrm.platform.access import registered_models, scope_for
from forgecrm.platform.models import Role
from forgecrm.platform.search import index_objects, search
from forgecrm.platform.tests.factories import UserFactory

from .factories import (
    OptionFactory,
    OptionGroupFactory,
    OptionRuleFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db

CATALOG_MODELS = [Product, ProductLine, OptionGroup, Option, OptionRule, PriceList, PriceListItem, PriceTier]
CATALOG_MODELS.append(PartnerProductNumber)


@pytest.fixture
def world(partner_a, partner_b):
    """Two partners (gold A, silver B), their own lists and numbers, tier lists and the default list."""
    product = ProductFactory(sku="SAC-OU-23K", name="시스템 에어컨 실외기 23kW")
    lists = {
        "default": PriceListFactory(name="표준 단가표", is_default=True),
        "own_a": PriceListFactory(name="대한공조 전용", is_default=False, partner=partner_a),
        "own_b": PriceListFactory(name="서울냉열 전용", is_default=False, partner=partner_b),
        "gold": PriceListFactory(name="골드 등급", is_default=False, partner_tier="gold"),
        "silver": PriceListFactory(name="실버 등급", is_default=False, partner_tier="silver"),
        "segment": PriceListFactory(name="건설사 특가", is_default=False, segment="건설사"),
    }
    items = {key: PriceListItemFactory(price_list=pl, product=product) for key, pl in lists.items()}
    for item in items.values():
        PriceTierFactory(item=item)
    numbers = {
        "a": PartnerProductNumberFactory(partner=partner_a, product=product, partner_sku="DH-OU-0001"),
        "b": PartnerProductNumberFactory(partner=partner_b, product=product, partner_sku="SN-7777-X"),
    }
    index_objects("product", [product])
    index_objects("partner_product", list(numbers.values()))
    return {"product": product, "lists": lists, "items": items, "numbers": numbers}


def test_every_catalog_model_has_a_scope():
    assert set(CATALOG_MODELS) <= set(registered_models())


def test_internal_users_see_the_whole_catalog(world, sales_rep):
    ProductFactory(status="planned")
    ProductFactory(status="discontinued")
    assert scope_for(sales_rep, Product).count() == Product.objects.count()
    assert scope_for(sales_rep, PriceList).count() == 6
    assert scope_for(sales_rep, PartnerProductNumber).count() == 2
    assert sees_cost(sales_rep) and not can_edit_catalog(sales_rep)


def test_partner_sees_own_tier_and_default_lists_only(world, partner_user_a, partner_user_b):
    lists = world["lists"]
    assert set(scope_for(partner_user_a, PriceList)) == {lists["default"], lists["own_a"], lists["gold"]}
    assert set(scope_for(partner_user_b, PriceList)) == {lists["default"], lists["own_b"], lists["silver"]}
    items = set(scope_for(partner_user_a, PriceListItem).values_list("price_list__name", flat=True))
    assert items == {"표준 단가표", "대한공조 전용", "골드 등급"}
    assert scope_for(partner_user_a, PriceTier).count() == 3
    assert list(scope_for(partner_user_a, PartnerProductNumber)) == [world["numbers"]["a"]]
    assert not sees_cost(partner_user_a) and not can_edit_catalog(partner_user_a)


def test_a_partner_admin_of_a_distributor_does_not_get_its_dealers_lists(world, partner_a):
    from .factories import PartnerFactory

    dealer = PartnerFactory(channel_parent=partner_a, tier="silver")
    dealer_list = PriceListFactory(name="딜러 전용", is_default=False, partner=dealer)
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=partner_a)
    assert dealer_list not in scope_for(admin, PriceList)


def test_partner_sees_sellable_products_and_customer_active_only(partner_user_a, customer_user):
    active = ProductFactory(status="active")
    phase_out = ProductFactory(status="phase_out")
    ProductFactory(status="planned")
    ProductFactory(status="discontinued")
    assert set(scope_for(partner_user_a, Product)) == {active, phase_out}
    assert set(scope_for(customer_user, Product)) == {active}


def test_customer_sees_the_default_list_and_no_partner_numbers(world, customer_user):
    assert list(scope_for(customer_user, PriceList)) == [world["lists"]["default"]]
    assert not scope_for(customer_user, PartnerProductNumber).exists()


def test_inactive_lines_and_options_are_hidden_from_partners(partner_user_a):
    retired_line = ProductLineFactory(is_active=False)
    visible_line = ProductLineFactory()
    group = OptionGroupFactory(product=ProductFactory(product_line=visible_line))
    active, retired = OptionFactory(group=group), OptionFactory(group=group, is_active=False)
    OptionRuleFactory(product=group.product, option=active, target_option=retired)
    hidden_group = OptionGroupFactory(product=ProductFactory(status="planned"))
    lines = set(scope_for(partner_user_a, ProductLine))
    assert visible_line in lines and retired_line not in lines
    assert list(scope_for(partner_user_a, Option)) == [active]
    assert not scope_for(partner_user_a, OptionRule).exists()  # it names a retired option
    assert hidden_group not in scope_for(partner_user_a, OptionGroup)


def test_partner_pages_hide_the_other_partners_list_and_numbers(client, world, partner_user_a):
    client.force_login(partner_user_a)
    lists = world["lists"]
    for key in ("own_b", "silver", "segment"):
        assert client.get(reverse("catalog:price-list-detail", args=[lists[key].pk])).status_code == 404
    assert client.get(reverse("catalog:price-list-detail", args=[lists["own_a"].pk])).status_code == 200
    assert client.get(reverse("catalog:partner-number-edit", args=[world["numbers"]["b"].pk])).status_code == 404

    listing = client.get(reverse("catalog:price-list-list")).content.decode()
    assert "대한공조 전용" in listing and "골드 등급" in listing
    assert "서울냉열 전용" not in listing and "실버 등급" not in listing and "건설사 특가" not in listing

    detail = client.get(reverse("catalog:product-detail", args=[world["product"].pk])).content.decode()
    assert "DH-OU-0001" in detail and "SN-7777-X" not in detail and "서울냉열" not in detail
    assert "실버 등급" not in detail and "5,340,000" not in detail and "Standard cost" not in detail

    # A price check cannot borrow another partner's list either.
    price = client.get(reverse("catalog:product-price", args=[world["product"].pk]), {"price_list": lists["own_b"].pk})
    assert price.status_code == 404


def test_partner_search_and_exports_hide_the_other_partner(client, world, partner_user_a):
    assert [hit.object_id for hit in search(partner_user_a, "SN-7777")] == []
    hits = search(partner_user_a, "DH-OU-0001")
    assert [(hit.entity, hit.object_id) for hit in hits] == [("partner_product", world["numbers"]["a"].pk)]

    client.force_login(partner_user_a)
    products = client.get(reverse("catalog:product-list"), {"q": "SN-7777"})
    assert "SAC-OU-23K" not in products.content.decode()
    assert "SAC-OU-23K" in client.get(reverse("catalog:product-list"), {"q": "DH-OU"}).content.decode()
    export = b"".join(client.get(reverse("catalog:product-list"), {"export": "csv"}).streaming_content).decode()
    assert "DH-OU-0001" in export and "SN-7777-X" not in export and "5340000" not in export

    lists_csv = b"".join(client.get(reverse("catalog:price-list-list"), {"export": "csv"}).streaming_content)
    names = [row[0] for row in csv.reader(io.StringIO(lists_csv.decode("utf-8-sig")))]
    assert "서울냉열 전용" not in names and "대한공조 전용" in names

    foreign_export = client.get(
        reverse("catalog:price-list-detail", args=[world["lists"]["own_b"].pk]), {"export": "csv"}
    )
    assert foreign_export.status_code == 404


def test_internal_search_finds_products_by_partner_numbers(world, sales_rep):
    entities = {(hit.entity, hit.object_id) for hit in search(sales_rep, "SN-7777")}
    assert ("partner_product", world["numbers"]["b"].pk) in entities


def test_hidden_products_never_reach_partner_pages(client, partner_user_a, customer_user):
    planned = ProductFactory(status="planned", list_price=Money(1, "KRW"))
    phase_out = ProductFactory(status="phase_out")
    client.force_login(partner_user_a)
    assert client.get(reverse("catalog:product-detail", args=[planned.pk])).status_code == 404
    assert client.get(reverse("catalog:product-detail", args=[phase_out.pk])).status_code == 200
    client.force_login(customer_user)
    assert client.get(reverse("catalog:product-detail", args=[phase_out.pk])).status_code == 404


def test_partner_price_check_uses_its_own_list(client, world, partner_user_a, partner_user_b):
    world["items"]["own_a"].unit_price = Money(7_400_000, "KRW")
    world["items"]["own_a"].save()
    client.force_login(partner_user_a)
    page = client.get(reverse("catalog:product-price", args=[world["product"].pk]), {"quantity": 1}).content.decode()
    assert "대한공조 전용" in page and "₩7,400,000" in page
    client.force_login(partner_user_b)
    page = client.get(reverse("catalog:product-price", args=[world["product"].pk]), {"quantity": 1}).content.decode()
    assert "서울냉열 전용" in page and "₩7,400,000" not in page


def test_expired_lists_stay_visible_to_their_partner_but_do_not_price(world, partner_user_a):
    old = PriceListFactory(
        name="2024 대한공조",
        is_default=False,
        partner=partner_user_a.organization,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
    )
    assert old in scope_for(partner_user_a, PriceList)
