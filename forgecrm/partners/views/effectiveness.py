"""Headquarters' channel effectiveness page (/partners/effectiveness/): per marketing programme and per
partner, what the leads routed in a period became and what the MDF behind them cost; a chart with the numbers
beside it, filters and a CSV / XLSX export (formulas neutralised). Channel managers, marketing and
administrators only; a partner or customer user is answered 404 (the page does not exist for them)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from forgecrm.platform.access import principal_for
from forgecrm.platform.exports import Column, export_response
from forgecrm.platform.models import Role
from forgecrm.platform.ui.charts import Series, category_chart
from forgecrm.sales.queries.planning import Period, parse_period

from ..forms.effectiveness import EffectivenessFilterForm
from ..queries import effectiveness as queries
from ..queries.funds import recent_periods

READERS = frozenset({Role.ADMIN, Role.MARKETING, Role.CHANNEL_MANAGER})


def _reader(request: HttpRequest) -> None:
    principal = principal_for(request.user)
    if not principal.is_internal:
        raise Http404
    if principal.role not in READERS and not request.user.is_superuser:
        raise PermissionDenied


def _periods() -> list[Period]:
    quarters = recent_periods(back=5, ahead=0)
    this_year = parse_period(None, default_kind="year")
    return [*quarters, this_year, this_year.previous]


def _columns() -> list[Column]:
    return [
        Column(_("Level"), lambda row: row[0]),
        Column(_("Programme"), lambda row: row[1]),
        Column(_("Partner"), lambda row: row[2]),
        Column(_("Leads routed"), lambda row: row[3].routed),
        Column(_("Accepted"), lambda row: row[3].accepted),
        Column(_("Rejected"), lambda row: row[3].rejected),
        Column(_("Recalled"), lambda row: row[3].recalled),
        Column(_("Converted to opportunities"), lambda row: row[3].converted),
        Column(_("Opportunities won"), lambda row: row[3].won),
        Column(_("Won amount (KRW)"), lambda row: row[3].won_amount),
        Column(_("Conversion rate (%)"), lambda row: row[3].conversion_rate),
        Column(_("MDF paid (KRW)"), lambda row: row[3].cost),
        Column(_("Cost per won deal (KRW)"), lambda row: row[3].cost_per_won),
    ]


def _export_rows(report: queries.Effectiveness) -> list[tuple]:
    programme, partner = _("Programme"), _("Partner")
    rows: list[tuple] = [(programme, item.label, item.mdf_partner, item.outcome) for item in report.programmes]
    rows += [(partner, "", item.name, item.outcome) for item in report.partners]
    return rows


@login_required
def channel_effectiveness(request: HttpRequest) -> HttpResponse:
    _reader(request)
    periods = _periods()
    form = EffectivenessFilterForm(
        request.GET or None, actor=request.user, periods=periods, initial={"period": periods[0].key}
    )
    period, tier, partner = periods[0], "", None
    if form.is_bound and form.is_valid():
        period = parse_period(form.cleaned_data.get("period") or periods[0].key)
        tier, partner = form.cleaned_data.get("tier") or "", form.cleaned_data.get("partner")
    report = queries.channel_effectiveness_for(
        request.user, period, tier=tier, partner_ids=[partner.pk] if partner else None
    )
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return export_response(export, _export_rows(report), _columns(), f"channel-effectiveness-{period.key}")
    top = report.programmes[:12]
    figure = category_chart(
        _("Won amount and MDF paid per programme"),
        [item.label[:40] for item in top],
        [
            Series(_("Won amount"), [item.outcome.won_amount for item in top]),
            Series(_("MDF paid"), [item.outcome.cost for item in top]),
        ],
        category_label=_("Programme"),
        horizontal=True,
        value_format="money",
        height="lg" if len(top) > 6 else "md",
    )
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "partners/effectiveness/overview.html",
        {
            "title": _("Channel effectiveness"),
            "pretitle": _("Channel"),
            "form": form,
            "report": report,
            "figure": figure,
            "query": query.urlencode(),
        },
    )
