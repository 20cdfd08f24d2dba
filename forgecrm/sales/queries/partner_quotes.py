"""Reads of partners' quotes, for the partner portal and the API: each starts from the actor's access scope.

A partner sees on each line the list price, its own price, its selling price and its margin; never the
manufacturer's cost snapshot (`unit_cost`) or margin, which these reads never select."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from forgecrm.catalog.models import money_of
from forgecrm.platform.access import get_for_or_404, scope_for

from ..models import Opportunity, Quote, QuoteLine, QuoteLineOption, SalesOrder
from ..quote_amounts import PartnerMargin, partner_margin

LIST_RELATED = ("account", "opportunity", "partner", "owner")


def partner_quote_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Quote]:
    """Partners' quotes the actor may see (a partner: its organisation's, a distributor admin also its dealers');
    filters: q (number, customer), status, opportunity."""
    filters = filters or {}
    queryset = scope_for(actor, Quote).filter(partner__isnull=False).select_related(*LIST_RELATED)
    text = (filters.get("q") or "").strip()[:100]
    if text:
        queryset = queryset.filter(Q(number__icontains=text) | Q(account__name__icontains=text))
    for name in ("status", "opportunity"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def get_partner_quote_for(actor, pk: Any) -> Quote:
    return get_for_or_404(
        actor,
        Quote,
        queryset=Quote.objects.filter(partner__isnull=False).select_related(*LIST_RELATED, "contact"),
        pk=pk,
    )


def get_partner_quote_line_for(actor, pk: Any) -> QuoteLine:
    return get_for_or_404(
        actor,
        QuoteLine,
        queryset=QuoteLine.objects.filter(quote__partner__isnull=False).select_related("quote", "product"),
        pk=pk,
    )


def quotable_partner_opportunities_for(actor) -> QuerySet[Opportunity]:
    """The open deals the actor's partner works, for a new quote (a partner works tens, not thousands)."""
    return (
        scope_for(actor, Opportunity)
        .filter(partner__isnull=False, stage__is_won=False, stage__is_lost=False)
        .select_related("account", "partner")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class PartnerLine:
    line: QuoteLine
    options: list[QuoteLineOption]
    margin: PartnerMargin


@dataclass(frozen=True)
class PartnerQuoteDetail:
    quote: Quote
    lines: list[PartnerLine]
    own_total: Decimal  # Σ own price × quantity: what the partner pays us (before VAT)
    margin: PartnerMargin  # over the whole quote
    order: SalesOrder | None


def partner_lines_of(actor, quote: Quote) -> list[PartnerLine]:
    rows = (
        scope_for(actor, QuoteLine)
        .filter(quote=quote)
        .select_related("product")
        .defer("unit_cost")
        .prefetch_related(Prefetch("options", queryset=QuoteLineOption.objects.order_by("pk")))
        .order_by("position", "pk")
    )
    lines = []
    for line in rows:
        own = money_of(line.partner_unit_price).amount if line.partner_unit_price is not None else Decimal(0)
        margin = partner_margin(
            selling_unit_price=money_of(line.net_unit_price).amount, own_unit_price=own, quantity=line.quantity
        )
        lines.append(PartnerLine(line=line, options=list(line.options.all()), margin=margin))
    return lines


def partner_quote_detail_for(actor, pk: Any) -> PartnerQuoteDetail:
    """A partner's quote with its lines and margins and the order placed from it: four queries."""
    quote = get_partner_quote_for(actor, pk)
    lines = partner_lines_of(actor, quote)
    own_total = sum(
        (
            (money_of(item.line.partner_unit_price).amount if item.line.partner_unit_price is not None else Decimal(0))
            * item.line.quantity
            for item in lines
        ),
        Decimal(0),
    )
    selling = sum((money_of(item.line.line_total).amount for item in lines), Decimal(0))
    margin = partner_margin(selling_unit_price=selling, own_unit_price=own_total, quantity=1)
    order = scope_for(actor, SalesOrder).filter(quote=quote).first()
    return PartnerQuoteDetail(quote=quote, lines=lines, own_total=own_total, margin=margin, order=order)
