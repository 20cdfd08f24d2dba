import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from djmoney.money import Money

from forgecrm.catalog import operations
from forgecrm.catalog.models import Option, OptionGroup, PriceTier, Product
from forgecrm.platform.models import OutboxEvent, Role, SearchDocument
from forgecrm.platform.search import search_queryset
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

from .factories import (
    OptionFactory,
    OptionGroupFactory,
    PartnerFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db


def _new_product(actor, **extra):
    line = extra.pop("product_line", None) or ProductLineFactory(name="히트펌프 보일러")
    fields = {
        "sku": "HP-B-16",
        "name": "히트펌프 보일러 16kW",
        "name_en": "Heat pump boiler 16 kW",
        "product_line": line,
        "list_price": 6_400_000,
        "standard_cost": 3_900_000,
        "status": "active",
        "specs": [{"key": "난방능력", "value": "16 kW"}],
        "description": "<p>저온에서도 <b>고효율</b></p><script>x()</script>",
    }
    return operations.create_product(actor=actor, **{**fields, **extra})


def test_admin_and_sales_manager_edit_the_catalog(admin_user, sales_manager):
    product = _new_product(admin_user)
    assert product.list_price == Money(6_400_000, "KRW") and product.standard_cost == Money(3_900_000, "KRW")
    assert product.created_by == admin_user and product.version == 1
    assert product.description == "<p>저온에서도 <b>고효율</b></p>"

    updated = operations.update_product(
        actor=sales_manager, product=product, expected_version=1, changes={"list_price": Decimal("6500000")}
    )
    assert updated.version == 2 and updated.list_price.amount == 6_500_000 and updated.updated_by == sales_manager
    assert updated.history.count() == 2


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.SERVICE_AGENT, Role.MARKETING, Role.CHANNEL_MANAGER])
def test_other_internal_roles_only_read(role):
    with pytest.raises(PermissionDenied):
        _new_product(UserFactory(role=role))
    assert not Product.objects.exists()


def test_partner_and_customer_users_cannot_edit(partner_user_a, customer_user, admin_user):
    product = _new_product(admin_user)
    for actor in (partner_user_a, customer_user):
        with pytest.raises(PermissionDenied):
            operations.update_product(actor=actor, product=product, expected_version=1, changes={"name": "변경"})
    product.refresh_from_db()
    assert product.name == "히트펌프 보일러 16kW" and product.version == 1


def test_stale_update_is_a_conflict_and_changes_nothing(admin_user, sales_manager):
    product = _new_product(admin_user)
    operations.update_product(
        actor=admin_user, product=product, expected_version=1, changes={"name": "히트펌프 보일러 16kW (2세대)"}
    )
    with pytest.raises(ConflictError):
        operations.update_product(
            actor=sales_manager, product=product, expected_version=1, changes={"name": "덮어쓰기"}
        )
    product.refresh_from_db()
    assert product.name == "히트펌프 보일러 16kW (2세대)" and product.version == 2


def test_unknown_fields_are_refused(admin_user):
    product = _new_product(admin_user)
    with pytest.raises(ValueError):
        operations.update_product(actor=admin_user, product=product, expected_version=1, changes={"version": 9})


def test_duplicate_sku_is_a_field_error(admin_user):
    _new_product(admin_user)
    with pytest.raises(ValidationError) as error:
        _new_product(admin_user, name="다른 이름")
    assert "sku" in error.value.message_dict


def test_products_are_indexed_and_emit_events(admin_user):
    product = _new_product(admin_user)
    assert SearchDocument.objects.filter(entity="product", object_id=product.pk).exists()
    assert list(search_queryset(admin_user, "product", "hp-b-16")) == [product]
    assert list(search_queryset(admin_user, "product", "heat pump")) == [product]
    assert OutboxEvent.objects.filter(event_type="ProductCreated", payload__sku="HP-B-16").exists()

    operations.update_product(
        actor=admin_user, product=product, expected_version=1, changes={"name": "하이브리드 보일러"}
    )
    assert list(search_queryset(admin_user, "product", "하이브리드")) == [product]
    assert OutboxEvent.objects.filter(event_type="ProductUpdated").count() == 1


def test_renaming_a_line_reindexes_its_products(admin_user):
    line = operations.create_product_line(actor=admin_user, code="AP", name="공기청정기")
    product = _new_product(admin_user, product_line=line, sku="AP-H-100", name="대용량 100㎡")
    operations.update_product_line(
        actor=admin_user, product_line=line, expected_version=1, changes={"name": "공기 케어"}
    )
    assert list(search_queryset(admin_user, "product", "공기 케어")) == [product]


def test_partner_numbers_are_unique_per_partner_and_searchable(admin_user):
    product = ProductFactory(sku="SAC-OU-23K")
    other = ProductFactory(sku="SAC-OU-28K")
    partner_a, partner_b = PartnerFactory(), PartnerFactory()
    number = operations.create_partner_product_number(
        actor=admin_user, partner=partner_a, product=product, partner_sku="DH-7781", partner_name="실외기 23"
    )
    # The same partner SKU at another partner is fine; twice at one partner is not.
    operations.create_partner_product_number(
        actor=admin_user, partner=partner_b, product=product, partner_sku="DH-7781"
    )
    with pytest.raises(ValidationError):
        operations.create_partner_product_number(
            actor=admin_user, partner=partner_a, product=other, partner_sku="DH-7781"
        )
    with pytest.raises(ValidationError):
        operations.create_partner_product_number(
            actor=admin_user, partner=partner_a, product=product, partner_sku="DH-9"
        )
    assert number in search_queryset(admin_user, "partner_product", "dh-7781")

    operations.delete_partner_product_number(actor=admin_user, partner_product_number=number)
    assert not SearchDocument.objects.filter(entity="partner_product", object_id=number.pk).exists()


def test_partner_numbers_only_for_partner_accounts(admin_user):
    customer = PartnerFactory(kind="customer")
    with pytest.raises(ValidationError):
        operations.create_partner_product_number(
            actor=admin_user, partner=customer, product=ProductFactory(), partner_sku="X-1"
        )


def test_option_groups_options_and_rules(admin_user):
    product = ProductFactory(sku="RAC-WF-18")
    group = operations.create_option_group(
        actor=admin_user, product=product, name="설치 방식", required=True, min_selections=1, max_selections=1
    )
    wall = operations.create_option(actor=admin_user, group=group, sku="INST-WALL", name="벽 타공", price_delta=80_000)
    std = operations.create_option(actor=admin_user, group=group, sku="INST-STD", name="기본 설치")
    assert wall.price_delta == Money(80_000, "KRW") and std.price_delta == Money(0, "KRW")

    rule = operations.create_option_rule(
        actor=admin_user, product=product, kind="excludes", option=wall, target_option=std
    )
    assert rule.pk

    with pytest.raises(ValidationError):  # an option of another product cannot be a target
        operations.create_option_rule(
            actor=admin_user, product=product, kind="requires", option=wall, target_option=OptionFactory()
        )
    with pytest.raises(ValidationError):  # two targets
        operations.create_option_rule(
            actor=admin_user,
            product=product,
            kind="requires",
            option=wall,
            target_option=std,
            target_product=ProductFactory(),
        )
    with pytest.raises(ValidationError):
        operations.update_option_group(
            actor=admin_user, option_group=group, expected_version=1, changes={"max_selections": 0}
        )

    operations.delete_option_group(actor=admin_user, option_group=group)
    assert not OptionGroup.objects.filter(pk=group.pk).exists() and not Option.objects.filter(group=group).exists()


def test_price_list_items_with_tiers(admin_user):
    product = ProductFactory(sku="AP-H-100")
    price_list = operations.create_price_list(
        actor=admin_user, name="2026 골드 단가표", valid_from=dt.date(2026, 1, 1), partner_tier="gold"
    )
    item = operations.create_price_list_item(
        actor=admin_user,
        price_list=price_list,
        product=product,
        unit_price=390_000,
        tiers=[(50, 350_000), (10, 370_000)],
    )
    assert [(t.min_quantity, t.unit_price.amount) for t in item.tiers.order_by("min_quantity")] == [
        (10, 370_000),
        (50, 350_000),
    ]
    updated = operations.update_price_list_item(
        actor=admin_user, item=item, expected_version=1, unit_price=385_000, tiers=[(20, 360_000)]
    )
    assert updated.unit_price.amount == 385_000
    assert list(PriceTier.objects.filter(item=item).values_list("min_quantity", flat=True)) == [20]

    with pytest.raises(ValidationError):
        operations.update_price_list_item(
            actor=admin_user, item=updated, expected_version=2, unit_price=1, tiers=[(1, 1)]
        )
    with pytest.raises(ValidationError):
        operations.update_price_list_item(
            actor=admin_user, item=updated, expected_version=2, unit_price=1, tiers=[(5, 1), (5, 2)]
        )
    assert OutboxEvent.objects.filter(event_type="PriceListChanged", payload__price_list_id=price_list.pk).exists()


def test_currency_is_fixed_once_a_list_holds_prices(admin_user):
    price_list = PriceListFactory()
    PriceListItemFactory(price_list=price_list)
    with pytest.raises(ValidationError) as error:
        operations.update_price_list(
            actor=admin_user, price_list=price_list, expected_version=1, changes={"currency": "USD"}
        )
    assert "currency" in error.value.message_dict
    empty = PriceListFactory()
    assert (
        operations.update_price_list(
            actor=admin_user, price_list=empty, expected_version=1, changes={"currency": "USD"}
        ).currency
        == "USD"
    )


def test_usd_prices_keep_cents(admin_user):
    price_list = operations.create_price_list(
        actor=admin_user, name="Export USD", currency="USD", valid_from=dt.date(2026, 1, 1), segment="수출"
    )
    item = operations.create_price_list_item(
        actor=admin_user, price_list=price_list, product=ProductFactory(), unit_price=Decimal("6100.50")
    )
    item.refresh_from_db()
    assert item.unit_price == Money(Decimal("6100.50"), "USD")


def test_deleting_with_a_stale_version_is_refused(admin_user):
    group = OptionGroupFactory()
    operations.update_option_group(actor=admin_user, option_group=group, expected_version=1, changes={"name": "배관"})
    with pytest.raises(ConflictError):
        operations.delete_option_group(actor=admin_user, option_group=group, expected_version=1)
    assert OptionGroup.objects.filter(pk=group.pk).exists()


def test_reindex_task_makes_bulk_loaded_products_findable(admin_user):
    from forgecrm.catalog.tasks import reindex_catalog_task

    product = ProductFactory(sku="HP-B-16", name="히트펌프 보일러 16kW")  # written without indexing
    assert not search_queryset(admin_user, "product", "HP-B-16").exists()
    assert reindex_catalog_task.delay().get() == {"product": 1, "partner_product": 0}
    assert list(search_queryset(admin_user, "product", "HP-B-16")) == [product]
