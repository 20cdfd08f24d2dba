"""The transactional outbox: events are written with the change and dispatched after commit.

Each app declares the event types it emits (`register_event_types`, from its `apps.py`), so that subscribers
that offer a choice of events (webhook endpoints) know them without importing the app.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction

from .models import OutboxEvent

Handler = Callable[[OutboxEvent], None]
_handlers: dict[str, list[Handler]] = {}
_every_event_handlers: list[Handler] = []
_event_types: set[str] = set()


def register_event_types(*event_types: str) -> None:
    """Declare the event types an app emits (past-tense names: `AccountCreated`)."""
    _event_types.update(event_types)


def registered_event_types() -> list[str]:
    return sorted(_event_types)


def subscribe(event_type: str, handler: Handler) -> None:
    _handlers.setdefault(event_type, []).append(handler)


def subscribe_to_every_event(handler: Handler) -> None:
    """A handler that sees every event (webhooks: which endpoints want it is their own data, not code)."""
    if handler not in _every_event_handlers:
        _every_event_handlers.append(handler)


def emit(event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event inside the caller's transaction; a worker delivers it once the change is committed."""
    event = OutboxEvent.objects.create(event_type=event_type, payload=payload)
    # robust: the change is committed already; a broker that is down must not turn it into an error page.
    # The beat task `dispatch_pending_outbox_task` picks up what was not scheduled.
    transaction.on_commit(lambda: _schedule(event.pk), robust=True)
    return event


def _schedule(event_id: int) -> None:
    from .tasks import dispatch_outbox_event_task

    dispatch_outbox_event_task.delay(event_id)


def handlers_for(event_type: str) -> list[Handler]:
    return [*_handlers.get(event_type, []), *_every_event_handlers]
