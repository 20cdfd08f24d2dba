import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import get_for_or_404
from .korea.calendar import korean_holidays
from .models import Job
from .search import search
from .search.registry import search_sources
from .ui.dashboard import dashboard_tiles, home_page_for, tile_count


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    home = home_page_for(request.user)
    if home is not None:
        return redirect(home)
    tiles = [
        {
            "key": tile.key,
            "label": tile.label,
            "count": tile_count(tile, request.user),
            "url": reverse(tile.url_name),
            "icon": tile.icon,
        }
        for tile in dashboard_tiles()
    ]
    today = timezone.localdate()
    upcoming = sorted(
        (day, name)
        for year in (today.year, today.year + 1)
        for day, name in korean_holidays(year).items()
        if today <= day <= today + dt.timedelta(days=60)
    )
    return render(
        request,
        "platform/dashboard.html",
        {"tiles": tiles, "holidays": upcoming[:6], "title": _("Dashboard")},
    )


def _hits(request: HttpRequest, limit: int) -> tuple[str, list[dict]]:
    q = request.GET.get("q", "").strip()[:100]
    if not q:
        return "", []
    labels = {entity: source.model._meta.verbose_name for entity, source in search_sources().items()}
    return q, [
        {**hit.__dict__, "entity_label": labels.get(hit.entity, hit.entity)}
        for hit in search(request.user, q, limit=limit)
    ]


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    q, hits = _hits(request, limit=25)
    return render(request, "platform/search.html", {"q": q, "hits": hits, "title": _("Search")})


@login_required
def search_typeahead(request: HttpRequest) -> HttpResponse:
    q, hits = _hits(request, limit=5)
    return render(request, "platform/typeahead.html", {"q": q, "hits": hits})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_or_404(request.user, Job, pk=pk)
    return render(request, "platform/job_progress.html", {"job": job})
