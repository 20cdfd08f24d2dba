import datetime as dt

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from forgecrm.platform.models import Role, User
from forgecrm.platform.tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"


def _obtain(client: APIClient, email: str, password: str = PASSWORD):
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json")


def test_a_token_is_issued_stored_hashed_and_works():
    user = UserFactory(email="api@example.kr")
    client = APIClient()
    response = _obtain(client, "API@example.kr")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert token.startswith("fcrm_") and response.json()["user_id"] == user.pk
    stored = AuthToken.objects.get(user=user)
    assert token not in {stored.digest, stored.token_key} and len(stored.digest) >= 64
    expiry = dt.datetime.fromisoformat(response.json()["expiry"])
    assert dt.timedelta(days=89) < expiry - timezone.now() <= dt.timedelta(days=90)

    assert client.get("/api/v1/users/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/").status_code == 200


def test_wrong_password_and_inactive_users_get_the_same_refusal():
    UserFactory(email="active@example.kr")
    UserFactory(email="inactive@example.kr", is_active=False)
    client = APIClient()
    wrong = _obtain(client, "active@example.kr", "wrong")
    inactive = _obtain(client, "inactive@example.kr")
    unknown = _obtain(client, "nobody@example.kr")
    assert wrong.status_code == inactive.status_code == unknown.status_code == 400
    assert wrong.json() == inactive.json() == unknown.json()
    assert not AuthToken.objects.exists()
    assert _obtain(client, "not-an-email").status_code == 400


def test_an_expired_token_is_refused_and_removed():
    UserFactory(email="exp@example.kr")
    client = APIClient()
    token = _obtain(client, "exp@example.kr").json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/").status_code == 401
    assert not AuthToken.objects.exists()


def test_revoking_a_token_ends_it_and_only_it():
    UserFactory(email="rev@example.kr")
    client = APIClient()
    first = _obtain(client, "rev@example.kr").json()["token"]
    second = _obtain(client, "rev@example.kr").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post(REVOKE_URL).status_code == 204
    assert client.get("/api/v1/users/").status_code == 401
    assert client.post(REVOKE_URL).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/users/").status_code == 200


def test_a_token_of_a_deactivated_user_stops_working():
    user = UserFactory(email="left@example.kr")
    client = APIClient()
    token = _obtain(client, "left@example.kr").json()["token"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/").status_code == 401


def test_obtaining_tokens_is_rate_limited():
    UserFactory(email="rate@example.kr")
    client = APIClient()
    statuses = [_obtain(client, "rate@example.kr", f"wrong{i}" if i % 2 else PASSWORD).status_code for i in range(11)]
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


def test_password_guessing_through_the_api_counts_towards_the_lockout(client):
    UserFactory(email="guess@example.kr")
    api = APIClient()
    for attempt in range(4):
        assert _obtain(api, "guess@example.kr", f"wrong{attempt}").status_code == 400
    assert _obtain(api, "GUESS@example.kr", "wrong").status_code == 429
    assert _obtain(api, "guess@example.kr").status_code == 429  # locked: the right password does not help
    assert not AuthToken.objects.exists()
    login = client.post("/login/", {"username": "guess@example.kr", "password": PASSWORD})
    assert login.status_code == 429  # the same lockout on the sign-in page


def test_users_and_teams_api_for_internal_users():
    admin = UserFactory(role=Role.ADMIN)
    rep = UserFactory(manager=admin)
    team = TeamFactory(members=[admin, rep])
    client = APIClient()
    client.force_authenticate(rep)
    listing = client.get("/api/v1/users/", {"page_size": 1})
    assert listing.status_code == 200
    body = listing.json()
    assert set(body) >= {"next", "previous", "results"} and len(body["results"]) == 1
    assert "cursor=" in body["next"] and "offset" not in body["next"]
    second = client.get(body["next"]).json()
    assert {row["id"] for row in body["results"] + second["results"]} == {admin.pk, rep.pk}

    detail = client.get(f"/api/v1/users/{rep.pk}/")
    assert detail.status_code == 200 and detail["ETag"]
    assert detail.json()["manager"] == admin.pk and detail.json()["kind"] == "internal"
    assert client.get(f"/api/v1/users/{rep.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    User.objects.filter(pk=rep.pk).update(full_name="새 이름")
    changed = client.get(f"/api/v1/users/{rep.pk}/", HTTP_IF_NONE_MATCH=detail["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != detail["ETag"]

    filtered = client.get("/api/v1/users/", {"manager": admin.pk}).json()["results"]
    assert [row["id"] for row in filtered] == [rep.pk]
    assert client.get("/api/v1/users/", {"manager": 999999}).json()["results"] == []
    ordered = client.get("/api/v1/users/", {"ordering": "-full_name"}).json()["results"]
    assert [row["full_name"] for row in ordered] == sorted((row["full_name"] for row in ordered), reverse=True)

    teams = client.get("/api/v1/teams/").json()["results"]
    assert len(teams) == 1 and teams[0]["id"] == team.pk and set(teams[0]["members"]) == {admin.pk, rep.pk}
    assert client.get(f"/api/v1/teams/{team.pk}/")["ETag"]


def test_the_user_api_is_read_only():
    admin = UserFactory(role=Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin)
    assert client.post("/api/v1/users/", {"email": "x@y.kr"}, format="json").status_code == 405
    assert client.patch(f"/api/v1/users/{admin.pk}/", {"role": "admin"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/teams/{TeamFactory().pk}/").status_code == 405
