"""The import operations: validation with line numbers, duplicates, matching, merge, idempotency, access."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from forgecrm.customers.imports import create_import_job, queue_import, run_import
from forgecrm.customers.imports.jobs import IMPORT_JOB_KIND
from forgecrm.customers.models import Account, Contact
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory
from forgecrm.platform.korea.brn import check_digit
from forgecrm.platform.models import Job, Role, SearchDocument
from forgecrm.platform.tests.factories import TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


def make_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def import_file(actor, data: bytes, target="accounts", filename="accounts.csv", **options):
    job = create_import_job(actor=actor, filename=filename, data=data, target=target, **options)
    result = run_import(actor=actor, job=job)
    job.refresh_from_db()
    return job, result


def report_rows(job) -> list[list[str]]:
    with job.report_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def brn(n: int) -> str:
    """A valid 사업자등록번호 per n (the serial 0000 does not exist)."""
    first_nine = f"12081{n + 1:04d}"
    return first_nine + str(check_digit(first_nine))


HEADER = ["회사명", "사업자등록번호", "대표전화", "이메일", "주소"]


def test_valid_rows_go_in_and_each_bad_row_is_reported_with_its_line_and_rule(admin):
    data = make_csv(
        [
            HEADER,
            ["(주)한빛공조", "120-81-47521", "02-555-1234", "info@hanbit.kr", "서울특별시 강남구 테헤란로 1"],
            ["잘못된BRN", "120-81-47522", "", "", ""],
            ["잘못된전화", "", "02-12", "", ""],
            ["잘못된메일", "", "", "not-an-email", ""],
            ["", "220-81-62517", "", "", ""],
            ["가" * 201, "", "", "", ""],
            ["대한기계", "", "031-123-4567", "", "경기도 수원시 영통구 삼성로 1"],
        ]
    )
    job, result = import_file(admin, data)
    assert job.status == Job.Status.DONE
    assert set(Account.objects.values_list("name", flat=True)) == {"(주)한빛공조", "대한기계"}
    assert result["counts"]["rows"] == 7
    assert result["counts"]["accounts"]["new"] == 2
    assert result["counts"]["accounts"]["errors"] == 5
    rows = report_rows(job)
    assert rows[0][:4] == ["Line", "Result", "Column", "Reason"]
    by_line = {int(row[0]): row for row in rows[1:]}
    assert by_line[3][2] == "사업자등록번호" and "check digit" in by_line[3][3]
    assert by_line[4][2] == "대표전화" and "phone" in by_line[4][3].lower()
    assert by_line[5][2] == "이메일" and "email" in by_line[5][3].lower()
    assert "name is missing" in by_line[6][3]
    assert "at most 200 characters" in by_line[7][3]
    assert by_line[3][4:] == ["잘못된BRN", "120-81-47522", "", "", ""]  # the original cells, to fix and re-import


def test_a_huge_cell_is_a_row_error_not_a_crash(admin):
    data = make_csv([["회사명", "비고"], ["한빛", "x" * (1024 * 1024)], ["대한", "ok"]])
    job, _result = import_file(admin, data)
    assert list(Account.objects.values_list("name", flat=True)) == ["대한"]
    [row] = report_rows(job)[1:]
    assert row[0] == "2" and "1,048,576 characters" in row[3]
    assert len(row[5]) < 1100  # the report does not carry the megabyte back


def test_created_rows_carry_keys_owner_history_territory_and_search(admin):
    seoul = TerritoryFactory(sido="서울특별시")
    gangnam = TerritoryFactory(parent=seoul, sido="서울특별시", sigungu="강남구")
    suwon = TerritoryFactory(sido="경기도", sigungu="수원시")
    data = make_csv(
        [
            HEADER,
            ["(주)한빛 공조", "1208147521", "02-555-1234", "Info@Hanbit.kr", "서울 강남구 테헤란로 1"],
            ["대한기계", "", "", "", "서울특별시 종로구 세종대로 1"],
            ["영통상사", "", "", "", "경기 수원시 영통구 삼성로 1"],
            ["무주소", "", "", "", ""],
        ]
    )
    job, _result = import_file(admin, data)
    hanbit = Account.objects.get(name="(주)한빛 공조")
    assert hanbit.name_key == "한빛공조"
    assert (hanbit.brn, hanbit.phone, hanbit.email) == ("1208147521", "+8225551234", "info@hanbit.kr")
    assert (hanbit.sido, hanbit.sigungu) == ("서울특별시", "강남구")
    assert hanbit.owner == admin and hanbit.created_by == admin and hanbit.updated_by == admin
    assert hanbit.source == "import" and hanbit.external_id.startswith("sha1:")
    assert hanbit.version == 1 and hanbit.kind == "prospect"
    assert hanbit.territory == gangnam
    assert Account.objects.get(name="대한기계").territory == seoul
    assert Account.objects.get(name="영통상사").territory == suwon  # the rule names the city of "수원시 영통구"
    assert Account.objects.get(name="무주소").territory is None
    history = hanbit.history.get()
    assert (history.history_type, history.history_user_id) == ("+", admin.pk)
    assert f"#{job.pk}" in history.history_change_reason
    assert Account.history.filter(history_type="+").count() == 4
    document = SearchDocument.objects.get(entity="account", object_id=hanbit.pk)
    assert "한빛" in document.body and "1208147521" in document.body


def test_owner_column_assigns_users_the_importer_may_assign(admin):
    rep = UserFactory(role=Role.SALES_REP, email="rep@forge.kr")
    partner_user = UserFactory(role=Role.PARTNER_REP, organization=AccountFactory(), email="partner@dealer.kr")
    data = make_csv(
        [
            ["회사명", "소유자 이메일"],
            ["가", "REP@forge.kr"],
            ["나", "partner@dealer.kr"],
            ["다", "nobody@forge.kr"],
            ["라", ""],
        ]
    )
    job, _result = import_file(admin, data)
    owners = dict(Account.objects.filter(source="import").values_list("name", "owner_id"))
    assert owners == {"가": rep.pk, "나": admin.pk, "다": admin.pk, "라": admin.pk}
    warnings = [row for row in report_rows(job)[1:] if row[1] == "Warning"]
    assert {row[0] for row in warnings} == {"3", "4"}
    assert partner_user.pk not in owners.values()


def test_a_sales_rep_imports_into_their_own_book_only():
    rep = UserFactory(role=Role.SALES_REP, language="en")
    colleague = UserFactory(role=Role.SALES_REP, email="colleague@forge.kr")
    theirs = AccountFactory(name="남의거래처", brn=VALID_BRNS[0], owner=colleague, phone="")
    data = make_csv(
        [
            ["회사명", "사업자등록번호", "대표전화", "소유자"],
            ["새거래처", "", "", "colleague@forge.kr"],
            ["남의거래처", VALID_BRNS[0], "02-555-0000", ""],
        ]
    )
    job, result = import_file(rep, data)
    assert Account.objects.get(name="새거래처").owner == rep
    theirs.refresh_from_db()
    assert theirs.phone == "" and theirs.version == 1
    assert result["counts"]["accounts"]["locked"] == 1
    [skipped] = [row for row in report_rows(job)[1:] if row[1] == "Skipped"]
    assert skipped[0] == "3" and "may not change" in skipped[3]


def test_duplicates_within_the_file_are_reported_against_their_first_line(admin):
    data = make_csv(
        [
            HEADER,
            ["한빛공조", VALID_BRNS[0], "", "", "서울 강남구 테헤란로 1"],
            ["대한기계", "", "031-123-4567", "", ""],
            ["(주)한빛공조 본사", VALID_BRNS[0], "", "", ""],
            ["주식회사 한빛공조", "", "", "", "서울특별시 서초구 서초대로 1"],
            ["대한기계(주)", "", "031-123-4567", "", ""],
            ["메일상사", "", "", "a@b.kr", ""],
            ["메일상사2", "", "", "A@B.kr", ""],
        ]
    )
    job, result = import_file(admin, data)
    assert result["counts"]["accounts"]["new"] == 3
    assert result["counts"]["accounts"]["duplicates"] == 4
    duplicates = {row[0]: row[3] for row in report_rows(job)[1:] if row[1] == "Duplicate"}
    assert duplicates == {
        "4": "Duplicate of line 2 in this file.",  # same BRN
        "5": "Duplicate of line 2 in this file.",  # same name in the same 시/도
        "6": "Duplicate of line 3 in this file.",  # same phone
        "8": "Duplicate of line 7 in this file.",  # same email, case folded
    }


def test_matching_existing_rows_fills_empty_fields_by_default(admin):
    existing = AccountFactory(name="한빛공조", brn=VALID_BRNS[0], phone="", email="old@hanbit.kr", owner=admin)
    by_phone = AccountFactory(name="대한기계", phone="+82311234567", industry="", owner=admin)
    by_name = AccountFactory(name="(주)라온전자", sido="서울특별시", postal_code="", owner=admin)
    data = make_csv(
        [
            ["회사명", "사업자등록번호", "대표전화", "이메일", "업종", "시도", "우편번호"],
            ["한빛공조 주식회사", VALID_BRNS[0], "02-555-1234", "new@hanbit.kr", "", "", ""],
            ["대한기계", "", "031-123-4567", "", "공조", "", ""],
            ["라온전자", "", "", "", "", "서울", "06164"],
        ]
    )
    _job, result = import_file(admin, data)
    assert Account.objects.count() == 3
    assert result["counts"]["accounts"]["updated"] == 3
    existing.refresh_from_db()
    assert existing.phone == "+8225551234"  # was empty: filled
    assert existing.email == "old@hanbit.kr"  # was set: kept
    assert existing.name == "한빛공조" and existing.version == 2 and existing.updated_by == admin
    by_phone.refresh_from_db()
    assert by_phone.industry == "공조"
    by_name.refresh_from_db()
    assert by_name.postal_code == "06164"
    assert existing.history.filter(history_type="~").count() == 1
    assert "025551234" in SearchDocument.objects.get(entity="account", object_id=existing.pk).body


def test_overwrite_and_skip_modes(admin):
    existing = AccountFactory(name="한빛공조", brn=VALID_BRNS[0], email="old@hanbit.kr", owner=admin)
    data = make_csv([["회사명", "사업자등록번호", "이메일"], ["(주)한빛공조", VALID_BRNS[0], "new@hanbit.kr"]])
    _job, result = import_file(admin, data, mode="skip")
    existing.refresh_from_db()
    assert existing.email == "old@hanbit.kr" and result["counts"]["accounts"]["skipped"] == 1
    _job, result = import_file(admin, data, mode="overwrite")
    existing.refresh_from_db()
    assert (existing.email, existing.name, existing.name_key) == ("new@hanbit.kr", "(주)한빛공조", "한빛공조")
    assert result["counts"]["accounts"]["updated"] == 1


def test_two_rows_matching_one_existing_record_by_different_keys(admin):
    AccountFactory(name="한빛공조", brn=VALID_BRNS[0], phone="+8225551234", owner=admin)
    data = make_csv([["회사명", "사업자등록번호", "대표전화"], ["A", VALID_BRNS[0], ""], ["B", "", "02-555-1234"]])
    job, result = import_file(admin, data)
    assert Account.objects.count() == 1
    assert result["counts"]["accounts"]["duplicates"] == 1
    [row] = [row for row in report_rows(job)[1:] if row[1] == "Duplicate"]
    assert row[0] == "3" and "line 2" in row[3]


def test_importing_the_same_file_twice_imports_nothing_the_second_time(admin):
    data = make_csv(
        [
            ["회사명", "주소", "담당자명", "휴대폰", "이메일"],
            ["한빛공조", "서울 강남구 테헤란로 1", "김민준", "010-1234-5678", "kim@hanbit.kr"],
            ["한빛공조", "", "이서연", "010-2222-3333", "lee@hanbit.kr"],
            ["대한기계", "부산 사하구 낙동대로 1", "박지훈", "", ""],
        ]
    )
    _job, first = import_file(admin, data, target="accounts_contacts")
    assert first["counts"]["accounts"]["new"] == 2 and first["counts"]["contacts"]["new"] == 3
    accounts = set(Account.objects.values_list("pk", "version"))
    contacts = set(Contact.objects.values_list("pk", "version"))
    history = Account.history.count() + Contact.history.count()
    _job, second = import_file(admin, data, target="accounts_contacts")
    assert second["counts"]["accounts"]["new"] == 0 and second["counts"]["contacts"]["new"] == 0
    assert second["counts"]["accounts"]["updated"] == 0 and second["counts"]["contacts"]["updated"] == 0
    assert second["counts"]["accounts"]["unchanged"] == 2 and second["counts"]["contacts"]["unchanged"] == 3
    assert set(Account.objects.values_list("pk", "version")) == accounts
    assert set(Contact.objects.values_list("pk", "version")) == contacts
    assert Account.history.count() + Contact.history.count() == history


def test_the_file_id_column_is_the_external_id(admin):
    data = make_csv([["Id", "Account Name", "Phone"], ["001A", "Acme", "02-555-1234"], ["001B", "Beta", ""]])
    import_file(admin, data)
    assert dict(Account.objects.values_list("external_id", "name")) == {"001A": "Acme", "001B": "Beta"}
    renamed = make_csv([["Id", "Account Name"], ["001A", "Acme Korea"], ["001B", "Beta"]])
    _job, result = import_file(admin, renamed, mode="overwrite")
    assert Account.objects.count() == 2
    assert Account.objects.get(external_id="001A").name == "Acme Korea"
    assert result["counts"]["accounts"]["updated"] == 1


def test_accounts_with_their_contacts_in_one_file(admin):
    data = make_csv(
        [
            ["거래처명", "대표전화", "주소", "담당자명", "직함", "부서", "휴대폰", "이메일"],
            [
                "한빛공조",
                "02-555-1234",
                "서울 강남구 테헤란로 1",
                "김민준",
                "과장",
                "구매팀",
                "010-1234-5678",
                "kim@hanbit.kr",
            ],
            ["(주)한빛공조", "", "", "이서연", "대리", "", "010-2222-3333", "lee@hanbit.kr"],
            ["대한기계", "", "", "", "", "", "", ""],
            ["한빛공조", "", "", "김민준", "", "", "", "KIM@hanbit.kr"],
        ]
    )
    job, result = import_file(admin, data, target="accounts_contacts")
    hanbit = Account.objects.get(name="한빛공조")
    assert Account.objects.count() == 2
    assert sorted(hanbit.contacts.values_list("full_name", "title", "department", "mobile")) == [
        ("김민준", "과장", "구매팀", "+821012345678"),
        ("이서연", "대리", "", "+821022223333"),
    ]
    contact = hanbit.contacts.get(full_name="김민준")
    assert contact.owner == admin and contact.source == "import" and contact.name_key == "김민준"
    assert contact.history.get().history_type == "+"
    assert SearchDocument.objects.filter(entity="contact", object_id=contact.pk).exists()
    assert result["counts"]["contacts"] == {**result["counts"]["contacts"], "new": 2, "duplicates": 1}
    assert [row[0] for row in report_rows(job)[1:]] == ["5"]


def test_contacts_of_existing_accounts(admin):
    hanbit = AccountFactory(name="(주)한빛공조", brn=VALID_BRNS[0], owner=admin)
    daehan = AccountFactory(name="대한기계", owner=admin)
    known = ContactFactory(account=daehan, full_name="박지훈", email="park@daehan.kr", title="", owner=admin)
    data = make_csv(
        [
            ["회사명", "사업자등록번호", "성명", "직함", "이메일"],
            ["", VALID_BRNS[0], "김민준", "과장", "kim@hanbit.kr"],
            ["한빛공조", "", "이서연", "", ""],
            ["대한기계", "", "박지훈", "부장", "park@daehan.kr"],
            ["없는회사", "", "최유나", "", ""],
            ["", "", "정하늘", "", ""],
        ]
    )
    job, result = import_file(admin, data, target="contacts")
    assert sorted(hanbit.contacts.values_list("full_name", flat=True)) == ["김민준", "이서연"]
    known.refresh_from_db()
    assert known.title == "부장" and daehan.contacts.count() == 1
    counts = result["counts"]["contacts"]
    assert (counts["new"], counts["updated"], counts["errors"]) == (2, 1, 2)
    reasons = {row[0]: row[3] for row in report_rows(job)[1:]}
    assert "No account you can see" in reasons["5"]
    assert "does not say which account" in reasons["6"]


def test_contacts_are_only_added_to_accounts_the_importer_can_see():
    rep = UserFactory(role=Role.SALES_REP)
    AccountFactory(name="남의거래처", owner=UserFactory(role=Role.SALES_REP))
    data = make_csv([["회사명", "성명"], ["남의거래처", "김민준"]])
    _job, result = import_file(rep, data, target="contacts")
    assert Contact.objects.count() == 0
    assert result["counts"]["contacts"]["errors"] == 1


def test_preview_counts_and_writes_nothing(admin):
    AccountFactory(name="한빛공조", brn=VALID_BRNS[0], owner=admin)
    data = make_csv(
        [
            HEADER,
            ["한빛공조", VALID_BRNS[0], "", "", ""],
            ["대한기계", "", "", "", ""],
            ["대한기계", "", "", "", ""],
            ["", "", "", "", ""],
        ]
    )
    history = Account.history.count()
    job = create_import_job(actor=admin, filename="a.csv", data=data, target="accounts")
    assert job.status == Job.Status.PREVIEW
    assert Account.objects.count() == 1 and Account.history.count() == history
    counts = job.result["counts"]["accounts"]
    assert (counts["new"], counts["unchanged"], counts["duplicates"], counts["errors"]) == (1, 1, 1, 0)
    assert job.result["counts"]["rows"] == 3  # the empty line is not a row
    assert job.result["file"] == {
        "name": "a.csv", "type": "csv", "encoding": "UTF-8", "delimiter": "comma", "sheet": "", "rows": 3,
    }  # fmt: skip
    statuses = [(row["line"], row["account"]["status"]) for row in job.result["preview"]]
    assert statuses == [(2, "same"), (3, "new"), (4, "duplicate")]


def test_queue_runs_the_task_once(admin, django_capture_on_commit_callbacks):
    job = create_import_job(actor=admin, filename="a.csv", data=make_csv([["회사명"], ["한빛"]]), target="accounts")
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100 and job.done == 1
    assert job.result["next_url"] == f"/accounts/import/{job.pk}/"
    with pytest.raises(PermissionDenied):
        queue_import(actor=admin, job=job)  # done: not again
    assert Account.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.CHANNEL_MANAGER, Role.SERVICE_MANAGER])
def test_roles_that_may_not_import(role):
    with pytest.raises(PermissionDenied):
        create_import_job(actor=UserFactory(role=role), filename="a.csv", data=b"Name\nA\n", target="accounts")


def test_partner_users_may_not_import():
    partner = UserFactory(role=Role.PARTNER_ADMIN, organization=AccountFactory())
    with pytest.raises(PermissionDenied):
        create_import_job(actor=partner, filename="a.csv", data=b"Name\nA\n", target="accounts")
    assert not Job.objects.filter(kind=IMPORT_JOB_KIND).exists()


def test_a_job_runs_only_for_its_creator(admin):
    job = create_import_job(actor=admin, filename="a.csv", data=b"Name\nA\n", target="accounts")
    other_admin = UserFactory(role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        run_import(actor=other_admin, job=job)
    assert Account.objects.count() == 0


@pytest.mark.parametrize("rows", [200, 2000])
def test_import_cost_is_a_fixed_number_of_queries(admin, rows, django_assert_max_num_queries):
    """Set-based: 200 or 2,000 rows (an account and a contact each) cost a few dozen queries, not one per row.

    What grows at all is the search index, written in bulk batches by platform.search (SQLite caps the
    parameters of one INSERT).
    """
    TerritoryFactory(sido="서울특별시")
    header = ["회사명", "사업자등록번호", "대표전화", "주소", "담당자명", "휴대폰", "이메일"]
    body = [
        [
            f"가나공조{n}",
            brn(n),
            f"02-555-{n:04d}",
            f"서울특별시 강남구 테헤란로 {n}",
            f"김민준{n}",
            f"010-2{n // 10000:03d}-{n % 10000:04d}",
            f"kim{n}@ganacorp.kr",
        ]
        for n in range(rows)
    ]
    AccountFactory(name="가나공조7", brn=brn(7), owner=admin)  # one match among them
    job = create_import_job(actor=admin, filename="big.csv", data=make_csv([header, *body]), target="accounts_contacts")
    with django_assert_max_num_queries(80):
        result = run_import(actor=admin, job=job)
    assert result["counts"]["accounts"]["new"] == rows - 1
    assert result["counts"]["accounts"]["updated"] == 1
    assert result["counts"]["contacts"]["new"] == rows
    assert Account.objects.count() == rows and Contact.objects.count() == rows
    assert Account.history.count() == rows + 1 and Contact.history.count() == rows  # +1: the factory's row
    assert SearchDocument.objects.filter(entity="contact").count() == rows


def test_xlsx_as_korean_excel_writes_it(admin):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["거래처명", "사업자등록번호", "대표전화", "직원수", "주소"])
    # Excel keeps numbers as numbers: the BRN without dashes and the phone without its leading 0.
    sheet.append(["한빛공조", 1208147521, 212345678, 25, "서울특별시 강남구 테헤란로 1"])
    sheet.append(["대한기계", None, "031-123-4567", "1,200", "경기도 화성시 동탄대로 1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _job, result = import_file(admin, buffer.getvalue(), filename="거래처.xlsx")
    assert result["file"]["type"] == "xlsx" and result["counts"]["accounts"]["new"] == 2
    hanbit = Account.objects.get(name="한빛공조")
    assert (hanbit.brn, hanbit.phone, hanbit.employees) == ("1208147521", "+82212345678", 25)
    assert Account.objects.get(name="대한기계").employees == 1200


def test_a_sales_manager_assigns_owners_in_their_team_only(admin):
    manager = UserFactory(role=Role.SALES_MANAGER)
    member = UserFactory(role=Role.SALES_REP, manager=manager, email="member@forge.kr")
    UserFactory(role=Role.SALES_REP, email="outsider@forge.kr")
    data = make_csv([["회사명", "소유자"], ["가", "member@forge.kr"], ["나", "outsider@forge.kr"]])
    import_file(manager, data)
    assert dict(Account.objects.values_list("name", "owner_id")) == {"가": member.pk, "나": manager.pk}


def test_a_failed_job_says_so_and_can_run_again(admin, monkeypatch, django_capture_on_commit_callbacks):
    from forgecrm.customers.imports import pipeline

    job = create_import_job(
        actor=admin, filename="a.csv", data=make_csv([["회사명"], ["한빛"], ["대한"]]), target="accounts"
    )

    def broken(self, records):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.ImportPass, "_merge_accounts", broken)
    with pytest.raises(RuntimeError):
        run_import(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "run it again" in job.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and Account.objects.count() == 2
