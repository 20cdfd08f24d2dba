"""Every webhook read an administrator sees, from the access scope (nobody else sees any)."""

from django.db.models import Count, Q, QuerySet

from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.platform.events import registered_event_types

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list_for(actor) -> QuerySet[WebhookEndpoint]:
    """Endpoints with their count of deliveries not yet arrived (pending, failed) and dead ones."""
    return scope_for(actor, WebhookEndpoint).annotate(
        waiting_count=Count(
            "deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        ),
        dead_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    )


def get_webhook_endpoint_for(actor, pk) -> WebhookEndpoint:
    return get_for_or_404(actor, WebhookEndpoint, pk=pk)


def webhook_delivery_list_for(
    actor, *, endpoint: WebhookEndpoint | None = None, status: str = "", event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    deliveries = scope_for(actor, WebhookDelivery).select_related("endpoint")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if status:
        deliveries = deliveries.filter(status=status)
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    return deliveries


def get_webhook_delivery_for(actor, pk) -> WebhookDelivery:
    queryset = WebhookDelivery.objects.select_related("endpoint", "event")
    return get_for_or_404(actor, WebhookDelivery, queryset=queryset, pk=pk)


def delivery_attempts_for(delivery: WebhookDelivery) -> list:
    """The delivery's history, newest first: one row per attempt and per redelivery (who asked for it)."""
    return list(delivery.history.select_related("history_user").order_by("-history_id"))  # type: ignore[attr-defined]  # simple-history manager


def delivery_status_counts_for(actor, endpoint: WebhookEndpoint) -> dict[str, int]:
    rows = webhook_delivery_list_for(actor, endpoint=endpoint).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def webhook_event_type_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in registered_event_types()]
