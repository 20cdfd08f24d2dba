"""Partner service requests: a partner user opens one; headquarters assigns it, works it through open → in
progress / waiting for the partner → resolved → closed, and answers in a thread in which its internal notes
never reach the partner. Targets to respond and to resolve are set on opening, counted in Korean business
hours (09–18 on business days, public holidays off); a beat task marks the targets missed, once each."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.activities.rich_text import sanitize_body
from forgecrm.catalog.models import Product
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.korea.calendar import add_business_hours
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import (
    PartnerServiceComment,
    PartnerServiceRequest,
    ServiceRequestKind,
    ServiceRequestPriority,
    ServiceRequestStatus,
)
from ..numbering import create_partner_document

PSR_PREFIX = "PSR"
MAX_BODY = 20_000
St = ServiceRequestStatus
P = ServiceRequestPriority
# (respond within, resolve within) in business hours, by priority.
SLA_HOURS: dict[str, tuple[int, int]] = {P.URGENT: (1, 8), P.HIGH: (2, 16), P.NORMAL: (4, 27), P.LOW: (8, 45)}
HQ_MOVES: dict[str, tuple[str, ...]] = {
    St.OPEN: (St.IN_PROGRESS, St.WAITING_PARTNER, St.RESOLVED),
    St.IN_PROGRESS: (St.WAITING_PARTNER, St.RESOLVED),
    St.WAITING_PARTNER: (St.IN_PROGRESS, St.RESOLVED),
    St.RESOLVED: (St.CLOSED, St.IN_PROGRESS),
    St.CLOSED: (),
}
# The partner confirms a resolution (closes) or says it is not solved (back in progress).
PARTNER_MOVES: dict[str, tuple[str, ...]] = {St.RESOLVED: (St.CLOSED, St.IN_PROGRESS)}
OPEN_STATUSES = (St.OPEN, St.IN_PROGRESS, St.WAITING_PARTNER)


def sla_targets(opened_at: dt.datetime, priority: str) -> tuple[dt.datetime, dt.datetime]:
    respond, resolve = SLA_HOURS.get(priority, SLA_HOURS[P.NORMAL])
    return add_business_hours(opened_at, respond), add_business_hours(opened_at, resolve)


def _payload(request: PartnerServiceRequest, actor, **extra) -> dict[str, Any]:
    return {
        "partner_service_request_id": request.pk,
        "number": request.number,
        "partner_id": request.partner_id,
        "status": request.status,
        "priority": request.priority,
        "assigned_to_id": request.assigned_to_id,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }


def open_partner_service_request(
    *,
    actor: User,
    kind: str,
    subject: str,
    description: str,
    priority: str = P.NORMAL,
    product: Product | None = None,
) -> PartnerServiceRequest:
    """A partner user asks headquarters for help, for its own organisation; the SLA clock starts now."""
    if not principal_for(actor).is_partner or not actor.has_perm("partners.add_partnerservicerequest"):
        raise PermissionDenied(_("Only partner users open partner service requests."))
    errors: dict[str, str] = {}
    subject = (subject or "").strip()[:200]
    description = sanitize_body((description or "")[:MAX_BODY])
    if kind not in ServiceRequestKind.values:
        errors["kind"] = _("Choose what the request is about.")
    if priority not in P.values:
        errors["priority"] = _("Choose a priority.")
    if not subject:
        errors["subject"] = _("Give the request a subject.")
    if not description:
        errors["description"] = _("Describe what you need.")
    if errors:
        raise ValidationError(errors)
    partner_id = principal_for(actor).organization_id
    if partner_id is None:  # a partner user always has one (database constraint); kept for the type checker
        raise PermissionDenied(_("Only partner users open partner service requests."))
    now = timezone.now()
    respond_by, resolve_by = sla_targets(now, priority)

    def make(number: str) -> PartnerServiceRequest:
        request = PartnerServiceRequest(
            number=number,
            partner_id=partner_id,
            requested_by=actor,
            kind=kind,
            priority=priority,
            subject=subject,
            description=description,
            product=product,
            respond_by=respond_by,
            resolve_by=resolve_by,
            created_by=actor,
            updated_by=actor,
        )
        request._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        request.save()
        return request

    with transaction.atomic():
        request = create_partner_document(PartnerServiceRequest, PSR_PREFIX, make)
        events.emit("PartnerServiceRequestOpened", _payload(request, actor))
    return request


def _locked(request: PartnerServiceRequest, expected_version: int | None) -> PartnerServiceRequest:
    current = PartnerServiceRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return current


def assign_partner_service_request(
    *, actor: User, request: PartnerServiceRequest, assignee: User | None, expected_version: int | None = None
) -> PartnerServiceRequest:
    """Give the request to an internal user (or take it back to the queue with None)."""
    if not actor.has_perm("partners.work_partnerservicerequest", request):
        raise PermissionDenied(_("You may not work on this request."))
    if assignee is not None and not (assignee.is_active and principal_for(assignee).is_internal):
        raise ValidationError({"assigned_to": _("Choose an active headquarters user.")})
    with transaction.atomic():
        current = _locked(request, expected_version)
        if current.status == St.CLOSED:
            raise ValidationError({"assigned_to": _("A closed request is not assigned any more.")})
        updated = save_versioned(current, actor=actor, expected_version=None, changes={"assigned_to": assignee})
        events.emit("PartnerServiceRequestAssigned", _payload(updated, actor))
    return updated


def allowed_moves(actor, request: PartnerServiceRequest) -> tuple[str, ...]:
    """The statuses `actor` may move the request to from where it is."""
    if actor.has_perm("partners.work_partnerservicerequest", request):
        return HQ_MOVES.get(request.status, ())
    if actor.has_perm("partners.comment_partnerservicerequest", request) and principal_for(actor).is_partner:
        return PARTNER_MOVES.get(request.status, ())
    return ()


def change_partner_service_request_status(
    *, actor: User, request: PartnerServiceRequest, status: str, expected_version: int | None = None
) -> PartnerServiceRequest:
    """Move the request on; resolving stamps the resolution time, reopening clears it, headquarters' first
    move counts as its first response."""
    with transaction.atomic():
        current = _locked(request, expected_version)
        moves = allowed_moves(actor, current)
        if not moves and not actor.has_perm("partners.comment_partnerservicerequest", current):
            raise PermissionDenied(_("You may not work on this request."))
        if status not in moves:
            raise ValidationError(
                {
                    "status": _("A request that is %(from)s cannot become %(to)s.")
                    % {"from": current.get_status_display().lower(), "to": dict(St.choices).get(status, status)}
                },
                code="transition",
            )
        now = timezone.now()
        changes: dict[str, Any] = {"status": status}
        if status == St.RESOLVED:
            changes["resolved_at"] = now
        elif status == St.IN_PROGRESS and current.status == St.RESOLVED:
            changes["resolved_at"] = None
        if principal_for(actor).is_internal and current.first_response_at is None:
            changes["first_response_at"] = now
        updated = save_versioned(current, actor=actor, expected_version=None, changes=changes)
        events.emit("PartnerServiceRequestStatusChanged", _payload(updated, actor, previous=current.status))
    return updated


def comment_on_partner_service_request(
    *, actor: User, request: PartnerServiceRequest, body: str, is_internal: bool = False
) -> PartnerServiceComment:
    """Add to the thread. Internal notes are headquarters' only (a partner cannot write one, and never reads
    one). Headquarters' first public answer is its first response; a partner's answer to a request waiting
    for it puts the request back in progress."""
    if not actor.has_perm("partners.comment_partnerservicerequest", request):
        raise PermissionDenied(_("You may not comment on this request."))
    internal_actor = principal_for(actor).is_internal
    if is_internal and not internal_actor:
        raise PermissionDenied(_("Only headquarters writes internal notes."))
    text = sanitize_body((body or "")[:MAX_BODY])
    if not text:
        raise ValidationError({"body": _("Write a comment.")})
    with transaction.atomic():
        current = _locked(request, None)
        if current.status == St.CLOSED:
            raise ValidationError({"body": _("The request is closed; open a new one.")})
        comment = PartnerServiceComment.objects.create(
            request=current, author=actor, body=text, is_internal=bool(is_internal)
        )
        changes: dict[str, Any] = {}
        if internal_actor and not is_internal and current.first_response_at is None:
            changes["first_response_at"] = comment.created_at
        if not internal_actor and current.status == St.WAITING_PARTNER:
            changes["status"] = St.IN_PROGRESS
        if changes:
            save_versioned(current, actor=actor, expected_version=None, changes=changes)
        events.emit(
            "PartnerServiceCommentAdded",
            _payload(current, actor, comment_id=comment.pk, is_internal=comment.is_internal),
        )
    return comment


def flag_partner_service_sla_breaches(*, now: dt.datetime | None = None) -> int:
    """Mark the targets that passed unmet (once each) and announce them; safe to run twice or concurrently."""
    now = now or timezone.now()
    flagged = 0
    late_response = Q(first_response_at__isnull=True, response_breached_at__isnull=True, respond_by__lt=now)
    late_resolution = Q(resolved_at__isnull=True, resolution_breached_at__isnull=True, resolve_by__lt=now)
    for target, condition, field in (
        ("response", late_response, "response_breached_at"),
        ("resolution", late_resolution, "resolution_breached_at"),
    ):
        with transaction.atomic():
            rows = list(
                PartnerServiceRequest.objects.select_for_update(skip_locked=True)
                .filter(condition, status__in=OPEN_STATUSES)
                .order_by("pk")[:500]
            )
            if not rows:
                continue
            # A system flag, not a user's edit: the version stays, so nobody's open form turns stale.
            PartnerServiceRequest.objects.filter(pk__in=[row.pk for row in rows]).update(**{field: now})
            for row in rows:
                events.emit("PartnerServiceRequestSlaBreached", _payload(row, None, target=target))
            flagged += len(rows)
    return flagged
