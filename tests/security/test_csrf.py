"""CSRF everywhere: a signed-in browser's POST without the token is refused by every URL of the project."""

import re

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Endpoints that take no session: they authenticate by the credentials or the token in the request itself, so
# a forged cross-site request gains nothing (no cookie is used).
NO_SESSION = {"/api/v1/auth/token/", "/api/v1/auth/token/revoke/"}
# The public lead capture form is posted from other sites by anonymous visitors: it is csrf-exempt by design and
# guarded by its allowed origins, a signed fill-time token, a honeypot and a rate limit (sales tests check those).
PUBLIC_FORMS = {"/sales/forms/x/", "/partners/inquiry/x/"}  # and the online-referral inquiry (partners)
SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def _sample(route: str) -> str:
    """A concrete path for one route: converters and regex groups get sample values."""
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"\([^)]*\)", "1", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".").lstrip("/")


def _paths(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the project that resolves, walked from the root URLconf."""
    found: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.update(_paths(entry.url_patterns, route))
        elif isinstance(entry, URLPattern):
            found.add(route)
    if patterns is not None:
        return sorted(found)
    paths = set()
    for route in found:
        path = _sample(route)
        try:
            resolve(path)
        except Resolver404:
            continue
        paths.add(path)
    return sorted(paths)


def test_the_walk_finds_the_projects_urls():
    paths = _paths()
    assert "/login/" in paths and "/logout/" in paths and "/api/v1/users/" in paths
    assert len(paths) > 20


def test_every_url_refuses_a_tokenless_post_from_a_signed_in_browser():
    user = UserFactory(role="admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    accepted = []
    for path in _paths():
        if path in NO_SESSION or path in PUBLIC_FORMS or path.startswith("/static/"):
            continue
        response = client.post(path, {"name": "forged"})
        if response.status_code != 403:
            accepted.append((path, response.status_code))
    assert accepted == []


def test_the_same_post_with_the_token_passes_the_csrf_check():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.content.decode()).group(1)
    response = client.post("/logout/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_the_api_refuses_a_session_write_without_the_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/teams/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
