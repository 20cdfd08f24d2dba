"""Sales report pages under /sales/reports/ (one page per report, each with its chart, its table and a CSV/XLSX
export of the table as `?export=csv`), and the sales dashboard of a manager at /sales/dashboard/.

Every figure comes from `queries.reports`, which starts from the viewer's scopes. Internal users and partner
users see the reports (partners their organisation's deals); customer portal users have none (403). The
dashboard, read from the rollups, is for internal users."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.platform.access import principal_for
from forgecrm.platform.exports import Column, export_response
from forgecrm.platform.ui.charts import Series, category_chart, funnel_chart, share_chart

from ..forms.reports import ReportFilterForm
from ..queries.reports import (
    HOME_CURRENCY,
    ReportFilters,
    WinRateBy,
    currency_order,
    forecast_period,
    forecast_vs_quota_for,
    funnel_for,
    pipeline_by_owner_for,
    pipeline_by_stage_for,
    sales_cycle_for,
    sales_dashboard_for,
    top_accounts_for,
    totals_of,
    win_rates_for,
)

# --- tables: what a report shows under its chart and exports -----------------------------------------------------


@dataclass
class Cell:
    kind: str  # text, count, amounts, rate, days
    value: Any

    @property
    def percent(self) -> Decimal | None:
        return percent(self.value)


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (header, kind)
    rows: list[list[Any]] = field(default_factory=list)
    footer: list[Any] | None = None

    def cells(self, row: list[Any]) -> list[Cell]:
        return [Cell(kind, value) for (_header, kind), value in zip(self.columns, row, strict=True)]

    @property
    def body(self) -> list[list[Cell]]:
        return [self.cells(row) for row in self.rows]

    @property
    def foot(self) -> list[Cell] | None:
        return self.cells(self.footer) if self.footer else None

    def currencies(self, index: int) -> list[str]:
        codes = {code for row in self.rows for code in (row[index] or {})}
        return sorted(codes or {HOME_CURRENCY}, key=currency_order)

    def export_columns(self) -> list[Column]:
        """One spreadsheet column per column, and per currency for an amount column ("Amount (KRW)", ...)."""
        columns = []
        for index, (header, kind) in enumerate(self.columns):
            if kind == "amounts":
                for code in self.currencies(index):
                    columns.append(Column(f"{header} ({code})", _amount_getter(index, code)))
            else:
                columns.append(Column(header, _plain_getter(index, kind)))
        return columns


def _amount_getter(index: int, code: str) -> Callable[[list[Any]], Any]:
    return lambda row: (row[index] or {}).get(code, Decimal("0.00"))


def _plain_getter(index: int, kind: str) -> Callable[[list[Any]], Any]:
    if kind == "rate":
        return lambda row: None if row[index] is None else (row[index] * 100).quantize(Decimal("0.01"))
    return lambda row: row[index]


def krw(amounts: dict[str, Decimal]) -> Decimal:
    return amounts.get(HOME_CURRENCY, Decimal(0))


def percent(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else (rate * 100).quantize(Decimal("0.1"))


# --- the pages -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    slug: str
    url_name: str
    title: Any
    icon: str


REPORTS = [
    Report("pipeline", "sales:reports", gettext_lazy("Pipeline"), "chart-bar"),
    Report("funnel", "sales:report-funnel", gettext_lazy("Funnel"), "filter"),
    Report("win-rate", "sales:report-win-rate", gettext_lazy("Win rate"), "trophy"),
    Report("cycle", "sales:report-cycle", gettext_lazy("Sales cycle"), "clock"),
    Report("forecast", "sales:report-forecast", gettext_lazy("Forecast vs quota"), "target"),
    Report("top-accounts", "sales:report-top-accounts", gettext_lazy("Top accounts"), "building"),
]


def _report_viewer(request: HttpRequest) -> None:
    principal = principal_for(request.user)
    if not (principal.is_internal or principal.is_partner):
        raise PermissionDenied


def _render(
    request: HttpRequest,
    slug: str,
    form: ReportFilterForm,
    filters: ReportFilters,
    figures: list[Any],
    tables: list[Table],
    **extra: Any,
) -> HttpResponse:
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        table = tables[0]
        name = f"sales-{slug}-{filters.date_from or 'all'}-{filters.date_to or 'all'}"
        return export_response(export, table.rows, table.export_columns(), name)
    report = next(item for item in REPORTS if item.slug == slug)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "title": report.title,
        "report": report,
        "reports": [{"slug": r.slug, "title": r.title, "url": reverse(r.url_name), "icon": r.icon} for r in REPORTS],
        "form": form,
        "filters": filters,
        "figures": figures,
        "tables": tables,
        "query": query.urlencode(),
        **extra,
    }
    return render(request, "sales/reports/report.html", context)


def _form(request: HttpRequest) -> tuple[ReportFilterForm, ReportFilters]:
    _report_viewer(request)
    form = ReportFilterForm(request.GET or None, actor=request.user)
    return form, form.filters()


def _pipeline_table(title: str, first: str, rows: list[Any], total: bool = True) -> Table:
    table = Table(
        title,
        [(first, "text"), (_("Deals"), "count"), (_("Amount"), "amounts"), (_("Weighted amount"), "amounts")],
        [[row.label, row.count, row.amounts, row.weighted] for row in rows],
    )
    if total:
        sums = totals_of(rows)
        table.footer = [_("Total"), sums.count, sums.amounts, sums.weighted]
    return table


@login_required
def pipeline_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    by_stage = pipeline_by_stage_for(request.user, filters)
    by_owner = pipeline_by_owner_for(request.user, filters)
    figures = [
        category_chart(
            _("Open pipeline by stage (KRW)"),
            [row.label for row in by_stage],
            [Series(_("Amount"), [krw(row.amounts) for row in by_stage]),
             Series(_("Weighted amount"), [krw(row.weighted) for row in by_stage])],
            category_label=_("Stage"),
            value_format="money",
        ),
        category_chart(
            _("Open pipeline by owner (KRW)"),
            [row.label for row in by_owner[:15]],
            [Series(_("Amount"), [krw(row.amounts) for row in by_owner[:15]]),
             Series(_("Weighted amount"), [krw(row.weighted) for row in by_owner[:15]])],
            category_label=_("Owner"),
            horizontal=True,
            value_format="money",
        ),
    ]  # fmt: skip
    tables = [
        _pipeline_table(_("By stage"), _("Stage"), by_stage),
        _pipeline_table(_("By owner"), _("Owner"), by_owner),
    ]
    return _render(request, "pipeline", form, filters, figures, tables)


@login_required
def funnel_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    steps = funnel_for(request.user, filters)
    figures = [
        funnel_chart(
            _("Lead funnel"), [(step.label, step.count) for step in steps], step_label=_("Step"), value_label=_("Leads")
        )
    ]
    table = Table(
        _("Conversion"),
        [
            (_("Step"), "text"),
            (_("Leads"), "count"),
            (_("From the step before"), "rate"),
            (_("From all leads"), "rate"),
        ],
        [[step.label, step.count, step.rate_from_previous, step.rate_from_first] for step in steps],
    )
    return _render(request, "funnel", form, filters, figures, [table])


@login_required
def win_rate_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    sections = [
        (WinRateBy.OWNER, _("By owner"), _("Owner")),
        (WinRateBy.PRODUCT_LINE, _("By product line"), _("Product line")),
        (WinRateBy.MONTH, _("By month"), _("Month")),
    ]
    tables, figures = [], []
    for by, title, first in sections:
        rows = win_rates_for(request.user, filters, by)
        tables.append(
            Table(
                title,
                [(first, "text"), (_("Won"), "count"), (_("Lost"), "count"), (_("Win rate"), "rate"),
                 (_("Won amount"), "amounts")],
                [[row.label, row.won, row.lost, row.rate, row.won_amounts] for row in rows],
            )
        )  # fmt: skip
        if by == WinRateBy.MONTH:
            figures.append(
                category_chart(
                    _("Win rate by month"),
                    [row.label for row in rows],
                    [Series(_("Win rate"), [percent(row.rate) for row in rows], kind="line")],
                    category_label=_("Month"),
                    value_format="percent",
                )
            )
        elif by == WinRateBy.OWNER:
            won, lost = sum(row.won for row in rows), sum(row.lost for row in rows)
            figures.append(
                share_chart(
                    _("Won and lost deals"),
                    [(_("Won"), won), (_("Lost"), lost)],
                    part_label=_("Outcome"),
                    value_label=_("Deals"),
                )
            )
    # the owner table first (it is the one exported), the month chart beside the owners
    return _render(request, "win-rate", form, filters, figures, tables)


@login_required
def cycle_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    figures_ = sales_cycle_for(request.user, filters)
    figures = [
        category_chart(
            _("Days from creation to close"),
            [item.label for item in figures_],
            [Series(_("Median"), [item.median_days for item in figures_]),
             Series(_("Mean"), [item.mean_days for item in figures_])],
            category_label=_("Outcome"),
        )
    ]  # fmt: skip
    table = Table(
        _("Sales cycle (days)"),
        [(_("Outcome"), "text"), (_("Deals"), "count"), (_("Median"), "days"), (_("Mean"), "days")],
        [[item.label, item.count, item.median_days, item.mean_days] for item in figures_],
    )
    return _render(request, "cycle", form, filters, figures, [table])


@login_required
def forecast_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    kind, start = forecast_period(filters)
    rows = forecast_vs_quota_for(request.user, kind, start, filters)
    figures = [
        category_chart(
            _("Quota, commit and won (KRW)"),
            [row.label for row in rows],
            [Series(_("Quota"), [krw(row.quota) for row in rows]),
             Series(_("Commit"), [krw(row.commit) for row in rows]),
             Series(_("Won"), [krw(row.won) for row in rows])],
            category_label=_("Owner"),
            value_format="money",
        )
    ]  # fmt: skip
    table = Table(
        _("Forecast vs quota"),
        [(_("Owner"), "text"), (_("Quota"), "amounts"), (_("Commit"), "amounts"), (_("Best case"), "amounts"),
         (_("Won"), "amounts"), (_("Attainment"), "rate"), (_("Open, weighted"), "amounts")],
        [[row.label, row.quota, row.commit, row.best_case, row.won, row.attainment, row.open_weighted]
         for row in rows],
    )  # fmt: skip
    return _render(request, "forecast", form, filters, figures, [table], period_kind=kind, period_start=start)


@login_required
def top_accounts_report(request: HttpRequest) -> HttpResponse:
    form, filters = _form(request)
    rows = top_accounts_for(request.user, filters, limit=20)
    figures = [
        category_chart(
            _("Won amount by account (KRW)"),
            [row.label for row in rows[:10]],
            [Series(_("Won amount"), [krw(row.won_amounts) for row in rows[:10]])],
            category_label=_("Account"),
            horizontal=True,
            value_format="money",
        )
    ]
    table = Table(
        _("Top accounts"),
        [(_("Account"), "text"), (_("Deals won"), "count"), (_("Won amount"), "amounts")],
        [[row.label, row.won_count, row.won_amounts] for row in rows],
    )
    return _render(request, "top-accounts", form, filters, figures, [table])


# --- the dashboard -------------------------------------------------------------------------------------------------


@login_required
def sales_dashboard(request: HttpRequest) -> HttpResponse:
    if not principal_for(request.user).is_internal:
        raise PermissionDenied
    board = sales_dashboard_for(request.user)
    stages, owners, months = board.pipeline_by_stage, board.pipeline_by_owner, board.win_rate_by_month
    figures = {
        "stages": category_chart(
            _("Open pipeline by stage (KRW)"),
            [row.label for row in stages],
            [Series(_("Amount"), [krw(row.amounts) for row in stages]),
             Series(_("Weighted amount"), [krw(row.weighted) for row in stages])],
            category_label=_("Stage"),
            value_format="money",
            height="sm",
        ),
        "owners": category_chart(
            _("This quarter's open pipeline by owner (KRW)"),
            [row.label for row in owners],
            [Series(_("Amount"), [krw(row.amounts) for row in owners])],
            category_label=_("Owner"),
            horizontal=True,
            value_format="money",
            height="sm",
        ),
        "forecast": category_chart(
            _("This quarter (KRW)"),
            [_("Quota"), _("Commit"), _("Won")],
            [Series(_("Amount"), [krw(board.quota_this_quarter), krw(board.commit_this_quarter),
                                  krw(board.won_this_quarter)])],
            value_format="money",
            height="sm",
        ),
        "win_rate": category_chart(
            _("Win rate by month"),
            [f"{month.month:%Y-%m}" for month in months],
            [Series(_("Win rate"), [percent(month.rate) for month in months], kind="line")],
            category_label=_("Month"),
            value_format="percent",
            height="sm",
        ),
    }  # fmt: skip
    total = board.pipeline_total
    other_currencies = {
        code: value
        for amounts in (total.amounts, board.won_this_quarter)
        for code, value in amounts.items()
        if code != HOME_CURRENCY
    }
    context = {
        "title": _("Sales dashboard"),
        "board": board,
        "total": total,
        "figures": figures,
        "has_other_currencies": bool(other_currencies),
        "won_krw": krw(board.won_this_quarter),
        "attainment": percent(board.attainment),
        "reports_url": reverse("sales:reports"),
    }
    return render(request, "sales/reports/dashboard.html", context)
