"""The users/teams API and the personal-data log, with real partner and customer organisations."""

import pytest
from rest_framework.test import APIClient

from forgecrm.customers.models import Contact
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.audit import log_personal_data_access
from forgecrm.platform.models import PersonalDataAccess, Role, User
from forgecrm.platform.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    distributor = PartnerAccountFactory(partner_type="distributor")
    dealer = PartnerAccountFactory(channel_parent=distributor)
    sibling = PartnerAccountFactory(partner_type="distributor")
    customer = AccountFactory()
    return {
        "hq": UserFactory(),
        "distributor_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
        "distributor_rep": UserFactory(role=Role.PARTNER_REP, organization=distributor),
        "dealer_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer),
        "sibling_rep": UserFactory(role=Role.PARTNER_REP, organization=sibling),
        "customer_user": UserFactory(role=Role.CUSTOMER_USER, organization=customer),
        "other_customer_user": UserFactory(role=Role.CUSTOMER_USER, organization=AccountFactory()),
    }


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_users_api_is_scoped_by_organisation(world):
    client = APIClient()
    expected = {
        "hq": set(User.objects.values_list("pk", flat=True)),
        "distributor_admin": {world[k].pk for k in ("distributor_admin", "distributor_rep", "dealer_rep")},
        "distributor_rep": {world[k].pk for k in ("distributor_admin", "distributor_rep")},
        "dealer_rep": {world["dealer_rep"].pk},
        "sibling_rep": {world["sibling_rep"].pk},
        "customer_user": {world["customer_user"].pk},
    }
    for name, visible in expected.items():
        client.force_authenticate(world[name])
        assert _ids(client, "/api/v1/users/") == visible, name
        hidden = next(user for user in world.values() if user.pk not in visible) if len(visible) < len(world) else None
        if hidden is not None:
            assert client.get(f"/api/v1/users/{hidden.pk}/").status_code == 404, name


def test_teams_are_for_internal_users_only(world):
    team = TeamFactory(members=[world["hq"]])
    client = APIClient()
    client.force_authenticate(world["hq"])
    assert _ids(client, "/api/v1/teams/") == {team.pk}
    for name in ("distributor_admin", "customer_user"):
        client.force_authenticate(world[name])
        assert _ids(client, "/api/v1/teams/") == set()
        assert client.get(f"/api/v1/teams/{team.pk}/").status_code == 404


def test_a_manager_filter_reveals_nothing_outside_the_scope(world):
    client = APIClient()
    client.force_authenticate(world["dealer_rep"])
    for manager in (world["hq"].pk, 10**9, "abc"):
        response = client.get("/api/v1/users/", {"manager": manager})
        assert response.status_code in (200, 400)
        assert response.status_code == 400 or response.json()["results"] == []
    # The same answer whether the id exists or not.
    existing = client.get("/api/v1/users/", {"manager": world["hq"].pk})
    missing = client.get("/api/v1/users/", {"manager": 10**9})
    assert existing.status_code == missing.status_code == 200


def test_personal_data_access_is_logged_per_person():
    viewer = UserFactory()
    contacts = [ContactFactory(), ContactFactory()]
    count = log_personal_data_access(
        actor=viewer, model=Contact, object_ids=[c.pk for c in contacts], action="export", ip_address="10.0.0.1"
    )
    assert count == 2
    rows = PersonalDataAccess.objects.order_by("object_id")
    assert [(row.user_id, row.object_id, row.action, row.ip_address) for row in rows] == [
        (viewer.pk, contacts[0].pk, "export", "10.0.0.1"),
        (viewer.pk, contacts[1].pk, "export", "10.0.0.1"),
    ]
    assert log_personal_data_access(actor=None, model=Contact, object_ids=[1], action="view") == 0
