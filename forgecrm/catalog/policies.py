"""Who sees which catalog rows, who edits the catalog, and who may see a product's cost.

Internal users see the whole catalog. Partner users see sellable products (active, phase-out), the default
price list and the lists assigned to their own partner account or to their partner tier, and only their own
partner product numbers. Customer users see active products and the default price list. Cost never reaches a
partner or a customer.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from forgecrm.platform.access import Principal, prefixed, principal_for, register_scope
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import Role, User

from .models import (
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

SELLABLE_STATUSES = (LifecycleStatus.ACTIVE, LifecycleStatus.PHASE_OUT)
CATALOG_EDITOR_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER})


@register_scope(Product)
def product_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    if principal.is_partner:
        return Q(status__in=SELLABLE_STATUSES)
    if principal.is_customer:
        return Q(status=LifecycleStatus.ACTIVE)
    return NOTHING


@register_scope(ProductLine)
def product_line_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    if principal.is_partner or principal.is_customer:
        return Q(is_active=True)
    return NOTHING


@register_scope(OptionGroup)
def option_group_scope(principal: Principal) -> Q:
    return prefixed(product_scope(principal), "product")


@register_scope(Option)
def option_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    return prefixed(product_scope(principal), "group__product") & Q(is_active=True)


@register_scope(OptionRule)
def option_rule_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    visible_target = Q(target_product__isnull=True) | prefixed(product_scope(principal), "target_product")
    active_options = (Q(option__isnull=True) | Q(option__is_active=True)) & (
        Q(target_option__isnull=True) | Q(target_option__is_active=True)
    )
    return prefixed(product_scope(principal), "product") & visible_target & active_options


def _own_tier(principal: Principal):
    """The tier of the portal user's organisation, as a subquery (no extra query per scope)."""
    return (
        User.objects.filter(pk=principal.user_id or 0, organization__isnull=False)
        .exclude(organization__tier="")
        .values("organization__tier")
    )


@register_scope(PriceList)
def price_list_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    if principal.is_partner and principal.organization_id:
        return (
            Q(is_default=True)
            | Q(partner_id=principal.organization_id)
            | Q(partner__isnull=True, partner_tier__in=_own_tier(principal))
        )
    if principal.is_customer:
        return Q(is_default=True)
    return NOTHING


@register_scope(PriceListItem)
def price_list_item_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    return prefixed(price_list_scope(principal), "price_list") & prefixed(product_scope(principal), "product")


@register_scope(PriceTier)
def price_tier_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    return prefixed(price_list_item_scope(principal), "item")


@register_scope(PartnerProductNumber)
def partner_product_number_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    if principal.is_partner and principal.organization_id:
        return Q(partner_id=principal.organization_id) & prefixed(product_scope(principal), "product")
    return NOTHING


@rules.predicate
def can_edit_catalog(user) -> bool:
    principal = principal_for(user)
    if not principal.is_active:
        return False
    return bool(getattr(user, "is_superuser", False)) or (
        principal.is_internal and principal.role in CATALOG_EDITOR_ROLES
    )


rules.set_rule("catalog.edit_catalog", can_edit_catalog)


def ensure_can_edit_catalog(actor) -> None:
    """Operations call this first: only administrators and sales managers change the catalog."""
    if not can_edit_catalog(actor):
        raise PermissionDenied(_("Only administrators and sales managers can change the catalog."))


def sees_cost(actor) -> bool:
    """Standard cost is the manufacturer's own figure: internal users only, on every page, API and export."""
    principal = principal_for(actor)
    return principal.is_active and principal.is_internal
