"""Sell-through and channel inventory: a partner reports what it sold in a month (lines per product, returns
negative) and what it holds in stock (per product and date), from the portal form, a CSV/XLSX upload or the API.

- `submit_sell_through`: one report per partner and month. Resubmitting the month replaces its lines in one
  transaction (the report row locked first); sending exactly the lines it already has changes nothing (no new
  version, no history row), so a retried API call or a double-clicked form is harmless.
- `report_inventory`: one row per partner, product and date; reporting again overwrites on hand / in transit
  (one upsert statement, whatever the number of rows).
- `upload_sell_through` / `upload_inventory`: the customers import's `read_table` (CP949 / UTF-8 / BOM, XLSX),
  every row checked (product by our SKU or the partner's own number, quantities, amounts, formulas); a file with
  any bad row writes nothing and answers `UploadErrors` with one entry per row.

Only a partner's own users report for it (exactly their organisation: a distributor's admin sees its dealers'
reports but does not write them); `actor=None` is the system (demo data, tests).
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.models import PartnerProductNumber, Product
from forgecrm.customers.imports.addresses import canonical_sido
from forgecrm.customers.imports.reading import UploadRejected, read_table
from forgecrm.customers.models import Account
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.platform import events
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError

from ..models import ChannelInventory, ReportSource, SellThroughLine, SellThroughReport

MAX_LINES = 5_000
MAX_QUANTITY = 1_000_000
MAX_AMOUNT = Decimal("1e13")
# A text cell a spreadsheet would run as a formula (a negative number is a quantity, not a formula).
FORMULA_STARTS = ("=", "+", "@", "\t", "\r", "＝", "＋", "＠")

SELL_THROUGH_HEADERS = {
    "product": ("product", "sku", "product number", "item", "제품", "품번", "제품코드", "모델", "상품코드"),
    "quantity": ("quantity", "qty", "수량"),
    "amount": ("amount", "sales amount", "금액", "판매금액", "매출"),
    "end_customer": ("end customer", "customer", "최종 고객", "최종고객", "고객", "고객명", "거래처"),
    "sido": ("sido", "province", "region", "시/도", "시도", "지역"),
}
INVENTORY_HEADERS = {
    "product": SELL_THROUGH_HEADERS["product"],
    "as_of": ("as of", "date", "기준일", "일자", "날짜"),
    "on_hand": ("on hand", "stock", "재고", "보유 재고", "보유재고", "현재고"),
    "in_transit": ("in transit", "운송중", "운송 중", "입고예정", "입고 예정"),
}


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


@dataclass
class RowError:
    line: int  # the line in the file (1 = the header); 0 for a line of the form or the API body
    column: str
    message: str
    cells: list[str] = field(default_factory=list)


class UploadErrors(ValidationError):
    """A file with bad rows: nothing was written; `rows` says which row and why."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__(_("%(count)s rows have errors; nothing was saved.") % {"count": len(rows)}, code="rows")


# --- checks shared by every way in ------------------------------------------------------------------------------


def _require_reporter(actor: User | None, partner: Account) -> None:
    if actor is None:
        return
    principal = principal_for(actor)
    if not actor.has_perm("partners.report_sell_through") or not principal.is_partner:
        raise PermissionDenied(_("Only the partner's own users report its sell-through and stock."))
    if partner.pk != principal.organization_id:
        raise PermissionDenied(_("You report for your own organisation only."))


def _quantity(value: Any, *, allow_negative: bool, allow_zero: bool = False) -> int:
    text = str(value).strip().replace(",", "") if value is not None else ""
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(_("Enter a whole number.")) from error
    if number != number.to_integral_value():
        raise ValueError(_("Enter a whole number."))
    quantity = int(number)
    if abs(quantity) > MAX_QUANTITY:
        raise ValueError(_("The quantity is too large."))
    if quantity < 0 and not allow_negative:
        raise ValueError(_("The quantity cannot be negative."))
    if quantity == 0 and not allow_zero:
        raise ValueError(_("Enter a quantity other than zero (returns are negative)."))
    return quantity


def _signed_amount(value: Any) -> Decimal:
    raw = getattr(value, "amount", value)
    text = str(raw).strip().replace(",", "").removeprefix("₩") if raw is not None else ""
    if not text:
        return Decimal(0)
    try:
        amount = Decimal(text).quantize(Decimal("1"))
    except InvalidOperation as error:
        raise ValueError(_("Enter an amount in won.")) from error
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return amount


def _sido(value: str) -> str:
    text = canonical_sido(value or "")
    if text and text not in SIDO_NAMES:
        raise ValueError(_("Enter one of the 17 시/도."))
    return text


def _text(value: Any, limit: int) -> str:
    text = str(value or "").strip()
    if text.startswith(FORMULA_STARTS) or (text.startswith("-") and not _is_number(text)):
        raise ValueError(_("A cell may not hold a formula."))
    return text[:limit]


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", ""))
    except InvalidOperation:
        return False
    return True


def _fingerprint(lines: Iterable[tuple]) -> str:
    return hashlib.sha256(repr(sorted(lines)).encode()).hexdigest()


def _line_key(line: SellThroughLine) -> tuple:
    return (
        line.product_id,
        line.quantity,
        str(Decimal(line.amount.amount).quantize(Decimal("1"))),
        line.end_customer_id or 0,
        line.end_customer_name,
        line.sido,
    )


# --- sell-through -------------------------------------------------------------------------------------------------


def clean_sell_through_lines(lines: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The lines as the report stores them, or the errors of each bad one (the form's and the API's lines; the
    upload checks its cells first). A line: product (a Product), quantity, amount, end_customer (an Account or
    None), end_customer_name, sido."""
    cleaned, errors = [], []
    if len(lines) > MAX_LINES:
        return [], [RowError(0, "lines", _("A report holds at most %(n)s lines.") % {"n": MAX_LINES})]
    for index, line in enumerate(lines, start=1):
        row: dict[str, Any] = {"product": line.get("product")}
        if not isinstance(row["product"], Product):
            errors.append(RowError(index, "product", _("Choose a product.")))
            continue
        try:
            row["quantity"] = _quantity(line.get("quantity"), allow_negative=True)
        except ValueError as error:
            errors.append(RowError(index, "quantity", str(error)))
            continue
        try:
            row["amount"] = _signed_amount(line.get("amount"))
            row["sido"] = _sido(line.get("sido") or "")
            row["end_customer_name"] = _text(line.get("end_customer_name"), 200)
        except ValueError as error:
            errors.append(RowError(index, "amount", str(error)))
            continue
        customer = line.get("end_customer")
        row["end_customer"] = customer if isinstance(customer, Account) else None
        if row["end_customer"] is not None and not row["end_customer_name"]:
            row["end_customer_name"] = row["end_customer"].name[:200]
        cleaned.append(row)
    return cleaned, errors


def submit_sell_through(
    *,
    actor: User | None,
    partner: Account,
    month: dt.date,
    lines: Sequence[dict[str, Any]],
    source: str = ReportSource.PORTAL,
    currency: str = "KRW",
    expected_version: int | None = None,
) -> SellThroughReport:
    """Create the month's report or replace its lines (one transaction; the same lines again change nothing)."""
    _require_reporter(actor, partner)
    cleaned, errors = clean_sell_through_lines(lines)
    if errors:
        raise UploadErrors(errors)
    if not cleaned:
        raise ValidationError({"lines": _("Add at least one line (a month without sales: one line of 0 won).")})
    period_start = month_start(month)
    if period_start > timezone.localdate():
        raise ValidationError({"month": _("A month that has not started cannot be reported.")})
    wanted = _fingerprint(
        (
            row["product"].pk,
            row["quantity"],
            str(row["amount"]),
            getattr(row["end_customer"], "pk", 0) or 0,
            row["end_customer_name"],
            row["sido"],
        )
        for row in cleaned
    )
    now = timezone.now()
    submitter = actor if actor is not None else _system_submitter(partner)
    with transaction.atomic():
        report = (
            SellThroughReport.objects.select_for_update().filter(partner=partner, period_start=period_start).first()
        )
        if report is None:
            try:
                with transaction.atomic():
                    report = SellThroughReport.objects.create(
                        partner=partner,
                        period_start=period_start,
                        source=source,
                        submitted_by=submitter,
                        submitted_at=now,
                        currency=currency,
                        created_by=actor,
                        updated_by=actor,
                    )
                created = True
            except IntegrityError:  # another submission of the same month won the race: replace its lines
                report = SellThroughReport.objects.select_for_update().get(partner=partner, period_start=period_start)
                created = False
        else:
            created = False
        if expected_version is not None and report.version != expected_version:
            raise ConflictError(report)
        if not created:
            if _fingerprint(_line_key(line) for line in report.lines.all()) == wanted:
                return report  # the same report again: nothing changes
            report.lines.all().delete()
            report.source, report.submitted_by, report.submitted_at = source, submitter, now
            report.currency, report.updated_by = currency, actor
            report.version += 1
            report._change_reason = "sell_through:resubmitted"  # type: ignore[attr-defined]
            report.save()
        SellThroughLine.objects.bulk_create(
            [
                SellThroughLine(
                    report=report,
                    product=row["product"],
                    quantity=row["quantity"],
                    amount=Money(row["amount"], currency),
                    end_customer=row["end_customer"],
                    end_customer_name=row["end_customer_name"],
                    sido=row["sido"],
                )
                for row in cleaned
            ]
        )
        events.emit(
            "SellThroughReported",
            {
                "sell_through_report_id": report.pk,
                "partner_id": partner.pk,
                "month": period_start.isoformat(),
                "lines": len(cleaned),
                "replaced": not created,
                "source": source,
                "actor_id": getattr(actor, "pk", None),
            },
        )
    return report


def _system_submitter(partner: Account) -> User:
    user = User.objects.filter(organization=partner, is_active=True).order_by("pk").first()
    if user is None:
        raise ValidationError(_("The partner has no user to report for it."))
    return user


# --- inventory --------------------------------------------------------------------------------------------------


def report_inventory(
    *,
    actor: User | None,
    partner: Account,
    rows: Sequence[dict[str, Any]],
    source: str = ReportSource.PORTAL,
) -> list[ChannelInventory]:
    """Stock per product and date (product, as_of, on_hand, in_transit); a row for a product and date that was
    reported before overwrites it. One statement for all rows."""
    _require_reporter(actor, partner)
    errors, seen, objects = [], set(), []
    today = timezone.localdate()
    for index, row in enumerate(rows, start=1):
        product, as_of = row.get("product"), row.get("as_of")
        if not isinstance(product, Product):
            errors.append(RowError(index, "product", _("Choose a product.")))
            continue
        if not isinstance(as_of, dt.date) or as_of > today:
            errors.append(RowError(index, "as_of", _("Enter a date that is not in the future.")))
            continue
        try:
            on_hand = _quantity(row.get("on_hand"), allow_negative=False, allow_zero=True)
            in_transit = _quantity(row.get("in_transit") or 0, allow_negative=False, allow_zero=True)
        except ValueError as error:
            errors.append(RowError(index, "on_hand", str(error)))
            continue
        if (product.pk, as_of) in seen:
            errors.append(RowError(index, "product", _("This product and date appear twice.")))
            continue
        seen.add((product.pk, as_of))
        objects.append(
            ChannelInventory(
                partner=partner,
                product=product,
                as_of=as_of,
                on_hand=on_hand,
                in_transit=in_transit,
                source=source,
                reported_by=actor,
            )
        )
    if errors:
        raise UploadErrors(errors)
    if not objects:
        raise ValidationError({"rows": _("Add at least one product.")})
    with transaction.atomic():
        ChannelInventory.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["partner", "product", "as_of"],
            update_fields=["on_hand", "in_transit", "source", "reported_by"],
        )
        events.emit(
            "ChannelInventoryReported",
            {"partner_id": partner.pk, "rows": len(objects), "source": source, "actor_id": getattr(actor, "pk", None)},
        )
    return list(
        ChannelInventory.objects.filter(partner=partner, product_id__in={o.product_id for o in objects})
        .filter(as_of__in={o.as_of for o in objects})
        .select_related("product")
        .order_by("as_of", "product__sku")
    )


# --- uploads ----------------------------------------------------------------------------------------------------


def _columns(headers: list[str], wanted: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> dict[str, int]:
    normalized = [" ".join(str(h or "").replace("_", " ").lower().split()) for h in headers]
    found: dict[str, int] = {}
    for key, names in wanted.items():
        for index, header in enumerate(normalized):
            if header in names:
                found[key] = index
                break
    missing = [key for key in required if key not in found]
    if missing:
        raise UploadRejected(
            _("The file has no column for: %(columns)s. The first row names the columns.")
            % {"columns": ", ".join(missing)}
        )
    return found


def products_by_number(partner: Account, codes: set[str], actor: User | None = None) -> dict[str, Product | str]:
    """Each code to its product (among those `actor` sees): our SKU or the partner's own product number (two
    queries); a code that names two different products is ambiguous (its message instead)."""
    products = scope_for(actor, Product) if actor is not None else Product.objects.all()
    ours = {p.sku: p for p in products.filter(sku__in=codes)}
    theirs = {
        n.partner_sku: n.product
        for n in PartnerProductNumber.objects.filter(
            partner=partner, partner_sku__in=codes, product__in=products
        ).select_related("product")
    }
    resolved: dict[str, Product | str] = {}
    for code in codes:
        a, b = ours.get(code), theirs.get(code)
        if a is not None and b is not None and a.pk != b.pk:
            resolved[code] = _("“%(code)s” is our SKU of one product and your number for another.") % {"code": code}
        elif a or b:
            resolved[code] = a or b  # type: ignore[assignment]
    return resolved


def _read(name: str, data: bytes):
    try:
        return read_table(name, data)
    except UploadRejected as error:
        raise ValidationError({"file": str(error)}) from error


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return (cells[index] if index is not None and index < len(cells) else "").strip()


def upload_sell_through(
    *, actor: User | None, partner: Account, month: dt.date, name: str, data: bytes
) -> SellThroughReport:
    """A file of the month's lines (all or nothing): columns product (our SKU or yours), quantity, amount, end
    customer, 시/도. Replaces the month's report like any resubmission."""
    _require_reporter(actor, partner)
    table = _read(name, data)
    try:
        columns = _columns(table.headers, SELL_THROUGH_HEADERS, ("product", "quantity"))
    except UploadRejected as error:
        raise ValidationError({"file": str(error)}) from error
    rows = list(table.rows)
    if len(rows) > MAX_LINES:
        raise ValidationError({"file": _("A report holds at most %(n)s lines.") % {"n": MAX_LINES}})
    products = products_by_number(partner, {_cell(cells, columns, "product") for _line, cells in rows} - {""}, actor)
    lines, errors = [], []
    for line_number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        code = _cell(cells, columns, "product")
        product = products.get(code)
        if not isinstance(product, Product):
            message = product or _("Unknown product number “%(code)s”.") % {"code": code[:60]}
            errors.append(RowError(line_number, "product", str(message), cells))
            continue
        try:
            lines.append(
                {
                    "product": product,
                    "quantity": _quantity(_cell(cells, columns, "quantity"), allow_negative=True),
                    "amount": _signed_amount(_cell(cells, columns, "amount")),
                    "end_customer_name": _text(_cell(cells, columns, "end_customer"), 200),
                    "sido": _sido(_cell(cells, columns, "sido")),
                }
            )
        except ValueError as error:
            errors.append(RowError(line_number, _column_of(error), str(error), cells))
    if errors:
        raise UploadErrors(errors)
    return submit_sell_through(actor=actor, partner=partner, month=month, lines=lines, source=ReportSource.UPLOAD)


def _column_of(error: ValueError) -> str:
    message = str(error)
    if "formula" in message or "수식" in message:
        return "end_customer"
    if "시/도" in message:
        return "sido"
    if "amount" in message.lower() or "금액" in message:
        return "amount"
    return "quantity"


def _date(value: str) -> dt.date:
    text = value.strip().replace(".", "-").replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(_("Enter the date as YYYY-MM-DD.")) from error


def upload_inventory(
    *, actor: User | None, partner: Account, name: str, data: bytes, as_of: dt.date | None = None
) -> list[ChannelInventory]:
    """A stock file (all or nothing): product, date (or `as_of` for every row), on hand, in transit."""
    _require_reporter(actor, partner)
    table = _read(name, data)
    try:
        columns = _columns(table.headers, INVENTORY_HEADERS, ("product", "on_hand"))
    except UploadRejected as error:
        raise ValidationError({"file": str(error)}) from error
    if "as_of" not in columns and as_of is None:
        raise ValidationError({"file": _("The file has no date column: choose the date of the stock.")})
    rows = list(table.rows)
    if len(rows) > MAX_LINES:
        raise ValidationError({"file": _("A file holds at most %(n)s rows.") % {"n": MAX_LINES}})
    products = products_by_number(partner, {_cell(cells, columns, "product") for _line, cells in rows} - {""}, actor)
    cleaned, errors, today = [], [], timezone.localdate()
    for line_number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        code = _cell(cells, columns, "product")
        product = products.get(code)
        if not isinstance(product, Product):
            message = product or _("Unknown product number “%(code)s”.") % {"code": code[:60]}
            errors.append(RowError(line_number, "product", str(message), cells))
            continue
        try:
            day = _date(_cell(cells, columns, "as_of")) if "as_of" in columns else as_of
            if day is None or day > today:
                raise ValueError(_("Enter a date that is not in the future."))
        except ValueError as error:
            errors.append(RowError(line_number, "as_of", str(error), cells))
            continue
        try:
            on_hand = _quantity(_cell(cells, columns, "on_hand"), allow_negative=False, allow_zero=True)
            in_transit = _quantity(_cell(cells, columns, "in_transit") or "0", allow_negative=False, allow_zero=True)
        except ValueError as error:
            errors.append(RowError(line_number, "on_hand", str(error), cells))
            continue
        cleaned.append({"product": product, "as_of": day, "on_hand": on_hand, "in_transit": in_transit})
    if errors:
        raise UploadErrors(errors)
    try:
        return report_inventory(actor=actor, partner=partner, rows=cleaned, source=ReportSource.UPLOAD)
    except UploadErrors as error:  # duplicates in the file: name the file's lines
        lines = [number for number, cells in rows if any(c.strip() for c in cells)]
        for row in error.rows:
            row.line = lines[row.line - 1] if 0 < row.line <= len(lines) else row.line
        raise
