"""Reads of partner service requests from the actor's scope: the queue with each request's SLA state, one
request with its thread (a partner never gets headquarters' internal notes: the comment scope leaves them out),
and the business hours it took to respond and to resolve. Usable from headquarters' pages and the portal."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.platform.korea.calendar import business_hours_between
from forgecrm.platform.models import Role, User

from ..models import PartnerServiceComment, PartnerServiceRequest, ServiceRequestStatus

St = ServiceRequestStatus
OPEN = (St.OPEN, St.IN_PROGRESS, St.WAITING_PARTNER)
DUE_SOON = dt.timedelta(hours=2)


class SlaState:
    BREACHED = "breached"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    MET = "met"


def with_sla_state(queryset: QuerySet[PartnerServiceRequest], now: dt.datetime | None = None):
    """Annotate `sla_state`: breached (a target passed unmet), due soon (within two hours), on track, or met
    (resolved in time), computed in the database so a list stays one query."""
    now = now or timezone.now()
    unanswered = Q(first_response_at__isnull=True)
    unresolved = Q(resolved_at__isnull=True)
    return queryset.annotate(
        sla_state=Case(
            When(
                (unanswered & Q(respond_by__lt=now)) | (unresolved & Q(resolve_by__lt=now)),
                then=Value(SlaState.BREACHED),
            ),
            When(
                Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False),
                then=Value(SlaState.BREACHED),
            ),
            When(
                Q(resolved_at__gt=F("resolve_by")) | Q(first_response_at__gt=F("respond_by")),
                then=Value(SlaState.BREACHED),
            ),
            When(~unresolved, then=Value(SlaState.MET)),
            When(
                (unanswered & Q(respond_by__lt=now + DUE_SOON)) | Q(resolve_by__lt=now + DUE_SOON),
                then=Value(SlaState.DUE_SOON),
            ),
            default=Value(SlaState.ON_TRACK),
            output_field=CharField(),
        )
    )


def service_requests_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[PartnerServiceRequest]:
    """Partner service requests the actor may see, with `sla_state`; filters: q (number, subject, partner),
    status (one or a list), open (only unresolved), priority, kind, partner, assigned_to, unassigned, sla."""
    filters = filters or {}
    queryset = scope_for(actor, PartnerServiceRequest).select_related("partner", "requested_by", "assigned_to")
    text = (filters.get("q") or "").strip()[:100]
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(subject__icontains=text) | Q(partner__name__icontains=text)
        )
    status = filters.get("status")
    if status:
        queryset = queryset.filter(status__in=status if isinstance(status, (list, tuple)) else [status])
    if filters.get("open"):
        queryset = queryset.filter(status__in=OPEN)
    for name in ("priority", "kind", "partner", "assigned_to"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("unassigned"):
        queryset = queryset.filter(assigned_to__isnull=True)
    queryset = with_sla_state(queryset)
    if filters.get("sla"):
        queryset = queryset.filter(sla_state=filters["sla"])
    return queryset


def get_service_request_for(actor, pk: Any) -> PartnerServiceRequest:
    return get_for_or_404(
        actor,
        PartnerServiceRequest,
        queryset=with_sla_state(
            PartnerServiceRequest.objects.select_related("partner", "requested_by", "assigned_to", "product")
        ),
        pk=pk,
    )


def comments_for(actor, request: PartnerServiceRequest) -> QuerySet[PartnerServiceComment]:
    """The thread as the actor may read it (partners: without internal notes)."""
    return (
        scope_for(actor, PartnerServiceComment)
        .filter(request=request)
        .select_related("author")
        .order_by("created_at", "pk")
    )


@dataclass
class ServiceRequestView:
    request: PartnerServiceRequest
    comments: list[PartnerServiceComment] = field(default_factory=list)
    response_hours: float | None = None  # business hours to the first response
    resolution_hours: float | None = None  # business hours to the resolution


def service_request_detail_for(actor, pk: Any) -> ServiceRequestView:
    request = get_service_request_for(actor, pk)
    opened = request.created_at
    return ServiceRequestView(
        request=request,
        comments=list(comments_for(actor, request)),
        response_hours=business_hours_between(opened, request.first_response_at) if request.first_response_at else None,
        resolution_hours=business_hours_between(opened, request.resolved_at) if request.resolved_at else None,
    )


def assignable_users_for(actor):
    """Headquarters' active users the actor may give a request to (those it sees)."""
    portal_roles = [Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER]
    return scope_for(actor, User).filter(is_active=True).exclude(role__in=portal_roles).order_by("full_name", "pk")
