"""Found by schemathesis: an id filter of `-1.79e308` overflowed the database driver (500). Ids in query strings
and paths out of the bigint range are a 400 or a 404, on every list that filters by id."""

import pytest

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    ("/api/v1/activities/", "account"),
    ("/api/v1/activities/", "contact"),
    ("/api/v1/activities/", "owner"),
    ("/api/v1/accounts/", "owner"),
    ("/api/v1/accounts/", "territory"),
    ("/api/v1/accounts/", "partner"),
    ("/api/v1/accounts/", "parent"),
    ("/api/v1/contacts/", "account"),
    ("/api/v1/contacts/", "owner"),
    ("/api/v1/users/", "manager"),
]
HOSTILE = ["-1.7976931348623157e+308", "1e30", "9223372036854775808", "1.5", "NaN", "Infinity"]


@pytest.fixture
def api(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


@pytest.mark.parametrize(("url", "name"), FILTERS)
def test_out_of_range_id_filters_are_a_400(api, url, name):
    for value in HOSTILE:
        response = api.get(url, {name: value})
        assert response.status_code == 400, (url, name, value, response.status_code)
        assert name in response.json()
    assert api.get(url, {name: "12"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/accounts/", "/api/v1/contacts/", "/api/v1/activities/"])
def test_out_of_range_ids_in_paths_are_a_404(api, url):
    for value in ["9223372036854775808", "99999999999999999999999"]:
        assert api.get(f"{url}{value}/").status_code == 404
