"""Every write an administrator makes to webhooks. Each checks the actor, runs in one transaction, and vets a
URL with the SSRF guard before it is stored (the guard runs again at every send)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.platform.events import registered_event_types
from forgecrm.platform.versioning import save_versioned

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .policies import ensure_can_manage_webhooks
from .webhooks import address_guard
from .webhooks.signing import new_secret

ENDPOINT_FIELDS = frozenset({"url", "description", "event_types", "is_active"})


def _acting_user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def checked_url(url: Any) -> str:
    """The URL if the SSRF guard lets it through (resolving its name now), else a field error on `url`."""
    try:
        address_guard.vet_url(url)
    except address_guard.UnsafeURL as refused:
        raise ValidationError(
            {"url": ValidationError(refused.message, code=refused.code, params=refused.params)}
        ) from refused
    return str(url).strip()


def _checked_event_types(event_types: Any) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    if not chosen:
        raise ValidationError({"event_types": ValidationError(_("Choose at least one event."), code="required")})
    unknown = [name for name in chosen if name not in set(registered_event_types())]
    if unknown:
        raise ValidationError(
            {
                "event_types": ValidationError(
                    _("Unknown events: %(names)s."),
                    code="unknown_event",
                    params={"names": ", ".join(map(str, unknown))},
                )
            }
        )
    return sorted(chosen)


def create_webhook_endpoint(
    *, actor, url: str, description: str, event_types: list[str], is_active: bool = True
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (`endpoint.secret`: show it to the administrator once)."""
    ensure_can_manage_webhooks(actor)
    endpoint = WebhookEndpoint(
        url=checked_url(url),
        description=(description or "").strip(),
        event_types=_checked_event_types(event_types),
        is_active=is_active,
        secret=new_secret(),
    )
    user = _acting_user(actor)
    endpoint.created_by = endpoint.updated_by = user
    endpoint._history_user = user  # type: ignore[attr-defined]  # simple-history outside a request
    with transaction.atomic():
        endpoint.full_clean()
        endpoint.save()
    return endpoint


def update_webhook_endpoint(
    *, actor, endpoint: WebhookEndpoint, expected_version: int | None, changes: dict[str, Any]
) -> WebhookEndpoint:
    """Change URL, description, events or activity. Switching an endpoint back on clears its failure count."""
    ensure_can_manage_webhooks(actor)
    unknown = set(changes) - ENDPOINT_FIELDS
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    values = dict(changes)
    # Compared with the stored row, not with `endpoint`: a form may have changed the instance in memory, and an
    # unchanged-looking URL must not skip the guard.
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    if "url" in values and str(values["url"]).strip() != stored.url:
        values["url"] = checked_url(values["url"])
    else:
        values.pop("url", None)
    if "event_types" in values and sorted(values["event_types"] or []) != sorted(stored.event_types):
        values["event_types"] = _checked_event_types(values["event_types"])
    else:
        values.pop("event_types", None)
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    switched_on = bool(values.get("is_active")) and not stored.is_active
    if switched_on:
        values.update(consecutive_failures=0, disabled_reason="", disabled_at=None)
    with transaction.atomic():
        saved = save_versioned(endpoint, actor=actor, expected_version=expected_version, changes=values)
        if switched_on:
            # What waited while it was off goes out with the next sweep, not after its old backoff.
            WebhookDelivery.objects.filter(
                endpoint=saved, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
            ).update(next_attempt_at=timezone.now())
    return saved


def rotate_webhook_secret(*, actor, endpoint: WebhookEndpoint, expected_version: int | None) -> WebhookEndpoint:
    """A new signing secret, in force for the next attempt; the old one stops working at once."""
    ensure_can_manage_webhooks(actor)
    with transaction.atomic():
        return save_versioned(
            endpoint, actor=actor, expected_version=expected_version, changes={"secret": new_secret()}
        )


def _queue_send(delivery_id: int) -> None:
    from .tasks import send_webhook_delivery_task

    send_webhook_delivery_task.delay(delivery_id)


def redeliver_webhook_delivery(*, actor, delivery: WebhookDelivery, expected_version: int | None) -> WebhookDelivery:
    """Send a dead delivery again with a fresh set of attempts (same delivery id: receivers still dedupe)."""
    ensure_can_manage_webhooks(actor)
    if delivery.status != DeliveryStatus.DEAD:
        raise ValidationError(
            _("Only a dead delivery can be sent again; this one is still being tried or has arrived."), code="not_dead"
        )
    if not delivery.endpoint.is_active:
        raise ValidationError(
            _("The endpoint is switched off; switch it on before sending again."), code="endpoint_off"
        )
    changes = {"status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": timezone.now()}
    with transaction.atomic():
        saved = save_versioned(delivery, actor=actor, expected_version=expected_version, changes=changes)
        transaction.on_commit(lambda: _queue_send(saved.pk), robust=True)
    return saved
