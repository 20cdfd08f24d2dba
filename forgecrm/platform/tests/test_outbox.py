import pytest
from django.db import transaction

from forgecrm.platform import events
from forgecrm.platform.events import emit, subscribe
from forgecrm.platform.models import OutboxEvent
from forgecrm.platform.tasks import MAX_OUTBOX_ATTEMPTS, dispatch_outbox_event_task, dispatch_pending_outbox_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(monkeypatch):
    monkeypatch.setattr(events, "_handlers", {})
    calls: list[dict] = []
    subscribe("AccountMerged", lambda event: calls.append(event.payload))
    return calls


def test_an_event_is_dispatched_only_after_the_commit(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = emit("AccountMerged", {"survivor": 1, "merged": 2})
        assert received == []  # nothing leaves before the change is committed
    assert len(callbacks) == 1
    assert received == [{"survivor": 1, "merged": 2}]
    event.refresh_from_db()
    assert event.dispatched_at is not None and event.attempts == 0


def test_a_rolled_back_change_sends_nothing(received, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit("AccountMerged", {"survivor": 1})
        raise RuntimeError("operation failed")
    assert callbacks == []
    assert received == []
    assert not OutboxEvent.objects.exists()


def test_redispatch_is_idempotent(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = emit("AccountMerged", {"n": 1})
    dispatch_outbox_event_task(event.pk)
    dispatch_outbox_event_task(event.pk)
    assert dispatch_pending_outbox_task() == 0
    assert received == [{"n": 1}]


def test_a_failing_handler_keeps_the_event_with_its_error_and_rolls_back_its_writes(monkeypatch):
    monkeypatch.setattr(events, "_handlers", {})

    def half_done(event):
        OutboxEvent.objects.create(event_type="SideEffect", payload={})
        raise ConnectionError("ERP is down")

    subscribe("OrderPlaced", half_done)
    event = OutboxEvent.objects.create(event_type="OrderPlaced", payload={})
    with pytest.raises(ConnectionError):
        dispatch_outbox_event_task(event.pk)
    event.refresh_from_db()
    assert event.dispatched_at is None
    assert event.attempts == 1
    assert "ERP is down" in event.last_error
    assert not OutboxEvent.objects.filter(event_type="SideEffect").exists()


def test_the_safety_net_sends_what_was_left_and_gives_up_after_the_limit(received):
    left = OutboxEvent.objects.create(event_type="AccountMerged", payload={"left": True})
    OutboxEvent.objects.create(event_type="AccountMerged", payload={"dead": True}, attempts=MAX_OUTBOX_ATTEMPTS)
    assert dispatch_pending_outbox_task() == 1
    left.refresh_from_db()
    assert left.dispatched_at is not None
    assert received == [{"left": True}]
