"""A small channel for access tests: HQ users, a distributor with two dealers, a sibling distributor with one."""

from dataclasses import dataclass

import pytest

from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import Role, User
from forgecrm.platform.tests.factories import UserFactory


@dataclass
class Channel:
    admin: User
    manager: User
    rep: User
    other_rep: User
    distributor: Account
    dealer_a: Account
    dealer_b: Account
    sibling: Account
    dealer_c: Account
    served_by_a: Account
    served_by_b: Account
    served_by_c: Account
    own_account: Account
    dealer_a_rep: User
    distributor_admin: User
    customer_user: User


@pytest.fixture
def channel(db) -> Channel:
    admin = UserFactory(role=Role.ADMIN, full_name="관리자")
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="박팀장")
    rep = UserFactory(role=Role.SALES_REP, manager=manager, full_name="김영업")
    other_rep = UserFactory(role=Role.SALES_REP, full_name="이영업")
    channel_manager = UserFactory(role=Role.CHANNEL_MANAGER)
    distributor = PartnerAccountFactory(name="총판 서울", partner_type="distributor", owner=channel_manager)
    dealer_a = PartnerAccountFactory(name="대리점 가", channel_parent=distributor, owner=channel_manager)
    dealer_b = PartnerAccountFactory(name="대리점 나", channel_parent=distributor, owner=channel_manager)
    sibling = PartnerAccountFactory(name="총판 부산", partner_type="distributor", owner=channel_manager)
    dealer_c = PartnerAccountFactory(name="대리점 다", channel_parent=sibling, owner=channel_manager)
    served_by_a = AccountFactory(name="가나상사", partner=dealer_a, owner=rep)
    served_by_b = AccountFactory(name="나라기계", partner=dealer_b, owner=rep)
    served_by_c = AccountFactory(name="다온설비", partner=dealer_c, owner=other_rep)
    own_account = AccountFactory(name="라온전자", owner=rep)
    for account in (served_by_a, served_by_b, served_by_c, own_account):
        ContactFactory(account=account)
    return Channel(
        admin=admin,
        manager=manager,
        rep=rep,
        other_rep=other_rep,
        distributor=distributor,
        dealer_a=dealer_a,
        dealer_b=dealer_b,
        sibling=sibling,
        dealer_c=dealer_c,
        served_by_a=served_by_a,
        served_by_b=served_by_b,
        served_by_c=served_by_c,
        own_account=own_account,
        dealer_a_rep=UserFactory(role=Role.PARTNER_REP, organization=dealer_a),
        distributor_admin=UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
        customer_user=UserFactory(role=Role.CUSTOMER_USER, organization=own_account),
    )


@pytest.fixture
def login(client):
    def log_in(user: User):
        client.force_login(user)
        return client

    return log_in
