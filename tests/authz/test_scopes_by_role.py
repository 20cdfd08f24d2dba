import pytest

from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.platform.models import Role, User
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import TeamFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_manager_sees_subtree_but_rep_sees_only_own():
    director = UserFactory(role=Role.SALES_MANAGER)
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory()
    set_manager(actor=None, user=manager, manager=director)
    set_manager(actor=None, user=rep, manager=manager)
    rep_account = AccountFactory(owner=rep)
    manager_account = AccountFactory(owner=manager)

    assert set(scope_for(director, Account)) == {rep_account, manager_account}
    assert set(scope_for(manager, Account)) == {rep_account, manager_account}
    assert set(scope_for(rep, Account)) == {rep_account}


def test_moving_a_manager_moves_the_whole_subtree():
    top_a, top_b, middle, leaf = (UserFactory(role=Role.SALES_MANAGER) for _ in range(4))
    set_manager(actor=None, user=middle, manager=top_a)
    set_manager(actor=None, user=leaf, manager=middle)
    account = AccountFactory(owner=leaf)
    assert account in scope_for(top_a, Account)

    set_manager(actor=None, user=middle, manager=top_b)

    top_a = User.objects.get(pk=top_a.pk)  # a new request: the principal is computed afresh
    assert account not in scope_for(top_a, Account)
    assert account in scope_for(top_b, Account)


def test_team_members_share_records_and_territory_members_see_their_region():
    rep_a, rep_b, rep_c = UserFactory(), UserFactory(), UserFactory()
    TeamFactory(members=[rep_a, rep_b])
    seoul = TerritoryFactory(sido="서울특별시")
    gangnam = TerritoryFactory(parent=seoul, sido="서울특별시", sigungu="강남구")
    rep_c.territories.add(seoul)
    account = AccountFactory(owner=rep_b, territory=gangnam)

    assert account in scope_for(rep_a, Account)
    assert account in scope_for(rep_c, Account)  # the child territory is inside the parent


def test_partner_admin_sees_dealers_but_never_a_sibling_distributor():
    distributor, sibling = (
        PartnerAccountFactory(partner_type="distributor"),
        PartnerAccountFactory(partner_type="distributor"),
    )
    dealer = PartnerAccountFactory(channel_parent=distributor)
    served_by_dealer = AccountFactory(partner=dealer)
    served_by_sibling = AccountFactory(partner=sibling)
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=distributor)
    rep = UserFactory(role=Role.PARTNER_REP, organization=distributor)

    visible = set(scope_for(admin, Account))
    assert served_by_dealer in visible and dealer in visible and distributor in visible
    assert served_by_sibling not in visible and sibling not in visible
    assert served_by_dealer not in set(scope_for(rep, Account))


def test_foreign_id_answers_404_and_inactive_users_see_nothing():
    from django.http import Http404

    owner, other = UserFactory(), UserFactory()
    account = AccountFactory(owner=owner)
    with pytest.raises(Http404):
        get_for_or_404(other, Account, pk=account.pk)
    owner.is_active = False
    assert not scope_for(owner, Account).exists()
