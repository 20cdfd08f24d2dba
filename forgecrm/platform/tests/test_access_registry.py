import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Q
from django.http import Http404

from forgecrm.platform.access import (
    Principal,
    ScopeNotRegistered,
    get_for_or_404,
    prefixed,
    principal_for,
    registered_models,
    scope_for,
)
from forgecrm.platform.access.predicates import is_admin, is_internal, owner_in_subtree, owns
from forgecrm.platform.models import Job, Role, Team, Territory, User
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_prefixed_rewrites_every_lookup_and_keeps_the_structure():
    q = (Q(owner_id__in=[1, 2]) | Q(territory_id__in=[3])) & ~Q(pk=4)
    assert prefixed(q, "account") == (
        (Q(account__owner_id__in=[1, 2]) | Q(account__territory_id__in=[3])) & ~Q(account__pk=4)
    )
    assert prefixed(Q(), "account") == Q()
    nested = prefixed(prefixed(Q(owner_id=1), "account"), "contact")
    assert nested == Q(contact__account__owner_id=1)


def test_prefixed_scope_selects_through_the_relation():
    rep, other = UserFactory(), UserFactory()
    mine = Job.objects.create(kind="import", created_by=rep)
    Job.objects.create(kind="import", created_by=other)
    through_creator = User.objects.filter(prefixed(Q(pk=rep.pk), "jobs__created_by"))
    assert list(through_creator) == [rep]
    assert list(Job.objects.filter(prefixed(Q(pk=rep.pk), "created_by"))) == [mine]


def test_an_unregistered_model_raises_instead_of_showing_everything():
    user = UserFactory()
    assert Group not in registered_models()
    with pytest.raises(ScopeNotRegistered):
        scope_for(user, Group)
    with pytest.raises(ScopeNotRegistered):
        get_for_or_404(user, Group, pk=1)


def test_the_kernel_registers_its_own_user_visible_models():
    assert {User, Team, Territory, Job} <= set(registered_models())


@pytest.mark.parametrize("model", [User, Team, Territory, Job])
def test_anonymous_and_inactive_users_see_nothing(model):
    admin = UserFactory(role=Role.ADMIN)
    TeamFactory(members=[admin])
    Territory.objects.create(name="서울", code="11")
    Job.objects.create(kind="x", created_by=admin)
    assert scope_for(admin, model).exists()
    assert not scope_for(AnonymousUser(), model).exists()
    assert not scope_for(None, model).exists()
    inactive = User.objects.get(pk=admin.pk)
    inactive.is_active = False
    assert not scope_for(inactive, model).exists()
    assert principal_for(AnonymousUser()).is_active is False


def test_get_for_or_404_hides_rows_outside_the_scope_and_bad_ids():
    owner, other = UserFactory(), UserFactory()
    job = Job.objects.create(kind="import", created_by=owner)
    assert get_for_or_404(owner, Job, pk=job.pk) == job
    for actor, pk in [(other, job.pk), (owner, job.pk + 1000), (owner, "abc"), (owner, None)]:
        with pytest.raises(Http404):
            get_for_or_404(actor, Job, pk=pk)


def test_a_principal_can_stand_in_for_the_user():
    owner = UserFactory()
    job = Job.objects.create(kind="import", created_by=owner)
    principal = principal_for(owner)
    assert isinstance(principal, Principal)
    assert list(scope_for(principal, Job)) == [job]
    assert principal_for(owner) is principal  # cached for the request


def test_principal_by_kind_and_role():
    director = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory()
    set_manager(actor=None, user=rep, manager=director)
    director = User.objects.get(pk=director.pk)
    assert principal_for(director).visible_user_ids == {director.pk, rep.pk}
    assert not principal_for(director).sees_everything
    for role in (Role.ADMIN, Role.SERVICE_AGENT, Role.MARKETING, Role.CHANNEL_MANAGER, Role.SERVICE_MANAGER):
        assert principal_for(UserFactory(role=role)).sees_everything
    superuser = UserFactory(role=Role.SALES_REP, is_superuser=True)
    assert principal_for(superuser).sees_everything


def test_teams_that_do_not_share_records_do_not_widen_visibility():
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    TeamFactory(members=[a, b])
    TeamFactory(members=[a, c], shares_records=False)
    assert principal_for(a).visible_user_ids == {a.pk, b.pk}


def test_predicates():
    admin, rep = UserFactory(role=Role.ADMIN), UserFactory()
    manager = UserFactory(role=Role.SALES_MANAGER)
    set_manager(actor=None, user=rep, manager=manager)
    manager = User.objects.get(pk=manager.pk)

    class Row:
        owner_id = rep.pk

    assert is_admin(admin) and not is_admin(rep)
    assert is_internal(rep)
    assert owns(rep, Row()) and not owns(manager, Row())
    assert owner_in_subtree(manager, Row()) and owner_in_subtree(admin, Row())
    assert not owner_in_subtree(UserFactory(), Row())
    assert not owns(rep, None)


def test_territory_visibility_covers_every_level_below_in_constant_queries(django_assert_num_queries):
    from forgecrm.platform.access.principal import build_principal
    from forgecrm.platform.operations import create_territory

    seoul = create_territory(actor=None, name="서울", code="11", sido="서울특별시")
    gangnam = create_territory(actor=None, name="강남", code="11680", parent=seoul, sigungu="강남구")
    yeoksam = create_territory(actor=None, name="역삼", code="11680-1", parent=gangnam)
    busan = create_territory(actor=None, name="부산", code="26", sido="부산광역시")
    haeundae = create_territory(actor=None, name="해운대", code="26350", parent=busan)
    create_territory(actor=None, name="대구", code="27", sido="대구광역시")
    rep = UserFactory()
    rep.territories.add(seoul, haeundae)
    with django_assert_num_queries(4):  # subtree, teammates, territories, territories below
        principal = build_principal(rep)
    assert principal.territory_ids == {seoul.pk, gangnam.pk, yeoksam.pk, haeundae.pk}
