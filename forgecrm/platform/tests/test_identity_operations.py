import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Role, Team, User
from forgecrm.platform.operations import create_team, create_territory, create_user, set_manager, update_user
from forgecrm.platform.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _paths() -> dict[str, str]:
    return {user.full_name: user.hierarchy_path for user in User.objects.all()}


def test_create_user_normalises_email_and_hashes_the_password():
    user = create_user(
        actor=None, email="  Kim@Example.KR ", full_name="김민준", role=Role.SALES_REP, password=PASSWORD
    )
    assert user.email == "kim@example.kr"
    assert user.check_password(PASSWORD) and user.password != PASSWORD
    assert user.hierarchy_path == "/"
    no_password = create_user(actor=None, email="lee@example.kr", full_name="이서연", role=Role.MARKETING)
    assert not no_password.has_usable_password()


def test_create_user_rules_for_portal_users():
    with pytest.raises(ValidationError) as caught:
        create_user(actor=None, email="p@partner.kr", full_name="파트너", role=Role.PARTNER_REP)
    assert "organization" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create_user(actor=None, email="c@customer.kr", full_name="고객", role=Role.CUSTOMER_USER)
    assert "organization" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create_user(actor=None, email="i@hq.kr", full_name="본사", role=Role.SALES_REP, organization_id=1)
    assert "organization" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        create_user(actor=None, email="x@hq.kr", full_name="x", role="emperor")
    assert "role" in caught.value.message_dict
    assert not User.objects.exists()


def test_create_user_refuses_duplicates_and_non_admins():
    create_user(actor=None, email="kim@example.kr", full_name="김민준", role=Role.SALES_REP)
    with pytest.raises(ValidationError) as caught:
        create_user(actor=None, email="KIM@example.kr", full_name="김민준", role=Role.SALES_REP)
    assert "email" in caught.value.message_dict
    rep = UserFactory()
    with pytest.raises(PermissionDenied):
        create_user(actor=rep, email="new@example.kr", full_name="새 사용자", role=Role.ADMIN)
    admin = UserFactory(role=Role.ADMIN)
    assert create_user(actor=admin, email="new@example.kr", full_name="새 사용자", role=Role.SALES_REP).pk


def test_set_manager_refuses_a_cycle():
    top, middle, leaf = (UserFactory(full_name=name) for name in ("top", "middle", "leaf"))
    set_manager(actor=None, user=middle, manager=top)
    set_manager(actor=None, user=leaf, manager=middle)
    before = _paths()
    for user, manager in [(top, leaf), (top, middle), (middle, middle)]:
        with pytest.raises(ValidationError) as caught:
            set_manager(actor=None, user=user, manager=manager)
        assert "manager" in caught.value.message_dict
    assert _paths() == before


def test_cycle_check_reads_the_database_not_a_stale_object():
    top, middle, leaf = (UserFactory(full_name=name) for name in ("top", "middle", "leaf"))
    stale_leaf = User.objects.get(pk=leaf.pk)
    set_manager(actor=None, user=middle, manager=top)
    set_manager(actor=None, user=leaf, manager=middle)
    with pytest.raises(ValidationError):
        set_manager(actor=None, user=top, manager=stale_leaf)


def test_moving_a_subtree_rewrites_every_path_below():
    a, b, middle, leaf, deep = (UserFactory(full_name=name) for name in ("a", "b", "middle", "leaf", "deep"))
    set_manager(actor=None, user=middle, manager=a)
    set_manager(actor=None, user=leaf, manager=middle)
    set_manager(actor=None, user=deep, manager=leaf)
    assert _paths()["deep"] == f"/{a.pk}/{middle.pk}/{leaf.pk}/"

    set_manager(actor=None, user=b, manager=a)
    set_manager(actor=None, user=middle, manager=b)
    paths = _paths()
    assert paths["middle"] == f"/{a.pk}/{b.pk}/"
    assert paths["leaf"] == f"/{a.pk}/{b.pk}/{middle.pk}/"
    assert paths["deep"] == f"/{a.pk}/{b.pk}/{middle.pk}/{leaf.pk}/"

    set_manager(actor=None, user=middle, manager=None)
    paths = _paths()
    assert paths["middle"] == "/" and paths["deep"] == f"/{middle.pk}/{leaf.pk}/"
    assert User.objects.get(pk=middle.pk).manager_id is None
    b = User.objects.get(pk=b.pk)
    assert principal_for(b).visible_user_ids == {b.pk}


def test_set_manager_is_for_admins():
    rep, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        set_manager(actor=rep, user=rep, manager=other)


def test_update_user_own_profile_only_harmless_fields():
    rep, other = UserFactory(), UserFactory()
    update_user(actor=rep, user=rep, full_name="새 이름", phone="010-1234-5678", language="en")
    rep.refresh_from_db()
    assert (rep.full_name, rep.phone, rep.language) == ("새 이름", "+821012345678", "en")
    for changes in ({"role": Role.ADMIN}, {"is_superuser": True}, {"organization_id": 1}, {"email": "x@y.kr"}):
        with pytest.raises(PermissionDenied):
            update_user(actor=rep, user=rep, **changes)
    with pytest.raises(PermissionDenied):
        update_user(actor=rep, user=other, full_name="남의 이름")
    with pytest.raises(ValidationError) as caught:
        update_user(actor=rep, user=rep, phone="12")
    assert "phone" in caught.value.message_dict
    rep.refresh_from_db()
    assert rep.role == Role.SALES_REP and not rep.is_superuser


def test_update_user_by_admin_keeps_the_hierarchy_in_step():
    admin, boss, rep = UserFactory(role=Role.ADMIN), UserFactory(), UserFactory()
    below = UserFactory(manager=rep)
    update_user(actor=admin, user=rep, manager=boss, role=Role.SALES_MANAGER)
    assert User.objects.get(pk=below.pk).hierarchy_path == f"/{boss.pk}/{rep.pk}/"
    assert User.objects.get(pk=rep.pk).role == Role.SALES_MANAGER
    with pytest.raises(ValidationError):
        update_user(actor=admin, user=rep, role="emperor")


def test_create_team_includes_the_lead_and_refuses_duplicates():
    lead, member = UserFactory(), UserFactory()
    team = create_team(actor=None, name="서울 1팀", lead=lead, members=[member])
    assert set(team.members.all()) == {lead, member}
    with pytest.raises(ValidationError):
        create_team(actor=None, name="서울 1팀")
    assert Team.objects.count() == 1


def test_create_territory_builds_the_path():
    seoul = create_territory(actor=None, name="서울", code="11", sido="서울특별시")
    gangnam = create_territory(actor=None, name="강남", code="11680", parent=seoul, sido="서울특별시", sigungu="강남구")
    assert gangnam.path == f"/{seoul.pk}/"
    with pytest.raises(ValidationError):
        create_territory(actor=None, name="중복", code="11")
