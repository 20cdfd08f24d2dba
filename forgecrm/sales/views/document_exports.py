"""CSV/XLSX columns of the quote and sales order lists (`?export=csv|xlsx`, forgecrm.platform.exports:
formulas neutralised). The rows are the list's own queryset; cost and margin columns only for internal users
(the queryset then carries `queries.quotes.with_costs`)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from forgecrm.platform.exports import Column

from ..quote_amounts import margin_percent

lazy = cast("Callable[[str], str]", gettext_lazy)


def _cost(row: Any) -> Decimal | str:
    return "" if row.cost_missing or row.cost_total is None else row.cost_total


def _margin(row: Any) -> Decimal | str:
    if row.cost_missing or row.cost_total is None:
        return ""
    margin = margin_percent(row.net.amount, row.cost_total)
    return "" if margin is None else margin


def _internal_columns() -> list[Column]:
    return [Column(capfirst(lazy("cost")), _cost), Column(capfirst(lazy("margin (%)")), _margin)]


def quote_columns(*, internal: bool) -> list[Column]:
    columns = [
        Column("ID", lambda q: q.pk),
        Column(capfirst(lazy("number")), lambda q: q.number),
        Column(capfirst(lazy("revision")), lambda q: q.revision),
        Column(capfirst(lazy("opportunity")), lambda q: q.opportunity.name),
        Column(capfirst(lazy("account")), lambda q: q.account.name),
        Column(capfirst(lazy("status")), lambda q: q.get_status_display()),
        Column(capfirst(lazy("currency")), lambda q: q.currency),
        Column(capfirst(lazy("header discount (%)")), lambda q: q.header_discount_percent),
        Column(capfirst(lazy("net amount")), lambda q: q.net.amount),
        Column(capfirst(lazy("VAT")), lambda q: q.vat.amount),
        Column(capfirst(lazy("total")), lambda q: q.total.amount),
        Column(capfirst(lazy("valid until")), lambda q: q.valid_until),
        Column(capfirst(lazy("owner")), lambda q: str(q.owner or "")),
        Column(capfirst(lazy("sent at")), lambda q: q.sent_at),
        Column(capfirst(lazy("accepted at")), lambda q: q.accepted_at),
        Column(capfirst(lazy("created at")), lambda q: q.created_at),
    ]
    return columns + _internal_columns() if internal else columns


def order_columns(*, internal: bool) -> list[Column]:
    columns = [
        Column("ID", lambda o: o.pk),
        Column(capfirst(lazy("number")), lambda o: o.number),
        Column(capfirst(lazy("quote")), lambda o: o.quote.number if o.quote_id else ""),
        Column(capfirst(lazy("account")), lambda o: o.account.name),
        Column(capfirst(lazy("status")), lambda o: o.get_status_display()),
        Column(capfirst(lazy("ordered at")), lambda o: o.ordered_at),
        Column(capfirst(lazy("currency")), lambda o: o.currency),
        Column(capfirst(lazy("net amount")), lambda o: o.net.amount),
        Column(capfirst(lazy("VAT")), lambda o: o.vat.amount),
        Column(capfirst(lazy("total")), lambda o: o.total.amount),
        Column(capfirst(lazy("customer PO number")), lambda o: o.customer_reference),
        Column(capfirst(lazy("requested delivery date")), lambda o: o.requested_delivery_date),
        Column(capfirst(lazy("ERP number")), lambda o: o.erp_number),
        Column(capfirst(lazy("owner")), lambda o: str(o.owner or "")),
    ]
    return columns + _internal_columns() if internal else columns
