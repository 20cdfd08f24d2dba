"""Partner scorecards: one month across partners (ranked within tier, charts beside the numbers) and one
partner's months."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from forgecrm.platform.ui.charts import Series, category_chart

from ..forms.routing import PeriodForm
from ..operations.scorecards import WEIGHTS
from ..queries import directory as directory_queries
from ..queries import scorecards as queries
from .directory import _internal


@login_required
def scorecard_overview(request: HttpRequest) -> HttpResponse:
    _internal(request)
    periods = queries.ranked_month_for(request.user).periods
    form = PeriodForm(request.GET or None, periods=periods)
    period, tier = None, ""
    if form.is_bound and form.is_valid():
        period, tier = form.cleaned_data.get("period") or None, form.cleaned_data.get("tier") or ""
    month = queries.ranked_month_for(request.user, period, tier)
    top = month.cards[:15]
    figure = category_chart(
        _("Score by partner"),
        [card.partner.name for card in top],
        [Series(_("score"), [card.score for card in top])],
        category_label=_("partner"),
        horizontal=True,
        height="lg",
    )
    return render(
        request,
        "partners/scorecards/overview.html",
        {"title": _("Partner scorecards"), "month": month, "form": form, "figure": figure, "weights": WEIGHTS},
    )


@login_required
def partner_scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    page = directory_queries.partner_page_for(request.user, pk)
    cards = list(reversed(page.scorecards))
    months = [card.period_start.strftime("%Y-%m") for card in cards]
    leads = category_chart(
        _("Leads by month"),
        months,
        [
            Series(_("leads offered"), [card.leads_offered for card in cards]),
            Series(_("leads accepted"), [card.leads_accepted for card in cards]),
            Series(_("leads converted"), [card.leads_converted for card in cards]),
        ],
        category_label=_("month"),
    )
    score = category_chart(
        _("Score by month"),
        months,
        [Series(_("score"), [card.score for card in cards], kind="line")],
        category_label=_("month"),
        height="sm",
    )
    amounts = category_chart(
        _("Won and sold by month"),
        months,
        [
            Series(_("won amount"), [card.won_amount.amount for card in cards]),
            Series(_("sell-through"), [card.sell_through_amount.amount for card in cards]),
        ],
        category_label=_("month"),
        value_format="money",
    )
    return render(
        request,
        "partners/scorecards/partner.html",
        {
            "title": _("Scorecard of %(name)s") % {"name": page.partner.name},
            "page": page,
            "figures": [score, leads, amounts],
            "latest": page.scorecards[0] if page.scorecards else None,
            "weights": WEIGHTS,
        },
    )
