"""The product import: a price list or ERP export into the catalog (products and their product lines).

It lives in sales because the import framework is the customers app's and the catalog may not import customers
(they are independent apps of one layer); sales is the lowest app that may use both.

Products go through the catalog's own operations (`create_product`, `update_product`, `create_product_line`):
each product raises its `ProductCreated` / `ProductUpdated` outbox event for ERP and is indexed for search,
which a set-based INSERT would skip. A catalog has hundreds of products, not hundreds of thousands, and the
lookups are still one query per chunk (existing products by external id and SKU, product lines by code/name).

A row is matched by its external id (`source` "import"), else by SKU; without a SKU column the SKU is made from
the name ("GTX Pro" -> "GTX-PRO"). An unknown product line is created with the file's value as code and name,
unless it is mapped to an existing line on the preview. Columns mapped to "Specification" become the product's
specification pairs under the column's header (the Maven sample's `sales_price` is in USD, and list prices are
KRW, so it is kept as a specification, not as the list price).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from djmoney.money import Money

from forgecrm.catalog.models import LifecycleStatus, Product, ProductLine, Unit, money_of
from forgecrm.catalog.operations.products import create_product, create_product_line, update_product
from forgecrm.catalog.policies import can_edit_catalog
from forgecrm.customers.imports.cleaning import stable_id
from forgecrm.customers.imports.kinds import ImportKind, KindOption, KindPass, Reference, Row
from forgecrm.customers.imports.mapping import TargetField
from forgecrm.platform.models import User

from .common import fold, parse_amount

KIND_KEY = "catalog.products"
LINE = "product.line"
SPEC_FIELD = "product.spec"

FIELDS = (
    TargetField("product.sku", gettext_lazy("SKU"), "product", (
        "sku", "품번", "제품코드", "품목코드", "productcode", "itemcode", "partnumber", "modelnumber", "모델명",
    )),
    TargetField("product.name", gettext_lazy("Product name"), "product", (
        "product", "productname", "name", "제품명", "품명", "품목명", "상품명",
    )),
    TargetField("product.name_en", gettext_lazy("English name"), "product", ("englishname", "nameen", "영문명", "영문제품명")),
    TargetField(LINE, gettext_lazy("Product line (code or name)"), "product", (
        "series", "productline", "line", "family", "productfamily", "제품군", "제품라인", "시리즈",
    )),
    TargetField("product.list_price", gettext_lazy("List price (KRW)"), "product", (
        "listprice", "price", "정가", "단가", "판매가", "가격", "소비자가",
    )),
    TargetField("product.unit", gettext_lazy("Unit"), "product", ("unit", "uom", "단위")),
    TargetField("product.status", gettext_lazy("Lifecycle status"), "product", ("status", "lifecycle", "상태")),
    TargetField("product.description", gettext_lazy("Description"), "product", ("description", "설명", "비고")),
    TargetField("product.external_id", gettext_lazy("Product external ID"), "product", ("productid", "externalid", "id")),
    TargetField(SPEC_FIELD, gettext_lazy("Specification (named after the column)"), "product"),
)  # fmt: skip
SKU_NOISE = re.compile(r"[^A-Z0-9]+")


def sku_from_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    sku = SKU_NOISE.sub("-", text).strip("-")
    return sku[:40] if sku else stable_id("sku", name)[5:17].upper()


def _choice(value: str, choices: list[tuple[str, Any]]) -> str | None:
    """A code or its label, in any case."""
    wanted = fold(value)
    for code, label in choices:
        if wanted in (fold(code), fold(str(label))):
            return code
    return None


@dataclass
class ProductRecord:
    line: int
    ext_id: str
    sku: str
    name: str
    name_en: str = ""
    product_line: str = ""
    list_price: Decimal | None = None
    unit: str = ""
    status: str = ""
    description: str = ""
    specs: list[dict] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


class ProductPass(KindPass):
    entity = "products"

    def build(self, row: Row) -> ProductRecord | None:
        values = row.values
        name = values.get("product.name", "")
        if not name:
            row.errors.append((self.header("product.name"), _("The product name is missing.")))
            return None
        sku = values.get("product.sku", "") or sku_from_name(name)
        price = None
        if values.get("product.list_price"):
            try:
                price = parse_amount(values["product.list_price"])
            except ValidationError as error:
                row.errors.append((self.header("product.list_price"), " ".join(error.messages)))
            else:
                if price != price.to_integral_value():
                    row.errors.append(
                        (self.header("product.list_price"), _("KRW has no minor unit: enter a whole amount."))
                    )
                price = price.quantize(Decimal(1))
        unit = status = ""
        if values.get("product.unit"):
            unit = _choice(values["product.unit"], list(Unit.choices)) or ""
            if not unit:
                row.errors.append(
                    (self.header("product.unit"), _("Unknown unit; use EA, SET, M, KG, L, BOX, ROLL or HR."))
                )
        if values.get("product.status"):
            status = _choice(values["product.status"], list(LifecycleStatus.choices)) or ""
            if not status:
                row.errors.append((self.header("product.status"), _("Unknown lifecycle status.")))
        for key, limit in (("product.sku", 40), ("product.name", 200), ("product.name_en", 200)):
            self.too_long(row, key, values.get(key, ""), limit)
        if len(sku) > 40 and not values.get("product.sku"):
            sku = sku[:40]
        specs = [{"key": header[:80], "value": value[:200]} for header, value in self.spec_values(row)]
        if row.errors:
            return None
        file_id = values.get("product.external_id", "")
        return ProductRecord(
            line=row.line,
            ext_id=(file_id or stable_id("product", fold(sku)))[:64],
            sku=sku,
            name=name,
            name_en=values.get("product.name_en", ""),
            product_line=values.get(LINE, ""),
            list_price=price,
            unit=unit,
            status=status,
            description=values.get("product.description", ""),
            specs=specs,
        )

    def key_of(self, record: ProductRecord) -> tuple:
        return ("sku", fold(record.sku))

    def _lines(self) -> dict[str, ProductLine]:
        found: dict[str, ProductLine] = {}
        for line in ProductLine.objects.all():
            for name in (line.name_en, line.name, line.code):
                if name:
                    found.setdefault(fold(name), line)
        return found

    def merge(self, records: list[ProductRecord]) -> None:
        lines = self._lines()
        existing: dict[tuple, Product] = {}
        products = Product.objects.filter(
            Q(source="import", external_id__in=[record.ext_id for record in records])
            | Q(sku__in=[record.sku for record in records])
        ).select_related("product_line")
        for product in products:
            if product.source == "import" and product.external_id:
                existing[("x", product.external_id)] = product
            existing[("sku", product.sku)] = product
        for record in records:
            line = self._product_line(record, lines)
            if record.errors:
                self.refuse(record.line, record.errors)
                continue
            found = existing.get(("x", record.ext_id)) or existing.get(("sku", record.sku))
            try:
                if found is None:
                    self._create(record, line)
                else:
                    self._match(record, found, line)
            except ValidationError as error:  # the catalog's own rules (a SKU taken, a bad value)
                fields = getattr(error, "message_dict", {"": error.messages})
                self.refuse(
                    record.line,
                    [
                        (self.header(f"product.{name}") if name else "", " ".join(texts))
                        for name, texts in fields.items()
                    ],
                )

    def _product_line(self, record: ProductRecord, lines: dict[str, ProductLine]) -> ProductLine | None:
        raw = record.product_line
        value = self.mapped(LINE, raw)
        found = lines.get(fold(value)) if value else None
        self.remember(record.line, LINE, raw, found is not None or not value)
        if found is not None:
            return found
        if not value:
            default = lines.get(fold(self.settings["default_line"]))
            if default is None and self.settings["default_line"]:
                default = self._new_line(self.settings["default_line"])
                lines[fold(default.code)] = default
            if default is None:
                record.errors.append((self.header(LINE), _("The product line is missing.")))
            return default
        # A new product line, with the file's value as code and name (mappable on the preview).
        line = self._new_line(value)
        lines[fold(value)] = line
        return line

    def _new_line(self, value: str) -> ProductLine:
        code = re.sub(r"\s+", "-", value.strip())[:32]
        line = create_product_line(actor=self.actor, code=code, name=value[:120], name_en=value[:120])
        self.bump("product_lines", "new")
        return line

    def _create(self, record: ProductRecord, line: ProductLine | None) -> None:
        if line is None:
            raise ValidationError({"product_line": [_("A new product needs a product line.")]})
        # The preview writes too, inside its rolled-back transaction: its counts are the import's.
        create_product(
            actor=self.actor,
            sku=record.sku,
            name=record.name,
            name_en=record.name_en,
            product_line=line,
            list_price=Money(record.list_price or 0, "KRW"),
            unit=record.unit or Unit.EACH,
            status=record.status or self.settings["status"],
            specs=record.specs,
            description=record.description,
            source="import",
            external_id=record.ext_id,
        )
        self.count(record.line, "new")

    def _match(self, record: ProductRecord, product: Product, line: ProductLine | None) -> None:
        if self.options.mode == "skip":
            self.count(record.line, "skip", _("Matches an existing record by %(key)s.") % {"key": _("SKU")})
            return
        overwrite = self.options.mode == "overwrite"
        changes: dict[str, Any] = {}
        for name in ("name", "name_en", "unit", "status", "description"):
            value = getattr(record, name)
            current = getattr(product, name)
            if value and value != current and (overwrite or not current):
                changes[name] = value
        if line is not None and line.pk != product.product_line_id and overwrite:
            changes["product_line"] = line
        if record.list_price is not None:
            current_price = money_of(product.list_price).amount
            if current_price != record.list_price and (overwrite or not current_price):
                changes["list_price"] = Money(record.list_price, "KRW")
        specs = [dict(pair) for pair in product.specs]
        keys = {pair["key"].casefold(): pair for pair in specs}
        for pair in record.specs:
            known = keys.get(pair["key"].casefold())
            if known is None:
                specs.append(pair)
            elif overwrite and str(known["value"]) != pair["value"]:
                known["value"] = pair["value"]
        if specs != product.specs:
            changes["specs"] = specs
        reason = _("Matches an existing record by %(key)s.") % {"key": _("SKU")}
        if not changes:
            self.count(record.line, "same", reason)
            return
        update_product(actor=self.actor, product=product, expected_version=product.version, changes=changes)
        self.count(record.line, "update", reason)


def suggestions(actor: User, key: str) -> list[str]:
    if key == LINE:
        return list(ProductLine.objects.order_by("name").values_list("name", flat=True)[:500])
    return []


PRODUCTS = ImportKind(
    key=KIND_KEY,
    label=gettext_lazy("Products (catalog)"),
    fields=FIELDS,
    entities=(("products", gettext_lazy("Products")), ("product_lines", gettext_lazy("Product lines"))),
    pass_class=ProductPass,
    may_import=lambda user: bool(can_edit_catalog(user)),
    references=(Reference(LINE, gettext_lazy("product line"), list_all=True),),
    options=(
        KindOption(
            "status",
            gettext_lazy("Lifecycle status of new products"),
            LifecycleStatus.ACTIVE.value,
            choices=tuple((value, label) for value, label in LifecycleStatus.choices),
        ),
        KindOption(
            "default_line",
            gettext_lazy("Product line of rows without one (code or name)"),
            "",
            help_text=gettext_lazy("Created when it does not exist; empty: such rows are reported."),
        ),
    ),
    suggestions=suggestions,
    multiple_fields=frozenset({SPEC_FIELD}),
)
ProductPass.kind = PRODUCTS
