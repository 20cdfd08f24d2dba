"""Sales orders: created from an accepted quote (the hand-off to ERP), then moved through their statuses by
users or by ERP (submitted → confirmed → in_production → shipped → invoiced, or cancelled), each move a
`SalesOrderStatusChange` row and a `SalesOrderStatusChanged` outbox event."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.models import money_of
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import (
    Quote,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    SalesOrderStatusChange,
    StatusChangeSource,
)
from ..numbering import ORDER_PREFIX, create_numbered
from ..quote_amounts import quote_totals

FLOW: list[str] = [
    SalesOrderStatus.SUBMITTED,
    SalesOrderStatus.CONFIRMED,
    SalesOrderStatus.IN_PRODUCTION,
    SalesOrderStatus.SHIPPED,
    SalesOrderStatus.INVOICED,
]
CANCELLABLE = (SalesOrderStatus.SUBMITTED, SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)
MAX_NOTE = 300


def next_statuses(order: SalesOrder) -> list[str]:
    """Where a user may move the order next: the next step of the flow, and cancelled while not yet shipped."""
    if order.status not in FLOW:
        return []
    index = FLOW.index(order.status)
    following: list[str] = [FLOW[index + 1]] if index + 1 < len(FLOW) else []
    if order.status in CANCELLABLE:
        following.append(SalesOrderStatus.CANCELLED)
    return following


def _payload(order: SalesOrder, actor: User | None, **extra) -> dict:
    return {
        "sales_order_id": order.pk,
        "number": order.number,
        "quote_id": order.quote_id,
        "account_id": order.account_id,
        "status": order.status,
        "erp_number": order.erp_number,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }


def _status_change(order: SalesOrder, status: str, *, source: str, actor: User | None, at=None, note: str = ""):
    return SalesOrderStatusChange.objects.create(
        order=order,
        status=status,
        at=at or timezone.now(),
        source=source,
        changed_by=actor if getattr(actor, "pk", None) else None,
        note=(note or "").strip()[:MAX_NOTE],
    )


def create_sales_order_from_quote(
    *,
    actor: User | None,
    quote: Quote,
    customer_reference: str = "",
    requested_delivery_date: dt.date | None = None,
) -> SalesOrder:
    """The order for an accepted quote (called by accept_quote and place_partner_order, inside their
    transaction): its lines copied, a number from the order sequence, status submitted, `SalesOrderCreated` in
    the outbox for ERP.

    A partner's quote becomes the partner's order with us: at the partner's own prices (not its selling prices
    to its customer), `sold_through` the partner, owned by the deal's owner at headquarters."""
    now = timezone.now()
    lines = list(quote.lines.order_by("position", "pk"))
    through_partner = bool(quote.partner_id)
    if through_partner:
        unit_prices = {line.pk: line.partner_unit_price for line in lines}
        totals = quote_totals(
            [money_of(unit_prices[line.pk]).amount * line.quantity for line in lines],
            header_discount_percent=Decimal(0),
            vat_rate=quote.vat_rate,
            currency=quote.currency,
        )
        amounts = {name: Money(getattr(totals, name), quote.currency) for name in ("net", "vat", "total")}
        owner_id = quote.opportunity.owner_id
    else:
        unit_prices = {line.pk: line.net_unit_price for line in lines}
        amounts = {"net": quote.net, "vat": quote.vat, "total": quote.total}
        owner_id = quote.owner_id

    def make(number: str) -> SalesOrder:
        order = SalesOrder(
            number=number,
            quote=quote,
            opportunity_id=quote.opportunity_id,
            account_id=quote.account_id,
            owner_id=owner_id,
            sold_through_id=quote.partner_id,
            status=SalesOrderStatus.SUBMITTED,
            ordered_at=now,
            currency=quote.currency,
            customer_reference=(customer_reference or "").strip()[:64],
            requested_delivery_date=requested_delivery_date,
            created_by=actor,
            updated_by=actor,
            **amounts,
        )
        order.full_clean(exclude=["quote"])
        order._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        order.save()
        return order

    order = create_numbered(SalesOrder, ORDER_PREFIX, make)
    SalesOrderLine.objects.bulk_create(
        SalesOrderLine(
            order=order,
            position=line.position,
            quote_line=line,
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit_price=unit_prices[line.pk],
            discount_percent=Decimal(0) if through_partner else line.discount_percent,
            line_total=unit_prices[line.pk] * line.quantity if through_partner else line.line_total,
            created_by=actor,
            updated_by=actor,
        )
        for line in lines
    )
    _status_change(order, SalesOrderStatus.SUBMITTED, source=StatusChangeSource.USER, actor=actor, at=now)
    events.emit(
        "SalesOrderCreated",
        _payload(
            order,
            actor,
            total=str(order.total.amount),
            currency=order.currency,
            sold_through_id=order.sold_through_id,
        ),
    )
    return order


def change_sales_order_status(
    *, actor: User | None, order: SalesOrder, status: str, expected_version: int | None = None, note: str = ""
) -> SalesOrder:
    """A user moves the order one step on (or cancels it: rule cancel_salesorder)."""
    permission = "sales.cancel_salesorder" if status == SalesOrderStatus.CANCELLED else "sales.change_salesorder"
    if actor is not None and not actor.has_perm(permission, order):
        raise PermissionDenied(_("You cannot change this sales order."))
    with transaction.atomic():
        current = SalesOrder.objects.select_for_update().get(pk=order.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        if status not in next_statuses(current):
            raise ValidationError(
                {
                    "status": _("A sales order that is %(from)s cannot become %(to)s.")
                    % {
                        "from": current.get_status_display().lower(),
                        "to": dict(SalesOrderStatus.choices).get(status, status),
                    }
                },
                code="transition",
            )
        updated = save_versioned(current, actor=actor, expected_version=None, changes={"status": status})
        _status_change(updated, status, source=StatusChangeSource.USER, actor=actor, note=note)
        events.emit("SalesOrderStatusChanged", _payload(updated, actor, source=StatusChangeSource.USER))
    return updated


def record_erp_order_status(
    *,
    actor: User | None,
    erp_number: str,
    status: str,
    order: SalesOrder | None = None,
    at: dt.datetime | None = None,
    note: str = "",
) -> tuple[SalesOrder, bool]:
    """ERP reports an order's status. Idempotent on (ERP number, status): the same report again changes
    nothing and returns `(order, False)`. The first report links the order (given as `order`) to its ERP
    number; later ones find it by that number. ERP is the record of what happened, so any status it reports is
    taken (steps may be skipped), but an invoiced or cancelled order does not move again."""
    erp_number = (erp_number or "").strip()
    if not erp_number or len(erp_number) > 64:
        raise ValidationError({"erp_number": _("Enter the ERP order number.")})
    if status not in SalesOrderStatus.values:
        raise ValidationError({"status": _("Unknown sales order status.")})
    with transaction.atomic():
        current = SalesOrder.objects.select_for_update().filter(erp_number=erp_number).first()
        if current is None and order is not None:
            current = SalesOrder.objects.select_for_update().get(pk=order.pk)
            if current.erp_number and current.erp_number != erp_number:
                raise ValidationError({"erp_number": _("This order already has another ERP number.")})
        if current is None:
            raise ValidationError({"erp_number": _("No sales order has this ERP number.")}, code="not_found")
        if order is not None and order.pk != current.pk:
            raise ValidationError({"erp_number": _("This ERP number belongs to another sales order.")})
        if actor is not None and not actor.has_perm("sales.change_salesorder", current):
            raise PermissionDenied(_("You cannot change this sales order."))
        seen = current.status_changes.filter(source=StatusChangeSource.ERP, status=status).exists()
        if seen and current.erp_number == erp_number:
            return current, False
        if current.status in (SalesOrderStatus.INVOICED, SalesOrderStatus.CANCELLED) and current.status != status:
            raise ValidationError(
                {"status": _("The order is %(status)s already.") % {"status": current.get_status_display().lower()}}
            )
        try:
            with transaction.atomic():
                updated = save_versioned(
                    current,
                    actor=actor,
                    expected_version=None,
                    changes={"status": status, "erp_number": erp_number, "erp_synced_at": timezone.now()},
                )
        except IntegrityError as error:
            raise ValidationError({"erp_number": _("This ERP number belongs to another sales order.")}) from error
        _status_change(updated, status, source=StatusChangeSource.ERP, actor=actor, at=at, note=note)
        events.emit("SalesOrderStatusChanged", _payload(updated, actor, source=StatusChangeSource.ERP))
    return updated, True
