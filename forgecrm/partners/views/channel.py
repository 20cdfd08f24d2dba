"""Headquarters' sell-through page: per partner and product for a month, what we sold in (our sales orders to
the partner), what it sold on (its reports) and what it holds (its latest stock in the month), a chart per
partner with the numbers beside it, filters and a CSV / XLSX export."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from forgecrm.platform.exports import Column, export_response
from forgecrm.platform.ui.charts import Series, category_chart

from ..forms.channel import ChannelFilterForm
from ..queries import channel as queries
from .directory import _internal


def _columns(label: str) -> list[Column]:
    return [
        Column(_("Month"), lambda row: label),
        Column(_("Partner"), lambda row: row.partner_name),
        Column(_("SKU"), lambda row: row.sku),
        Column(_("Product"), lambda row: row.product_name),
        Column(_("Product line"), lambda row: row.product_line),
        Column(_("Sell-in quantity"), lambda row: row.sell_in_quantity),
        Column(_("Sell-in amount"), lambda row: row.sell_in_amount),
        Column(_("Sell-through quantity"), lambda row: row.sell_through_quantity),
        Column(_("Sell-through amount"), lambda row: row.sell_through_amount),
        Column(_("On hand"), lambda row: row.on_hand),
        Column(_("In transit"), lambda row: row.in_transit),
        Column(_("Stock as of"), lambda row: row.stock_as_of),
    ]


@login_required
def sell_through_overview(request: HttpRequest) -> HttpResponse:
    _internal(request)
    months = queries.recent_months()
    form = ChannelFilterForm(
        request.GET or None, actor=request.user, months=months, initial={"month": months[1].isoformat()}
    )
    # last month by default: partners report a month once it is over
    month, partner, product_line = months[1], None, None
    if form.is_bound and form.is_valid():
        month = form.cleaned_data.get("month") or months[1]
        partner, product_line = form.cleaned_data.get("partner"), form.cleaned_data.get("product_line")
    rows = queries.channel_overview_for(
        request.user,
        month,
        partner_ids=[partner.pk] if partner else None,
        product_line=product_line.pk if product_line else None,
    )
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        label = month.strftime("%Y-%m")
        return export_response(export, rows, _columns(label), f"sell-through-{label}")
    totals = queries.totals_by_partner(rows)
    top = totals[:15]
    figure = category_chart(
        _("Sell-in, sell-through and stock per partner"),
        [total.partner_name for total in top],
        [
            Series(_("Sell-in (units)"), [total.sell_in_quantity for total in top]),
            Series(_("Sell-through (units)"), [total.sell_through_quantity for total in top]),
            Series(_("On hand (units)"), [total.on_hand for total in top]),
        ],
        category_label=_("Partner"),
        horizontal=len(top) > 6,
    )
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "partners/channel/overview.html",
        {
            "title": _("Sell-through and channel stock"),
            "pretitle": _("Channel"),
            "form": form,
            "month": month,
            "rows": rows,
            "totals": totals,
            "figure": figure,
            "query": query.urlencode(),
        },
    )
