"""The portal's home: offers waiting for an answer (with their deadlines), the leads we work, this month's figures."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from forgecrm.partners.queries import portal as queries

from ..access import actor, portal_context, portal_view
from ..forms.offers import RejectOfferForm


@portal_view
def home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    leads = list(queries.lead_list_for(user, status="open", held_only=True).order_by("-updated_at", "-pk")[:10])
    return render(
        request,
        "partner_portal/home.html",
        {
            **portal_context(request),
            "title": _("Partner portal"),
            "offers": queries.open_offers_for(user, limit=10),
            "leads": leads,
            "kpis": queries.portal_kpis_for(user),
            "reject_form": RejectOfferForm(),
            "nav": "home",
        },
    )
