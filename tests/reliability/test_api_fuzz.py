"""Schemathesis against the app's own OpenAPI document: every operation, generated requests (fixed seed, bounded
examples) sent as an authenticated internal administrator through the WSGI app. No answer may be a 5xx.

`make test` sends 3 examples per operation; FORGE_FUZZ_EXAMPLES=50 runs a longer campaign."""

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error

from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

_document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
# The fuzzing phase only (random requests within the schema, bounded by max_examples below); the coverage phase
# would add hundreds of boundary cases per operation and make the suite slow.
_config = schemathesis.config.SchemathesisConfig.from_dict(
    {"seed": 20261126, "phases": {"coverage": {"enabled": False}, "examples": {"enabled": True}}}
)
schema = schemathesis.openapi.from_dict(_document, config=_config)
schema.app = get_wsgi_application()


@pytest.fixture
def token(db):
    admin = UserFactory(role=Role.ADMIN)
    for _ in range(2):
        ContactFactory(account=AccountFactory(owner=admin), owner=admin)
    _instance, key = AuthToken.objects.create(user=admin)
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FORGE_FUZZ_EXAMPLES", "3")),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error])
    if not case.operation.path.startswith("/api/v1/auth/"):  # revoking the token is one of the operations
        assert response.status_code != 401, "the fuzzer must reach the views, not the login wall"


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's test client detaches close_old_connections from the request signals; the bare WSGI app does not,
    and on PostgreSQL it closed the connection holding the test's transaction after the first request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
