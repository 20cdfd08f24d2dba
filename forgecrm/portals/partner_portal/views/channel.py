"""The partner's sell-through and stock pages: report a month's sell-through (lines or a CSV / Excel upload,
with the rows' error report), report stock, and the history (a distributor's admin also sees its dealers')."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.catalog.models import Product
from forgecrm.partners.models import ReportSource
from forgecrm.partners.operations import channel as ops
from forgecrm.partners.queries import channel as queries
from forgecrm.platform.access import principal_for
from forgecrm.platform.ui.charts import Series, category_chart

from ..access import actor, portal_context, portal_view
from ..forms.channel import (
    LINE_ROWS,
    STOCK_ROWS,
    MonthForm,
    SellThroughLineFormSet,
    StockDateForm,
    StockRowFormSet,
    UploadForm,
)

REPORT_MONTHS = 6
MAX_UPLOAD = 5 * 1024 * 1024


def _organization(request: HttpRequest):
    return request.portal_organization  # type: ignore[attr-defined]


def _months() -> list[dt.date]:
    return queries.recent_months(count=REPORT_MONTHS)


def _products(request: HttpRequest) -> list[dict[str, Any]]:
    return [dict(row) for row in queries.reportable_products(request.user).values("sku", "name")[:500]]


def _rows_of(error: ops.UploadErrors) -> list[ops.RowError]:
    return error.rows[:200]


def _month_from(request: HttpRequest) -> dt.date:
    form = MonthForm(request.GET or request.POST or None, months=_months())
    if form.is_bound and form.is_valid():
        return form.cleaned_data["month"]
    return _months()[0]


def _initial_lines(report) -> list[dict[str, Any]]:
    if report is None:
        return []
    return [
        {
            "product_number": line.product.sku,
            "quantity": line.quantity,
            "amount": int(line.amount.amount),
            "end_customer_name": line.end_customer_name,
            "sido": line.sido,
        }
        for line in report.lines.all()
    ]


def _sell_through_page(
    request: HttpRequest, *, month: dt.date, formset=None, upload=None, row_errors=None, status=200
) -> HttpResponse:
    organization = _organization(request)
    report = queries.report_of_month_for(request.user, organization.pk, month)
    if formset is None:
        initial = _initial_lines(report)
        formset = SellThroughLineFormSet(initial=initial + [{}] * max(LINE_ROWS - len(initial), 2))
    return render(
        request,
        "partner_portal/channel/sell_through.html",
        {
            **portal_context(request),
            "title": _("Report sell-through"),
            "nav": "sell-through",
            "month": month,
            "month_form": MonthForm(initial={"month": month.isoformat()}, months=_months()),
            "report": report,
            "formset": formset,
            "upload": upload or UploadForm(),
            "row_errors": row_errors or [],
            "products": _products(request),
        },
        status=status,
    )


@portal_view
def sell_through(request: HttpRequest) -> HttpResponse:
    return _sell_through_page(request, month=_month_from(request))


def _lines_from(request: HttpRequest, formset, organization) -> tuple[list[dict[str, Any]], list[ops.RowError]]:
    rows = [form.cleaned_data for form in formset.forms if form.cleaned_data.get("product_number")]
    products = ops.products_by_number(organization, {row["product_number"].strip() for row in rows}, actor(request))
    lines, errors = [], []
    for index, row in enumerate(rows, start=1):
        product = products.get(row["product_number"].strip())
        if not isinstance(product, Product):
            message = product or _("Unknown product number “%(code)s”.") % {"code": row["product_number"]}
            errors.append(ops.RowError(index, "product", str(message), [row["product_number"]]))
            continue
        lines.append({**row, "product": product, "amount": row.get("amount") or 0})
    return lines, errors


@require_POST
@portal_view
def sell_through_submit(request: HttpRequest) -> HttpResponse:
    month = _month_from(request)
    organization = _organization(request)
    formset = SellThroughLineFormSet(request.POST)
    if not formset.is_valid():
        return _sell_through_page(request, month=month, formset=formset, status=400)
    lines, errors = _lines_from(request, formset, organization)
    if not errors:
        try:
            ops.submit_sell_through(
                actor=actor(request), partner=organization, month=month, lines=lines, source=ReportSource.PORTAL
            )
        except ops.UploadErrors as error:
            errors = _rows_of(error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _sell_through_page(request, month=month, formset=formset, status=400)
        else:
            messages.success(request, _("Sell-through for %(month)s saved.") % {"month": month.strftime("%Y-%m")})
            return redirect(f"{reverse('partner_portal:sell-through')}?month={month.isoformat()}")
    return _sell_through_page(request, month=month, formset=formset, row_errors=errors, status=400)


def _uploaded(request: HttpRequest, form: UploadForm) -> tuple[str, bytes] | None:
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD // (1024 * 1024)})
        return None
    return upload.name, upload.read()


@require_POST
@portal_view
def sell_through_upload(request: HttpRequest) -> HttpResponse:
    month = _month_from(request)
    form = UploadForm(request.POST, request.FILES)
    file = _uploaded(request, form)
    if file is None:
        return _sell_through_page(request, month=month, upload=form, status=400)
    try:
        report = ops.upload_sell_through(
            actor=actor(request), partner=_organization(request), month=month, name=file[0], data=file[1]
        )
    except ops.UploadErrors as error:
        return _sell_through_page(request, month=month, upload=form, row_errors=_rows_of(error), status=400)
    except ValidationError as error:
        form.add_error("file", " ".join(error.messages))
        return _sell_through_page(request, month=month, upload=form, status=400)
    messages.success(
        request,
        _("%(count)s lines for %(month)s saved from the file.")
        % {"count": report.lines.count(), "month": month.strftime("%Y-%m")},
    )
    return redirect(f"{reverse('partner_portal:sell-through')}?month={month.isoformat()}")


# --- stock ---------------------------------------------------------------------------------------------------


def _stock_page(
    request: HttpRequest, *, date_form=None, formset=None, upload=None, row_errors=None, status=200
) -> HttpResponse:
    organization = _organization(request)
    latest = list(
        queries.channel_inventory_for(request.user, {"partner": organization.pk, "since": _months()[-1]})[:24]
    )
    return render(
        request,
        "partner_portal/channel/stock.html",
        {
            **portal_context(request),
            "title": _("Report stock"),
            "nav": "sell-through",
            "date_form": date_form or StockDateForm(initial={"as_of": timezone.localdate()}),
            "formset": formset or StockRowFormSet(initial=[{}] * STOCK_ROWS),
            "upload": upload or UploadForm(),
            "row_errors": row_errors or [],
            "latest": latest,
            "products": _products(request),
        },
        status=status,
    )


@portal_view
def stock(request: HttpRequest) -> HttpResponse:
    return _stock_page(request)


@require_POST
@portal_view
def stock_submit(request: HttpRequest) -> HttpResponse:
    organization = _organization(request)
    date_form, formset = StockDateForm(request.POST), StockRowFormSet(request.POST)
    if not (date_form.is_valid() and formset.is_valid()):
        return _stock_page(request, date_form=date_form, formset=formset, status=400)
    rows = [form.cleaned_data for form in formset.forms if form.cleaned_data.get("product_number")]
    products = ops.products_by_number(organization, {row["product_number"].strip() for row in rows}, actor(request))
    cleaned, errors = [], []
    for index, row in enumerate(rows, start=1):
        product = products.get(row["product_number"].strip())
        if not isinstance(product, Product):
            message = product or _("Unknown product number “%(code)s”.") % {"code": row["product_number"]}
            errors.append(ops.RowError(index, "product", str(message), [row["product_number"]]))
            continue
        cleaned.append(
            {
                "product": product,
                "as_of": date_form.cleaned_data["as_of"],
                "on_hand": row["on_hand"],
                "in_transit": row.get("in_transit") or 0,
            }
        )
    if not errors:
        try:
            ops.report_inventory(actor=actor(request), partner=organization, rows=cleaned)
        except ops.UploadErrors as error:
            errors = _rows_of(error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _stock_page(request, date_form=date_form, formset=formset, status=400)
        else:
            messages.success(request, _("Stock saved."))
            return redirect("partner_portal:stock")
    return _stock_page(request, date_form=date_form, formset=formset, row_errors=errors, status=400)


@require_POST
@portal_view
def stock_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    date_form = StockDateForm(request.POST)
    file = _uploaded(request, form)
    if file is None:
        return _stock_page(request, upload=form, status=400)
    as_of = date_form.cleaned_data["as_of"] if date_form.is_valid() else None
    try:
        rows = ops.upload_inventory(
            actor=actor(request), partner=_organization(request), name=file[0], data=file[1], as_of=as_of
        )
    except ops.UploadErrors as error:
        return _stock_page(request, upload=form, row_errors=_rows_of(error), status=400)
    except ValidationError as error:
        form.add_error("file", " ".join(error.messages))
        return _stock_page(request, upload=form, status=400)
    messages.success(request, _("%(count)s stock rows saved from the file.") % {"count": len(rows)})
    return redirect("partner_portal:stock")


# --- history ---------------------------------------------------------------------------------------------------


@portal_view
def history(request: HttpRequest) -> HttpResponse:
    """The organisation's reports (a distributor's admin also its dealers'), newest month first."""
    principal = principal_for(request.user)
    since = queries.recent_months(count=24)[-1]
    reports = list(queries.sell_through_reports_for(request.user, {"since": since})[:200])
    monthly = queries.monthly_sell_through_for(request.user, sorted(principal.organization_ids), since)
    figure = category_chart(
        _("Sell-through by month"),
        [row["month"].strftime("%Y-%m") for row in monthly],
        [Series(_("Sell-through (units)"), [row["quantity"] for row in monthly])],
        category_label=_("Month"),
    )
    return render(
        request,
        "partner_portal/channel/history.html",
        {
            **portal_context(request),
            "title": _("Sell-through history"),
            "nav": "sell-through",
            "reports": reports,
            "monthly": monthly,
            "figure": figure,
            "own_id": _organization(request).pk,
            "sees_dealers": len(principal.organization_ids) > 1,
        },
    )


@portal_view
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_sell_through_report_for(request.user, pk)
    return render(
        request,
        "partner_portal/channel/report.html",
        {
            **portal_context(request),
            "title": _("Sell-through %(month)s") % {"month": report.period_start.strftime("%Y-%m")},
            "nav": "sell-through",
            "report": report,
            "lines": list(report.lines.all()),
            "own": report.partner_id == _organization(request).pk,
        },
    )
