"""Reads of quotes and sales orders; each starts from the actor's access scope.

Margins (from the `unit_cost` snapshot) are computed only for internal users: partner and customer users get
None, and the pages and serializers leave the fields out for them."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from forgecrm.catalog.models import Option, OptionGroup, Product, money_of
from forgecrm.catalog.policies import SELLABLE_STATUSES
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for

from ..models import (
    Opportunity,
    Quote,
    QuoteApproval,
    QuoteLine,
    QuoteLineOption,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
)
from ..quote_amounts import margin_percent

LIST_RELATED = ("account", "owner", "opportunity")


def sees_margins(actor) -> bool:
    """Cost snapshots, margins, internal notes and approvals are for the manufacturer's own people."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and principal_for(actor).is_internal)


def quote_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Quote]:
    """Quotes the actor may see; filters: q (number, account name), status, owner, account, opportunity,
    latest (only the newest revision of each family)."""
    filters = filters or {}
    queryset = scope_for(actor, Quote).select_related(*LIST_RELATED)
    text = (filters.get("q") or "").strip()[:100]
    if text:
        queryset = queryset.filter(Q(number__icontains=text) | Q(account__name__icontains=text))
    for name in ("status", "owner", "account", "opportunity"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("latest"):
        queryset = queryset.filter(next_revision__isnull=True)
    return queryset


def with_costs(queryset: QuerySet, *, quote: str = "pk") -> QuerySet:
    """Internal exports only: `cost_total` = Σ unit cost × quantity of the quote's lines (`quote="quote_id"` for
    sales orders, whose lines are their quote's) and `cost_missing` when a line has no cost snapshot. Two
    subqueries, whatever the number of rows; never call it for a partner or customer user."""
    lines = QuoteLine.objects.filter(quote=OuterRef(quote)).order_by()
    cost = ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=DecimalField(max_digits=20, decimal_places=2))
    totals = lines.values("quote").annotate(cost=Sum(cost)).values("cost")[:1]
    return queryset.annotate(
        cost_total=Subquery(totals, output_field=DecimalField(max_digits=20, decimal_places=2)),
        cost_missing=Exists(lines.filter(unit_cost__isnull=True)),
    )


def get_quote_for(actor, pk: Any) -> Quote:
    return get_for_or_404(
        actor, Quote, queryset=Quote.objects.select_related("account", "owner", "opportunity", "contact"), pk=pk
    )


def get_quote_line_for(actor, pk: Any) -> QuoteLine:
    return get_for_or_404(actor, QuoteLine, queryset=QuoteLine.objects.select_related("quote", "product"), pk=pk)


def lines_of(quote: Quote) -> QuerySet[QuoteLine]:
    return (
        QuoteLine.objects.filter(quote=quote)
        .select_related("product")
        .prefetch_related(Prefetch("options", queryset=QuoteLineOption.objects.order_by("pk")))
        .order_by("position", "pk")
    )


@dataclass
class LineView:
    line: QuoteLine
    margin_percent: Decimal | None = None


@dataclass
class QuoteView:
    quote: Quote
    lines: list[LineView]
    revisions: list[Quote]
    approvals: list[QuoteApproval] = field(default_factory=list)
    order: SalesOrder | None = None
    internal: bool = False
    cost: Decimal | None = None
    margin_percent: Decimal | None = None


def quote_detail_for(actor, pk: Any) -> QuoteView:
    """The quote with its lines and options, its family's revisions, its order, and for internal users the
    approvals and margins; a constant number of queries whatever the number of lines."""
    quote = get_quote_for(actor, pk)
    internal = sees_margins(actor)
    lines = [LineView(line) for line in lines_of(quote)]
    view = QuoteView(
        quote=quote,
        lines=lines,
        revisions=list(
            scope_for(actor, Quote)
            .filter(family=quote.family)
            .order_by("-revision")
            .only("pk", "number", "revision", "status")
        ),
        order=scope_for(actor, SalesOrder).filter(quote=quote).first(),
        internal=internal,
    )
    if internal:
        view.approvals = list(
            scope_for(actor, QuoteApproval).filter(quote=quote).select_related("approver").order_by("created_at", "pk")
        )
        total_cost = Decimal(0)
        complete = True
        for row in lines:
            if row.line.unit_cost is None:
                complete = False
                continue
            cost = money_of(row.line.unit_cost).amount * row.line.quantity
            total_cost += cost
            row.margin_percent = margin_percent(money_of(row.line.line_total).amount, cost)
        if complete and lines:
            view.cost = total_cost
            view.margin_percent = margin_percent(money_of(quote.net).amount, total_cost)
    return view


def quote_products_for(actor, text: str = "", limit: int = 30) -> list[Product]:
    """Products the actor may put on a quote (visible and for sale), by SKU or name."""
    queryset = scope_for(actor, Product).filter(status__in=SELLABLE_STATUSES)
    text = (text or "").strip()[:100]
    if text:
        queryset = queryset.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    return list(queryset.order_by("sku", "pk")[:limit])


def option_groups_for(actor, product: Product) -> list[OptionGroup]:
    """The product's option groups with their active options, for the option pickers."""
    options = Prefetch("options", queryset=scope_for(actor, Option).filter(is_active=True).order_by("sku", "pk"))
    return list(scope_for(actor, OptionGroup).filter(product=product).prefetch_related(options).order_by("pk"))


def quotable_opportunities_for(actor, text: str = "", limit: int = 50) -> QuerySet[Opportunity]:
    queryset = scope_for(actor, Opportunity).select_related("account")
    text = (text or "").strip()[:100]
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(account__name__icontains=text))
    return queryset.order_by("-created_at", "-pk")[:limit]


# --- sales orders ----------------------------------------------------------------------------------------------


def sales_order_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[SalesOrder]:
    """Sales orders the actor may see; filters: q (number, ERP number, account name), status, owner, account."""
    filters = filters or {}
    queryset = scope_for(actor, SalesOrder).select_related("account", "owner", "quote", "sold_through")
    text = (filters.get("q") or "").strip()[:100]
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(erp_number__icontains=text) | Q(account__name__icontains=text)
        )
    for name in ("status", "owner", "account"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def get_sales_order_for(actor, pk: Any) -> SalesOrder:
    return get_for_or_404(
        actor,
        SalesOrder,
        queryset=SalesOrder.objects.select_related("account", "owner", "quote", "opportunity", "sold_through"),
        pk=pk,
    )


@dataclass
class SalesOrderView:
    order: SalesOrder
    lines: list[SalesOrderLine]
    changes: list[SalesOrderStatusChange]


def sales_order_detail_for(actor, pk: Any) -> SalesOrderView:
    order = get_sales_order_for(actor, pk)
    return SalesOrderView(
        order=order,
        lines=list(scope_for(actor, SalesOrderLine).filter(order=order).select_related("product").order_by("position")),
        changes=list(
            scope_for(actor, SalesOrderStatusChange)
            .filter(order=order)
            .select_related("changed_by")
            .order_by("at", "pk")
        ),
    )


def configuration_errors_for(actor, quote: Quote, product: Product, option_ids: list[int]) -> list[str]:
    """What the catalog's rules say about choosing `option_ids` for `product` on this quote (live in the picker)."""
    from forgecrm.catalog.configuration import validate_configuration

    others = list(scope_for(actor, QuoteLine).filter(quote=quote).values_list("product_id", flat=True))
    return validate_configuration(product, option_ids, quote_product_ids=[*others, product.pk])
