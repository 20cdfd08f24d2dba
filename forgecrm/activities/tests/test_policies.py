import pytest
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind, Attachment
from forgecrm.activities.operations import log_activity
from forgecrm.activities.queries import get_activity_for
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Role
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import TeamFactory, TerritoryFactory, UserFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[Activity]:
    return set(scope_for(user, Activity))


def test_internal_users_see_their_own_their_subtrees_and_their_accounts_activities():
    director, manager, rep, other_rep = (
        UserFactory(role=Role.SALES_MANAGER),
        UserFactory(role=Role.SALES_MANAGER),
        UserFactory(),
        UserFactory(),
    )
    set_manager(actor=None, user=manager, manager=director)
    set_manager(actor=None, user=rep, manager=manager)
    rep_task = ActivityFactory(account=None, kind=ActivityKind.TASK, owner=rep, created_by=rep)
    on_reps_account = ActivityFactory(account=AccountFactory(owner=rep), owner=other_rep)
    strangers = ActivityFactory(account=AccountFactory(owner=other_rep), owner=other_rep)

    assert visible(rep) == {rep_task, on_reps_account}
    assert visible(manager) == visible(director) == {rep_task, on_reps_account}
    assert visible(other_rep) == {on_reps_account, strangers}
    assert visible(UserFactory(role=Role.SERVICE_AGENT)) == {rep_task, on_reps_account, strangers}


def test_territory_members_see_activities_on_their_regions_accounts():
    seoul = TerritoryFactory(sido="서울특별시")
    member = UserFactory()
    member.territories.add(seoul)
    in_region = ActivityFactory(account=AccountFactory(territory=seoul))
    ActivityFactory(account=AccountFactory())
    assert visible(member) == {in_region}


def test_shared_with_team_reaches_members_of_a_non_sharing_team_and_private_ones_do_not():
    owner, colleague = UserFactory(), UserFactory()
    TeamFactory(members=[owner, colleague], shares_records=False)
    shared = ActivityFactory(account=None, kind=ActivityKind.TASK, owner=owner, shared_with_team=True)
    private = ActivityFactory(account=None, kind=ActivityKind.TASK, owner=owner, shared_with_team=False)
    assert shared in visible(colleague) and private not in visible(colleague)
    assert {shared, private} <= visible(owner)


def test_activities_on_a_visible_contact_are_visible():
    rep = UserFactory()
    contact = ContactFactory(owner=rep)  # the account belongs to someone else
    activity = ActivityFactory(account=contact.account, contact=contact, owner=contact.account.owner)
    assert activity in visible(rep)


class TestPartners:
    @pytest.fixture
    def world(self):
        hq_rep = UserFactory()
        distributor = PartnerAccountFactory(partner_type="distributor")
        dealer = PartnerAccountFactory(channel_parent=distributor)
        sibling = PartnerAccountFactory(partner_type="distributor")
        customer = AccountFactory(owner=hq_rep, partner=dealer)
        sibling_customer = AccountFactory(owner=hq_rep, partner=sibling)
        return {
            "hq_rep": hq_rep,
            "customer": customer,
            "sibling_customer": sibling_customer,
            "dealer_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer),
            "dealer_colleague": UserFactory(role=Role.PARTNER_REP, organization=dealer),
            "distributor_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
            "sibling_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=sibling),
        }

    def test_partner_cannot_see_hq_internal_notes_unless_flagged(self, world):
        hq = world["hq_rep"]
        internal_note = log_activity(
            actor=hq, kind=ActivityKind.NOTE, subject="할인 한도: 대리점에 알리지 말 것", account=world["customer"]
        )
        shared_note = log_activity(
            actor=hq,
            kind=ActivityKind.NOTE,
            subject="설치 일정 확정",
            account=world["customer"],
            visible_to_partner=True,
        )
        for user in (world["dealer_rep"], world["distributor_admin"]):
            assert internal_note not in visible(user)
            assert shared_note in visible(user)
        assert shared_note not in visible(world["sibling_admin"])

    def test_partner_sees_its_own_organisations_activities_and_never_a_siblings(self, world):
        own = log_activity(
            actor=world["dealer_rep"],
            kind=ActivityKind.VISIT,
            subject="현장 방문",
            account=world["customer"],
            starts_at=timezone.now(),
        )
        assert own in visible(world["dealer_colleague"])
        assert own in visible(world["distributor_admin"])  # the distributor sees its dealers
        assert own not in visible(world["sibling_admin"])
        assert own in visible(world["hq_rep"])  # headquarters sees what partners log on its accounts

        sibling_activity = log_activity(
            actor=world["sibling_admin"], kind=ActivityKind.NOTE, subject="x", account=world["sibling_customer"]
        )
        assert sibling_activity not in visible(world["dealer_rep"])
        assert sibling_activity not in visible(world["distributor_admin"])

    def test_partner_personal_tasks_stay_with_the_partner_user(self, world):
        task = log_activity(actor=world["dealer_rep"], kind=ActivityKind.TASK, subject="재고 확인")
        assert task in visible(world["dealer_rep"])
        assert task not in visible(world["dealer_colleague"])

    def test_customer_portal_users_see_no_activities(self, world):
        ActivityFactory(account=world["customer"], visible_to_partner=True)
        portal_user = UserFactory(role=Role.CUSTOMER_USER, organization=world["customer"])
        assert visible(portal_user) == set()
        assert not scope_for(portal_user, Attachment).exists()

    def test_foreign_activity_answers_404(self, world):
        from django.http import Http404

        activity = log_activity(
            actor=world["sibling_admin"], kind=ActivityKind.NOTE, subject="x", account=world["sibling_customer"]
        )
        with pytest.raises(Http404):
            get_activity_for(world["dealer_rep"], activity.pk)


def test_rules_for_changing():
    manager, rep, peer, admin = (
        UserFactory(role=Role.SALES_MANAGER),
        UserFactory(),
        UserFactory(),
        UserFactory(role=Role.ADMIN),
    )
    set_manager(actor=None, user=rep, manager=manager)
    TeamFactory(members=[rep, peer])  # a teammate sees, but does not change
    rep.refresh_from_db()
    activity = ActivityFactory(owner=rep, account=AccountFactory(owner=rep))
    assert activity in visible(peer)
    for user, allowed in ((rep, True), (manager, True), (admin, True), (peer, False)):
        assert user.has_perm("activities.change_activity", activity) is allowed
        assert user.has_perm("activities.complete_activity", activity) is allowed
        assert user.has_perm("activities.delete_activity", activity) is allowed
    portal = UserFactory(role=Role.CUSTOMER_USER, organization=AccountFactory())
    assert not portal.has_perm("activities.add_activity")
    assert rep.has_perm("activities.add_activity")


def test_partner_admin_changes_activities_of_its_own_users_only():
    partner = PartnerAccountFactory()
    customer = AccountFactory(partner=partner)
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=partner)
    partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
    own = log_activity(actor=partner_rep, kind=ActivityKind.NOTE, subject="x", account=customer)
    hq = log_activity(
        actor=customer.owner, kind=ActivityKind.NOTE, subject="y", account=customer, visible_to_partner=True
    )
    assert admin.has_perm("activities.change_activity", own)
    assert not admin.has_perm("activities.change_activity", hq)
    assert not partner_rep.has_perm("activities.change_activity", hq)
