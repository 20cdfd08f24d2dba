"""Product lines, products and partner product numbers."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from forgecrm.platform.events import emit
from forgecrm.platform.search import index_objects, remove_objects

from ..models import LifecycleStatus, PartnerProductNumber, Product, ProductLine, Unit, money_of
from ..policies import ensure_can_edit_catalog
from .recording import as_money, create_record, delete_record, update_record

PRODUCT_LINE_FIELDS = frozenset({"code", "name", "name_en", "description", "is_active"})
PRODUCT_FIELDS = frozenset(
    {
        "sku",
        "name",
        "name_en",
        "product_line",
        "unit",
        "status",
        "specs",
        "description",
        "list_price",
        "standard_cost",
        "source",
        "external_id",
    }
)
PARTNER_NUMBER_FIELDS = frozenset({"partner_sku", "partner_name"})


def _product_payload(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.pk,
        "sku": product.sku,
        "status": product.status,
        "list_price": str(money_of(product.list_price).amount),
        "currency": money_of(product.list_price).currency.code,
        "version": product.version,
    }


def create_product_line(
    *, actor, code: str, name: str, name_en: str = "", description: str = "", is_active: bool = True
) -> ProductLine:
    """A new product line (제품군)."""
    ensure_can_edit_catalog(actor)
    fields = {
        "code": code.strip(),
        "name": name,
        "name_en": name_en,
        "description": description,
        "is_active": is_active,
    }
    with transaction.atomic():
        return create_record(ProductLine, actor=actor, fields=fields)


def update_product_line(
    *, actor, product_line: ProductLine, expected_version: int | None, changes: dict
) -> ProductLine:
    """Change a product line; its products are re-indexed when its name changes (they are found by it)."""
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        updated = update_record(
            product_line, actor=actor, expected_version=expected_version, changes=changes, allowed=PRODUCT_LINE_FIELDS
        )
        if {"name", "name_en"} & set(changes):
            index_objects("product", Product.objects.filter(product_line=updated).select_related("product_line"))
    return updated


def create_product(
    *,
    actor,
    sku: str,
    name: str,
    product_line: ProductLine,
    list_price: Any,
    name_en: str = "",
    unit: str = Unit.EACH,
    status: str = LifecycleStatus.PLANNED,
    specs: Sequence[dict] | None = None,
    description: str = "",
    standard_cost: Any = None,
    source: str = "",
    external_id: str = "",
) -> Product:
    """A new product; the description is sanitised, the product becomes searchable, ERP hears `ProductCreated`."""
    ensure_can_edit_catalog(actor)
    fields = {
        "sku": sku.strip(),
        "name": name,
        "name_en": name_en,
        "product_line": product_line,
        "list_price": as_money(list_price, "KRW"),
        "unit": unit,
        "status": status,
        "specs": list(specs or []),
        "description": description,
        "standard_cost": as_money(standard_cost, "KRW"),
        "source": source,
        "external_id": external_id,
    }
    with transaction.atomic():
        product = create_record(Product, actor=actor, fields=fields)
        index_objects("product", [product])
        emit("ProductCreated", _product_payload(product))
    return product


def update_product(*, actor, product: Product, expected_version: int | None, changes: dict) -> Product:
    """Change a product if nobody saved it since `expected_version` (else ConflictError)."""
    ensure_can_edit_catalog(actor)
    changes = dict(changes)
    if "list_price" in changes:
        changes["list_price"] = as_money(changes["list_price"], "KRW")
    if "standard_cost" in changes:
        changes["standard_cost"] = as_money(changes["standard_cost"], "KRW")
    if "sku" in changes:
        changes["sku"] = changes["sku"].strip()
    with transaction.atomic():
        updated = update_record(
            product, actor=actor, expected_version=expected_version, changes=changes, allowed=PRODUCT_FIELDS
        )
        index_objects("product", [updated])
        emit("ProductUpdated", {**_product_payload(updated), "changed": sorted(changes)})
    return updated


def create_partner_product_number(
    *, actor, partner, product: Product, partner_sku: str, partner_name: str = ""
) -> PartnerProductNumber:
    """Record a partner's own number for one of our products (unique per partner)."""
    ensure_can_edit_catalog(actor)
    fields = {"partner": partner, "product": product, "partner_sku": partner_sku.strip(), "partner_name": partner_name}
    with transaction.atomic():
        number = create_record(PartnerProductNumber, actor=actor, fields=fields)
        index_objects("partner_product", [number])
    return number


def update_partner_product_number(
    *, actor, partner_product_number: PartnerProductNumber, expected_version: int | None, changes: dict
) -> PartnerProductNumber:
    ensure_can_edit_catalog(actor)
    if "partner_sku" in changes:
        changes = {**changes, "partner_sku": changes["partner_sku"].strip()}
    with transaction.atomic():
        updated = update_record(
            partner_product_number,
            actor=actor,
            expected_version=expected_version,
            changes=changes,
            allowed=PARTNER_NUMBER_FIELDS,
        )
        index_objects("partner_product", [updated])
    return updated


def delete_partner_product_number(
    *, actor, partner_product_number: PartnerProductNumber, expected_version: int | None = None
) -> None:
    ensure_can_edit_catalog(actor)
    with transaction.atomic():
        pk = partner_product_number.pk
        delete_record(partner_product_number, actor=actor, expected_version=expected_version)
        remove_objects("partner_product", [pk])
