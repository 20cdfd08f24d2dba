"""The same API create retried with an Idempotency-Key writes once and answers the first response again."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from forgecrm.customers.models import Account
from forgecrm.platform.api.idempotency import purge_expired_keys
from forgecrm.platform.models import IdempotencyKey
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
URL = "/api/v1/accounts/"


@pytest.fixture
def api(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def post(client, body, key):
    return client.post(URL, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_create_returns_the_first_response_without_a_second_record(api):
    body = {"name": "(주)한빛정밀", "kind": "customer"}
    first = post(api, body, "create-1")
    assert first.status_code == 201
    for _ in range(5):
        again = post(api, body, "create-1")
        assert again.status_code == 201
        assert again.json() == first.json() and again["ETag"] == first["ETag"]
        assert again["Idempotent-Replayed"] == "true"
    assert Account.objects.filter(name="(주)한빛정밀").count() == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api):
    assert post(api, {"name": "가온기계", "kind": "customer"}, "k").status_code == 201
    reused = post(api, {"name": "다른회사", "kind": "customer"}, "k")
    assert reused.status_code == 422
    assert not Account.objects.filter(name="다른회사").exists()


def test_keys_belong_to_one_user(api, client):
    assert post(api, {"name": "가온기계", "kind": "customer"}, "shared").status_code == 201
    other = UserFactory()
    client.force_login(other)
    assert post(client, {"name": "가온기계", "kind": "customer"}, "shared").status_code == 201
    assert Account.objects.filter(name="가온기계").count() == 2


def test_a_failed_request_is_not_stored_and_can_be_retried(api):
    bad = post(api, {"name": "대한", "brn": "1208147522"}, "retry-me")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    ok = post(api, {"name": "대한", "kind": "customer"}, "retry-me")
    assert ok.status_code == 201


def test_keys_expire(api, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1
    body = {"name": "누리전자", "kind": "customer"}
    assert post(api, body, "old").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=2))
    # Past its lifetime the key is a new key: the create runs again.
    fresh = post(api, body, "old")
    assert fresh.status_code == 201 and not fresh.has_header("Idempotent-Replayed")
    assert Account.objects.filter(name="누리전자").count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert purge_expired_keys() == 1 and not IdempotencyKey.objects.exists()


def test_without_the_header_every_post_creates(api):
    body = {"name": "무키상사", "kind": "customer"}
    assert api.post(URL, body, content_type=JSON).status_code == 201
    assert api.post(URL, body, content_type=JSON).status_code == 201
    assert Account.objects.filter(name="무키상사").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
def test_concurrent_retries_with_one_key_create_once():
    import threading

    from django.db import connections
    from django.test import Client

    user = UserFactory()
    barrier = threading.Barrier(6, timeout=30)
    statuses: list[int] = []
    bodies: list[dict] = []

    def retry():
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            response = post(client, {"name": "(주)동시재시도", "kind": "customer"}, "same-key")
            statuses.append(response.status_code)
            bodies.append(response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201] * 6
    assert len({body["id"] for body in bodies}) == 1
    assert Account.objects.filter(name="(주)동시재시도").count() == 1
