"""Deliveries end to end, against a real HTTP receiver on 127.0.0.1 (the allow-list lets only it through):
an outbox event of a subscribed type becomes a signed POST; failures retry with backoff, then die; a redirect
is a failure; an endpoint failing too often is switched off."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from forgecrm.customers.operations import create_account
from forgecrm.platform.events import emit
from forgecrm.platform.models import OutboxEvent

from .. import operations
from ..models import DeliveryStatus, WebhookDelivery
from ..tasks import send_due_webhook_deliveries_task, send_webhook_delivery_task
from ..webhooks import delivery as attempts
from ..webhooks.signing import signature

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhooks_to_localhost")]


@pytest.fixture
def endpoint(admin_user, receiver):
    made = operations.create_webhook_endpoint(
        actor=admin_user,
        url=receiver.url(),
        description="ERP",
        event_types=["AccountCreated", "AccountUpdated"],
    )
    receiver.secret = made.secret
    return made


def _due_now(delivery: WebhookDelivery) -> None:
    """Jump to the retry time (the backoff would make the test wait minutes)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_an_event_of_a_subscribed_type_becomes_one_signed_post(
    admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = create_account(actor=admin_user, name="(주)한빛정밀", kind="customer")
    [request] = receiver.posts()
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hook"
    assert request.signature_ok is True
    assert request.headers["x-forge-event"] == "AccountCreated"
    assert request.headers["x-forge-delivery"] == str(delivery.uuid)
    assert request.headers["content-type"].startswith("application/json")
    timestamp = int(request.headers["x-forge-timestamp"])
    assert request.headers["x-forge-signature"] == signature(endpoint.secret, timestamp, request.body)
    body = json.loads(request.body)
    assert body["event"] == "AccountCreated" and body["delivery_id"] == str(delivery.uuid)
    assert body["data"]["account_id"] == account.pk
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.response_code == 200 and delivery.duration_ms is not None
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.consecutive_failures == 0


def test_events_of_other_types_and_inactive_endpoints_send_nothing(
    admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    operations.update_webhook_endpoint(actor=admin_user, endpoint=endpoint, expected_version=None, changes={})
    with django_capture_on_commit_callbacks(execute=True):
        emit("ProductCreated", {"product_id": 1})
    endpoint.refresh_from_db()
    operations.update_webhook_endpoint(
        actor=admin_user, endpoint=endpoint, expected_version=endpoint.version, changes={"is_active": False}
    )
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    assert receiver.posts() == []
    assert not WebhookDelivery.objects.exists()
    assert OutboxEvent.objects.filter(dispatched_at__isnull=False).count() == 2


def test_a_rolled_back_change_makes_no_delivery(admin_user, endpoint, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        emit("AccountCreated", {"account_id": 1})
        raise RuntimeError("the operation failed")
    assert receiver.posts() == [] and not WebhookDelivery.objects.exists()


def test_two_endpoints_get_one_delivery_each_and_a_retried_dispatch_adds_none(
    admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    from forgecrm.platform.tasks import dispatch_outbox_event_task

    second = operations.create_webhook_endpoint(
        actor=admin_user, url=receiver.url("/second"), description="BI", event_types=["AccountCreated"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = emit("AccountCreated", {"account_id": 7})
    assert sorted(r.path for r in receiver.posts()) == ["/hook", "/second"]
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if the dispatch ran again
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_outbox_event_task(event.pk)
    assert WebhookDelivery.objects.count() == 2
    assert {d.endpoint_id for d in WebhookDelivery.objects.all()} == {endpoint.pk, second.pk}
    assert len(receiver.posts()) == 2


def test_a_failure_is_retried_with_backoff_and_the_same_delivery_id(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.respond((500, {}, b"database is down"), (503, {}, b""), (200, {}, b"ok"))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.response_code == 500 and delivery.response_excerpt == "database is down"
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 15 <= wait <= 30  # first backoff: the upper half of 30 s (jitter)
    assert send_webhook_delivery_task(delivery.pk) == "skipped"  # not due yet: nothing sent
    assert len(receiver.posts()) == 1
    _due_now(delivery)
    assert send_webhook_delivery_task(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert 30 <= (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds() <= 60  # doubled
    _due_now(delivery)
    assert send_due_webhook_deliveries_task() == 1  # the beat sweep finds it
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    ids = {r.headers["x-forge-delivery"] for r in receiver.posts()}
    assert ids == {str(delivery.uuid)} and len(receiver.posts()) == 3
    assert all(r.signature_ok for r in receiver.posts())
    assert delivery.history.count() == 4  # created + one row per attempt: the attempt log


def test_backoff_doubles_up_to_the_cap_with_jitter(settings):
    settings.FORGE_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.FORGE_WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempt, ceiling in [(1, 30), (2, 60), (5, 480), (8, 3600), (40, 3600)]:
        waits = [attempts.retry_delay(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(set(waits)) > 1  # jitter


def test_after_the_last_attempt_the_delivery_is_dead_and_an_admin_can_send_it_again(
    admin_user, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FORGE_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.default = (500, {}, b"")
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    for _ in range(2):
        _due_now(delivery)
        send_webhook_delivery_task(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == 3 and delivery.next_attempt_at is None
    _due_now(delivery)
    assert send_due_webhook_deliveries_task() == 0  # dead: nobody tries it any more
    assert send_webhook_delivery_task(delivery.pk) == "skipped"
    assert len(receiver.posts()) == 3

    receiver.default = (204, {}, b"")
    with django_capture_on_commit_callbacks(execute=True):
        operations.redeliver_webhook_delivery(actor=admin_user, delivery=delivery, expected_version=delivery.version)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert len(receiver.posts()) == 4 and receiver.posts()[-1].headers["x-forge-delivery"] == str(delivery.uuid)
    assert delivery.history.filter(history_user=admin_user).count() == 1  # who asked for it again


def test_a_redirect_is_a_failure_that_names_the_location_and_is_not_followed(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.respond((302, {"Location": receiver.url("/elsewhere")}, b""))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_code == 302
    assert receiver.url("/elsewhere") in delivery.last_error and "not followed" in delivery.last_error
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_slow_receiver_is_cut_off_by_the_read_timeout(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FORGE_WEBHOOK_READ_TIMEOUT = 0.3
    receiver.delay = 1.0
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_code is None
    assert "no answer within 0.3 s" in delivery.last_error
    assert delivery.duration_ms < 1000


def test_a_receiver_that_is_down_is_a_failure_not_an_error(admin_user, settings, django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    operations.create_webhook_endpoint(
        actor=admin_user, url=f"http://127.0.0.1:{port}/", description="down", event_types=["AccountCreated"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "refused" in delivery.last_error


def test_the_response_excerpt_is_truncated_and_sanitised(endpoint, receiver, django_capture_on_commit_callbacks):
    hostile = ("<script>x</script>\x00\x1b[31m\u202e" + "가" * 5000).encode() + b"\xff\xfe"
    receiver.respond((400, {"Content-Type": "text/html"}, hostile))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    excerpt = WebhookDelivery.objects.get().response_excerpt
    assert len(excerpt) == attempts.EXCERPT_CHARACTERS
    assert "\x00" not in excerpt and "\x1b" not in excerpt and "\u202e" not in excerpt
    assert excerpt.startswith("<script>x</script>")  # stored as text; pages escape it (test_views)


def test_an_endpoint_failing_too_often_is_switched_off_with_the_reason(
    admin_user, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.FORGE_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.default = (500, {}, b"")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            emit("AccountCreated", {"account_id": n})
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "3 failed attempts in a row" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    assert len(receiver.posts()) == 3  # the fourth waits: its endpoint is off
    assert endpoint.history.first().is_active is False  # the switch-off is in the history
    fourth = WebhookDelivery.objects.order_by("pk").last()
    assert fourth.status == DeliveryStatus.PENDING and send_due_webhook_deliveries_task() == 0

    receiver.default = (200, {}, b"")
    operations.update_webhook_endpoint(
        actor=admin_user, endpoint=endpoint, expected_version=endpoint.version, changes={"is_active": True}
    )
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.disabled_reason == ""
    assert send_due_webhook_deliveries_task() == 4  # everything waiting resumes
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 4


def test_a_success_resets_the_failure_count(endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.respond((500, {}, b""), (200, {}, b""))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
        emit("AccountUpdated", {"account_id": 1})
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.last_failure_at is not None


def test_a_rotated_secret_signs_the_next_attempt(admin_user, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.respond((500, {}, b""))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    rotated = operations.rotate_webhook_secret(actor=admin_user, endpoint=endpoint, expected_version=endpoint.version)
    assert rotated.secret != endpoint.secret
    receiver.secret = rotated.secret
    delivery = WebhookDelivery.objects.get()
    _due_now(delivery)
    send_webhook_delivery_task(delivery.pk)
    first, second = receiver.posts()
    assert second.signature_ok is True
    assert first.headers["x-forge-signature"] != second.headers["x-forge-signature"]
