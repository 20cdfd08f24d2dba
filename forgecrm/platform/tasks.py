from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .events import handlers_for
from .models import OutboxEvent

# After this many failed deliveries an event stays in the outbox for a person to look at (admin: last_error).
MAX_OUTBOX_ATTEMPTS = 20


@shared_task(bind=True, max_retries=8, default_retry_delay=30, acks_late=True)
def dispatch_outbox_event_task(self, event_id: int) -> None:
    """Deliver one outbox event to its handlers; idempotent (a dispatched event is skipped)."""
    failure: Exception | None = None
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id, dispatched_at__isnull=True).first()
        if event is None:
            return
        try:
            # A savepoint: a failing handler's writes roll back, the attempt count below is kept.
            with transaction.atomic():
                for handler in handlers_for(event.event_type):
                    handler(event)
        except Exception as error:
            failure = error
            event.attempts += 1
            event.last_error = f"{type(error).__name__}: {error}"[:2000]
            event.save(update_fields=["attempts", "last_error"])
        else:
            event.dispatched_at = timezone.now()
            event.save(update_fields=["dispatched_at"])
    if failure is not None:
        raise self.retry(exc=failure)


@shared_task
def dispatch_pending_outbox_task() -> int:
    """Beat safety net: events whose on-commit dispatch never ran (worker down) go out now."""
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, attempts__lt=MAX_OUTBOX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for event_id in pending:
        dispatch_outbox_event_task.delay(event_id)
    return len(pending)


@shared_task(acks_late=True, max_retries=5, default_retry_delay=60, autoretry_for=(OSError,))
def send_email_task(subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one email from a worker, so that a page's response time says nothing about the mail sent."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


@shared_task
def purge_expired_idempotency_keys_task() -> int:
    """API idempotency keys are kept IDEMPOTENCY_KEY_TTL_HOURS (24 by default); older ones are deleted."""
    from .api.idempotency import purge_expired_keys

    return purge_expired_keys()
