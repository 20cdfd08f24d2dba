"""A Celery task retried after a crash: the outbox dispatch has no double side effects.

With acks_late a message is redelivered when its worker dies before acknowledging it, and a failed handler is
retried; every path below must leave each side effect exactly once."""

import threading

import pytest
from django.db import connection, connections

from forgecrm.platform import events
from forgecrm.platform.events import emit, subscribe
from forgecrm.platform.models import Job, OutboxEvent
from forgecrm.platform.tasks import dispatch_outbox_event_task, dispatch_pending_outbox_task
from forgecrm.platform.tests.factories import UserFactory


class WorkerKilled(BaseException):
    """Like SIGKILL in the middle of a handler: no `except Exception` runs."""


@pytest.fixture
def side_effects(monkeypatch):
    """A handler whose side effect is a row (counted) and whose failures the tests script."""
    monkeypatch.setattr(events, "_handlers", {})
    user = UserFactory()
    script: list[BaseException | None] = []

    def handler(event):
        Job.objects.create(kind=f"side-effect-{event.payload['n']}", created_by=user)
        if script:
            failure = script.pop(0)
            if failure is not None:
                raise failure

    subscribe("OrderPlaced", handler)
    return script


def effects(n: int) -> int:
    return Job.objects.filter(kind=f"side-effect-{n}").count()


def new_event(n: int) -> OutboxEvent:
    return OutboxEvent.objects.create(event_type="OrderPlaced", payload={"n": n})


@pytest.mark.django_db
def test_redelivery_after_success_does_nothing(side_effects):
    event = new_event(1)
    for _ in range(3):  # the worker died after the work but before the ack: the broker redelivers
        dispatch_outbox_event_task(event.pk)
    assert dispatch_pending_outbox_task() == 0
    assert effects(1) == 1


@pytest.mark.django_db
def test_a_worker_killed_inside_the_handler_leaves_no_half_effect(side_effects):
    event = new_event(2)
    side_effects.append(WorkerKilled())
    with pytest.raises(WorkerKilled):
        dispatch_outbox_event_task(event.pk)
    event.refresh_from_db()
    assert event.dispatched_at is None and effects(2) == 0  # the transaction died with the worker
    assert dispatch_pending_outbox_task() == 1  # the beat safety net queues it again (eager here: it runs)
    event.refresh_from_db()
    assert event.dispatched_at is not None and effects(2) == 1


@pytest.mark.django_db
def test_a_failed_handler_is_retried_until_it_succeeds_once(side_effects):
    event = new_event(3)
    side_effects.extend([ConnectionError("ERP down"), ConnectionError("ERP down")])
    for _ in range(2):
        with pytest.raises(ConnectionError):
            dispatch_outbox_event_task(event.pk)  # called directly, retry() re-raises the error
    event.refresh_from_db()
    assert event.attempts == 2 and effects(3) == 0  # each failed attempt's writes rolled back
    dispatch_outbox_event_task(event.pk)
    dispatch_outbox_event_task(event.pk)
    event.refresh_from_db()
    assert event.dispatched_at is not None and effects(3) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers at once need PostgreSQL row locks")
def test_two_workers_delivering_one_event_at_once_run_it_once(side_effects, django_capture_on_commit_callbacks):
    event = new_event(4)
    barrier = threading.Barrier(8, timeout=30)
    errors: list[str] = []

    def worker():
        try:
            barrier.wait()
            dispatch_outbox_event_task(event.pk)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert effects(4) == 1


@pytest.mark.django_db
def test_an_emitted_event_survives_a_broker_outage(side_effects, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    delay = dispatch_outbox_event_task.delay
    monkeypatch.setattr(dispatch_outbox_event_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        event = emit("OrderPlaced", {"n": 5})  # the change commits although scheduling failed
    assert OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).exists()
    monkeypatch.setattr(dispatch_outbox_event_task, "delay", delay)
    dispatch_pending_outbox_task()
    assert effects(5) == 1
