"""The organisation's deal registrations: the list (status, exclusivity, expiring soon), registering a deal, editing
a draft, submitting it, and one registration with headquarters' decision.

A submitted registration is "under review" to the partner whatever headquarters' conflict check found: a channel
conflict names the other channel (another partner, a direct customer), so the portal never shows one."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.partners.models import RegistrationStatus
from forgecrm.partners.operations import registrations as operations
from forgecrm.partners.queries import registrations as queries
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import WinLossReason

from ..access import actor, portal_context, portal_view
from ..forms.registrations import RegistrationForm, VersionForm

S = RegistrationStatus
TABS = [
    ("open", gettext_lazy("Open")),
    ("draft", gettext_lazy("Drafts")),
    ("approved", gettext_lazy("Approved")),
    ("closed", gettext_lazy("Closed")),
    ("", gettext_lazy("All")),
]
TAB_STATUSES = {
    "open": (S.DRAFT, S.SUBMITTED, S.APPROVED),
    "draft": (S.DRAFT,),
    "approved": (S.APPROVED,),
    "closed": (S.REJECTED, S.EXPIRED, S.WON, S.LOST),
}


OUTCOME_CHOICES = [
    ("", gettext_lazy("Any outcome")),
    ("open", gettext_lazy("Open")),
    ("won", gettext_lazy("Won")),
    ("lost", gettext_lazy("Lost")),
]
REASONS = dict(WinLossReason.choices)


def _with_reason_labels(rows):
    """The win/loss reason code's label beside the code (the opportunity's only reason a partner reads)."""
    for row in rows:
        row.outcome_reason_label = REASONS.get(getattr(row, "outcome_reason", "") or "", "")
    return rows


def _expiring_by() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=operations.reminder_days())


@portal_view
def registration_list(request: HttpRequest) -> HttpResponse:
    outcome = request.GET.get("outcome", "")
    if outcome not in queries.OUTCOMES:
        outcome = ""
    # An outcome is looked for across every status (a won deal may still be an approved registration).
    tab = "" if outcome else request.GET.get("status", "open")
    if tab not in {key for key, _label in TABS}:
        tab = "open"
    q = request.GET.get("q", "").strip()[:100]
    rows = queries.registrations_for(request.user, {"q": q, "outcome": outcome})
    if tab:
        rows = rows.filter(status__in=TAB_STATUSES[tab])
    page = keyset_page(
        rows, sort="-number", allowed={"number": "number"}, cursor=request.GET.get("cursor", ""), size=25
    )
    _with_reason_labels(page.rows)
    return render(
        request,
        "partner_portal/registrations/list.html",
        {
            **portal_context(request),
            "title": _("Deal registrations"),
            "page": page,
            "tab": tab,
            "q": q,
            "outcome": outcome,
            "outcomes": [(key, str(label)) for key, label in OUTCOME_CHOICES],
            "tabs": [(key, str(label)) for key, label in TABS],
            "expiring_by": _expiring_by(),
            "today": timezone.localdate(),
            "nav": "registrations",
        },
    )


def _form_page(request: HttpRequest, form: RegistrationForm, registration=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "partner_portal/registrations/form.html",
        {
            **portal_context(request),
            "title": registration.number if registration else _("Register a deal"),
            "form": form,
            "registration": registration,
            "nav": "registrations",
        },
        status=status,
    )


@portal_view
def registration_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not user.has_perm("partners.add_dealregistration"):
        raise PermissionDenied
    form = RegistrationForm(request.POST or None, actor=user)
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = operations.create_deal_registration(
                    actor=user, values=form.values(), lines=form.cleaned_data["lines"]
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Draft saved. Check it and submit it to headquarters."))
                return redirect("partner_portal:registration-detail", registration.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, form)


@portal_view
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    detail = queries.registration_detail_for(user, pk)
    registration = detail.registration
    _with_reason_labels([registration])
    return render(
        request,
        "partner_portal/registrations/detail.html",
        {
            **portal_context(request),
            "title": registration.number,
            "registration": registration,
            "lines": detail.lines,
            "may_edit": user.has_perm("partners.change_dealregistration", registration),
            "version_form": VersionForm(initial={"version": registration.version}),
            "expiring_by": _expiring_by(),
            "nav": "registrations",
        },
    )


def _editable(request: HttpRequest, pk: int):
    registration = queries.get_registration_for(request.user, pk)
    if not request.user.has_perm("partners.change_dealregistration", registration):
        raise PermissionDenied
    return registration


@portal_view
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    registration = _editable(request, pk)
    if request.method != "POST":
        lines = queries.registration_detail_for(user, pk).lines
        form = RegistrationForm(initial=RegistrationForm.initial_for(registration, lines), actor=user)
        return _form_page(request, form, registration)
    form = RegistrationForm(request.POST, actor=user)
    if form.is_valid():
        try:
            operations.update_deal_registration(
                actor=user,
                registration=registration,
                expected_version=form.cleaned_data.get("version"),
                values=form.values(),
                lines=form.cleaned_data["lines"],
            )
        except ConflictError:
            messages.warning(request, _("Someone else changed this registration meanwhile; check it and try again."))
            return redirect("partner_portal:registration-detail", registration.pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("partner_portal:registration-detail", registration.pk)
    return _form_page(request, form, registration, status=400)


@require_POST
@portal_view
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _editable(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        operations.submit_deal_registration(actor=actor(request), registration=registration, expected_version=version)
    except ConflictError:
        messages.warning(request, _("Someone else changed this registration meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partner_portal:registration-detail", registration.pk)
    else:
        messages.success(
            request, _("Submitted: headquarters reviews the registration and tells you its decision here.")
        )
    return redirect("partner_portal:registration-detail", registration.pk)
