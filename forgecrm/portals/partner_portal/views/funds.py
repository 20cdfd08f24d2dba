"""Market development funds in the portal: the organisation's budget per period (allocated, committed, paid, left),
its requests, and one request's life: draft → submitted → approved → claimed (with proof files) → paid.

Partner admins request, change drafts, submit, claim and cancel; partner reps see the same pages read-only
(the partners policies' `request_mdf` / `change_mdfrequest` rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.partners.models import MdfRequestStatus
from forgecrm.partners.operations import funds as operations
from forgecrm.partners.queries import funds as queries
from forgecrm.platform.access import principal_for
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.models import Role
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.queries.planning import parse_period

from ..access import actor, portal_context, portal_view
from ..forms.funds import MdfClaimForm, MdfRequestForm, VersionForm

S = MdfRequestStatus
CLAIMABLE = (S.APPROVED, S.CLAIM_REJECTED)


def _is_admin(request: HttpRequest) -> bool:
    return principal_for(request.user).role == Role.PARTNER_ADMIN


@portal_view
def mdf_home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    period = parse_period(request.GET.get("period"), today=timezone.localdate())
    budget = queries.mdf_budget_for(user, period)
    rows = queries.mdf_requests_for(user).filter(
        allocation__period_start__gte=period.start, allocation__period_start__lt=period.end
    )
    page = keyset_page(
        rows, sort="-number", allowed={"number": "number"}, cursor=request.GET.get("cursor", ""), size=25
    )
    return render(
        request,
        "partner_portal/mdf/home.html",
        {
            **portal_context(request),
            "title": _("Market development funds"),
            "period": period,
            "budget": budget,
            "page": page,
            "may_request": _is_admin(request),
            "nav": "mdf",
        },
    )


def _allocations(request: HttpRequest):
    user = actor(request)
    return (
        queries.mdf_allocation_list_for(user)
        .select_related("partner")
        .filter(period_start__gte=parse_period(None, today=timezone.localdate()).previous.start)
        .order_by("period_start", "pk")
    )


def _form_page(request, form, item=None, status=200) -> HttpResponse:
    return render(
        request,
        "partner_portal/mdf/form.html",
        {
            **portal_context(request),
            "title": item.number if item else _("Request MDF"),
            "form": form,
            "item": item,
            "nav": "mdf",
        },
        status=status,
    )


@portal_view
def mdf_request_create(request: HttpRequest) -> HttpResponse:
    if not _is_admin(request):
        raise PermissionDenied
    user = actor(request)
    form = MdfRequestForm(request.POST or None, allocations=_allocations(request))
    if request.method != "POST":
        return _form_page(request, form)
    if form.is_valid():
        allocation = form.cleaned_data["allocation"]
        if not user.has_perm("partners.request_mdf", allocation):
            raise PermissionDenied
        try:
            created = operations.create_mdf_request(actor=user, allocation=allocation, **form.values())
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved. Submit it when it is complete."))
            return redirect("partner_portal:mdf-request-detail", created.pk)
    return _form_page(request, form, status=400)


def _status_changes(history: list) -> list:
    """The history rows where the status changed (edits of a draft leave the status as it was)."""
    changes: list = []
    for row in history:
        if not changes or changes[-1].status != row.status:
            changes.append(row)
    return changes


def _detail(request: HttpRequest, pk: int, *, claim_form=None, status: int = 200) -> HttpResponse:
    user = actor(request)
    view = queries.mdf_request_detail_for(user, pk)
    item = view.request
    may_claim = item.status in CLAIMABLE and user.has_perm("partners.request_mdf", item)
    if claim_form is None and may_claim:
        initial = {"version": item.version, "claimed_amount": int(item.approved_amount.amount)}
        claim_form = MdfClaimForm(initial=initial)
    return render(
        request,
        "partner_portal/mdf/detail.html",
        {
            **portal_context(request),
            "title": item.campaign_name,
            "item": item,
            "view": view,
            "statuses": _status_changes(view.history),
            "may_edit": user.has_perm("partners.change_mdfrequest", item),
            "may_claim": may_claim,
            "may_cancel": operations.may_cancel(user, item),
            "claim_form": claim_form,
            "version_form": VersionForm(initial={"version": item.version}),
            "nav": "mdf",
        },
        status=status,
    )


@portal_view
def mdf_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _draft(request: HttpRequest, pk: int):
    item = queries.get_mdf_request_for(request.user, pk)
    if not request.user.has_perm("partners.change_mdfrequest", item):
        raise PermissionDenied
    return item


def _conflict(request: HttpRequest, item) -> HttpResponse:
    messages.warning(request, _("Someone else changed this request meanwhile; check it and try again."))
    return redirect("partner_portal:mdf-request-detail", item.pk)


@portal_view
def mdf_request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _draft(request, pk)
    if request.method != "POST":
        initial = {
            "campaign_name": item.campaign_name,
            "activity_type": item.activity_type,
            "planned_start": item.planned_start.isoformat(),
            "planned_end": item.planned_end.isoformat(),
            "planned_cost": int(item.planned_cost.amount),
            "requested_amount": int(item.requested_amount.amount),
            "expected_leads": item.expected_leads,
            "description": item.description,
            "version": item.version,
        }
        form = MdfRequestForm(initial=initial, allocations=_allocations(request), editing=True)
        return _form_page(request, form, item)
    form = MdfRequestForm(request.POST, allocations=_allocations(request), editing=True)
    if form.is_valid():
        try:
            operations.update_mdf_request(
                actor=actor(request), request=item, expected_version=form.cleaned_data.get("version"), **form.values()
            )
        except ConflictError:
            return _conflict(request, item)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("partner_portal:mdf-request-detail", item.pk)
    return _form_page(request, form, item, status=400)


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data.get("version") if form.is_valid() else None


@require_POST
@portal_view
def mdf_request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _draft(request, pk)
    try:
        operations.submit_mdf_request(actor=actor(request), request=item, expected_version=_version(request))
    except ConflictError:
        return _conflict(request, item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submitted: headquarters decides the request and tells you here."))
    return redirect("partner_portal:mdf-request-detail", item.pk)


@require_POST
@portal_view
def mdf_request_claim(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_mdf_request_for(request.user, pk)
    if not request.user.has_perm("partners.request_mdf", item):
        raise PermissionDenied
    form = MdfClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            operations.claim_mdf(
                actor=actor(request),
                request=item,
                actual_cost=data["actual_cost"],
                claimed_amount=data["claimed_amount"],
                actual_leads=data.get("actual_leads") or 0,
                note=data.get("note") or "",
                proofs=data.get("proofs") or [],
                expected_version=data.get("version"),
            )
        except ConflictError:
            return _conflict(request, item)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Claim sent with its proof: headquarters checks it and pays it."))
            return redirect("partner_portal:mdf-request-detail", item.pk)
    return _detail(request, pk, claim_form=form, status=400)


@require_POST
@portal_view
def mdf_request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_mdf_request_for(request.user, pk)
    if not principal_for(request.user).is_partner or not request.user.has_perm("partners.request_mdf", item):
        raise PermissionDenied
    try:
        operations.cancel_mdf_request(actor=actor(request), request=item, expected_version=_version(request))
    except ConflictError:
        return _conflict(request, item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Request cancelled; what it had committed is back in the budget."))
    return redirect("partner_portal:mdf-request-detail", item.pk)
