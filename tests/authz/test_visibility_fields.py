"""Users cannot edit the fields that decide their own (or a record's) visibility.

Owner, serving partner, channel parent and territory of an account, a contact's owner, an activity's owner and
account, and a user's own role, organisation and email: whoever is not a record manager (or administrator)
sends them through the API and the forms and the stored value stays what it was (a 400/403 or the field
ignored, never a silent change). Expected values come from policy.yaml's rules and the apps' READMEs.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _client(world, role):
    client = Client()
    client.force_login(world[role])
    return client


class _FormFields(HTMLParser):
    """The values a browser would send for the page's main form (inputs, selected options, text areas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button", "file"}:
            if attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.data[name] = attributes.get("value") or ("on" if attributes.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    parser.data.pop("q", None)
    return parser.data


def _patch(client, url, data):
    return client.patch(url, data=data, content_type="application/json", HTTP_IF_MATCH="*")


ACCOUNT_CASES = [
    # (role, account, field, value key)
    ("sales_rep", "acc_rep", "owner", "other_rep"),
    ("sales_rep", "acc_rep", "partner", "distributor_a"),
    ("sales_rep", "acc_rep", "territory", "territory"),
    ("service_agent", "acc_other", "owner", "service_agent"),
    ("marketing", "acc_other", "partner", "partner_b"),
    ("partner_a_rep", "acc_served_a", "partner", "partner_b"),
    ("partner_a_rep", "acc_served_a", "owner", "partner_a_rep"),
    ("partner_a_rep", "acc_served_a", "channel_parent", "partner_b"),
    ("partner_a_admin", "acc_served_dealer", "partner", "distributor_a"),
    ("partner_a_admin", "acc_served_dealer", "territory", "territory"),
    ("partner_b_admin", "acc_served_b", "owner", "partner_b_admin"),
]


@pytest.mark.parametrize("role,key,field,value", ACCOUNT_CASES)
def test_account_visibility_fields_are_not_changed_through_the_api(world, role, key, field, value):
    account = world[key]
    before = getattr(type(account).objects.get(pk=account.pk), f"{field}_id")
    response = _patch(_client(world, role), f"/api/v1/accounts/{account.pk}/", {field: world[value].pk})
    assert response.status_code < 500
    after = getattr(type(account).objects.get(pk=account.pk), f"{field}_id")
    assert after == before, f"{role} changed {key}.{field} ({response.status_code})"


@pytest.mark.parametrize("role,key,field,value", ACCOUNT_CASES)
def test_account_visibility_fields_are_not_changed_through_the_form(world, role, key, field, value):
    account = type(world[key]).objects.get(pk=world[key].pk)
    url = reverse("customers:account-update", args=[account.pk])
    data = {**form_data(_client(world, "admin"), url), field: world[value].pk}
    response = _client(world, role).post(url, data)
    assert response.status_code < 500
    after = type(account).objects.get(pk=account.pk)
    assert getattr(after, f"{field}_id") == getattr(account, f"{field}_id"), f"{role} changed {key}.{field}"


def test_a_record_manager_may_reassign_an_owner(world):
    """The control: the same request by a sales manager on the rep's account does change the owner."""
    account = world["acc_rep"]
    response = _patch(
        _client(world, "sales_manager"), f"/api/v1/accounts/{account.pk}/", {"owner": world["sales_manager"].pk}
    )
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert account.owner_id == world["sales_manager"].pk


@pytest.mark.parametrize(
    "role,key",
    [("sales_rep", "con_rep"), ("partner_a_rep", "con_served_a"), ("partner_b_admin", "con_served_b")],
)
def test_contact_owner_is_not_changed_by_users_who_are_not_record_managers(world, role, key):
    contact = world[key]
    before = type(contact).objects.get(pk=contact.pk).owner_id
    response = _patch(_client(world, role), f"/api/v1/contacts/{contact.pk}/", {"owner": world["other_rep"].pk})
    assert response.status_code < 500
    assert type(contact).objects.get(pk=contact.pk).owner_id == before


@pytest.mark.parametrize(
    "role,key,field,value",
    [
        ("partner_a_rep", "act_partner_a", "owner", "partner_b_rep"),
        ("partner_a_rep", "act_partner_a", "account", "acc_served_b"),
        ("partner_a_rep", "act_partner_a", "visible_to_partner", True),
        ("partner_b_rep", "act_partner_b", "owner", "other_rep"),
        ("sales_rep", "act_rep", "account", "acc_other"),
        ("sales_rep", "act_rep", "owner", "partner_a_rep"),
    ],
)
def test_activity_owner_and_account_stay_inside_the_actors_scope(world, role, key, field, value):
    activity = world[key]
    model = type(activity)
    attname = field if field == "visible_to_partner" else f"{field}_id"
    before = getattr(model.objects.get(pk=activity.pk), attname)
    payload = {field: value if isinstance(value, bool) else world[value].pk}
    response = _patch(_client(world, role), f"/api/v1/activities/{activity.pk}/", payload)
    assert response.status_code < 500
    assert getattr(model.objects.get(pk=activity.pk), attname) == before, f"{role} changed {key}.{field}"


@pytest.mark.parametrize("role", ["sales_rep", "partner_a_admin", "customer_a", "marketing"])
@pytest.mark.parametrize(
    "field,value",
    [("role", "admin"), ("email", "taken-over@authz.example"), ("organization", "partner_b"), ("is_staff", True)],
)
def test_users_cannot_change_their_own_role_organisation_or_email(world, role, field, value):
    user = world[role]
    model = type(user)
    attname = "organization_id" if field == "organization" else field
    before = getattr(model.objects.get(pk=user.pk), attname)
    payload = {field: world[value].pk if value == "partner_b" else value}
    response = _patch(_client(world, role), f"/api/v1/users/{user.pk}/", payload)
    assert response.status_code in {403, 404, 405}
    assert getattr(model.objects.get(pk=user.pk), attname) == before


def test_a_record_manager_may_reassign_an_owner_through_the_form(world):
    """The control for the form cases: the same minimal form, sent by a sales manager, does change the owner."""
    account = type(world["acc_rep"]).objects.get(pk=world["acc_rep"].pk)
    url = reverse("customers:account-update", args=[account.pk])
    data = {**form_data(_client(world, "admin"), url), "owner": world["sales_manager"].pk}
    response = _client(world, "sales_manager").post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.owner_id == world["sales_manager"].pk
