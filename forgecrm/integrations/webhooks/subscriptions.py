"""The outbox subscriber: an event of a type an active endpoint subscribes to becomes one delivery per endpoint.

It runs inside the outbox dispatch's transaction (`platform.tasks.dispatch_outbox_event_task`): the deliveries
exist if and only if the event is marked dispatched, and the sends are queued after that commit.
"""

from django.db import transaction
from django.utils import timezone

from forgecrm.platform.models import OutboxEvent

from ..models import WebhookDelivery, WebhookEndpoint


def _queue_sends(delivery_ids: list[int]) -> None:
    from ..tasks import send_webhook_delivery_task

    for delivery_id in delivery_ids:
        send_webhook_delivery_task.delay(delivery_id)


def create_webhook_deliveries(event: OutboxEvent) -> None:
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).only("pk", "event_types", "is_active")
        if endpoint.wants(event.event_type)
    ]
    created = []
    for endpoint in endpoints:
        # get_or_create: a dispatch retried after a crash finds the deliveries it made (unique event+endpoint).
        delivery, made = WebhookDelivery.objects.get_or_create(
            event=event,
            endpoint=endpoint,
            defaults={"event_type": event.event_type, "next_attempt_at": timezone.now()},
        )
        if made:
            created.append(delivery.pk)
    if created:
        # robust: a broker that is down must not fail the dispatch; the beat sweep sends them. (A lambda, not a
        # partial: Django logs a robust callback's failure by its __qualname__.)
        transaction.on_commit(lambda: _queue_sends(created), robust=True)
