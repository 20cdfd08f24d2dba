"""Celery entry points of the integrations: webhook sends (idempotent, keyed by the delivery id)."""

from celery import shared_task
from django.utils import timezone

from .webhooks import delivery

# Hard bound on one send, whatever a slow receiver does (prefork workers); the claim outlives it.
SEND_TIME_LIMIT = 120


@shared_task(acks_late=True, soft_time_limit=SEND_TIME_LIMIT - 10, time_limit=SEND_TIME_LIMIT)
def send_webhook_delivery_task(delivery_id: int) -> str:
    """One attempt; a failure that may be retried queues the next attempt after its backoff."""
    result = delivery.attempt_delivery(delivery_id)
    if result.retry_in is not None:
        send_webhook_delivery_task.apply_async((delivery_id,), countdown=result.retry_in)
    return result.status


@shared_task
def send_due_webhook_deliveries_task() -> int:
    """Beat safety net: deliveries due but not on their way (lost message, killed worker, broker down)."""
    due = delivery.due_delivery_ids(timezone.now())
    for delivery_id in due:
        send_webhook_delivery_task.delay(delivery_id)
    return len(due)
