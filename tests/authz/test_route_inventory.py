"""Every route of config.urls has a row in policy.yaml, and every registered scope has a model row.

A new page, API endpoint or DRF extra action (`@action`) without a policy row fails here, so it cannot ship
outside the authorization matrix. The walk is recursive over includes, namespaces and DRF routers.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from forgecrm.platform.access import registered_models

from .conftest import load_policy

POLICY = load_policy()


def walk(patterns=None, namespace=""):
    """(qualified url name, pattern, callback) for every URL pattern, recursively."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", entry


def _drf_methods(pattern) -> dict[str, str]:
    """For a DRF route: HTTP method -> viewset action (list, retrieve, an @action's name, ...)."""
    return dict(getattr(pattern.callback, "actions", None) or {})


ROUTES = sorted({name for name, _ in walk()})


def test_the_walk_finds_pages_api_routes_and_extra_actions():
    names = set(ROUTES)
    assert {"customers:account-detail", "account-list", "account-merge", "product-price", "admin:index"} <= names
    assert len(names) > 100


@pytest.mark.parametrize("name", ROUTES)
def test_every_route_has_a_policy_row(name):
    admin_prefix = POLICY["admin_site"]["prefix"]
    if name.startswith(admin_prefix):
        return  # the admin site row: staff only (test_admin_site_is_staff_only)
    assert name in POLICY["routes"], f"route {name!r} has no row in tests/authz/policy.yaml"
    row = POLICY["routes"][name]
    assert "exempt" in row or "channel" in row


@pytest.mark.parametrize("name,pattern", [(name, p) for name, p in walk() if _drf_methods(p)], ids=lambda x: str(x))
def test_every_api_method_of_a_route_has_an_expected_outcome(name, pattern):
    row = POLICY["routes"].get(name, {})
    if "exempt" in row:
        return
    declared = row.get("methods", {})
    methods = set(_drf_methods(pattern))
    if "get" in methods:
        methods.discard("head")  # HEAD is GET without the body: the GET row covers it
    missing = methods - set(declared)
    # PATCH and PUT share the update row; the table names them both.
    assert not missing, f"{name}: methods {sorted(missing)} have no row in policy.yaml"


def test_no_stale_rows():
    """A row for a route that no longer exists is a mistake in the table (a renamed route would escape)."""
    stale = set(POLICY["routes"]) - set(ROUTES)
    assert stale == set()


def test_every_scoped_model_has_a_policy_row():
    missing = sorted(model.__name__ for model in registered_models() if model.__name__ not in POLICY["models"])
    assert missing == [], f"models with a scope but no row in policy.yaml: {missing}"


def test_every_model_row_names_a_scoped_model():
    names = {model.__name__ for model in registered_models()}
    assert set(POLICY["models"]) <= names


def test_every_policy_route_row_names_a_known_model():
    for name, row in POLICY["routes"].items():
        for model in row.get("models") or ([row["model"]] if "model" in row else []):
            assert model in POLICY["models"], f"{name}: unknown model {model}"
        for model in row.get("parts", {}).values():
            assert model in POLICY["models"], f"{name}: unknown model {model}"
