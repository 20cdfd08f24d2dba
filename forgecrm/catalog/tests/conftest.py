import pytest

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .factories import PartnerFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, full_name="관리자")


@pytest.fixture
def sales_manager(db):
    return UserFactory(role=Role.SALES_MANAGER, full_name="영업팀장")


@pytest.fixture
def sales_rep(db):
    return UserFactory(role=Role.SALES_REP, full_name="영업사원")


@pytest.fixture
def partner_a(db):
    return PartnerFactory(name="(주)대한공조 대리점", tier="gold")


@pytest.fixture
def partner_b(db):
    return PartnerFactory(name="서울냉열(주)", tier="silver")


@pytest.fixture
def partner_user_a(partner_a):
    return UserFactory(role=Role.PARTNER_REP, organization=partner_a, full_name="대한공조 담당")


@pytest.fixture
def partner_user_b(partner_b):
    return UserFactory(role=Role.PARTNER_REP, organization=partner_b, full_name="서울냉열 담당")


@pytest.fixture
def customer_user(db):
    account = PartnerFactory(name="(주)미래빌딩관리", kind="customer", tier="", partner_type="")
    return UserFactory(role=Role.CUSTOMER_USER, organization=account, full_name="미래빌딩 고객")


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read the English source strings; the ko catalog may translate them later."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English (LocaleMiddleware picks the language per request), so text assertions stay meaningful
    once the ko catalog is complete."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
