"""Demo sell-in, sell-through and channel stock: for the first partners with portal users, one ERP sales order
per month to the partner (sell-in; written directly like the other demo orders that arrive from ERP), the
partner's report of what it sold on (through the partners operations: some returns, end customers by name and
시/도) and its stock at each month's end (today for this month)."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from forgecrm.catalog.models import LifecycleStatus, Product
from forgecrm.customers.models import Account
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.partners.models import ReportSource
from forgecrm.partners.operations import channel
from forgecrm.platform.models import Role, User
from forgecrm.sales.models import SalesOrder, SalesOrderLine, SalesOrderStatus

from .sales import Sink

MONTHS = 4
PARTNERS = 8
CUSTOMERS = [
    "(주)한빛설비",
    "대성빌딩 관리사무소",
    "(주)서울냉열",
    "미래병원",
    "신도시아파트 관리사무소",
    "(주)동해물산",
]


def _months(today: dt.date) -> list[dt.date]:
    month, months = today.replace(day=1), []
    for _ in range(MONTHS):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def seed_partner_sell_through(
    *, partner_ids: list[int], rng: random.Random, today: dt.date, sink: Sink | None = None
) -> dict[str, int]:
    """Sell-in orders are queued in `sink` when given (the caller flushes it), else written here."""
    reporters = {
        user.organization_id: user
        for user in User.objects.filter(
            role__in=[Role.PARTNER_ADMIN, Role.PARTNER_REP], organization_id__in=partner_ids, is_active=True
        ).order_by("-role", "pk")
    }
    partners = [p for p in Account.objects.filter(pk__in=list(reporters)).order_by("pk")][:PARTNERS]
    catalog = list(Product.objects.filter(status=LifecycleStatus.ACTIVE).order_by("pk")[:40])
    if not catalog:
        return {"sell-through reports": 0, "channel stock rows": 0}
    bought: dict[int, list[int]] = {}
    for account_id, product_id in (
        SalesOrderLine.objects.filter(order__account_id__in=[p.pk for p in partners])
        .values_list("order__account_id", "product_id")
        .distinct()
    ):
        bought.setdefault(account_id, []).append(product_id)
    by_id = {product.pk: product for product in Product.objects.filter(pk__in={p for v in bought.values() for p in v})}
    owner = User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("pk").first()
    reports = stock_rows = 0
    # Set-based like the rest of the demo: one insert per table, not per order.
    sell_in = sink if sink is not None else Sink(history=True)
    numbers = set(SalesOrder.objects.filter(number__startswith="SO-ERP-").values_list("number", flat=True))
    for partner in partners:
        actor = reporters[partner.pk]
        own = [by_id[pk] for pk in bought.get(partner.pk, []) if pk in by_id]
        products = (own + rng.sample(catalog, min(len(catalog), 6)))[:8]
        for month in _months(today):
            shipped = {product.pk: rng.randint(4, 16) for product in products}
            if owner is not None:
                _sell_in(sell_in, numbers, partner, owner, month, today, products, shipped, rng)
            lines: list[dict[str, Any]] = []
            for product in rng.sample(products, min(len(products), rng.randint(3, 6))):
                quantity = max(1, shipped[product.pk] - rng.randint(0, 6))
                price = Decimal(getattr(product.list_price, "amount", 0) or 1_000_000)
                lines.append(
                    {
                        "product": product,
                        "quantity": quantity,
                        "amount": (price * quantity * Decimal("0.92")).quantize(Decimal("1")),
                        "end_customer_name": rng.choice(CUSTOMERS),
                        "sido": rng.choice(SIDO_NAMES[:9]),
                    }
                )
            if rng.random() < 0.3:
                returned = lines[0]
                lines.append({**returned, "quantity": -1, "amount": -(returned["amount"] // returned["quantity"])})
            source = rng.choice([ReportSource.PORTAL, ReportSource.UPLOAD, ReportSource.API])
            channel.submit_sell_through(actor=actor, partner=partner, month=month, lines=lines, source=source)
            reports += 1
            month_end = min(today, (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
            rows = [
                {"product": product, "as_of": month_end, "on_hand": rng.randint(0, 20), "in_transit": rng.randint(0, 4)}
                for product in products
            ]
            channel.report_inventory(actor=actor, partner=partner, rows=rows, source=source)
            stock_rows += len(rows)
    if sink is None:
        sell_in.flush()
    return {"sell-through reports": reports, "channel stock rows": stock_rows}


def _sell_in(
    sink: Sink, numbers: set[str], partner, owner, month: dt.date, today: dt.date, products, shipped, rng
) -> None:
    """One ERP sales order to the partner in the month, its lines at 70% of list price, queued in the sink. These
    are sell-in orders the distributor placed in the ERP: no quote behind them."""
    day = min(today, month + dt.timedelta(days=rng.randint(0, 9)))
    number = f"SO-ERP-{partner.pk}-{month:%Y%m}"
    if number in numbers:
        return
    numbers.add(number)
    prices = {
        p.pk: (Decimal(getattr(p.list_price, "amount", 0) or 1_000_000) * Decimal("0.7")).quantize(Decimal("1"))
        for p in products
    }
    net = sum(prices[p.pk] * shipped[p.pk] for p in products)
    vat = (net / 10).quantize(Decimal("1"))
    ordered_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    stamp = {"created_at": ordered_at, "updated_at": ordered_at, "created_by_id": owner.pk, "updated_by_id": owner.pk}
    order = sink.add(
        SalesOrder,
        {
            **stamp,
            "number": number,
            "account_id": partner.pk,
            "owner_id": owner.pk,
            "status": SalesOrderStatus.INVOICED if month < today.replace(day=1) else SalesOrderStatus.SHIPPED,
            "ordered_at": ordered_at,
            "currency": "KRW",
            "net": net,
            "vat": vat,
            "total": net + vat,
            "erp_number": f"ERP-{partner.pk}-{month:%Y%m}",
            "erp_synced_at": ordered_at,
        },
    )
    for position, product in enumerate(products, start=1):
        sink.add(
            SalesOrderLine,
            {
                **stamp,
                "order_id": order["id"],
                "position": position,
                "product_id": product.pk,
                "description": product.name,
                "quantity": shipped[product.pk],
                "unit_price": prices[product.pk],
                "line_total": prices[product.pk] * shipped[product.pk],
            },
        )
