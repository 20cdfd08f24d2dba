"""Price lists, their items and volume tiers."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform.events import emit

from ..models import PriceList, PriceListItem, PriceTier, Product
from ..policies import ensure_can_edit_catalog
from .recording import acting_user, as_money, create_record, delete_record, update_record

PRICE_LIST_FIELDS = frozenset(
    {"name", "currency", "valid_from", "valid_to", "partner", "partner_tier", "segment", "is_default", "description"}
)
TIER_FIELDS = frozenset({"min_quantity", "unit_price"})


def _changed(price_list: PriceList) -> None:
    emit("PriceListChanged", {"price_list_id": price_list.pk, "currency": price_list.currency})


def create_price_list(
    *,
    actor,
    name: str,
    valid_from: dt.date,
    currency: str = "KRW",
    valid_to: dt.date | None = None,
    partner=None,
    partner_tier: str = "",
    segment: str = "",
    is_default: bool = False,
    description: str = "",
) -> PriceList:
    """A price list for exactly one of: a partner account, a partner tier, a customer segment, or everybody."""
    ensure_can_edit_catalog(actor)
    fields = {
        "name": name,
        "currency": currency,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "partner": partner,
        "partner_tier": partner_tier or "",
        "segment": (segment or "").strip(),
        "is_default": is_default,
        "description": description,
    }
    with transaction.atomic():
        price_list = create_record(PriceList, actor=actor, fields=fields)
        _changed(price_list)
    return price_list


def update_price_list(*, actor, price_list: PriceList, expected_version: int | None, changes: dict) -> PriceList:
    """Change a price list; its currency is fixed once it holds prices (they are amounts in that currency)."""
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        if "currency" in changes and changes["currency"] != price_list.currency and price_list.items.exists():
            raise ValidationError({"currency": _("The currency cannot change while the list holds prices.")})
        updated = update_record(
            price_list, actor=actor, expected_version=expected_version, changes=changes, allowed=PRICE_LIST_FIELDS
        )
        _changed(updated)
    return updated


def _replace_tiers(item: PriceListItem, tiers: Sequence[tuple[int, Any]], actor) -> None:
    quantities = [int(quantity) for quantity, _price in tiers]
    if len(set(quantities)) != len(quantities):
        raise ValidationError({"tiers": _("Each volume tier needs its own starting quantity.")})
    item.tiers.all().delete()
    user = acting_user(actor)
    for quantity, price in sorted(tiers, key=lambda tier: int(tier[0])):
        tier = PriceTier(
            item=item,
            min_quantity=int(quantity),
            unit_price=as_money(price, item.price_list.currency),  # type: ignore[misc]  # MoneyField takes Money
            created_by=user,
            updated_by=user,
        )
        try:
            tier.full_clean()
        except ValidationError as error:
            raise ValidationError(
                {
                    "tiers": _("Tier from %(quantity)s: %(errors)s")
                    % {
                        "quantity": quantity,
                        "errors": " ".join(error.messages),
                    }
                }
            ) from error
        tier.save()


def create_price_list_item(
    *, actor, price_list: PriceList, product: Product, unit_price: Any, tiers: Sequence[tuple[int, Any]] = ()
) -> PriceListItem:
    """The product's price in the list (in the list's currency), with optional volume tiers (quantity, price)."""
    ensure_can_edit_catalog(actor)
    fields = {"price_list": price_list, "product": product, "unit_price": as_money(unit_price, price_list.currency)}
    with transaction.atomic():
        item = create_record(PriceListItem, actor=actor, fields=fields)
        if tiers:
            _replace_tiers(item, tiers, actor)
        _changed(price_list)
    return item


def update_price_list_item(
    *,
    actor,
    item: PriceListItem,
    expected_version: int | None,
    unit_price: Any,
    tiers: Sequence[tuple[int, Any]] | None = None,
) -> PriceListItem:
    """A new unit price and, when `tiers` is given, the item's volume tiers replaced by these."""
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        updated = update_record(
            item,
            actor=actor,
            expected_version=expected_version,
            changes={"unit_price": as_money(unit_price, item.price_list.currency)},
            allowed={"unit_price"},
        )
        if tiers is not None:
            _replace_tiers(updated, tiers, actor)
        _changed(updated.price_list)
    return updated


def delete_price_list_item(*, actor, item: PriceListItem, expected_version: int | None = None) -> None:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        price_list = item.price_list
        delete_record(item, actor=actor, expected_version=expected_version)
        _changed(price_list)


def create_price_tier(*, actor, item: PriceListItem, min_quantity: int, unit_price: Any) -> PriceTier:
    ensure_can_edit_catalog(actor)
    fields = {"item": item, "min_quantity": min_quantity, "unit_price": as_money(unit_price, item.price_list.currency)}
    with transaction.atomic():
        tier = create_record(PriceTier, actor=actor, fields=fields)
        _changed(item.price_list)
    return tier


def update_price_tier(*, actor, price_tier: PriceTier, expected_version: int | None, changes: dict) -> PriceTier:
    ensure_can_edit_catalog(actor)
    changes = dict(changes)
    if "unit_price" in changes:
        changes["unit_price"] = as_money(changes["unit_price"], price_tier.item.price_list.currency)
    with transaction.atomic():
        updated = update_record(
            price_tier, actor=actor, expected_version=expected_version, changes=changes, allowed=TIER_FIELDS
        )
        _changed(updated.item.price_list)
    return updated


def delete_price_tier(*, actor, price_tier: PriceTier, expected_version: int | None = None) -> None:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        price_list = price_tier.item.price_list
        delete_record(price_tier, actor=actor, expected_version=expected_version)
        _changed(price_list)
