import pytest

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .receiver import receiver, webhooks_to_localhost  # noqa: F401  fixtures


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, full_name="관리자")


@pytest.fixture
def sales_manager(db):
    return UserFactory(role=Role.SALES_MANAGER, full_name="영업팀장")


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
