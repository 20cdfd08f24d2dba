"""The organisation's service requests to headquarters: the list with each one's SLA state, opening one, and its
thread. Headquarters' internal notes never reach these pages (the comment scope leaves them out for partners);
a resolved request may be closed or reopened by the partner."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.partners.models import ServiceRequestStatus
from forgecrm.partners.operations import service_requests as operations
from forgecrm.partners.queries import service_requests as queries
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError

from ..access import actor, portal_context, portal_view
from ..forms.service import CommentForm, ServiceRequestForm, StatusForm

St = ServiceRequestStatus
TABS = [
    ("open", gettext_lazy("Open")),
    ("resolved", gettext_lazy("Resolved")),
    ("closed", gettext_lazy("Closed")),
    ("", gettext_lazy("All")),
]
TAB_FILTERS: dict[str, dict[str, object]] = {
    "open": {"open": True},
    "resolved": {"status": St.RESOLVED},
    "closed": {"status": St.CLOSED},
    "": {},
}


@portal_view
def service_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "open")
    if tab not in TAB_FILTERS:
        tab = "open"
    q = request.GET.get("q", "").strip()[:100]
    page = keyset_page(
        queries.service_requests_for(request.user, {"q": q, **TAB_FILTERS[tab]}),
        sort="-created_at",
        allowed={"created_at": "created_at"},
        cursor=request.GET.get("cursor", ""),
        size=25,
    )
    return render(
        request,
        "partner_portal/service/list.html",
        {
            **portal_context(request),
            "title": _("Service requests"),
            "page": page,
            "tab": tab,
            "q": q,
            "tabs": [(key, str(label)) for key, label in TABS],
            "nav": "service",
        },
    )


@portal_view
def service_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not user.has_perm("partners.add_partnerservicerequest"):
        raise PermissionDenied
    form = ServiceRequestForm(request.POST or None, actor=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = operations.open_partner_service_request(
                    actor=user,
                    kind=data["kind"],
                    priority=data["priority"],
                    subject=data["subject"],
                    description=data["description"],
                    product=data.get("product"),
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Request sent: headquarters answers within its service hours."))
                return redirect("partner_portal:service-detail", created.pk)
        status = 400
    return render(
        request,
        "partner_portal/service/form.html",
        {**portal_context(request), "title": _("New service request"), "form": form, "nav": "service"},
        status=status,
    )


def _detail(request: HttpRequest, pk: int, *, comment_form=None, status: int = 200) -> HttpResponse:
    user = actor(request)
    view = queries.service_request_detail_for(user, pk)
    item = view.request
    return render(
        request,
        "partner_portal/service/detail.html",
        {
            **portal_context(request),
            "title": item.subject,
            "item": item,
            "view": view,
            "may_comment": item.status != St.CLOSED and user.has_perm("partners.comment_partnerservicerequest", item),
            "moves": operations.allowed_moves(user, item),
            "comment_form": comment_form or CommentForm(),
            "nav": "service",
        },
        status=status,
    )


@portal_view
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _commentable(request: HttpRequest, pk: int):
    item = queries.get_service_request_for(request.user, pk)
    if not request.user.has_perm("partners.comment_partnerservicerequest", item):
        raise PermissionDenied
    return item


@require_POST
@portal_view
def service_comment(request: HttpRequest, pk: int) -> HttpResponse:
    item = _commentable(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            operations.comment_on_partner_service_request(
                actor=actor(request), request=item, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Comment added."))
            return redirect("partner_portal:service-detail", item.pk)
    return _detail(request, pk, comment_form=form, status=400)


@require_POST
@portal_view
def service_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = _commentable(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose close or reopen."))
        return redirect("partner_portal:service-detail", item.pk)
    try:
        updated = operations.change_partner_service_request_status(
            actor=actor(request),
            request=item,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data.get("version"),
        )
    except ConflictError:
        messages.warning(request, _("Someone else changed this request meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if updated.status == St.CLOSED:
            messages.success(request, _("Request closed. Thank you."))
        else:
            messages.success(request, _("Request reopened: headquarters works on it again."))
    return redirect("partner_portal:service-detail", item.pk)
