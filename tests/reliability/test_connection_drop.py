"""The database connection dropped in the middle of a request: the request gets a clean error, nothing of it is
half written, and the next request works (Django replaces an unusable connection when a request starts)."""

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client

from forgecrm.customers.models import Account
from forgecrm.customers.operations import accounts as account_operations
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory

JSON = "application/json"
BODY = {"name": "(주)끊김시험", "kind": "customer"}


def terminate_from_outside(pid: int) -> None:
    """pg_terminate_backend from a second connection, as a failover or an admin would."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}}
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def api():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


def assert_dropped_then_recovered(api, monkeypatch, drop) -> None:
    real = account_operations.index_objects

    def index_then_drop(entity, rows):
        real(entity, rows)  # the account row is written inside the request's transaction ...
        drop()  # ... then the connection goes away before the commit

    monkeypatch.setattr(account_operations, "index_objects", index_then_drop)
    failed = api.post("/api/v1/accounts/", BODY, content_type=JSON)
    assert failed.status_code == 500
    assert b"Traceback" not in failed.content and b"pg_terminate" not in failed.content
    monkeypatch.setattr(account_operations, "index_objects", real)

    listed = api.get("/api/v1/accounts/")  # the next request gets a fresh connection
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()["results"]] == []  # nothing half written
    retried = api.post("/api/v1/accounts/", BODY, content_type=JSON)
    assert retried.status_code == 201
    assert Account.objects.filter(name=BODY["name"]).count() == 1
    assert OutboxEvent.objects.filter(event_type="AccountCreated").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL")
def test_backend_terminated_mid_request_on_postgresql(api, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    assert_dropped_then_recovered(api, monkeypatch, lambda: terminate_from_outside(pid))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL test terminates a real backend")
def test_connection_error_mid_request_is_a_clean_500_and_rolls_back(api, monkeypatch):
    def drop():
        raise OperationalError("server closed the connection unexpectedly")

    assert_dropped_then_recovered(api, monkeypatch, drop)
