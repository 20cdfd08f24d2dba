from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .events import handlers_for
from .models import OutboxEvent


@shared_task(bind=True, max_retries=8, default_retry_delay=30, acks_late=True)
def dispatch_outbox_event_task(self, event_id: int) -> None:
    """Deliver one outbox event to its handlers; idempotent (a dispatched event is skipped)."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id, dispatched_at__isnull=True).first()
        if event is None:
            return
        try:
            for handler in handlers_for(event.event_type):
                handler(event)
        except Exception as error:
            OutboxEvent.objects.filter(pk=event_id).update(attempts=event.attempts + 1, last_error=str(error)[:2000])
            raise self.retry(exc=error) from error
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatched_at"])


@shared_task
def dispatch_pending_outbox_task() -> int:
    """Beat safety net: events whose on-commit dispatch never ran (worker down) go out now."""
    pending = list(OutboxEvent.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True)[:500])
    for event_id in pending:
        dispatch_outbox_event_task.delay(event_id)
    return len(pending)
