import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from forgecrm.platform.exports import Column, csv_response, export_response, neutralize, xlsx_response

ROWS = [
    {"name": '=HYPERLINK("http://evil.example","click")', "amount": Decimal("1200000"), "note": "+cmd|' /C calc'!A0"},
    {"name": "@SUM(1+1)", "amount": -5, "note": "-2+3"},
    {"name": "\t=1+1", "amount": 0, "note": "\r=1"},
    {"name": "＝1+1", "amount": 3, "note": "(주)대한공조"},
    {"name": "한빛공조", "amount": None, "note": "plain"},
]
COLUMNS = [
    Column("거래처", lambda row: row["name"]),
    Column("금액", lambda row: row["amount"]),
    Column("=메모", lambda row: row["note"]),
]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "＝1", "＋1", "－1", "＠x"])
def test_formula_triggers_are_prefixed(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["한빛공조", "1-2", "a=b", "", 5, None])
def test_ordinary_values_pass(value):
    assert neutralize(value) == value


def _csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_starts_with_a_bom_and_no_cell_starts_a_formula():
    text = _csv_text(csv_response(ROWS, COLUMNS, "거래처 목록"))
    assert text.startswith("\ufeff")

    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert table[0] == ["거래처", "금액", "'=메모"]
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r", "＝")), cell
            assert not (cell.startswith("-") and not cell.lstrip("-").isdigit()), cell
    assert table[1][0] == '\'=HYPERLINK("http://evil.example","click")'
    assert table[2][1] == "-5"  # numbers stay numbers
    assert table[5][1] == ""


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers():
    response = xlsx_response(ROWS, COLUMNS, "거래처: 목록/2025 [전체] 목록 이름이 아주 긴 내보내기")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")
    cells = list(sheet.iter_rows(values_only=False))
    assert [cell.value for cell in cells[0]] == ["거래처", "금액", "'=메모"]
    for row in cells:
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert cells[1][0].value == '\'=HYPERLINK("http://evil.example","click")'
    assert cells[1][1].value == 1200000 and cells[1][1].data_type == "n"
    assert cells[2][1].value == -5


def test_datetimes_are_exported_in_seoul_time():
    moment = dt.datetime(2025, 1, 1, 15, 30, tzinfo=dt.UTC)
    text = _csv_text(csv_response([moment], [Column("at", lambda row: row)], "x"))
    assert "2025-01-02 00:30" in text


def test_korean_file_names_survive_the_header():
    response = export_response("csv", [], COLUMNS, "거래처")
    assert "filename*=utf-8''%EA%B1%B0%EB%9E%98%EC%B2%98.csv" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    response = export_response("xlsx", [], COLUMNS, "accounts")
    assert response["Content-Disposition"] == 'attachment; filename="accounts.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
