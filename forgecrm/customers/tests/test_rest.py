import pytest

from forgecrm.customers.models import Account, AccountAlias, Consent
from forgecrm.customers.operations import create_account
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory
from forgecrm.platform.models import PersonalDataAccess, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def etag(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


def test_list_filters_orders_and_pages_with_a_cursor(login):
    rep = UserFactory()
    for n in range(7):
        AccountFactory(owner=rep, name=f"거래처{n}", kind="customer" if n % 2 else "prospect")
    client = login(rep)
    first = client.get("/api/v1/accounts/", {"ordering": "-name", "page_size": 3}).json()
    assert [row["name"] for row in first["results"]] == ["거래처6", "거래처5", "거래처4"]
    second = client.get(first["next"]).json()
    assert [row["name"] for row in second["results"]] == ["거래처3", "거래처2", "거래처1"]
    customers = client.get("/api/v1/accounts/", {"kind": "customer"}).json()["results"]
    assert {row["name"] for row in customers} == {"거래처1", "거래처3", "거래처5"}


def test_create_normalises_and_reports_field_errors(login):
    client = login(UserFactory())
    created = client.post(
        "/api/v1/accounts/",
        {"name": "(주)대한공조", "kind": "customer", "brn": "120-81-47521", "phone": "02-555-1234"},
        content_type=JSON,
    )
    assert created.status_code == 201
    assert created.json()["brn"] == "1208147521" and created.json()["phone"] == "+8225551234"
    assert created["ETag"] == f'"account-{created.json()["id"]}-v1"'
    bad = client.post("/api/v1/accounts/", {"name": "대한", "brn": "1208147522", "email": "x@"}, content_type=JSON)
    assert bad.status_code == 400
    assert set(bad.json()) == {"brn", "email"} and "check digit" in bad.json()["brn"][0]


def test_updates_need_if_match_and_a_stale_one_is_412(login):
    rep = UserFactory()
    account = create_account(actor=rep, name="한결기계", kind="customer")
    client = login(rep)
    url = f"/api/v1/accounts/{account.pk}/"
    tag = etag(client, url)
    assert client.patch(url, {"industry": "기계"}, content_type=JSON).status_code == 428
    ok = client.patch(url, {"industry": "기계"}, content_type=JSON, HTTP_IF_MATCH=tag)
    assert ok.status_code == 200 and ok["ETag"] != tag and ok.json()["version"] == 2
    stale = client.patch(url, {"industry": "전자"}, content_type=JSON, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    account.refresh_from_db()
    assert account.industry == "기계"


def test_foreign_ids_in_the_url_or_the_body_answer_404(login):
    rep = UserFactory()
    mine = AccountFactory(owner=rep)
    foreign = AccountFactory()
    client = login(rep)
    assert client.get(f"/api/v1/accounts/{foreign.pk}/").status_code == 404
    assert (
        client.post("/api/v1/accounts/", {"name": "자회사", "parent": foreign.pk}, content_type=JSON).status_code == 404
    )
    tag = etag(client, f"/api/v1/accounts/{mine.pk}/")
    moved = client.patch(f"/api/v1/accounts/{mine.pk}/", {"parent": foreign.pk}, content_type=JSON, HTTP_IF_MATCH=tag)
    assert moved.status_code == 404
    assert (
        client.post("/api/v1/contacts/", {"account": foreign.pk, "full_name": "남"}, content_type=JSON).status_code
        == 404
    )
    assert not Account.objects.filter(parent=foreign).exists()


def test_a_partner_user_cannot_mass_assign_owner_partner_or_tier(channel, login):
    client = login(channel.dealer_a_rep)
    response = client.post(
        "/api/v1/accounts/",
        {
            "name": "신규고객",
            "kind": "customer",
            "owner": channel.dealer_a_rep.pk,
            "partner": channel.dealer_c.pk,
            "tier": "platinum",
            "version": 99,
            "created_by": channel.admin.pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    account = Account.objects.get(pk=response.json()["id"])
    assert account.partner == channel.dealer_a and account.owner == channel.dealer_a.owner
    assert account.tier == "" and account.version == 1 and account.created_by == channel.dealer_a_rep

    tag = response["ETag"]
    patched = client.patch(
        f"/api/v1/accounts/{account.pk}/",
        {"partner": channel.dealer_c.pk, "owner": channel.admin.pk},
        content_type=JSON,
        HTTP_IF_MATCH=tag,
    )
    assert patched.status_code == 200
    account.refresh_from_db()
    assert account.partner == channel.dealer_a and account.owner == channel.dealer_a.owner


def test_a_rep_cannot_reassign_the_owner_but_a_manager_can(login):
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep, colleague = UserFactory(manager=manager), UserFactory(manager=manager)
    account = create_account(actor=rep, name="가온테크", kind="prospect")
    url = f"/api/v1/accounts/{account.pk}/"
    client = login(rep)
    client.patch(url, {"owner": colleague.pk}, content_type=JSON, HTTP_IF_MATCH="*")
    account.refresh_from_db()
    assert account.owner == rep
    client = login(manager)
    assert client.patch(url, {"owner": colleague.pk}, content_type=JSON, HTTP_IF_MATCH="*").status_code == 200
    account.refresh_from_db()
    assert account.owner == colleague


def test_customer_user_cannot_write(channel, login):
    client = login(channel.customer_user)
    assert client.post("/api/v1/accounts/", {"name": "x"}, content_type=JSON).status_code == 403
    url = f"/api/v1/accounts/{channel.own_account.pk}/"
    assert client.patch(url, {"industry": "x"}, content_type=JSON, HTTP_IF_MATCH="*").status_code == 403


def test_delete_deactivates(login):
    rep = UserFactory()
    account = create_account(actor=rep, name="폐업상사", kind="customer")
    client = login(rep)
    url = f"/api/v1/accounts/{account.pk}/"
    assert client.delete(url).status_code == 428
    assert client.delete(url, HTTP_IF_MATCH=etag(client, url)).status_code == 204
    account.refresh_from_db()
    assert account.is_active is False


def test_duplicates_action_shows_visible_matches_and_counts_the_rest(login):
    rep = UserFactory()
    mine = create_account(actor=rep, name="(주)대한공조", kind="customer")
    AccountFactory(name="대한공조", brn=VALID_BRNS[4])
    response = login(rep).get("/api/v1/accounts/duplicates/", {"name": "주식회사 대한공조", "brn": VALID_BRNS[4]})
    body = response.json()
    assert [row["id"] for row in body["results"]] == [mine.pk] and body["hidden_count"] == 1
    assert body["results"][0]["reasons"] == ["name_exact"]


def test_merge_action(login):
    admin = UserFactory(role=Role.ADMIN)
    survivor, duplicate = AccountFactory(owner=admin), AccountFactory(owner=admin)
    ContactFactory(account=duplicate)
    client = login(admin)
    url = f"/api/v1/accounts/{survivor.pk}/merge/"
    assert client.post(url, {"duplicate": duplicate.pk}, content_type=JSON).status_code == 428
    response = client.post(
        url,
        {"duplicate": duplicate.pk},
        content_type=JSON,
        HTTP_IF_MATCH=etag(client, f"/api/v1/accounts/{survivor.pk}/"),
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    assert AccountAlias.objects.filter(merged_id=duplicate.pk, account=survivor).exists()
    assert survivor.contacts.count() == 1
    rep = UserFactory()
    mine, other = AccountFactory(owner=rep), AccountFactory(owner=rep)
    refused = login(rep).post(
        f"/api/v1/accounts/{mine.pk}/merge/", {"duplicate": other.pk}, content_type=JSON, HTTP_IF_MATCH="*"
    )
    assert refused.status_code == 403 and Account.objects.filter(pk=other.pk).exists()


def test_contact_reads_are_logged_and_consents_recorded(login):
    rep = UserFactory()
    contact = ContactFactory(account=AccountFactory(owner=rep))
    client = login(rep)
    assert client.get("/api/v1/contacts/").status_code == 200
    detail = client.get(f"/api/v1/contacts/{contact.pk}/")
    assert detail.json()["account_name"] == contact.account.name
    assert PersonalDataAccess.objects.filter(user=rep, object_id=contact.pk, action="api_read").count() == 2
    recorded = client.post(
        f"/api/v1/contacts/{contact.pk}/consents/",
        {"purpose": "marketing_email", "granted": True, "source": "web"},
        content_type=JSON,
    )
    assert recorded.status_code == 201 and Consent.objects.filter(contact=contact, granted=True).exists()
    bad = client.post(
        f"/api/v1/contacts/{contact.pk}/consents/",
        {"purpose": "spam", "granted": True, "source": ""},
        content_type=JSON,
    )
    assert bad.status_code == 400


def test_contact_create_update_and_conflict(login):
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    client = login(rep)
    created = client.post(
        "/api/v1/contacts/",
        {"account": account.pk, "full_name": "윤하준", "mobile": "010-9876-5432"},
        content_type=JSON,
    )
    assert created.status_code == 201 and created.json()["mobile"] == "+821098765432"
    url = f"/api/v1/contacts/{created.json()['id']}/"
    tag = created["ETag"]
    assert client.patch(url, {"title": "과장"}, content_type=JSON, HTTP_IF_MATCH=tag).status_code == 200
    assert client.patch(url, {"title": "부장"}, content_type=JSON, HTTP_IF_MATCH=tag).status_code == 412
    assert client.patch(url, {"email": "not-an-email"}, content_type=JSON, HTTP_IF_MATCH="*").status_code == 400


def test_schema_documents_the_customer_endpoints(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        "/api/v1/accounts/",
        "/api/v1/accounts/{id}/",
        "/api/v1/accounts/duplicates/",
        "/api/v1/accounts/{id}/merge/",
        "/api/v1/contacts/",
        "/api/v1/contacts/{id}/consents/",
    } <= set(paths)
    assert "owner" in schema["components"]["schemas"]["Account"]["properties"]
