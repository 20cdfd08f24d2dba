"""Reads of commission plans and statements; each starts from the access scope (the reporting line only)."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from forgecrm.catalog.models import ProductLine
from forgecrm.platform.access import get_for_or_404, scope_for

from ..models import (
    CommissionPlan,
    CommissionPlanAssignment,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
    CommissionTier,
)


def statement_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[CommissionStatement]:
    """Statements the actor may see (own + subtree; administrators all). filters: user (id), plan (id),
    period_kind, period_start, status."""
    filters = filters or {}
    queryset = scope_for(actor, CommissionStatement).select_related("user", "plan", "approved_by")
    for name in ("user", "plan"):
        if filters.get(name):
            queryset = queryset.filter(**{f"{name}_id": getattr(filters[name], "pk", filters[name])})
    for name in ("period_kind", "period_start", "status"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def get_statement_for(actor, pk: int) -> CommissionStatement:
    """One statement with its lines (sales order, product line) in two more queries."""
    lines = (
        scope_for(actor, CommissionStatementLine)
        .select_related("sales_order", "sales_order__account", "product_line")
        .order_by("sales_order__ordered_at", "sales_order_id", "multiplier", "id")
    )
    queryset = statement_list_for(actor).prefetch_related(Prefetch("lines", queryset=lines))
    return get_for_or_404(actor, CommissionStatement, queryset=queryset, pk=pk)


def plan_list_for(actor) -> QuerySet[CommissionPlan]:
    return scope_for(actor, CommissionPlan).order_by("-is_active", "name", "id")


def get_plan_for(actor, pk: int) -> CommissionPlan:
    """A plan with its rate table, tiers and the assignments the actor sees."""
    queryset = plan_list_for(actor).prefetch_related(
        Prefetch("rates", queryset=scope_for(actor, CommissionRate).select_related("product_line")),
        Prefetch("tiers", queryset=scope_for(actor, CommissionTier).order_by("attainment_from_percent")),
        Prefetch(
            "assignments",
            queryset=scope_for(actor, CommissionPlanAssignment).select_related("user").order_by("user__full_name"),
        ),
    )
    return get_for_or_404(actor, CommissionPlan, queryset=queryset, pk=pk)


def plan_product_lines_for(actor) -> list:
    """The product lines a plan's rate table offers (the actor's catalog scope, active first by name)."""
    return list(scope_for(actor, ProductLine).order_by("name", "id"))
