import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from forgecrm.customers.models import Account, AccountAlias, Contact
from forgecrm.customers.operations import create_account, merge_accounts, update_account
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory
from forgecrm.platform.models import PersonalDataAccess, Role
from forgecrm.platform.search import reindex_entity
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[str]:
    return [account.name for account in response.context["page"].rows]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_account_list_filters_by_kind_region_and_text(login):
    rep = UserFactory()
    create_account(actor=rep, name="서울공조", kind="customer", sido="서울특별시")
    create_account(actor=rep, name="부산공조", kind="prospect", sido="부산광역시", brn=VALID_BRNS[0])
    client = login(rep)
    url = reverse("customers:account-list")
    assert rows_of(client.get(url)) == ["부산공조", "서울공조"]
    assert rows_of(client.get(url, {"kind": "customer"})) == ["서울공조"]
    assert rows_of(client.get(url, {"sido": "부산광역시"})) == ["부산공조"]
    assert rows_of(client.get(url, {"q": "120-81-47521"})) == ["부산공조"]
    assert rows_of(client.get(url, {"q": "서울공"})) == ["서울공조"]


def test_inactive_accounts_are_listed_only_on_request(login):
    rep = UserFactory()
    gone = AccountFactory(owner=rep, name="폐업상사", is_active=False)
    AccountFactory(owner=rep, name="영업중")
    client = login(rep)
    url = reverse("customers:account-list")
    assert rows_of(client.get(url)) == ["영업중"]
    assert rows_of(client.get(url, {"active": "inactive"})) == [gone.name]


def test_account_list_sorts_and_pages_by_keyset(login):
    rep = UserFactory()
    for n in range(55):
        AccountFactory(owner=rep, name=f"거래처{n:02d}")
    client = login(rep)
    url = reverse("customers:account-list")
    first = client.get(url, {"sort": "-name"})
    assert rows_of(first)[:2] == ["거래처54", "거래처53"] and len(rows_of(first)) == 50
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get(url, {"sort": "-name", "cursor": cursor}, HTTP_HX_REQUEST="true")
    assert rows_of(second) == [f"거래처{n:02d}" for n in range(4, -1, -1)]
    assert "<html" not in second.content.decode()  # HTMX gets the rows only
    assert "거래처04" in second.content.decode()


def test_export_neutralises_formulas_in_csv_and_xlsx(login):
    rep = UserFactory()
    AccountFactory(owner=rep, name='=HYPERLINK("http://evil.example","click")')
    client = login(rep)
    url = reverse("customers:account-list")
    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","click")'
    response = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == '\'=HYPERLINK("http://evil.example","click")'


def test_contact_export_is_logged_per_person(login):
    rep = UserFactory()
    contacts = ContactFactory.create_batch(3, account=AccountFactory(owner=rep))
    client = login(rep)
    rows = csv_rows(client.get(reverse("customers:contact-list"), {"export": "csv"}))
    assert len(rows) == 4
    logged = PersonalDataAccess.objects.filter(user=rep, action=PersonalDataAccess.Action.EXPORT)
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(c.pk for c in contacts)


def test_create_form_shows_the_rule_that_failed(login):
    client = login(UserFactory())
    bad = VALID_BRNS[0][:9] + str((int(VALID_BRNS[0][9]) + 1) % 10)
    response = client.post(
        reverse("customers:account-create"),
        {"name": "대한기계", "kind": "customer", "form": "company", "brn": bad, "phone": "1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "check digit" in page and "is-invalid" in page
    assert "This phone number is not a valid number." in page or "Enter a phone number" in page
    assert not Account.objects.exists()


def test_create_warns_about_duplicates_then_creates_on_confirmation(login):
    rep = UserFactory()
    existing = create_account(actor=rep, name="(주)대한공조", kind="customer")
    client = login(rep)
    data = {"name": "주식회사 대한 공조", "kind": "customer", "form": "company"}
    warned = client.post(reverse("customers:account-create"), data)
    assert warned.status_code == 200 and "duplicate-warning" in warned.content.decode()
    assert reverse("customers:account-detail", args=[existing.pk]) in warned.content.decode()
    assert Account.objects.count() == 1
    created = client.post(reverse("customers:account-create"), {**data, "confirm_duplicates": "1"})
    new = Account.objects.exclude(pk=existing.pk).get()
    assert created.status_code == 302 and created["Location"] == reverse("customers:account-detail", args=[new.pk])
    assert new.owner == rep and new.name == "주식회사 대한 공조"


def test_duplicates_of_colleagues_are_counted_but_not_named(login):
    AccountFactory(name="비밀상사", owner=UserFactory())
    client = login(UserFactory())
    response = client.get(reverse("customers:account-duplicates"), {"name": "(주)비밀상사"})
    page = response.content.decode()
    assert "비밀상사" not in page and "not visible to you" in page


def test_duplicate_check_while_typing_returns_a_fragment(login):
    rep = UserFactory()
    create_account(actor=rep, name="한빛공조", kind="customer", email="info@hanbit.kr")
    client = login(rep)
    response = client.get(reverse("customers:account-duplicates"), {"name": "x", "email": "INFO@hanbit.kr"})
    assert "한빛공조" in response.content.decode() and "<html" not in response.content.decode()
    assert client.get(reverse("customers:account-duplicates"), {"name": "가"}).content.strip() == b""


def test_stale_edit_shows_the_conflict_and_the_current_data(login):
    rep = UserFactory()
    account = create_account(actor=rep, name="한결기계", kind="customer", industry="기계")
    update_account(actor=rep, account=account, expected_version=1, changes={"industry": "정밀기계"})
    client = login(rep)
    response = client.post(
        reverse("customers:account-update", args=[account.pk]),
        {"name": "한결기계", "kind": "customer", "form": "company", "industry": "전자", "version": 1},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this record" in page and 'value="정밀기계"' in page
    assert response.context["form"]["version"].value() == 2
    account.refresh_from_db()
    assert account.industry == "정밀기계"


def test_edit_saves_through_the_operation(login):
    rep = UserFactory()
    account = create_account(actor=rep, name="한결기계", kind="customer", brn=VALID_BRNS[1], phone="0212345678")
    client = login(rep)
    form = client.get(reverse("customers:account-update", args=[account.pk])).context["form"]
    assert form.initial["brn"] == "220-81-62517" and form.initial["phone"] == "02-1234-5678"
    response = client.post(
        reverse("customers:account-update", args=[account.pk]),
        {
            "name": "한결기계",
            "kind": "customer",
            "form": "company",
            "brn": "220-81-62517",
            "phone": "02-1234-5678",
            "industry": "기계",
            "version": 1,
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.industry, account.version, account.brn) == ("기계", 2, VALID_BRNS[1])


def test_merged_id_redirects_to_the_survivor(login):
    admin = UserFactory(role=Role.ADMIN)
    survivor, duplicate = AccountFactory(owner=admin), AccountFactory(owner=admin)
    merge_accounts(actor=admin, survivor=survivor, duplicate=duplicate)
    client = login(admin)
    response = client.get(reverse("customers:account-detail", args=[duplicate.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "customers:account-detail", args=[survivor.pk]
    )
    # Someone who cannot see the survivor learns nothing from the old id.
    assert login(UserFactory()).get(reverse("customers:account-detail", args=[duplicate.pk])).status_code == 404


def test_merge_page_previews_then_merges(login):
    admin = UserFactory(role=Role.ADMIN)
    survivor = create_account(actor=admin, name="(주)대한공조", kind="customer")
    duplicate = create_account(actor=admin, name="대한공조", kind="customer", industry="HVAC")
    ContactFactory.create_batch(2, account=duplicate)
    client = login(admin)
    url = reverse("customers:account-merge", args=[survivor.pk])
    page = client.get(url)
    assert [record.pk for _match, record in page.context["suggestions"]] == [duplicate.pk]
    preview = client.get(url, {"duplicate": duplicate.pk})
    assert preview.context["plan"].moved_total == 2 and "merge-moves" in preview.content.decode()
    done = client.post(url, {"duplicate": duplicate.pk, "version": survivor.version})
    assert done.status_code == 302
    assert AccountAlias.objects.filter(merged_id=duplicate.pk, account=survivor).exists()
    assert survivor.contacts.count() == 2


def test_contact_360_logs_the_view_and_shows_consent(login):
    rep = UserFactory()
    contact = ContactFactory(account=AccountFactory(owner=rep))
    client = login(rep)
    response = client.get(reverse("customers:contact-detail", args=[contact.pk]))
    assert response.status_code == 200
    assert PersonalDataAccess.objects.filter(user=rep, object_id=contact.pk, action="view").count() == 1
    recorded = client.post(
        reverse("customers:contact-consent", args=[contact.pk]),
        {"purpose": "marketing_sms", "granted": "1", "source": "방문 상담", "recorded_at": ""},
    )
    assert recorded.status_code == 302
    status = {s.purpose: s.granted for s in client.get(recorded["Location"]).context["view"].consent_status}
    assert status["marketing_sms"] is True


def test_contact_create_with_consents(login):
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    client = login(rep)
    assert client.get(reverse("customers:contact-create"), {"account": account.pk}).status_code == 200
    missing_source = client.post(
        reverse("customers:contact-create"),
        {"account": account.pk, "full_name": "윤하준", "consent_marketing_email": "granted"},
    )
    assert missing_source.status_code == 400 and not Contact.objects.exists()
    response = client.post(
        reverse("customers:contact-create"),
        {
            "account": account.pk,
            "full_name": "윤하준",
            "mobile": "010-9876-5432",
            "consent_marketing_email": "granted",
            "consent_third_party": "withdrawn",
            "consent_source": "종이 신청서",
        },
    )
    contact = Contact.objects.get()
    assert response.status_code == 302 and contact.mobile == "+821098765432"
    assert sorted(contact.consents.values_list("purpose", "granted")) == [
        ("marketing_email", True),
        ("third_party", False),
    ]


def test_autocomplete_returns_only_visible_accounts(login):
    rep = UserFactory()
    mine = AccountFactory(owner=rep, name="대한공조")
    AccountFactory(name="대한전자")  # someone else's
    reindex_entity("account")
    response = login(rep).get(reverse("customers:account-autocomplete"), {"q": "대한"})
    assert response.json() == {"results": [{"id": mine.pk, "text": "대한공조 (서울특별시)"}]}


@pytest.mark.parametrize("rows", [5, 30])
def test_account_list_query_count_is_constant(login, django_assert_max_num_queries, rows):
    rep = UserFactory()
    for n in range(rows):
        AccountFactory(owner=rep, territory=None, partner=AccountFactory(owner=rep, kind="partner") if n % 2 else None)
    client = login(rep)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("customers:account-list")).status_code == 200


@pytest.mark.parametrize("rows", [5, 30])
def test_account_360_query_count_is_constant(login, django_assert_max_num_queries, rows):
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    for n in range(rows):
        ContactFactory(account=account, key_person_role="influencer" if n % 3 == 0 else "")
        AccountFactory(owner=rep, parent=account)
    client = login(rep)
    # One query per timeline source (activities, customers, and sales: opportunities, quotes, orders, leads),
    # whatever the number of rows.
    with django_assert_max_num_queries(24):
        assert client.get(reverse("customers:account-detail", args=[account.pk])).status_code == 200


@pytest.mark.parametrize("rows", [5, 30])
def test_contact_list_and_360_query_counts_are_constant(login, django_assert_max_num_queries, rows):
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    contacts = ContactFactory.create_batch(rows, account=account)
    client = login(rep)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("customers:contact-list")).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("customers:contact-detail", args=[contacts[0].pk])).status_code == 200


def test_autocomplete_pickers_render_only_the_chosen_record(login):
    rep = UserFactory()
    parent = AccountFactory(owner=rep, name="모회사")
    AccountFactory.create_batch(3, owner=rep)
    child = AccountFactory(owner=rep, parent=parent)
    client = login(rep)
    page = client.get(reverse("customers:account-update", args=[child.pk])).content.decode()
    select = page[page.index('name="parent"') : page.index("</select>", page.index('name="parent"'))]
    assert f'<option value="{parent.pk}" selected>모회사</option>' in select
    assert select.count("<option") == 2  # the blank and the chosen one, not every account
    contact_form = client.get(reverse("customers:contact-create"), {"account": parent.pk}).content.decode()
    assert f'<option value="{parent.pk}" selected>모회사</option>' in contact_form


def test_contact_merge_page_and_old_contact_link(login):
    admin = UserFactory(role=Role.ADMIN)
    account = AccountFactory(owner=admin)
    survivor = ContactFactory(account=account, full_name="김민준", email="mj@x.kr")
    duplicate = ContactFactory(account=account, full_name="김 민준", email="other@x.kr")
    client = login(admin)
    url = reverse("customers:contact-merge", args=[survivor.pk])
    suggestions = client.get(url).context["suggestions"]
    assert [record.pk for _match, record in suggestions] == [duplicate.pk]
    assert client.post(url, {"duplicate": duplicate.pk, "version": survivor.version}).status_code == 302
    old = client.get(reverse("customers:contact-detail", args=[duplicate.pk]))
    assert old.status_code == 302 and old["Location"] == reverse("customers:contact-detail", args=[survivor.pk])
    assert login(UserFactory()).get(url).status_code == 404
