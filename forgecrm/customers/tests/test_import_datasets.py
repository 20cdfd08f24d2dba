"""The real files in ../shared/datasets import cleanly through the normal import path.

Expected counts are worked out here from the files themselves, with the csv module and the datasets'
own 시/도 table, not with the importer's code.
"""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from forgecrm.customers.imports import create_import_job, run_import
from forgecrm.customers.imports.reading import read_table
from forgecrm.customers.models import Account
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import UserFactory

DATASETS = Path(settings.BASE_DIR).parent / "shared" / "datasets"
FACILITIES = DATASETS / "korean-address-public-facilities"
SALESFORCE = DATASETS / "salesforce-dataloader-csv-fixtures" / "src" / "test" / "resources" / "testfiles" / "data"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not beside the checkout"),
]

OFFICIAL_SIDO = {
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시", "세종특별자치시",
    "경기도", "강원특별자치도", "충청북도", "충청남도", "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도",
}  # fmt: skip


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN)


def import_path(actor, path: Path, target="accounts"):
    job = create_import_job(actor=actor, filename=path.name, data=path.read_bytes(), target=target)
    preview = job.result["counts"]
    result = run_import(actor=actor, job=job)
    job.refresh_from_db()
    return job, preview, result


def expected_facilities() -> tuple[int, int]:
    """(rows, distinct accounts) of the public-facilities file under the documented rule.

    Rows are the same account when they share a phone number, or the same name in the same 시/도 (the file
    has no BRN or email). The 시/도 is the first word of the road-name address, else of the lot-number
    address, spelled through the dataset's own mapping table.
    """
    text = (FACILITIES / "7-4_sample.cp949.csv").read_bytes().decode("cp949")
    records = list(csv.DictReader(io.StringIO(text)))
    mapping = json.loads((FACILITIES / "7-4_sido_mapping_table.json").read_text(encoding="utf-8"))["data"]
    first_seen: set = set()
    accounts = 0
    for record in records:
        address = record["소재지도로명주소"] or record["소재지지번주소"]
        first_word = address.split()[0] if address.split() else ""
        sido = mapping.get(first_word, first_word)
        name = re.sub(r"\W+", "", record["개방시설명"].lower())
        phone = re.sub(r"\D", "", record["사용안내전화번호"])
        keys = {("name", name, sido)} | ({("phone", phone)} if phone else set())
        if not keys & first_seen:
            accounts += 1
        first_seen |= keys
    return len(records), accounts


def test_cp949_public_facilities_import_with_the_expected_counts(admin):
    rows, accounts = expected_facilities()
    assert rows == 499
    job, preview, result = import_path(admin, FACILITIES / "7-4_sample.cp949.csv")
    assert job.status == Job.Status.DONE
    assert result["file"]["encoding"] == "CP949"
    counts = result["counts"]
    assert counts["rows"] == rows and counts["rows_with_errors"] == 0
    assert counts["accounts"]["new"] == accounts
    assert counts["accounts"]["new"] + counts["accounts"]["duplicates"] == rows
    assert preview == counts  # the preview announced exactly what happened
    assert Account.objects.count() == accounts
    # Every account found its 시/도 from the address, legacy 강원도 included.
    assert set(Account.objects.values_list("sido", flat=True)) <= OFFICIAL_SIDO
    assert not Account.objects.filter(sido="").exists()
    mitan = Account.objects.get(name="미탄복지회관")
    assert (mitan.sido, mitan.sigungu, mitan.phone) == ("강원특별자치도", "평창군", "+82333302116")
    # A row with only a lot-number address keeps it as the address.
    field = Account.objects.get(name="한솔동 축구장")
    assert (field.sido, field.road_address) == ("세종특별자치시", "세종특별자치시 한솔동 1246")


def test_the_utf8_copy_of_the_same_data_imports_nothing_new(admin):
    import_path(admin, FACILITIES / "7-4_sample.cp949.csv")
    before = Account.objects.count()
    _job, _preview, result = import_path(admin, FACILITIES / "7-4_sample.utf8.csv")
    assert result["file"]["encoding"] == "UTF-8"
    assert result["counts"]["accounts"]["new"] == 0
    assert result["counts"]["accounts"]["unchanged"] == before
    assert Account.objects.count() == before


SALESFORCE_ACCOUNT_FILES = [
    "insertAccountCsv.csv",
    "bulkV2MultipleJobsCsvTemplate.csv",
    "upsertAccountCsvTemplate.csv",
    "upsertAccountSmallTemplate.csv",
    "upsertFkAccountNewFormatCsvTemplate.csv",
    "upsertFkAccountOldFormatCsvTemplate.csv",
    "upsertWithRowOffsetTemplate.csv",
    "updateAccountCsvTemplate.csv",
    "updateAccountWithExternalIdCsvTemplate.csv",
    "SoqlInClauseFromCSV.csv",
    "accountsForInsert.csv",
    "acctsWithBinaryDataInRTF.csv",
    "constantMappingInCsv.csv",
    "constantMappingInCsvClashing.csv",
    "oneToManySforceFieldsMappingInCsv.csv",
    "insertAccountWithMultipleBatchesCSV.csv",
    "timeZoneFormatTesting.csv",
    "dateWithTimeZone.csv",
]


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in list(csv.reader(handle))[1:] if any(cell.strip() for cell in row))


@pytest.mark.parametrize("name", SALESFORCE_ACCOUNT_FILES)
def test_salesforce_dataloader_account_files_import_every_row(admin, name):
    path = SALESFORCE / name
    rows = data_rows(path)
    _job, _preview, result = import_path(admin, path)
    counts = result["counts"]
    assert counts["rows"] == rows
    assert counts["accounts"]["new"] == rows
    assert counts["rows_with_errors"] == 0 and counts["accounts"]["duplicates"] == 0
    assert Account.objects.count() == rows


def test_salesforce_external_ids_are_kept_and_upserts_match_them(admin):
    import_path(admin, SALESFORCE / "upsertAccountCsvTemplate.csv")
    # The first id is wrapped in ideographic spaces ("\u3000 \u30001-000000\u3000 \u3000") in the file.
    first = Account.objects.get(external_id="1-000000")
    assert first.name == "account Upsert #0"
    assert first.website == "http://www.accountUpsert0.com" and first.annual_revenue.amount == 0
    _job, _preview, result = import_path(admin, SALESFORCE / "upsertAccountSmallTemplate.csv")
    assert result["counts"]["accounts"]["new"] == 0
    assert result["counts"]["accounts"]["unchanged"] == 10
    assert Account.objects.count() == 100


def test_rich_text_with_quotes_and_spaces_survives(admin):
    import_path(admin, SALESFORCE / "accountsForInsert.csv")
    assert sorted(Account.objects.values_list("name", "employees", "industry")) == [
        ("Company A", 25, "Heavy Industry"),
        ("Company B", 36, "Mining"),
        ("Company C", 47, "Aerospace"),
        ("Company D", 58, "Fiber Optics"),
    ]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("csvtext.csv", "UTF-8"),
        ("csvtext_BOM_UTF8.csv", "UTF-8 (BOM)"),
        ("csvtext_BOM_UTF16LE.csv", "UTF-16 (BOM)"),
        ("csvtext_BOM_UTF16BE.csv", "UTF-16 (BOM)"),
        ("csvtext_BOM_UTF32LE.csv", "UTF-32 (BOM)"),
        ("csvtext_BOM_UTF32BE.csv", "UTF-32 (BOM)"),
    ],
)
def test_salesforce_byte_order_mark_variants(name, encoding):
    table = read_table(name, (SALESFORCE / name).read_bytes())
    assert table.encoding == encoding
    assert table.headers == ["column1", "column2", "column3"]
    assert list(table.rows) == [(2, ["row1-1", "row1-2", "row1-3"]), (3, ["row2-1", "row2-2", "row2-3"])]


def test_salesforce_escaped_quotes():
    table = read_table("q.csv", (SALESFORCE / "csvEscapedQuotes.csv").read_bytes())
    assert [cells[0] for _line, cells in table.rows] == ['"The Best" Account', 'The "Best" Account']


def test_a_file_without_a_name_column_reports_every_row(admin):
    path = SALESFORCE / "deleteAccountCsvTemplate.csv"
    job, _preview, result = import_path(admin, path)
    assert result["counts"]["rows_with_errors"] == data_rows(path) == 100
    assert Account.objects.count() == 0
    assert job.report_file
