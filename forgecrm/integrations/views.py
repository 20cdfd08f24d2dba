"""Webhook pages, administrators only: endpoints (list, detail, create, edit, rotate the secret) and the
delivery log (list with filters, detail with its attempts, redeliver)."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from . import operations, queries
from .forms import DeliveryFilterForm, WebhookEndpointForm
from .models import DeliveryStatus
from .policies import can_manage_webhooks
from .webhooks.delivery import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, envelope

RECENT_DELIVERIES = 20


def admin_only(view):
    """Signed out: the sign-in page. Signed in but not an administrator: 403 before any record is looked up."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_webhooks(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class AdminOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_manage_webhooks(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _expected_version(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _secret_page(request, endpoint, *, created: bool) -> HttpResponse:
    # The secret is in this response only; it is never shown again (not on the detail page, not in the API).
    response = render(
        request,
        "integrations/webhook_secret.html",
        {"endpoint": endpoint, "created": created, "title": endpoint.description},
    )
    response["Cache-Control"] = "no-store"
    return response


class WebhookEndpointListView(AdminOnlyMixin, ScopedListView):
    title = gettext_lazy("Webhooks")
    row_template = "integrations/webhook_row.html"
    sorts = {"description": "description", "created": "created_at"}
    default_sort = "description"
    create_url_name = "integrations:webhook-create"

    def query(self, actor, filters):
        return queries.webhook_endpoint_list_for(actor)

    @property
    def headers(self):  # type: ignore[override]
        return [
            ("description", _("Description")),
            ("", _("Events")),
            ("", _("Status")),
            ("", _("Waiting")),
            ("", _("Dead")),
            ("", _("Last success")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["delivery_log_url"] = reverse("integrations:webhook-delivery-list")
        return context


class WebhookEndpointFormView(AdminOnlyMixin, View):
    template_name = "integrations/webhook_form.html"
    instance = None

    def dispatch(self, request, *args, pk: int | None = None, **kwargs):
        if request.user.is_authenticated and can_manage_webhooks(request.user):
            self.instance = queries.get_webhook_endpoint_for(request.user, pk) if pk is not None else None
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, *, conflict: bool = False, status: int = 200):
        if self.instance is None:
            title, cancel = _("New webhook endpoint"), reverse("integrations:webhook-list")
        else:
            title = _("Edit %(name)s") % {"name": self.instance.description}
            cancel = reverse("integrations:webhook-detail", args=[self.instance.pk])
        context = {
            "form": form,
            "title": title,
            "conflict": conflict,
            "cancel_url": cancel,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(WebhookEndpointForm(instance=self.instance))

    def post(self, request, *args, **kwargs):
        form = WebhookEndpointForm(request.POST, instance=self.instance)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in ("url", "description", "event_types", "is_active")}
            try:
                if self.instance is None:
                    endpoint = operations.create_webhook_endpoint(actor=request.user, **fields)
                    return _secret_page(request, endpoint, created=True)
                changes = {name: value for name, value in fields.items() if name in form.changed_data}
                endpoint = operations.update_webhook_endpoint(
                    actor=request.user,
                    endpoint=self.instance,
                    expected_version=_expected_version(data.get("version")),
                    changes=changes,
                )
            except ConflictError as conflict:
                return self.render_form(WebhookEndpointForm(instance=conflict.current), conflict=True, status=409)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("integrations:webhook-detail", args=[endpoint.pk]))
        return self.render_form(form)


@admin_only
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    endpoint = queries.get_webhook_endpoint_for(actor, pk)
    recent = list(queries.webhook_delivery_list_for(actor, endpoint=endpoint).order_by("-pk")[:RECENT_DELIVERIES])
    counts = queries.delivery_status_counts_for(actor, endpoint)
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "title": endpoint.description,
            "recent": recent,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in DeliveryStatus.choices],
        },
    )


@admin_only
@require_POST
def rotate_webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = queries.get_webhook_endpoint_for(request.user, pk)
    try:
        endpoint = operations.rotate_webhook_secret(
            actor=request.user, endpoint=endpoint, expected_version=_expected_version(request.POST.get("version"))
        )
    except ConflictError:
        messages.error(request, _("Someone else changed this endpoint meanwhile; the secret was not changed."))
        return HttpResponseRedirect(reverse("integrations:webhook-detail", args=[endpoint.pk]))
    return _secret_page(request, endpoint, created=False)


class WebhookDeliveryListView(AdminOnlyMixin, ScopedListView):
    title = gettext_lazy("Webhook deliveries")
    row_template = "integrations/webhook_delivery_row.html"
    filter_form_class = DeliveryFilterForm
    sorts = {"created": "created_at"}
    default_sort = "-created"

    def filters(self):
        endpoints = [
            (e.pk, e.description)
            for e in queries.webhook_endpoint_list_for(self.request.user).order_by("description", "pk")
        ]
        form = DeliveryFilterForm(self.request.GET or None, endpoints=endpoints)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        endpoint = queries.get_webhook_endpoint_for(actor, filters["endpoint"]) if filters.get("endpoint") else None
        return queries.webhook_delivery_list_for(
            actor, endpoint=endpoint, status=filters.get("status", ""), event_type=filters.get("event_type", "")
        )

    @property
    def headers(self):  # type: ignore[override]
        return [
            ("created", _("Created")),
            ("", _("Status")),
            ("", _("Event")),
            ("", _("Response")),
            ("", _("Next attempt")),
        ]


@admin_only
def webhook_delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = queries.get_webhook_delivery_for(request.user, pk)
    body = envelope(delivery)
    headers = [
        (EVENT_HEADER, delivery.event_type),
        (DELIVERY_HEADER, str(delivery.uuid)),
        (TIMESTAMP_HEADER, _("the time of each attempt (Unix seconds)")),
        (SIGNATURE_HEADER, _("sha256=HMAC-SHA256 of “timestamp.body” with the endpoint's secret")),
    ]
    return render(
        request,
        "integrations/webhook_delivery_detail.html",
        {
            "delivery": delivery,
            "title": delivery.event_type,
            "body": json.dumps(json.loads(body), ensure_ascii=False, indent=2, sort_keys=True),
            "headers": headers,
            "attempts": queries.delivery_attempts_for(delivery),
            "can_redeliver": delivery.status == DeliveryStatus.DEAD,
        },
    )


@admin_only
@require_POST
def redeliver_webhook_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = queries.get_webhook_delivery_for(request.user, pk)
    try:
        operations.redeliver_webhook_delivery(
            actor=request.user, delivery=delivery, expected_version=_expected_version(request.POST.get("version"))
        )
    except ConflictError:
        messages.error(request, _("This delivery changed meanwhile (another attempt ran); look at it again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery is queued again."))
    return HttpResponseRedirect(reverse("integrations:webhook-delivery-detail", args=[delivery.pk]))
