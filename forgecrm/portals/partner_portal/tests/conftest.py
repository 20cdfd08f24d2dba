import pytest

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.tests.factories import PartnerProfileFactory, PartnerUserFactory
from forgecrm.platform.models import Role


@pytest.fixture
def dealer(db):
    account = PartnerAccountFactory(name="(주)서울냉열 대리점")
    PartnerProfileFactory(account=account)
    return account


@pytest.fixture
def rep(dealer):
    return PartnerUserFactory(organization=dealer, full_name="박대리", email="rep@dealer.example")


@pytest.fixture
def partner_admin(dealer):
    return PartnerUserFactory(
        organization=dealer, role=Role.PARTNER_ADMIN, full_name="최관리", email="admin@dealer.example"
    )


@pytest.fixture
def other_partner(db):
    return PartnerAccountFactory(name="(주)부산공조")


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client
