"""Every catalog read a user sees, starting from the access scope; pricing and configuration checks for others.

Other apps (sales quotes, the portals) call `price_for_actor`, `validate_configuration` and `price_for` from here.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.search import search_queryset

from .configuration import validate_configuration
from .models import (
    Assignment,
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
    money_of,
)
from .policies import sees_cost
from .pricing import NoPriceError, PriceQuote, price_for

__all__ = [
    "NoPriceError",
    "PriceQuote",
    "price_for",
    "price_for_actor",
    "validate_configuration",
]


def _own_numbers(actor) -> Prefetch:
    """The partner numbers the actor may see, prefetched per product (a partner sees only its own)."""
    return Prefetch(
        "partner_numbers",
        queryset=scope_for(actor, PartnerProductNumber).select_related("partner").order_by("partner__name", "pk"),
        to_attr="visible_partner_numbers",
    )


def product_list_for(
    actor, *, product_line: ProductLine | None = None, status: str = "", text: str = ""
) -> QuerySet[Product]:
    """Products the actor may see, filtered by line, lifecycle status and text (SKU, name, or own partner SKU)."""
    products = scope_for(actor, Product).select_related("product_line")
    if product_line is not None:
        products = products.filter(product_line=product_line)
    if status:
        products = products.filter(status=status)
    text = (text or "").strip()
    if text:
        by_number = scope_for(actor, PartnerProductNumber).filter(
            Q(partner_sku__icontains=text) | Q(partner_name__icontains=text)
        )
        products = products.filter(
            Q(pk__in=search_queryset(actor, "product", text).values("pk")) | Q(pk__in=by_number.values("product_id"))
        )
    if principal_for(actor).is_partner:
        products = products.prefetch_related(_own_numbers(actor))
    return products


def get_product_for(actor, pk: Any) -> Product:
    """One product inside the actor's scope, or 404."""
    return get_for_or_404(actor, Product, queryset=Product.objects.select_related("product_line"), pk=pk)


@dataclass(frozen=True)
class PriceRow:
    price_list: PriceList
    item: PriceListItem
    tiers: list[PriceTier]
    current: bool


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    option_groups: list[OptionGroup]
    rules: list[OptionRule]
    prices: list[PriceRow]
    partner_numbers: list[PartnerProductNumber]
    show_cost: bool
    margin_percent: float | None = field(default=None)


def product_detail_for(actor, pk: Any, *, on_date: dt.date | None = None) -> ProductDetail:
    """A product with its options, rules, prices in every price list the actor may see, and partner numbers."""
    product = get_product_for(actor, pk)
    day = on_date or timezone.localdate()
    groups = list(
        scope_for(actor, OptionGroup)
        .filter(product=product)
        .prefetch_related(Prefetch("options", queryset=scope_for(actor, Option).order_by("position", "pk")))
    )
    rules = list(
        scope_for(actor, OptionRule)
        .filter(product=product)
        .select_related("option", "target_option", "target_product")
        .order_by("pk")
    )
    items = (
        scope_for(actor, PriceListItem)
        .filter(product=product)
        .select_related("price_list", "price_list__partner")
        .prefetch_related(Prefetch("tiers", queryset=scope_for(actor, PriceTier).order_by("min_quantity")))
        .order_by("price_list__name", "price_list__pk")
    )
    prices = [
        PriceRow(item.price_list, item, list(item.tiers.all()), item.price_list.is_valid_on(day)) for item in items
    ]
    numbers = list(
        scope_for(actor, PartnerProductNumber)
        .filter(product=product)
        .select_related("partner")
        .order_by("partner__name")
    )
    show_cost = sees_cost(actor)
    margin = None
    list_price, cost = money_of(product.list_price), product.standard_cost
    if show_cost and cost is not None and list_price.amount:
        margin = float((list_price.amount - money_of(cost).amount) * 100 / list_price.amount)
    return ProductDetail(product, groups, rules, prices, numbers, show_cost, margin)


def product_line_list_for(actor) -> QuerySet[ProductLine]:
    return scope_for(actor, ProductLine).annotate(product_count=Count("products")).order_by("name", "pk")


def get_product_line_for(actor, pk: Any) -> ProductLine:
    return get_for_or_404(actor, ProductLine, pk=pk)


def active_product_count_for(actor) -> int:
    return scope_for(actor, Product).filter(status=LifecycleStatus.ACTIVE).count()


def price_list_list_for(
    actor, *, currency: str = "", assignment: str = "", valid_on: dt.date | None = None, text: str = ""
) -> QuerySet[PriceList]:
    """Price lists the actor may see, with their item counts."""
    lists = scope_for(actor, PriceList).select_related("partner").annotate(item_count=Count("items"))
    if currency:
        lists = lists.filter(currency=currency)
    if assignment == Assignment.PARTNER:
        lists = lists.filter(partner__isnull=False)
    elif assignment == Assignment.TIER:
        lists = lists.exclude(partner_tier="")
    elif assignment == Assignment.SEGMENT:
        lists = lists.exclude(segment="")
    elif assignment == Assignment.DEFAULT:
        lists = lists.filter(is_default=True)
    if valid_on is not None:
        lists = lists.filter(valid_from__lte=valid_on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_on))
    if text:
        lists = lists.filter(Q(name__icontains=text) | Q(segment__icontains=text) | Q(partner__name__icontains=text))
    return lists


def get_price_list_for(actor, pk: Any) -> PriceList:
    return get_for_or_404(actor, PriceList, queryset=PriceList.objects.select_related("partner"), pk=pk)


def price_list_items_for(actor, price_list: PriceList) -> QuerySet[PriceListItem]:
    """The items of a list the actor may see (products outside the actor's scope are left out), tiers prefetched."""
    return (
        scope_for(actor, PriceListItem)
        .filter(price_list=price_list)
        .select_related("product", "product__product_line")
        .prefetch_related(Prefetch("tiers", queryset=scope_for(actor, PriceTier).order_by("min_quantity")))
    )


def get_price_list_item_for(actor, pk: Any) -> PriceListItem:
    queryset = PriceListItem.objects.select_related("price_list", "product").prefetch_related("tiers")
    return get_for_or_404(actor, PriceListItem, queryset=queryset, pk=pk)


def get_option_group_for(actor, pk: Any) -> OptionGroup:
    return get_for_or_404(actor, OptionGroup, queryset=OptionGroup.objects.select_related("product"), pk=pk)


def get_option_for(actor, pk: Any) -> Option:
    return get_for_or_404(actor, Option, queryset=Option.objects.select_related("group", "group__product"), pk=pk)


def get_option_rule_for(actor, pk: Any) -> OptionRule:
    return get_for_or_404(actor, OptionRule, queryset=OptionRule.objects.select_related("product"), pk=pk)


def partner_product_number_list_for(actor, *, product: Product | None = None) -> QuerySet[PartnerProductNumber]:
    numbers = scope_for(actor, PartnerProductNumber).select_related("partner", "product")
    return numbers.filter(product=product) if product is not None else numbers


def get_partner_product_number_for(actor, pk: Any) -> PartnerProductNumber:
    queryset = PartnerProductNumber.objects.select_related("partner", "product")
    return get_for_or_404(actor, PartnerProductNumber, queryset=queryset, pk=pk)


def partner_accounts_for(actor) -> QuerySet:
    """Partner accounts the actor may see (for choosing a partner list or a partner number's partner)."""
    account = apps.get_model("customers", "Account")
    return scope_for(actor, account).filter(kind="partner").order_by("name", "pk")


def price_for_actor(
    actor,
    *,
    product: Product,
    quantity: int,
    price_list: PriceList | None = None,
    partner: Any = None,
    on_date: dt.date | None = None,
) -> PriceQuote:
    """The price the actor may quote: a partner user always prices as its own organisation, a customer user
    from the default list; an internal user may price for any partner it can see. `price_list`, when given,
    must be one the actor may see (callers fetch it with `get_price_list_for`)."""
    principal = principal_for(actor)
    if principal.is_partner:
        organisation = getattr(actor, "organization", None)
        return price_for(
            product=product,
            quantity=quantity,
            price_list=price_list,
            partner=organisation,
            tier=getattr(organisation, "tier", "") or "",
            on_date=on_date,
        )
    if principal.is_customer:
        return price_for(product=product, quantity=quantity, price_list=price_list, tier="", on_date=on_date)
    return price_for(product=product, quantity=quantity, price_list=price_list, partner=partner, on_date=on_date)
