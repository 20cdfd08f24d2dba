"""The organisation's own programme outcomes (partner admins): what the leads routed to it in a period became,
per marketing programme (its MDF activities with what they cost), from the same query as headquarters' page
but through the partner's scopes, so it never shows another partner's offers, deals or funds."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.partners.queries.effectiveness import channel_effectiveness_for
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Role
from forgecrm.sales.queries.planning import parse_period

from ..access import actor, portal_context, portal_view


@portal_view
def programme_outcomes(request: HttpRequest) -> HttpResponse:
    if principal_for(request.user).role != Role.PARTNER_ADMIN:
        raise PermissionDenied
    period = parse_period(request.GET.get("period"), today=timezone.localdate())
    report = channel_effectiveness_for(actor(request), period)
    return render(
        request,
        "partner_portal/mdf/programmes.html",
        {**portal_context(request), "title": _("Our programme outcomes"), "report": report, "nav": "mdf"},
    )
