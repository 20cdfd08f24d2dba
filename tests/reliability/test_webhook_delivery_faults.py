"""Webhook deliveries under faults: a redelivered message, a worker killed mid-send, an expired claim, the
broker down, eight workers at once. Nothing marked succeeded is sent again; nothing is lost; a receiver sees
a delivery twice only when a worker died between its send and the record, and then with the same
X-Forge-Delivery id (at least once, deduplicated by the receiver)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from forgecrm.integrations.models import DeliveryStatus, WebhookDelivery
from forgecrm.integrations.tasks import send_due_webhook_deliveries_task, send_webhook_delivery_task
from forgecrm.integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from forgecrm.integrations.webhooks import delivery as attempts
from forgecrm.platform.events import emit

pytestmark = pytest.mark.usefixtures("webhooks_to_localhost")


class WorkerKilled(BaseException):
    """Like SIGKILL: no `except Exception` and no `finally` of ours gets to record anything."""


@pytest.fixture
def delivery(receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url())
    receiver.secret = endpoint.secret
    return WebhookDeliveryFactory(endpoint=endpoint, next_attempt_at=timezone.now())


def _expire_claims() -> None:
    WebhookDelivery.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_a_message_redelivered_after_success_sends_nothing(delivery, receiver):
    for _ in range(3):  # acks_late: the worker died after the work, before the ack
        send_webhook_delivery_task(delivery.pk)
    _expire_claims()
    assert send_due_webhook_deliveries_task() == 0
    assert len(receiver.posts()) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1


@pytest.mark.django_db
def test_a_worker_killed_after_the_send_resends_once_with_the_same_id(delivery, receiver, monkeypatch):
    real_post = attempts.client.post

    def post_then_die(*args, **kwargs):
        real_post(*args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(attempts.client, "post", post_then_die)
    with pytest.raises(WorkerKilled):
        send_webhook_delivery_task(delivery.pk)
    monkeypatch.setattr(attempts.client, "post", real_post)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.claim_token is not None  # nothing recorded
    assert send_webhook_delivery_task(delivery.pk) == "skipped"  # the broker's redelivery: claim still live
    assert send_due_webhook_deliveries_task() == 0
    assert len(receiver.posts()) == 1
    _expire_claims()  # the claim outlives the task's hard time limit, then the sweep takes over
    assert send_due_webhook_deliveries_task() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    first, second = receiver.posts()
    assert first.headers["x-forge-delivery"] == second.headers["x-forge-delivery"] == str(delivery.uuid)
    assert first.body == second.body and second.signature_ok
    _expire_claims()
    for _ in range(3):
        send_webhook_delivery_task(delivery.pk)
    assert send_due_webhook_deliveries_task() == 0 and len(receiver.posts()) == 2


@pytest.mark.django_db
def test_a_worker_killed_before_the_send_sends_once_later(delivery, receiver, monkeypatch):
    def die(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(attempts.address_guard, "vet_url", die)
    with pytest.raises(WorkerKilled):
        send_webhook_delivery_task(delivery.pk)
    monkeypatch.undo()
    assert receiver.posts() == []
    _expire_claims()
    send_due_webhook_deliveries_task()
    assert len(receiver.posts()) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


@pytest.mark.django_db
def test_the_result_of_an_attempt_whose_claim_expired_is_not_recorded(delivery):
    now = timezone.now()
    slow = attempts.claim(delivery.pk, now)
    assert attempts.claim(delivery.pk, now) is None  # in flight: nobody else may take it
    _expire_claims()
    fast = attempts.claim(delivery.pk, timezone.now())
    assert fast is not None and fast != slow
    assert attempts.record(delivery.pk, fast, attempts.Outcome(True, 200)).status == DeliveryStatus.SUCCEEDED
    late = attempts.record(delivery.pk, slow, attempts.Outcome(False, 500, error="HTTP 500"))
    assert late.status == "skipped"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_code == 200 and delivery.attempts == 2


@pytest.mark.django_db
def test_deliveries_survive_a_broker_outage(receiver, monkeypatch, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpointFactory(url=receiver.url())
    delay = send_webhook_delivery_task.delay

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_webhook_delivery_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})  # dispatched; the send could not be queued
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.PENDING and receiver.posts() == []
    monkeypatch.setattr(send_webhook_delivery_task, "delay", delay)
    assert send_due_webhook_deliveries_task() == 1
    assert len(receiver.posts()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="eight workers at once need PostgreSQL row locks")
def test_eight_workers_sending_one_delivery_at_once_send_it_once(delivery, receiver):
    barrier = threading.Barrier(8, timeout=30)
    results: list[str] = []
    errors: list[str] = []

    def worker():
        try:
            barrier.wait()
            results.append(attempts.attempt_delivery(delivery.pk).status)
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
    assert sorted(results) == ["skipped"] * 7 + [DeliveryStatus.SUCCEEDED]
    assert len(receiver.posts()) == 1
