"""One delivery attempt, start to end: claim, vet the address again, sign, send, record.

The claim is a conditional UPDATE on the delivery row (status pending or failed, due, no live claim): of two
workers holding the same message (a broker redelivery, the beat sweep), one sends and the other does nothing, and
a delivery marked succeeded is never sent again. The HTTP request runs outside any transaction; its result is
recorded only by the claim that made it. A worker killed mid-send leaves the claim to expire
(CLAIM_SECONDS, longer than the task's hard time limit); the sweep then tries again, counted as an attempt.
Receivers may see one delivery twice in that case (at least once), which is what `X-Forge-Delivery` is for.
"""

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.platform.versioning import save_versioned

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from . import address_guard, client, signing

EVENT_HEADER = "X-Forge-Event"
DELIVERY_HEADER = "X-Forge-Delivery"
TIMESTAMP_HEADER = "X-Forge-Timestamp"
SIGNATURE_HEADER = "X-Forge-Signature"
CLAIM_SECONDS = 180
# A retry message may arrive a moment before its due time (clocks, broker ETA rounding).
DUE_TOLERANCE = timedelta(seconds=5)
EXCERPT_CHARACTERS = 1000
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    response_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int | None = None


@dataclass(frozen=True)
class AttemptResult:
    status: str  # the delivery's status after the attempt, or "skipped" when there was nothing to do
    retry_in: float | None = None


def envelope(delivery: WebhookDelivery) -> bytes:
    """The JSON body: the same bytes on every attempt of a delivery."""
    event = delivery.event
    document = {
        "delivery_id": str(delivery.uuid),
        "event": delivery.event_type,
        "event_id": event.pk,
        "occurred_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def signed_headers(delivery: WebhookDelivery, body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    return {
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.uuid),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signing.signature(secret, timestamp, body),
    }


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter: base·2^(n-1) capped, then a random point in its upper half, so that
    deliveries failing together do not all come back at the same second."""
    ceiling = min(
        settings.FORGE_WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30), settings.FORGE_WEBHOOK_RETRY_MAX_SECONDS
    )
    return random.uniform(ceiling / 2, ceiling)  # nosec B311  # retry jitter, not a secret


def sanitized_excerpt(body: bytes) -> str:
    """The start of a response as text: invalid UTF-8 replaced, control and format characters blanked."""
    text = body[: EXCERPT_CHARACTERS * 4].decode("utf-8", errors="replace")
    return "".join(char if char.isprintable() or char in "\n\t" else " " for char in text)[:EXCERPT_CHARACTERS]


def claim(delivery_id: int, now) -> uuid.UUID | None:
    """Take the delivery for one attempt, or None when it is done, not due, in flight or its endpoint is off."""
    token = uuid.uuid4()
    # Every condition is on the delivery row itself (the endpoint through a subquery on its own column): on
    # PostgreSQL a concurrent second UPDATE waits for the first and re-checks these conditions on the new row.
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=RETRYABLE)
        .filter(endpoint_id__in=WebhookEndpoint.objects.filter(is_active=True).values("pk"))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + DUE_TOLERANCE))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    )
    return token if claimed else None


def _send(delivery: WebhookDelivery) -> Outcome:
    endpoint = delivery.endpoint
    try:
        vetted = address_guard.vet_url(endpoint.url)
    except address_guard.UnsafeURL as refused:
        return Outcome(succeeded=False, error=_("Not sent: %(reason)s") % {"reason": refused})
    body = envelope(delivery)
    timestamp = int(time.time())
    sent = client.post(
        vetted,
        body=body,
        headers=signed_headers(delivery, body, endpoint.secret, timestamp),
        connect_timeout=settings.FORGE_WEBHOOK_CONNECT_TIMEOUT,
        read_timeout=settings.FORGE_WEBHOOK_READ_TIMEOUT,
    )
    excerpt = sanitized_excerpt(sent.body)
    if sent.status is None:
        return Outcome(succeeded=False, error=sent.error, duration_ms=sent.duration_ms)
    if 200 <= sent.status < 300:
        return Outcome(True, sent.status, excerpt, duration_ms=sent.duration_ms)
    if 300 <= sent.status < 400:
        location = sanitized_excerpt(sent.location.encode())[:300] or "-"
        error = _("Redirect to %(location)s not followed: webhooks go only to the registered URL.") % {
            "location": location
        }
        return Outcome(False, sent.status, excerpt, error, sent.duration_ms)
    return Outcome(False, sent.status, excerpt, f"HTTP {sent.status}", sent.duration_ms)


def _count_on_endpoint(endpoint_id: int, outcome: Outcome, now) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint_id)
    if outcome.succeeded:
        endpoints.update(consecutive_failures=0, last_success_at=now)
        return
    # Counters change without a version: an administrator editing the endpoint meanwhile gets no conflict.
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now)
    endpoint = endpoints.select_for_update().get()
    limit = settings.FORGE_WEBHOOK_DISABLE_AFTER_FAILURES
    if endpoint.is_active and endpoint.consecutive_failures >= limit:
        reason = _("Switched off after %(count)s failed attempts in a row. The last one: %(error)s") % {
            "count": endpoint.consecutive_failures,
            "error": outcome.error,
        }
        changes = {"is_active": False, "disabled_reason": reason[:500], "disabled_at": now}
        save_versioned(endpoint, actor=None, expected_version=None, changes=changes)


def record(delivery_id: int, token: uuid.UUID, outcome: Outcome) -> AttemptResult:
    """Write the attempt's result, if this attempt still holds the claim; schedule nothing (the task does)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.claim_token != token:
            return AttemptResult("skipped")  # our claim expired and another attempt took over: its result counts
        retry_in = None
        delivery.claim_token = delivery.claimed_until = None
        delivery.last_attempt_at = now
        delivery.response_code = outcome.response_code
        delivery.response_excerpt = outcome.excerpt
        delivery.last_error = outcome.error[:500]
        delivery.duration_ms = outcome.duration_ms
        if outcome.succeeded:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
        elif delivery.attempts >= settings.FORGE_WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD, None
        else:
            retry_in = retry_delay(delivery.attempts)
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + timedelta(seconds=retry_in)
        delivery.version += 1
        delivery._history_user = None  # type: ignore[attr-defined]  # simple-history: the system, not a person
        delivery.save()
        _count_on_endpoint(delivery.endpoint_id, outcome, now)
    return AttemptResult(delivery.status, retry_in)


def attempt_delivery(delivery_id: int) -> AttemptResult:
    """One attempt at one delivery, if it is due and nobody else is sending it."""
    token = claim(delivery_id, timezone.now())
    if token is None:
        return AttemptResult("skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    return record(delivery_id, token, _send(delivery))


def due_delivery_ids(now, limit: int = 500) -> list[int]:
    """Deliveries that should be on their way and are not (their message was lost, or a worker died)."""
    return list(
        WebhookDelivery.objects.filter(status__in=RETRYABLE, endpoint__is_active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
