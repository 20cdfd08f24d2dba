"""The leads the partner holds: the list, one lead (status, activities, conversion into the partner's deal).

A lead whose offer is still waiting for an answer shows only what an offer shows (company, region, product
line, need) until the partner accepts it; headquarters' fields (owner, team, territory, score, source details)
are never on these pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from djmoney.money import Money

from forgecrm.activities.models import ActivityKind, ActivityStatus, Direction
from forgecrm.activities.operations import log_activity
from forgecrm.activities.queries import activities_regarding_for
from forgecrm.partners.operations.partner_leads import convert_partner_lead
from forgecrm.partners.queries import portal as queries
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.operations.leads import change_lead_status

from ..access import actor, portal_context, portal_view
from ..forms.leads import ConvertLeadForm, LeadStatusForm, LogActivityForm

TABS = [("open", _("Open")), ("converted", _("Converted")), ("disqualified", _("Disqualified")), ("", _("All"))]


@portal_view
def lead_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "open")
    if tab not in {key for key, _label in TABS}:
        tab = "open"
    q = request.GET.get("q", "").strip()[:100]
    page = keyset_page(
        queries.lead_list_for(request.user, status=tab, q=q, with_pending=True),
        sort="-updated_at",
        allowed={"updated_at": "updated_at"},
        cursor=request.GET.get("cursor", ""),
        size=25,
    )
    return render(
        request,
        "partner_portal/leads/list.html",
        {
            **portal_context(request),
            "title": _("Our leads"),
            "page": page,
            "tab": tab,
            "q": q,
            "tabs": [(key, str(label)) for key, label in TABS],
            "nav": "leads",
        },
    )


def _detail(request: HttpRequest, lead, *, status_form=None, activity_form=None, convert_form=None, status=200):
    user = actor(request)
    pending = queries.pending_offer_for(user, lead)
    offer = None if pending is not None else queries.held_offer_for(user, lead)
    may_work = pending is None and lead.is_open and user.has_perm("sales.change_lead", lead)
    return render(
        request,
        "partner_portal/leads/detail.html",
        {
            **portal_context(request),
            "title": lead.company_name or lead.person_name,
            "lead": lead,
            "offer": offer,
            "pending_offer": pending,
            "held": pending is None,
            "may_work": may_work,
            "may_convert": may_work and offer is not None and user.has_perm("partners.report_lead_result", offer),
            "activities": list(activities_regarding_for(user, lead)[:20]) if pending is None else [],
            "status_form": status_form or LeadStatusForm(initial={"status": lead.status, "version": lead.version}),
            "activity_form": activity_form or LogActivityForm(),
            "convert_form": convert_form or ConvertLeadForm(initial={"version": lead.version}),
            "nav": "leads",
        },
        status=status,
    )


@portal_view
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, queries.get_lead_for(request.user, pk))


def _held(request: HttpRequest, pk: int):
    """The lead (403 while its offer waits for our answer) and the accepted offer through which the
    organisation holds it, if it came by lead distribution (a lead headquarters assigned directly has none)."""
    lead = queries.get_lead_for(request.user, pk)
    if queries.pending_offer_for(request.user, lead) is not None:
        raise PermissionDenied
    if not request.user.has_perm("sales.change_lead", lead):
        raise PermissionDenied
    return lead, queries.held_offer_for(request.user, lead)


@require_POST
@portal_view
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    lead, _offer = _held(request, pk)
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change_lead_status(
                actor=actor(request),
                lead=lead,
                status=data["status"],
                reason=data.get("reason") or "",
                note=data.get("note") or "",
                expected_version=data.get("version"),
            )
        except ConflictError:
            messages.warning(request, _("Someone else changed this lead meanwhile; check it and try again."))
            return redirect("partner_portal:lead-detail", lead.pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Status saved: headquarters sees it now."))
            return redirect("partner_portal:lead-detail", lead.pk)
    return _detail(request, lead, status_form=form, status=400)


@require_POST
@portal_view
def lead_log_activity(request: HttpRequest, pk: int) -> HttpResponse:
    lead, _offer = _held(request, pk)
    form = LogActivityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        extra = {"direction": Direction.OUTBOUND} if kind == ActivityKind.CALL else {}
        try:
            log_activity(
                actor=actor(request),
                kind=kind,
                subject=data["subject"],
                body=data.get("body") or "",
                starts_at=data.get("starts_at"),
                status=ActivityStatus.DONE,
                regarding=lead,
                **extra,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Activity logged."))
            return redirect("partner_portal:lead-detail", lead.pk)
    return _detail(request, lead, activity_form=form, status=400)


@require_POST
@portal_view
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead, offer = _held(request, pk)
    if offer is None or not request.user.has_perm("partners.report_lead_result", offer):
        raise PermissionDenied
    form = ConvertLeadForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        amount = Money(data["amount"], "KRW") if data.get("amount") is not None else None
        try:
            result = convert_partner_lead(
                actor=actor(request),
                offer=offer,
                expected_version=data.get("version"),
                close_date=data["close_date"],
                amount=amount,
                opportunity_name=data.get("opportunity_name") or "",
            )
        except ConflictError:
            messages.warning(request, _("Someone else changed this lead meanwhile; check it and try again."))
            return redirect("partner_portal:lead-detail", lead.pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Converted: the deal %(name)s is yours in headquarters' pipeline.")
                % {"name": result.opportunity.name},
            )
            return redirect("partner_portal:lead-detail", lead.pk)
    return _detail(request, lead, convert_form=form, status=400)
