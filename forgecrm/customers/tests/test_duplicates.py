import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forgecrm.customers.duplicates import (
    NAME_THRESHOLD,
    AccountProbe,
    find_duplicate_accounts,
    find_duplicate_accounts_many,
    find_duplicate_contacts,
    name_similarity,
)
from forgecrm.customers.normalization import company_name_key
from forgecrm.customers.operations import create_account, create_contact
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "written",
    ["(주)대한공조", "주식회사 대한 공조", "대한공조 주식회사", "㈜대한공조", "대한공조 Co., Ltd.", "(주) 대한공조"],
)
def test_korean_and_english_company_forms_fold_to_one_name(written):
    assert company_name_key(written) == "대한공조"


def test_same_company_written_another_way_is_an_exact_name_match():
    existing = AccountFactory(name="(주)대한공조")
    matches = find_duplicate_accounts(name="대한 공조 Co., Ltd.")
    assert [(m.id, m.reasons, m.score) for m in matches] == [(existing.pk, ("name_exact",), 95)]


def test_fuzzy_names_compare_hangul_letter_by_letter_with_a_threshold():
    typo = AccountFactory(name="한빗공조")  # a typo in the second letter: another name block, still found
    longer = AccountFactory(name="한빛공조산업")
    AccountFactory(name="한빛전자")  # shares the first letters, a different company

    matches = {m.id: m for m in find_duplicate_accounts(name="(주)한빛공조")}
    assert set(matches) == {typo.pk, longer.pk}
    assert matches[typo.pk].reasons == ("name_similar",) and matches[typo.pk].score >= NAME_THRESHOLD
    assert matches[longer.pk].score == 88  # one name contains the other
    assert name_similarity("한빛공조", "한빛전자") < NAME_THRESHOLD
    assert name_similarity("대한공조", "대한공업") < NAME_THRESHOLD
    assert name_similarity("삼성", "삼성전자") < NAME_THRESHOLD  # too short to count as containment


def test_a_typo_in_the_first_or_third_letter_is_found_through_the_other_blocks():
    first = AccountFactory(name="대한공조")
    third = AccountFactory(name="경동나비엔")
    assert [m.id for m in find_duplicate_accounts(name="태한공조")] == [first.pk]
    assert [m.id for m in find_duplicate_accounts(name="경동니비엔")] == [third.pk]


def test_exact_brn_email_and_phone_match_whatever_the_name():
    rep = UserFactory()
    by_brn = create_account(actor=rep, name="가나다", kind="customer", brn=VALID_BRNS[1])
    by_email = create_account(actor=rep, name="라마바", kind="customer", email="info@sample.co.kr")
    by_phone = create_account(actor=rep, name="사아자", kind="customer", phone="02-555-1234")
    both = create_account(actor=rep, name="차카타", kind="customer", email="both@sample.co.kr", phone="031-555-6789")

    assert [m.id for m in find_duplicate_accounts(name="전혀다른", brn=VALID_BRNS[1].replace("", "-")[1:-1])] == [
        by_brn.pk
    ]
    assert [m.reasons for m in find_duplicate_accounts(name="x", email="INFO@Sample.co.kr")] == [("email",)]
    assert [m.id for m in find_duplicate_accounts(name="x", phone="+82 2-555-1234")] == [by_phone.pk]
    [match] = find_duplicate_accounts(name="x", email="both@sample.co.kr", phone="0315556789")
    assert match.id == both.pk and match.reasons == ("email", "phone") and match.score == 97
    assert by_email.pk not in [m.id for m in find_duplicate_accounts(name="x", email="other@sample.co.kr")]


def test_the_record_being_edited_is_not_its_own_duplicate():
    account = AccountFactory(name="대한공조")
    assert find_duplicate_accounts(name="대한공조", exclude_id=account.pk) == []


def test_candidates_are_read_through_indexes_only():
    for n in range(30):
        AccountFactory(name=f"테스트{n}상사")
    with CaptureQueriesContext(connection) as queries:
        find_duplicate_accounts(name="테스트7상사", brn=VALID_BRNS[0], email="a@b.kr", phone="02-555-1234")
    assert len(queries) == 1  # exact keys and name blocks, one indexed OR
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "SCAN customers_account" not in plan or "USING INDEX" in plan, plan
                assert "name_block" in plan and "brn" in plan, plan


def test_a_batch_costs_the_same_queries_as_one_probe():
    AccountFactory(name="대한공조")
    AccountFactory(name="한빛전자")
    probes = [AccountProbe(name=name) for name in ("대한공조", "한빛전자", "가람건설", "대한 공조")]
    with CaptureQueriesContext(connection) as queries:
        results = find_duplicate_accounts_many(probes)
    assert [len(r) for r in results] == [1, 1, 0, 1]
    assert len(queries) == 1  # one query per chunk of 400 probes


def test_contacts_match_by_email_or_any_phone_anywhere_and_by_name_at_the_same_account():
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    elsewhere = AccountFactory(owner=rep)
    kim = create_contact(actor=rep, account=account, full_name="김민준", email="mj@x.kr", mobile="010-1234-5678")
    create_contact(actor=rep, account=elsewhere, full_name="김민준")

    by_mobile_as_phone = find_duplicate_contacts(full_name="다른사람", phone="01012345678")
    assert [(m.id, m.reasons) for m in by_mobile_as_phone] == [(kim.pk, ("mobile",))]
    same_name_here = find_duplicate_contacts(full_name="김 민준", account_id=account.pk)
    assert [(m.id, m.reasons, m.account_id) for m in same_name_here] == [(kim.pk, ("name_exact",), account.pk)]
    assert [m.id for m in find_duplicate_contacts(full_name="X", email="MJ@X.KR")] == [kim.pk]


def test_contact_name_alone_does_not_match_at_another_account():
    ContactFactory(full_name="이서연")
    assert find_duplicate_contacts(full_name="이서연", account_id=AccountFactory().pk) == []
