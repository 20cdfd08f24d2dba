"""Who may open the portal's pages: signed-in partner users only. Anonymous visitors go to the sign-in page;
internal and customer users get a clear 403 page (their work is elsewhere), before any record is looked up."""

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forgecrm.partners.queries.portal import manufacturer_name, organization_for
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        principal = principal_for(request.user)
        organization = organization_for(request.user) if principal.is_partner else None
        if organization is None:
            return render(
                request, "partner_portal/not_a_partner.html", {"manufacturer": manufacturer_name()}, status=403
            )
        request.portal_organization = organization  # type: ignore[attr-defined]  # read by the base template
        return view(request, *args, **kwargs)

    return wrapper


def portal_context(request: HttpRequest) -> dict:
    """The header's names: the partner's and the manufacturer's."""
    return {
        "organization": getattr(request, "portal_organization", None),
        "manufacturer": manufacturer_name(),
        "is_partner_admin": principal_for(request.user).role == "partner_admin",
    }


def actor(request: HttpRequest) -> User:
    """The signed-in partner user (portal_view has let only them through)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
