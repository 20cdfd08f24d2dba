"""What quotes and sales orders add to an account's 360° timeline: orders placed and their status changes
(from users and from ERP), and quotes sent or accepted; each through the actor's scope."""

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from forgecrm.platform.access import scope_for
from forgecrm.platform.korea.money import format_money
from forgecrm.platform.timeline import TimelineEntry, register_timeline_source

from .models import Quote, QuoteStatus, SalesOrderStatus, SalesOrderStatusChange


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # pragma: no cover - the pages are always installed with the app
        return ""


def _order_entries(actor, account_id: int, limit: int) -> list[TimelineEntry]:
    changes = (
        scope_for(actor, SalesOrderStatusChange)
        # A partner's account shows the orders it placed for its customers (sold through it) too.
        .filter(Q(order__account_id=account_id) | Q(order__sold_through_id=account_id))
        .select_related("order", "order__sold_through", "order__account", "changed_by")
        .order_by("-at", "-pk")[:limit]
    )
    entries = []
    for change in changes:
        order = change.order
        if change.status == SalesOrderStatus.SUBMITTED:
            title = _("Sales order %(number)s placed") % {"number": order.number}
            summary = format_money(order.total.amount, order.currency)
            if order.sold_through_id == account_id:
                summary = _("%(amount)s, for %(customer)s") % {"amount": summary, "customer": order.account.name}
            elif order.sold_through is not None:
                summary = _("%(amount)s, through %(partner)s") % {"amount": summary, "partner": order.sold_through.name}
        else:
            title = _("Sales order %(number)s: %(status)s") % {
                "number": order.number,
                "status": change.get_status_display(),
            }
            summary = change.note
        entries.append(
            TimelineEntry(
                at=change.at,
                kind="sales.order_status",
                title=title,
                summary=summary,
                url=_url("sales:order-detail", order.pk),
                icon="truck-delivery" if change.status == SalesOrderStatus.SHIPPED else "package",
                actor=_("ERP") if change.source == "erp" else str(change.changed_by or ""),
            )
        )
    return entries


def _quote_entries(actor, account_id: int, limit: int) -> list[TimelineEntry]:
    quotes = (
        scope_for(actor, Quote)
        .filter(account_id=account_id, sent_at__isnull=False)
        .select_related("owner")
        .order_by("-sent_at")[:limit]
    )
    entries = []
    for quote in quotes:
        entries.append(
            TimelineEntry(
                at=quote.sent_at,  # type: ignore[arg-type]  # filtered on sent_at not null
                kind="sales.quote_sent",
                title=_("Quote %(number)s sent") % {"number": quote.number},
                summary=format_money(quote.total.amount, quote.currency)
                + (f" · {_('Accepted')}" if quote.status == QuoteStatus.ACCEPTED else ""),
                url=_url("sales:quote-detail", quote.pk),
                icon="file-invoice",
                actor=str(quote.owner),
            )
        )
    return entries


def sales_order_timeline(actor, subject_kind: str, subject_id: int, limit: int) -> list[TimelineEntry]:
    if subject_kind != "account":
        return []
    return _order_entries(actor, subject_id, limit) + _quote_entries(actor, subject_id, limit)


register_timeline_source("sales.orders", sales_order_timeline)
