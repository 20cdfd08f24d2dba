"""The week calendar page and the iCalendar exports (one meeting, the user's subscription feed)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..ics import calendar_for, feed_token
from ..queries import (
    calendar_feed_for,
    calendar_feed_user,
    calendar_week_for,
    get_activity_for,
    owner_choices_for,
    week_start_of,
)


def _week_param(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.localdate()


@login_required
def calendar_week(request: HttpRequest) -> HttpResponse:
    start = week_start_of(_week_param(request.GET.get("week", "")))
    owners = list(owner_choices_for(request.user).order_by("full_name")[:500])
    owner_id = request.user.pk
    requested = request.GET.get("owner", "")
    if requested.isdigit() and any(user.pk == int(requested) for user in owners):
        owner_id = int(requested)
    week = calendar_week_for(request.user, start, owner_id=owner_id)
    view = "agenda" if request.GET.get("view") == "agenda" else "week"
    feed_url = request.build_absolute_uri(reverse("activities:calendar-feed")) + f"?token={feed_token(request.user)}"
    context = {
        "title": _("Calendar"),
        "week": week,
        "owners": owners,
        "owner_id": owner_id,
        "owner": next((user for user in owners if user.pk == owner_id), request.user),
        "view": view,
        "today_week": week_start_of(timezone.localdate()),
        "feed_url": feed_url,
    }
    return render(request, "activities/calendar_week.html", context)


def _ics_response(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _url_for(request):
    return lambda activity: request.build_absolute_uri(reverse("activities:detail", args=[activity.pk]))


@login_required
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    if activity.starts_at is None:
        raise Http404
    payload = calendar_for([activity], domain=request.get_host().split(":")[0], url_for=_url_for(request))
    return _ics_response(payload, f"activity-{activity.pk}.ics")


def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The user's scheduled activities; calendar programs subscribe with the secret token in the URL."""
    user = request.user if request.user.is_authenticated else None
    if request.GET.get("token"):
        user = calendar_feed_user(request.GET["token"])
    if user is None:
        raise Http404
    payload = calendar_for(
        calendar_feed_for(user),
        domain=request.get_host().split(":")[0],
        name=f"Forge CRM · {user}",
        url_for=_url_for(request),
    )
    return _ics_response(payload, "forgecrm-activities.ics")
