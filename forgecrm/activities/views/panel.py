"""The regarding panel: a record's activities on its own page (a lead, an opportunity, an account...), with
two-click logging (click the kind, click save) and click-to-call.

The record comes as `<pk>` in the path and `?type=app_label.model` (in the query or the posted form); it is
looked up inside the actor's scope (404 otherwise), so the panel works for any model with an access scope
without activities importing the app it belongs to.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from forgecrm.customers.models import Contact
from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.platform.korea.phone import display_phone

from ..forms import MORE_KINDS, QUICK_KINDS, QuickLogForm
from ..models import ActivityKind, ActivityStatus, Direction
from ..operations import log_activity
from ..queries import regarding_panel_for
from ..regarding import RegardingContext, context_for, model_for_label

PANEL_TEMPLATE = "activities/panel/panel.html"


def record_from_request(request: HttpRequest, pk: int) -> models.Model:
    """The record named by `type` (query or form) and `pk`, inside the actor's scope; 404 otherwise."""
    label = request.POST.get("type") or request.GET.get("type") or ""
    model = model_for_label(label)
    if model is None:
        raise Http404
    return get_for_or_404(request.user, model, pk=pk)


def dom_id(context: RegardingContext) -> str:
    return f"activity-panel-{context.type_label.replace('.', '-')}-{context.record.pk}"


def _quick_log_url(context: RegardingContext, **query: Any) -> str:
    base = reverse("activities:quick-log", args=[context.record.pk])
    return f"{base}?{urlencode({'type': context.type_label, **query})}"


def panel_context(request: HttpRequest, record: models.Model, **extra: Any) -> dict[str, Any]:
    """Everything panel.html needs; a constant number of queries whatever the number of activities."""
    user = request.user
    regarding = context_for(record, viewer=user)
    data = regarding_panel_for(user, record)
    may_log = user.has_perm("activities.add_activity")
    for row in [*data.open, *data.history]:
        row.can_complete = row.is_open and user.has_perm("activities.complete_activity", row)  # type: ignore[attr-defined]
    next_url = extra.pop("next_url", None) or request.get_full_path()
    kinds = [
        (kind, ActivityKind(kind).label, _quick_log_url(regarding, kind=kind, next=next_url)) for kind in QUICK_KINDS
    ]
    more = [
        (kind, ActivityKind(kind).label, _quick_log_url(regarding, kind=kind, next=next_url)) for kind in MORE_KINDS
    ]
    phones = [
        (
            phone,
            _quick_log_url(
                regarding, kind=ActivityKind.CALL, phone=phone.number, contact=phone.contact_id or "", next=next_url
            ),
        )
        for phone in regarding.phones
    ]
    return {
        "panel": data,
        "regarding": regarding,
        "panel_id": dom_id(regarding),
        "panel_url": f"{reverse('activities:regarding-panel', args=[record.pk])}?{urlencode({'type': regarding.type_label})}",
        "may_log": may_log,
        "quick_kinds": kinds,
        "more_kinds": more,
        "phones": phones,
        "now": timezone.now(),
        "request": request,
        **extra,
    }


def render_panel(request: HttpRequest, record: models.Model, **extra: Any) -> str:
    return render_to_string(PANEL_TEMPLATE, panel_context(request, record, **extra), request=request)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _contact_in_scope(request: HttpRequest, value: str, regarding: RegardingContext) -> Contact | None:
    if not value.isdigit():
        return regarding.contact
    found = scope_for(request.user, Contact).filter(pk=int(value)).first()
    if found is None or (regarding.account is not None and found.account_id != regarding.account.pk):
        return regarding.contact
    return found


def quick_log_initial(request: HttpRequest, regarding: RegardingContext) -> dict[str, Any]:
    """Sensible defaults so that saving is the second click: the subject names the person or record, a call
    is done now (outbound, the dialled number), a meeting or demo starts at the next full hour for an hour."""
    kind = request.GET.get("kind") if request.GET.get("kind") in ActivityKind.values else ActivityKind.CALL
    contact = _contact_in_scope(request, request.GET.get("contact", ""), regarding)
    name = contact.full_name if contact is not None else regarding.name
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial: dict[str, Any] = {
        "kind": kind,
        "contact": contact.pk if contact is not None else None,
        "status": ActivityStatus.DONE,
        "shared_with_team": True,
    }
    subjects = {
        ActivityKind.CALL: _("Call with %(name)s"),
        ActivityKind.MEETING: _("Meeting with %(name)s"),
        ActivityKind.DEMO: _("Demo for %(name)s"),
        ActivityKind.CORRESPONDENCE: _("Email to %(name)s"),
        ActivityKind.VISIT: _("Visit to %(name)s"),
        ActivityKind.TASK: _("Follow up with %(name)s"),
        ActivityKind.NOTE: _("Note on %(name)s"),
    }
    initial["subject"] = subjects[ActivityKind(kind)] % {"name": name}
    if kind == ActivityKind.CALL:
        phone = request.GET.get("phone", "")[:32]
        if not phone and regarding.phones:
            phone = regarding.phones[0].number
        # Shown as dialled (010-1234-5678); the operation stores it as E.164 again.
        initial.update(starts_at=now, direction=Direction.OUTBOUND, phone_number=display_phone(phone), outcome_code="")
    elif kind == ActivityKind.CORRESPONDENCE:
        initial.update(starts_at=now, direction=Direction.OUTBOUND)
    elif kind in {ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.VISIT}:
        start = now.replace(minute=0) + dt.timedelta(hours=1)
        initial.update(starts_at=start, duration_minutes=60, status=ActivityStatus.PLANNED)
    elif kind == ActivityKind.TASK:
        initial.update(due_at=(now + dt.timedelta(days=1)).replace(hour=9, minute=0), status=ActivityStatus.PLANNED)
    return initial


def _form_response(request, regarding, form, *, page: bool, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "regarding": regarding,
        "panel_id": dom_id(regarding),
        "action": reverse("activities:quick-log", args=[regarding.record.pk]),
        "next_url": _safe_next(request),
        "from_call": bool(request.GET.get("phone")),
        "title": _("Log an activity"),
        "kind_label": ActivityKind(form.current_kind).label,
    }
    template = "activities/panel/quick_log_page.html" if page else "activities/panel/quick_log.html"
    return render(request, template, context, status=status)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def regarding_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel alone (HTMX refresh; also what the include renders in place)."""
    record = record_from_request(request, pk)
    next_url = _safe_next(request) or None
    return HttpResponse(render_panel(request, record, next_url=next_url))


@login_required
def quick_log(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the prefilled form (an HTMX fragment in the panel, or a small page without JavaScript).
    POST: log the activity about the record; HTMX gets the refreshed panel, a plain post goes back."""
    record = record_from_request(request, pk)
    if not request.user.has_perm("activities.add_activity"):
        raise PermissionDenied
    regarding = context_for(record, viewer=request.user)
    page = not request.htmx
    if request.method != "POST":
        return _form_response(
            request, regarding, QuickLogForm(initial=quick_log_initial(request, regarding)), page=page
        )
    form = QuickLogForm(request.POST)
    if form.is_valid():
        fields = form.operation_fields()
        regarding_fields = regarding.log_fields()
        if "contact" in fields:
            regarding_fields["contact"] = fields.pop("contact")
        try:
            activity = log_activity(actor=request.user, **regarding_fields, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if request.htmx:
                message = _("%(kind)s logged.") % {"kind": activity.get_kind_display()}
                response = HttpResponse(render_panel(request, record, next_url=_safe_next(request), logged=message))
                response["HX-Trigger"] = "activityLogged"
                return response
            messages.success(request, _("Activity saved."))
            return redirect(_safe_next(request) or reverse("activities:detail", args=[activity.pk]))
    response = _form_response(request, regarding, form, page=page, status=200 if request.htmx else 400)
    if request.htmx:
        # The form posts to the whole panel; an invalid one replaces only itself.
        response["HX-Retarget"] = f"#{dom_id(regarding)}-form"
        response["HX-Reswap"] = "innerHTML"
    return response
