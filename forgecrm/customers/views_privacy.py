"""A data subject's requests from the contact page: a copy of their data (ZIP) and erasure (privacy officers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from forgecrm.platform.access import get_for_or_404

from .models import Contact
from .operations import erase_personal_data, export_personal_data


def _contact(request: HttpRequest, pk: int, permission: str) -> Contact:
    contact = get_for_or_404(request.user, Contact, pk=pk)
    if not request.user.has_perm(permission, contact):
        raise PermissionDenied
    return contact


@login_required
@require_GET
def contact_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "customers.export_personal_data")
    archive = export_personal_data(
        actor=request.user, contact=contact, ip_address=request.META.get("REMOTE_ADDR") or None
    )
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-contact-{contact.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "customers.erase_personal_data")
    detail_url = reverse("customers:contact-detail", args=[contact.pk])
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "erase":
            erase_personal_data(actor=request.user, contact=contact, ip_address=request.META.get("REMOTE_ADDR") or None)
            messages.success(request, _("The person's data was erased."))
            return redirect(detail_url)
        error = _("Tick the box to confirm that the erasure cannot be undone.")
    return render(
        request,
        "customers/erase.html",
        {
            "title": _("Erase personal data of %(name)s") % {"name": contact.full_name},
            "contact": contact,
            "detail_url": detail_url,
            "error": error,
        },
        status=400 if error else 200,
    )
