"""Headquarters' partner service request pages: the queue with SLA badges, and a request with its thread
(internal notes marked, never shown to partners), assignment and status moves."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.service_requests import AssignForm, CommentForm, ServiceRequestFilterForm, StatusForm
from ..models import ServiceRequestStatus
from ..operations import service_requests as ops
from ..queries import service_requests as queries


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _internal_only(request: HttpRequest) -> None:
    """Headquarters' queue; partners open and follow their requests in the partner portal."""
    if not principal_for(request.user).is_internal:
        raise PermissionDenied


class ServiceRequestQueueView(ScopedListView):
    hidden_on_phone = (2, 3, 5)
    title: Any = gettext_lazy("Partner service requests")
    template_name = "partners/service/queue.html"
    row_template = "partners/service/row.html"
    filter_form_class = ServiceRequestFilterForm
    sorts = {"number": "number", "resolve": "resolve_by", "updated": "updated_at"}
    default_sort = "resolve"
    headers: Any = [
        ("number", capfirst(gettext_lazy("number"))),
        ("", gettext_lazy("Subject")),
        ("", gettext_lazy("Priority")),
        ("", gettext_lazy("Status")),
        ("resolve", gettext_lazy("SLA")),
        ("", capfirst(gettext_lazy("assigned to"))),
    ]

    def get(self, request, *args, **kwargs):
        _internal_only(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = self.hidden_on_phone
        return context

    def query(self, actor, filters):
        return queries.service_requests_for(actor, filters)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    view = queries.service_request_detail_for(request.user, pk)
    item, user = view.request, request.user
    works = user.has_perm("partners.work_partnerservicerequest", item)
    moves = ops.allowed_moves(user, item)
    return render(
        request,
        "partners/service/detail.html",
        {
            "title": item.number,
            "view": view,
            "item": item,
            "moves": [(status, ServiceRequestStatus(status).label) for status in moves],
            "can_assign": works and item.status != ServiceRequestStatus.CLOSED,
            "assign_form": AssignForm(
                users=queries.assignable_users_for(user),
                initial={"version": item.version, "assigned_to": item.assigned_to_id},
            )
            if works
            else None,
            "can_comment": user.has_perm("partners.comment_partnerservicerequest", item)
            and item.status != ServiceRequestStatus.CLOSED,
            "comment_form": CommentForm(),
        },
    )


def _done(request: HttpRequest, pk: int, run, success: str) -> HttpResponse:
    try:
        run()
    except ConflictError:
        messages.warning(request, _("Someone else changed this request meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("partners:service-request-detail", pk)


@login_required
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    item = queries.get_service_request_for(request.user, pk)
    if not request.user.has_perm("partners.work_partnerservicerequest", item):
        raise PermissionDenied
    form = AssignForm(request.POST, users=queries.assignable_users_for(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose someone to assign the request to."))
        return redirect("partners:service-request-detail", item.pk)
    data = form.cleaned_data
    return _done(
        request,
        item.pk,
        lambda: ops.assign_partner_service_request(
            actor=_actor(request), request=item, assignee=data["assigned_to"], expected_version=data["version"]
        ),
        _("Request assigned."),
    )


@login_required
@require_POST
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    item = queries.get_service_request_for(request.user, pk)
    if not request.user.has_perm("partners.work_partnerservicerequest", item):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("partners:service-request-detail", item.pk)
    data = form.cleaned_data
    return _done(
        request,
        item.pk,
        lambda: ops.change_partner_service_request_status(
            actor=_actor(request), request=item, status=data["status"], expected_version=data["version"]
        ),
        _("Status changed."),
    )


@login_required
@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    item = queries.get_service_request_for(request.user, pk)
    if not request.user.has_perm("partners.comment_partnerservicerequest", item):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect("partners:service-request-detail", item.pk)
    data = form.cleaned_data
    return _done(
        request,
        item.pk,
        lambda: ops.comment_on_partner_service_request(
            actor=_actor(request), request=item, body=data["body"], is_internal=data["is_internal"]
        ),
        _("Internal note added.") if data["is_internal"] else _("Answer sent to the partner."),
    )
