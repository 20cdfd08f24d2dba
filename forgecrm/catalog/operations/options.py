"""Option groups, options and the requires/excludes rules between them."""

from typing import Any

from django.db import transaction

from ..models import Option, OptionGroup, OptionRule, Product
from ..policies import ensure_can_edit_catalog
from .recording import as_money, create_record, delete_record, update_record

GROUP_FIELDS = frozenset({"name", "name_en", "min_selections", "max_selections", "required", "position"})
OPTION_FIELDS = frozenset({"sku", "name", "name_en", "price_delta", "is_default", "is_active", "position"})
RULE_FIELDS = frozenset({"kind", "option", "target_option", "target_product"})


def create_option_group(
    *,
    actor,
    product: Product,
    name: str,
    name_en: str = "",
    min_selections: int = 0,
    max_selections: int | None = None,
    required: bool = False,
    position: int = 0,
) -> OptionGroup:
    """A choice to make when configuring `product`, e.g. 설치 키트 (choose exactly one)."""
    ensure_can_edit_catalog(actor)
    fields = {
        "product": product,
        "name": name,
        "name_en": name_en,
        "min_selections": min_selections,
        "max_selections": max_selections,
        "required": required,
        "position": position,
    }
    with transaction.atomic():
        return create_record(OptionGroup, actor=actor, fields=fields)


def update_option_group(
    *, actor, option_group: OptionGroup, expected_version: int | None, changes: dict
) -> OptionGroup:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        return update_record(
            option_group, actor=actor, expected_version=expected_version, changes=changes, allowed=GROUP_FIELDS
        )


def delete_option_group(*, actor, option_group: OptionGroup, expected_version: int | None = None) -> None:
    """Remove a group with its options (and the rules that mention them)."""
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        delete_record(option_group, actor=actor, expected_version=expected_version)


def create_option(
    *,
    actor,
    group: OptionGroup,
    sku: str,
    name: str,
    name_en: str = "",
    price_delta: Any = 0,
    is_default: bool = False,
    is_active: bool = True,
    position: int = 0,
) -> Option:
    """A choice in `group` with its own SKU and price difference (KRW) against the list price."""
    ensure_can_edit_catalog(actor)
    fields = {
        "group": group,
        "sku": sku.strip(),
        "name": name,
        "name_en": name_en,
        "price_delta": as_money(price_delta if price_delta not in (None, "") else 0, "KRW"),
        "is_default": is_default,
        "is_active": is_active,
        "position": position,
    }
    with transaction.atomic():
        return create_record(Option, actor=actor, fields=fields)


def update_option(*, actor, option: Option, expected_version: int | None, changes: dict) -> Option:
    ensure_can_edit_catalog(actor)
    changes = dict(changes)
    if "price_delta" in changes:
        changes["price_delta"] = as_money(changes["price_delta"] if changes["price_delta"] is not None else 0, "KRW")
    with transaction.atomic():
        return update_record(
            option, actor=actor, expected_version=expected_version, changes=changes, allowed=OPTION_FIELDS
        )


def delete_option(*, actor, option: Option, expected_version: int | None = None) -> None:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        delete_record(option, actor=actor, expected_version=expected_version)


def create_option_rule(
    *,
    actor,
    product: Product,
    kind: str,
    option: Option | None = None,
    target_option: Option | None = None,
    target_product: Product | None = None,
) -> OptionRule:
    """`option` (or the product itself) requires or excludes `target_option` or `target_product`."""
    ensure_can_edit_catalog(actor)
    fields = {
        "product": product,
        "kind": kind,
        "option": option,
        "target_option": target_option,
        "target_product": target_product,
    }
    with transaction.atomic():
        return create_record(OptionRule, actor=actor, fields=fields)


def update_option_rule(*, actor, option_rule: OptionRule, expected_version: int | None, changes: dict) -> OptionRule:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        return update_record(
            option_rule, actor=actor, expected_version=expected_version, changes=changes, allowed=RULE_FIELDS
        )


def delete_option_rule(*, actor, option_rule: OptionRule, expected_version: int | None = None) -> None:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        delete_record(option_rule, actor=actor, expected_version=expected_version)
