"""The one search interface on the database in use (SQLite FTS5 trigram locally, pg_trgm on PostgreSQL),
over the customers' registered sources, always inside the access layer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import Role, SearchDocument
from forgecrm.platform.search import index_objects, remove_objects, search, search_queryset
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def daehan():
    account = AccountFactory(name="(주)대한공조", brn="1248100998", phone="+8221234567", email="info@daehan.kr")
    other = AccountFactory(name="한빛냉동 주식회사", brn="2208734425", phone="+821098765432")
    index_objects("account", [account, other])
    return account


@pytest.mark.parametrize(
    "typed",
    [
        "대한공조",
        "(주)대한공조",
        "㈜대한공조",
        "주식회사 대한공조",
        "대한공",
        "대한",
        "공조",
        "info@daehan",
        "DAEHAN.KR",
    ],
)
def test_names_are_found_with_or_without_the_corporate_form(admin, daehan, typed):
    assert list(search_queryset(admin, "account", typed)) == [daehan]


@pytest.mark.parametrize("typed", ["124-81-00998", "1248100998", "81-00998", "02-123-4567", "021234567", "123-4567"])
def test_brn_and_phone_digits_are_found_however_they_are_typed(admin, daehan, typed):
    assert list(search_queryset(admin, "account", typed)) == [daehan]


def test_short_and_long_queries_take_their_own_path(admin, daehan):
    with CaptureQueriesContext(connection) as long_query:
        assert list(search_queryset(admin, "account", "대한공조")) == [daehan]
    with CaptureQueriesContext(connection) as short_query:
        assert list(search_queryset(admin, "account", "대한")) == [daehan]
    long_sql, short_sql = long_query[-1]["sql"], short_query[-1]["sql"]
    if connection.vendor == "sqlite":
        assert "platform_search_fts MATCH" in long_sql and "MATCH" not in short_sql
    else:
        assert "LIKE" in long_sql and "UPPER" not in long_sql  # the form the pg_trgm GIN index serves


@pytest.mark.parametrize("typed", ["%", "_", '"', "'", 'a"b', '대"한', "%%%", "\\", "OR 1=1", "*", "NEAR(", "   "])
def test_special_characters_neither_fail_nor_match_everything(admin, daehan, typed):
    assert list(search_queryset(admin, "account", typed)) == []


def test_reindexing_replaces_the_old_text_and_removal_forgets_it(admin, daehan):
    Account.objects.filter(pk=daehan.pk).update(name="새이름산업")
    daehan.refresh_from_db()
    index_objects("account", [daehan])
    assert SearchDocument.objects.filter(entity="account", object_id=daehan.pk).count() == 1
    assert list(search_queryset(admin, "account", "대한공조")) == []
    assert list(search_queryset(admin, "account", "새이름산업")) == [daehan]
    remove_objects("account", [daehan.pk])
    assert list(search_queryset(admin, "account", "새이름산업")) == []


def test_search_returns_hits_per_entity_with_titles_and_urls(admin, daehan):
    contact = ContactFactory(account=daehan, full_name="김대한", email="kim@daehan.kr", phone="+821055556666")
    index_objects("contact", [contact])
    hits = search(admin, "대한")
    assert {(hit.entity, hit.object_id) for hit in hits} >= {("account", daehan.pk), ("contact", contact.pk)}
    account_hit = next(hit for hit in hits if hit.entity == "account")
    assert account_hit.title == "(주)대한공조" and account_hit.url
    assert [hit.object_id for hit in search(admin, "010-5555-6666", entities=["contact"])] == [contact.pk]
    assert search(admin, "") == []


def test_results_honour_the_access_layer():
    dealer_a, dealer_b = PartnerAccountFactory(name="가나대리점"), PartnerAccountFactory(name="다라대리점")
    served_by_a = AccountFactory(name="에이고객공조", partner=dealer_a, phone="+821011112222")
    served_by_b = AccountFactory(name="비고객공조", partner=dealer_b, phone="+821033334444")
    hq_only = AccountFactory(name="본사직판공조")
    index_objects("account", [dealer_a, dealer_b, served_by_a, served_by_b, hq_only])
    partner = UserFactory(role=Role.PARTNER_REP, organization=dealer_a)
    rep = UserFactory()

    assert set(search_queryset(partner, "account", "공조")) == {served_by_a}
    assert list(search_queryset(partner, "account", "010-3333-4444")) == []
    assert list(search_queryset(partner, "account", "본사직판")) == []
    assert [hit.object_id for hit in search(partner, "고객공조")] == [served_by_a.pk]
    assert list(search_queryset(rep, "account", "공조")) == []  # a rep who owns nothing finds nothing
    inactive = UserFactory(role=Role.ADMIN, is_active=False)
    assert list(search_queryset(inactive, "account", "공조")) == []


def test_the_search_page_and_typeahead_show_only_visible_rows(client):
    dealer_a, dealer_b = PartnerAccountFactory(name="가나대리점"), PartnerAccountFactory(name="다라대리점")
    mine = AccountFactory(name="우리고객공조", partner=dealer_a)
    theirs = AccountFactory(name="남의고객공조", partner=dealer_b)
    index_objects("account", [mine, theirs])
    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=dealer_a))
    page = client.get("/search/", {"q": "고객공조"}).content.decode()
    assert "우리고객공조" in page and "남의고객공조" not in page
    typeahead = client.get("/search/typeahead/", {"q": "고객공조"}).content.decode()
    assert "우리고객공조" in typeahead and "남의고객공조" not in typeahead


@pytest.mark.parametrize("typed", ["대한공조 daehan", "daehan 대한공조", "공조 info", "대한 info@daehan"])
def test_several_words_match_in_any_order(admin, daehan, typed):
    assert list(search_queryset(admin, "account", typed)) == [daehan]


def test_several_words_all_must_occur(admin, daehan):
    assert list(search_queryset(admin, "account", "대한공조 한빛냉동")) == []


def test_several_words_on_postgresql_use_the_full_text_and_trigram_indexes(admin, daehan):
    with CaptureQueriesContext(connection) as captured:
        assert list(search_queryset(admin, "account", "공조 대한")) == [daehan]
    sql = captured[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "to_tsvector('simple', body) @@ to_tsquery('simple'" in sql and "LIKE" in sql
    else:
        assert "LIKE" in sql or "MATCH" in sql


@pytest.mark.parametrize("typed", ["대한 & !", "공조 :*|", "대한 '); DROP TABLE x; --"])
def test_full_text_operators_typed_by_users_are_harmless(admin, daehan, typed):
    list(search_queryset(admin, "account", typed))  # no error; the result depends on the words only
