"""Reads of sell-through and channel inventory, each from the actor's access scopes: sell-in (our sales orders
to the partner: `SalesOrder.account` = the partner's account, cancelled orders left out) against sell-through
(what the partner reported selling on) and stock (its latest reported on hand / in transit in the month), per
partner, product and month; the reports (history) and one report with its lines; `sell_through_for` for
scorecards. A fixed number of queries whatever the number of partners and products."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from forgecrm.catalog.models import Product, ProductLine
from forgecrm.customers.models import Account
from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.sales.models import SalesOrderLine, SalesOrderStatus
from forgecrm.sales.queries.planning import Period

from ..models import ChannelInventory, SellThroughLine, SellThroughReport

ZERO = Decimal(0)


def month_of(value: str | None, today: dt.date | None = None) -> dt.date:
    """`2026-10` (or any ISO day) -> the first of that month; this month by default."""
    today = today or timezone.localdate()
    text = (value or "").strip()
    try:
        day = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        day = today
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def recent_months(today: dt.date | None = None, count: int = 12) -> list[dt.date]:
    month = month_of(None, today)
    months = []
    for _ in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


@dataclass
class ChannelRow:
    partner_id: int
    partner_name: str
    product_id: int
    sku: str
    product_name: str
    product_line: str
    sell_in_quantity: int = 0
    sell_in_amount: Decimal = ZERO
    sell_through_quantity: int = 0
    sell_through_amount: Decimal = ZERO
    on_hand: int | None = None
    in_transit: int | None = None
    stock_as_of: dt.date | None = None

    @property
    def sell_through_rate(self) -> Decimal | None:
        """Sold on ÷ bought in, in percent (None without sell-in)."""
        if not self.sell_in_quantity:
            return None
        return (Decimal(self.sell_through_quantity) * 100 / self.sell_in_quantity).quantize(Decimal("1"))


def _sell_in(actor, start: dt.date, end: dt.date, partner_ids, product_line) -> QuerySet:
    lines = scope_for(actor, SalesOrderLine).filter(
        order__ordered_at__date__gte=start,
        order__ordered_at__date__lt=end,
        order__account__kind="partner",
        order__currency="KRW",
    )
    lines = lines.exclude(order__status=SalesOrderStatus.CANCELLED)
    if partner_ids is not None:
        lines = lines.filter(order__account_id__in=list(partner_ids))
    if product_line:
        lines = lines.filter(product__product_line_id=product_line)
    return lines


def _sold(actor, start: dt.date, end: dt.date, partner_ids, product_line) -> QuerySet:
    lines = scope_for(actor, SellThroughLine).filter(report__period_start__gte=start, report__period_start__lt=end)
    if partner_ids is not None:
        lines = lines.filter(report__partner_id__in=list(partner_ids))
    if product_line:
        lines = lines.filter(product__product_line_id=product_line)
    return lines


def _stock(actor, start: dt.date, end: dt.date, partner_ids, product_line) -> dict[tuple[int, int], dict[str, Any]]:
    """The latest stock row per partner and product dated inside the month."""
    rows = scope_for(actor, ChannelInventory).filter(as_of__gte=start, as_of__lt=end)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=list(partner_ids))
    if product_line:
        rows = rows.filter(product__product_line_id=product_line)
    latest: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows.order_by("as_of").values("partner_id", "product_id", "as_of", "on_hand", "in_transit"):
        latest[(row["partner_id"], row["product_id"])] = dict(row)
    return latest


def channel_overview_for(
    actor, month: dt.date, *, partner_ids: Iterable[int] | None = None, product_line: int | None = None
) -> list[ChannelRow]:
    """Per partner and product for `month`: sell-in, sell-through and stock (five queries)."""
    start, end = month.replace(day=1), next_month(month)
    ids = list(partner_ids) if partner_ids is not None else None
    sell_in = {
        (row["order__account_id"], row["product_id"]): row
        for row in _sell_in(actor, start, end, ids, product_line)
        .values("order__account_id", "product_id")
        .annotate(quantity=Coalesce(Sum("quantity"), 0), amount=Coalesce(Sum("line_total"), ZERO))
    }
    sold = {
        (row["report__partner_id"], row["product_id"]): row
        for row in _sold(actor, start, end, ids, product_line)
        .filter(amount_currency="KRW")
        .values("report__partner_id", "product_id")
        .annotate(quantity=Coalesce(Sum("quantity"), 0), amount=Coalesce(Sum("amount"), ZERO))
    }
    stock = _stock(actor, start, end, ids, product_line)
    keys = set(sell_in) | set(sold) | set(stock)
    partners = dict(scope_for(actor, Account).filter(pk__in={k[0] for k in keys}).values_list("pk", "name"))
    products = {
        p["pk"]: p
        for p in scope_for(actor, Product)
        .filter(pk__in={k[1] for k in keys})
        .values("pk", "sku", "name", "product_line__name")
    }
    rows = []
    for partner_id, product_id in keys:
        if partner_id not in partners or product_id not in products:
            continue  # a partner the actor does not see
        product = products[product_id]
        row = ChannelRow(
            partner_id=partner_id,
            partner_name=partners[partner_id],
            product_id=product_id,
            sku=product["sku"],
            product_name=product["name"],
            product_line=product["product_line__name"],
        )
        if (partner_id, product_id) in sell_in:
            row.sell_in_quantity = sell_in[(partner_id, product_id)]["quantity"]
            row.sell_in_amount = Decimal(sell_in[(partner_id, product_id)]["amount"])
        if (partner_id, product_id) in sold:
            row.sell_through_quantity = sold[(partner_id, product_id)]["quantity"]
            row.sell_through_amount = Decimal(sold[(partner_id, product_id)]["amount"])
        if (partner_id, product_id) in stock:
            entry = stock[(partner_id, product_id)]
            row.on_hand, row.in_transit, row.stock_as_of = entry["on_hand"], entry["in_transit"], entry["as_of"]
        rows.append(row)
    return sorted(rows, key=lambda r: (r.partner_name, r.sku))


@dataclass
class PartnerTotals:
    partner_id: int
    partner_name: str
    sell_in_amount: Decimal = ZERO
    sell_through_amount: Decimal = ZERO
    sell_in_quantity: int = 0
    sell_through_quantity: int = 0
    on_hand: int = 0


def totals_by_partner(rows: Iterable[ChannelRow]) -> list[PartnerTotals]:
    """The overview's rows summed per partner (for the chart)."""
    totals: dict[int, PartnerTotals] = {}
    for row in rows:
        total = totals.setdefault(row.partner_id, PartnerTotals(row.partner_id, row.partner_name))
        total.sell_in_amount += row.sell_in_amount
        total.sell_through_amount += row.sell_through_amount
        total.sell_in_quantity += row.sell_in_quantity
        total.sell_through_quantity += row.sell_through_quantity
        total.on_hand += row.on_hand or 0
    return sorted(totals.values(), key=lambda t: (-t.sell_through_amount, t.partner_name))


@dataclass
class SellThroughSummary:
    amount: Decimal = ZERO
    quantity: int = 0
    sell_in_amount: Decimal = ZERO
    on_hand: int = 0


def sell_through_for(actor, partner_ids: Iterable[int] | None, period: Period) -> dict[int, SellThroughSummary]:
    """Per partner (those given, or all the actor sees): sell-through reported for the months of `period`,
    sell-in and the stock at its last reported date (what scorecards and the HQ page read). Three queries."""
    ids = list(partner_ids) if partner_ids is not None else None
    result: dict[int, SellThroughSummary] = {}
    for row in (
        _sold(actor, period.start, period.end, ids, None)
        .filter(amount_currency="KRW")
        .values("report__partner_id")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), quantity=Coalesce(Sum("quantity"), 0))
    ):
        summary = result.setdefault(row["report__partner_id"], SellThroughSummary())
        summary.amount, summary.quantity = Decimal(row["amount"]), row["quantity"]
    for row in (
        _sell_in(actor, period.start, period.end, ids, None)
        .values("order__account_id")
        .annotate(amount=Coalesce(Sum("line_total"), ZERO))
    ):
        result.setdefault(row["order__account_id"], SellThroughSummary()).sell_in_amount = Decimal(row["amount"])
    for (partner_id, _product), stock in _stock(actor, period.start, period.end, ids, None).items():
        result.setdefault(partner_id, SellThroughSummary()).on_hand += stock["on_hand"]
    return result


# --- reports and stock (portal history, API) --------------------------------------------------------------------


def sell_through_reports_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[SellThroughReport]:
    """Reports the actor sees with their line count and totals; filters: partner, month (a date), since."""
    filters = filters or {}
    queryset = scope_for(actor, SellThroughReport).select_related("partner", "submitted_by")
    if filters.get("partner"):
        queryset = queryset.filter(partner_id=filters["partner"])
    if filters.get("month"):
        queryset = queryset.filter(period_start=filters["month"])
    if filters.get("since"):
        queryset = queryset.filter(period_start__gte=filters["since"])
    return queryset.annotate(
        line_count=Count("lines"),
        total_quantity=Coalesce(Sum("lines__quantity"), 0),
        total_amount=Coalesce(Sum("lines__amount"), ZERO),
        returns=Count("lines", filter=Q(lines__quantity__lt=0)),
    ).order_by("-period_start", "partner__name", "pk")


def get_sell_through_report_for(actor, pk: Any) -> SellThroughReport:
    return get_for_or_404(
        actor,
        SellThroughReport,
        queryset=SellThroughReport.objects.select_related("partner", "submitted_by").prefetch_related("lines__product"),
        pk=pk,
    )


def report_of_month_for(actor, partner_id: int, month: dt.date) -> SellThroughReport | None:
    return (
        scope_for(actor, SellThroughReport)
        .filter(partner_id=partner_id, period_start=month.replace(day=1))
        .prefetch_related("lines__product")
        .first()
    )


def channel_inventory_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[ChannelInventory]:
    """Stock rows the actor sees, newest first; filters: partner, product, as_of, since."""
    filters = filters or {}
    queryset = scope_for(actor, ChannelInventory).select_related("partner", "product")
    for name in ("partner", "product", "as_of"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("since"):
        queryset = queryset.filter(as_of__gte=filters["since"])
    return queryset.order_by("-as_of", "partner__name", "product__sku", "pk")


def monthly_sell_through_for(actor, partner_ids: Iterable[int] | None, since: dt.date) -> list[dict[str, Any]]:
    """Sell-through amount per month since `since` (the portal's history chart)."""
    lines = _sold(actor, since, dt.date(9999, 1, 1), list(partner_ids) if partner_ids is not None else None, None)
    return list(
        lines.filter(amount_currency="KRW")
        .annotate(month=TruncMonth("report__period_start"))
        .values("month")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), quantity=Coalesce(Sum("quantity"), 0))
        .order_by("month")
    )


def product_lines() -> list[tuple[int, str]]:
    return list(ProductLine.objects.filter(is_active=True).order_by("name").values_list("pk", "name"))


def reportable_products(actor) -> QuerySet[Product]:
    return scope_for(actor, Product).filter(status="active").select_related("product_line").order_by("sku")
