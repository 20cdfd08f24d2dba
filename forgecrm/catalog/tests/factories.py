"""Catalog test data: an HVAC and appliance maker's lines, products, options and price lists."""

import datetime as dt

import factory
from djmoney.money import Money

from forgecrm.catalog.models import (
    LifecycleStatus,
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
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    """A partner account (catalog and customers are sibling apps: the model is named, not imported)."""

    class Meta:
        model = "customers.Account"

    name = factory.Sequence(lambda n: f"(주)한빛냉열 대리점{n}")
    name_key = factory.LazyAttribute(lambda a: a.name.lower())
    kind = "partner"
    partner_type = "dealer"
    tier = "gold"
    owner = factory.SubFactory(UserFactory, role=Role.CHANNEL_MANAGER)
    sido = "경기도"
    sigungu = "수원시"


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine

    code = factory.Sequence(lambda n: f"SAC{n}")
    name = factory.Sequence(lambda n: f"시스템 에어컨 {n}")
    name_en = factory.Sequence(lambda n: f"System air conditioners {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SAC-OU-{n:04d}")
    name = factory.Sequence(lambda n: f"시스템 에어컨 실외기 23kW #{n}")
    name_en = "VRF outdoor unit 23 kW"
    product_line = factory.SubFactory(ProductLineFactory)
    status = LifecycleStatus.ACTIVE
    unit = "EA"
    list_price = Money(8_900_000, "KRW")
    standard_cost = Money(5_340_000, "KRW")
    specs = factory.LazyFunction(
        lambda: [{"key": "냉방능력", "value": "23.0 kW"}, {"key": "전원", "value": "3상 380V 60Hz"}]
    )


class OptionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionGroup

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"설치 키트 {n}")
    min_selections = 0
    max_selections = 1


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    group = factory.SubFactory(OptionGroupFactory)
    sku = factory.Sequence(lambda n: f"OPT-{n:04d}")
    name = factory.Sequence(lambda n: f"동배관 5m 세트 {n}")
    price_delta = Money(150_000, "KRW")


class OptionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptionRule

    product = factory.SubFactory(ProductFactory)
    kind = "requires"


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"2026 표준 단가표 {n}")
    currency = "KRW"
    valid_from = dt.date(2026, 1, 1)
    valid_to = None
    is_default = True


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    unit_price = Money(8_500_000, "KRW")


class PriceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceTier

    item = factory.SubFactory(PriceListItemFactory)
    min_quantity = 10
    unit_price = Money(8_000_000, "KRW")


class PartnerProductNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerProductNumber

    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    partner_sku = factory.Sequence(lambda n: f"HB-{n:05d}")
    partner_name = "실외기 23kW (한빛 품번)"
