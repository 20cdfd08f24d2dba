import pytest

from forgecrm.platform.search.index import _document_body, normalize_query, normalize_text


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("(주)대한공조", "대한공조"),
        ("㈜대한공조", "대한공조"),
        ("주식회사 대한공조", "대한공조"),
        ("대한공조 주식회사", "대한공조"),
        ("（주）대한공조", "대한공조"),  # full-width parentheses, as Korean IMEs type them
        ("유한회사 한빛", "한빛"),
        ("Daehan HVAC Co., Ltd.", "daehan hvac"),
        ("Hanbit Inc.", "hanbit"),
        ("  많은   공백  ", "많은 공백"),
    ],
)
def test_corporate_forms_and_case_are_folded(typed, folded):
    assert normalize_text(typed) == folded


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("010-1234-5678", "01012345678"),
        ("+82 10-1234-5678", "01012345678"),
        ("124-81-00998", "1248100998"),
        ("(02) 123-4567", "021234567"),
        ("12", "12"),
        ("대한 010", "대한 010"),
        ("Kim@Example.KR", "kim@example.kr"),
    ],
)
def test_queries_that_are_numbers_become_digits(typed, query):
    assert normalize_query(typed) == query


def test_documents_carry_national_phone_digits_and_brn_digits():
    body = _document_body(["(주)대한공조", "+821012345678", "124-81-00998", "", None, "kim@example.kr"])
    assert "대한공조" in body and "(주)" not in body
    assert "01012345678" in body
    assert "1248100998" in body
    assert "kim@example.kr" in body
