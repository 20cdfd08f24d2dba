"""Bad input, themes 4 and 5: mass assignment through the API, and IDOR (other ids in URLs, forms and bodies).

Mass assignment: a field the caller may not set (owner, partner, channel, version, created_by, role, is_active)
is ignored or refused, never written. IDOR: an id of a record outside the caller's scope answers 404 (or a
field error naming the field), and the database and the outbox are unchanged.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from forgecrm.activities.models import Activity
from forgecrm.activities.tests.factories import ActivityFactory
from forgecrm.catalog.tests.factories import PartnerProductNumberFactory, PriceListFactory
from forgecrm.customers.models import Account, Consent, Contact
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import OutboxEvent, Role, User
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def world():
    rep = UserFactory(role=Role.SALES_REP, language="en")
    stranger = UserFactory(role=Role.SALES_REP, language="en")
    dealer_a = PartnerAccountFactory(name="대리점 가")
    dealer_b = PartnerAccountFactory(name="대리점 나")
    mine = AccountFactory(owner=rep, name="내거래처")
    hidden = AccountFactory(owner=stranger, name="남의거래처")
    served_a = AccountFactory(owner=rep, name="가의고객", partner=dealer_a)
    served_b = AccountFactory(owner=stranger, name="나의고객", partner=dealer_b)
    return {
        "rep": rep,
        "stranger": stranger,
        "dealer_a": dealer_a,
        "dealer_b": dealer_b,
        "mine": mine,
        "hidden": hidden,
        "hidden_contact": ContactFactory(account=hidden, full_name="남의연락처"),
        "served_a": served_a,
        "served_b": served_b,
        "partner_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer_a, language="en"),
        "partner_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=dealer_a, language="en"),
    }


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def etag(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response["ETag"]


def snapshot():
    """What a refused write must leave as it was: rows of the written models and the outbox."""
    return (
        list(Account.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        OutboxEvent.objects.count(),
    )


# --- mass assignment ---------------------------------------------------------------------------------------


def test_api_create_ignores_owner_created_by_version_and_is_active_from_a_rep(world):
    client = client_for(world["rep"])
    response = client.post(
        "/api/v1/accounts/",
        {
            "name": "새거래처",
            "kind": "customer",
            "owner": world["stranger"].pk,
            "created_by": world["stranger"].pk,
            "updated_by": world["stranger"].pk,
            "version": 99,
            "is_active": False,
            "id": world["hidden"].pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=response.json()["id"])
    assert account.pk != world["hidden"].pk
    assert account.owner == world["rep"] and account.created_by == world["rep"]
    assert account.version == 1 and account.is_active


def test_api_update_cannot_move_owner_partner_channel_or_territory_for_a_rep(world):
    client = client_for(world["rep"])
    url = f"/api/v1/accounts/{world['mine'].pk}/"
    response = client.patch(
        url,
        {
            "owner": world["stranger"].pk,
            "partner": world["dealer_b"].pk,
            "channel_parent": world["dealer_b"].pk,
            "version": 50,
            "created_by": world["stranger"].pk,
            "industry": "기계",
        },
        content_type=JSON,
        HTTP_IF_MATCH=etag(client, url),
    )
    assert response.status_code == 200
    world["mine"].refresh_from_db()
    assert world["mine"].industry == "기계"  # the allowed field was written ...
    assert world["mine"].owner == world["rep"] and world["mine"].partner is None  # ... the rest was not
    assert world["mine"].channel_parent is None and world["mine"].version == 2
    assert world["mine"].created_by_id != world["stranger"].pk


def test_api_contact_create_ignores_owner_and_created_by(world):
    client = client_for(world["rep"])
    response = client.post(
        "/api/v1/contacts/",
        {
            "account": world["mine"].pk,
            "full_name": "김새사람",
            "owner": world["stranger"].pk,
            "created_by": world["stranger"].pk,
            "version": 7,
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.owner == world["rep"] and contact.version == 1


def test_partner_cannot_set_its_own_tier_partner_type_or_channel(world):
    client = client_for(world["partner_admin"])
    url = f"/api/v1/accounts/{world['dealer_a'].pk}/"
    before = Account.objects.filter(pk=world["dealer_a"].pk).values("tier", "partner_type", "channel_parent").get()
    response = client.get(url)
    if response.status_code == 200:
        client.patch(
            url,
            {"tier": "platinum", "partner_type": "distributor", "channel_parent": world["dealer_b"].pk},
            content_type=JSON,
            HTTP_IF_MATCH=response["ETag"],
        )
    after = Account.objects.filter(pk=world["dealer_a"].pk).values("tier", "partner_type", "channel_parent").get()
    assert after == before


def test_partner_cannot_hand_its_customer_to_another_partner(world):
    client = client_for(world["partner_rep"])
    url = f"/api/v1/accounts/{world['served_a'].pk}/"
    response = client.get(url)
    assert response.status_code == 200
    client.patch(url, {"partner": world["dealer_b"].pk}, content_type=JSON, HTTP_IF_MATCH=response["ETag"])
    world["served_a"].refresh_from_db()
    assert world["served_a"].partner == world["dealer_a"]


def test_partner_create_cannot_point_partner_at_a_competitor(world):
    client = client_for(world["partner_rep"])
    before = snapshot()
    response = client.post(
        "/api/v1/accounts/",
        {"name": "가로채기", "kind": "customer", "partner": world["dealer_b"].pk, "owner": world["stranger"].pk},
        content_type=JSON,
    )
    if response.status_code == 201:
        account = Account.objects.get(pk=response.json()["id"])
        assert account.partner == world["dealer_a"]  # forced to the caller's own organisation
        assert account.owner != world["stranger"]
    else:
        assert response.status_code in {400, 403, 404}
        assert snapshot() == before


def test_users_api_is_read_only_so_nobody_promotes_themselves(world):
    rep = world["rep"]
    client = client_for(rep)
    url = f"/api/v1/users/{rep.pk}/"
    for method in (client.patch, client.put):
        response = method(url, {"role": "admin", "is_superuser": True, "organization": None}, content_type=JSON)
        assert response.status_code in {403, 405}
    assert client.post("/api/v1/users/", {"email": "x@x.kr", "role": "admin"}, content_type=JSON).status_code in {
        403,
        405,
    }
    rep.refresh_from_db()
    assert rep.role == Role.SALES_REP and not rep.is_superuser


def test_partner_user_cannot_change_its_organisation_through_any_api(world):
    user = world["partner_rep"]
    client = client_for(user)
    client.patch(f"/api/v1/users/{user.pk}/", {"organization": world["dealer_b"].pk}, content_type=JSON)
    user.refresh_from_db()
    assert user.organization == world["dealer_a"]


def test_activity_api_ignores_created_by_and_refuses_an_owner_outside_scope(world):
    client = client_for(world["partner_rep"])
    before = Activity.objects.count()
    response = client.post(
        "/api/v1/activities/",
        {
            "kind": "note",
            "subject": "메모",
            "account": world["served_a"].pk,
            "owner": world["stranger"].pk,
            "created_by": world["stranger"].pk,
        },
        content_type=JSON,
    )
    assert response.status_code in {400, 404}
    assert Activity.objects.count() == before


def test_a_stale_or_garbage_version_in_the_body_writes_nothing(world):
    """`version` in the body is the documented alternative to If-Match: it is checked, never assigned."""
    client = client_for(world["rep"])
    url = f"/api/v1/accounts/{world['mine'].pk}/"
    stale = world["mine"].version - 1
    assert client.patch(url, {"industry": "x", "version": stale}, content_type=JSON).status_code == 412
    assert client.patch(url, {"industry": "x", "version": 999}, content_type=JSON).status_code == 412
    assert client.patch(url, {"industry": "x", "version": "1; DROP"}, content_type=JSON).status_code == 428
    world["mine"].refresh_from_db()
    assert world["mine"].industry != "x" and world["mine"].version == 1


# --- IDOR: ids in URLs ---------------------------------------------------------------------------------------


def test_pages_of_another_users_records_are_404(world):
    activity = ActivityFactory(account=world["hidden"], owner=world["stranger"])
    client = client_for(world["rep"])
    for url in (
        reverse("customers:account-detail", args=[world["hidden"].pk]),
        reverse("customers:account-update", args=[world["hidden"].pk]),
        reverse("customers:account-merge", args=[world["hidden"].pk]),
        reverse("customers:contact-detail", args=[world["hidden_contact"].pk]),
        reverse("customers:contact-update", args=[world["hidden_contact"].pk]),
        reverse("activities:detail", args=[activity.pk]),
        reverse("activities:edit", args=[activity.pk]),
        reverse("activities:ics", args=[activity.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "남의" not in response.content.decode()


def test_posts_to_another_users_records_are_404_and_change_nothing(world):
    activity = ActivityFactory(account=world["hidden"], owner=world["stranger"])
    client = client_for(world["rep"])
    before = snapshot()
    for url, data in (
        (reverse("customers:account-update", args=[world["hidden"].pk]), {"name": "탈취", "kind": "customer"}),
        (reverse("customers:account-deactivate", args=[world["hidden"].pk]), {}),
        (reverse("customers:contact-update", args=[world["hidden_contact"].pk]), {"full_name": "탈취"}),
        (reverse("customers:contact-deactivate", args=[world["hidden_contact"].pk]), {}),
        (reverse("customers:contact-consent", args=[world["hidden_contact"].pk]), {"purpose": "marketing_email"}),
        (reverse("activities:edit", args=[activity.pk]), {"subject": "탈취", "kind": "note"}),
        (reverse("activities:complete", args=[activity.pk]), {}),
        (reverse("activities:cancel", args=[activity.pk]), {}),
        (reverse("activities:delete", args=[activity.pk]), {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before
    assert not Consent.objects.filter(contact=world["hidden_contact"]).exists()


def test_api_detail_update_and_delete_of_another_users_records_are_404(world):
    activity = ActivityFactory(account=world["hidden"], owner=world["stranger"])
    client = client_for(world["rep"])
    before = snapshot()
    for url in (
        f"/api/v1/accounts/{world['hidden'].pk}/",
        f"/api/v1/contacts/{world['hidden_contact'].pk}/",
        f"/api/v1/activities/{activity.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.patch(url, {"name": "x"}, content_type=JSON, HTTP_IF_MATCH="*").status_code == 404, url
        assert client.delete(url, HTTP_IF_MATCH="*").status_code == 404, url
    for url in (
        f"/api/v1/activities/{activity.pk}/complete/",
        f"/api/v1/activities/{activity.pk}/cancel/",
        f"/api/v1/contacts/{world['hidden_contact'].pk}/consents/",
        f"/api/v1/accounts/{world['hidden'].pk}/merge/",
    ):
        assert client.post(url, {}, content_type=JSON, HTTP_IF_MATCH="*").status_code == 404, url
    assert snapshot() == before


def test_another_partners_price_list_and_part_numbers_are_404(world):
    theirs = PriceListFactory(partner=world["dealer_b"], is_default=False)
    number = PartnerProductNumberFactory(partner=world["dealer_b"])
    client = client_for(world["partner_rep"])
    assert client.get(reverse("catalog:price-list-detail", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/v1/price-lists/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/partner-product-numbers/{number.pk}/").status_code == 404
    listed = client.get("/api/v1/partner-product-numbers/", {"partner": world["dealer_b"].pk}).json()
    assert listed["results"] == []


# --- IDOR: foreign keys in forms and API bodies ---------------------------------------------------------------


def test_api_body_foreign_keys_into_hidden_records_are_refused_and_write_nothing(world):
    client = client_for(world["rep"])
    before = snapshot()
    attempts = [
        ("/api/v1/contacts/", {"account": world["hidden"].pk, "full_name": "침입"}),
        ("/api/v1/accounts/", {"name": "자회사", "kind": "customer", "parent": world["hidden"].pk}),
        ("/api/v1/activities/", {"kind": "note", "subject": "침입", "account": world["hidden"].pk}),
        ("/api/v1/activities/", {"kind": "note", "subject": "침입", "contact": world["hidden_contact"].pk}),
    ]
    for url, body in attempts:
        response = client.post(url, body, content_type=JSON)
        assert response.status_code in {400, 404}, (url, response.status_code)
        assert "남의" not in response.content.decode()
    assert snapshot() == before


def test_api_update_cannot_repoint_a_record_at_a_hidden_parent_or_account(world):
    contact = ContactFactory(account=world["mine"], owner=world["rep"])
    activity = ActivityFactory(account=world["mine"], owner=world["rep"])
    client = client_for(world["rep"])
    before = snapshot()
    for url, body in (
        (f"/api/v1/accounts/{world['mine'].pk}/", {"parent": world["hidden"].pk}),
        (f"/api/v1/contacts/{contact.pk}/", {"account": world["hidden"].pk}),
        (f"/api/v1/activities/{activity.pk}/", {"account": world["hidden"].pk}),
        (f"/api/v1/activities/{activity.pk}/", {"contact": world["hidden_contact"].pk}),
    ):
        response = client.patch(url, body, content_type=JSON, HTTP_IF_MATCH=etag(client, url))
        assert response.status_code in {400, 404}, (url, response.status_code)
    assert snapshot() == before


def test_form_foreign_keys_into_hidden_records_are_field_errors(world):
    client = client_for(world["rep"])
    before = snapshot()
    response = client.post(reverse("customers:contact-create"), {"account": world["hidden"].pk, "full_name": "침입"})
    assert response.status_code in {200, 400} and "account" in response.context["form"].errors
    response = client.post(
        reverse("activities:create"),
        {"kind": "note", "subject": "침입", "account": world["hidden"].pk, "owner": world["rep"].pk},
    )
    assert response.status_code in {200, 400} and "account" in response.context["form"].errors
    response = client.post(
        reverse("activities:create"),
        {"kind": "note", "subject": "침입", "account": world["mine"].pk, "owner": world["stranger"].pk},
    )
    assert response.status_code in {200, 400} and "owner" in response.context["form"].errors
    assert snapshot() == before


def test_merge_with_a_hidden_duplicate_is_refused(world):
    client = client_for(UserFactory(role=Role.SALES_MANAGER))
    manager = User.objects.latest("pk")
    own = AccountFactory(owner=manager, name="합병대상")
    before = snapshot()
    response = client.post(
        reverse("customers:account-merge", args=[own.pk]), {"duplicate": world["hidden"].pk, "version": own.version}
    )
    assert response.status_code in {200, 404}
    assert snapshot() == before
    api = client.post(
        f"/api/v1/accounts/{own.pk}/merge/",
        json.dumps({"duplicate": world["hidden"].pk}),
        content_type=JSON,
        HTTP_IF_MATCH=etag(client, f"/api/v1/accounts/{own.pk}/"),
    )
    assert api.status_code in {400, 403, 404}
    assert snapshot() == before


def test_partner_form_foreign_key_into_a_competitors_customer_is_refused(world):
    client = client_for(world["partner_rep"])
    before = snapshot()
    response = client.post(reverse("customers:contact-create"), {"account": world["served_b"].pk, "full_name": "침입"})
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "account" in response.context["form"].errors
    assert snapshot() == before
