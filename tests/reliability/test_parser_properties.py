"""Property tests (hypothesis) of the parsers every write and import goes through: phone numbers, 사업자등록번호
and CSV reading. Fixed derandomised seeds and bounded examples keep `make test` fast and reproducible."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forgecrm.customers.imports.reading import UploadRejected, read_csv
from forgecrm.platform.korea.brn import check_digit, compact, format_brn, validate_brn
from forgecrm.platform.korea.phone import display_phone, normalize_phone, phone_digits

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)

# --- phone numbers ------------------------------------------------------------------------------------------

mobile = st.tuples(st.integers(1000, 9999), st.integers(0, 9999)).map(lambda p: f"010{p[0]:04d}{p[1]:04d}")
seoul = st.tuples(st.integers(200, 9999), st.integers(0, 9999)).map(lambda p: f"02{p[0]}{p[1]:04d}")
spellings = st.sampled_from(
    ["{a}-{b}-{c}", "{a} {b} {c}", "{a}.{b}.{c}", "({a}) {b}-{c}", "{a}{b}{c}", " {a}-{b}-{c} "]
)


def split_national(number: str) -> tuple[str, str, str]:
    head = 2 if number.startswith("02") else 3
    return number[:head], number[head:-4], number[-4:]


@PROPERTY
@given(number=st.one_of(mobile, seoul), spelling=spellings)
def test_every_spelling_of_a_korean_number_normalises_to_one_e164(number, spelling):
    a, b, c = split_national(number)
    e164 = normalize_phone(spelling.format(a=a, b=b, c=c))
    assert e164 == "+82" + number[1:]
    assert normalize_phone(e164) == e164  # idempotent
    assert normalize_phone(display_phone(e164)) == e164  # display round trip
    assert phone_digits(e164) == number


@PROPERTY
@given(text=st.text(max_size=40))
def test_any_text_is_a_valid_e164_number_or_a_field_error(text):
    try:
        e164 = normalize_phone(text)
    except ValidationError as error:
        assert error.code == "phone"
        return
    assert e164 == "" or (e164.startswith("+") and e164[1:].isdigit() and len(e164) <= 16)
    if e164:
        assert normalize_phone(e164) == e164


# --- 사업자등록번호 -------------------------------------------------------------------------------------------

first_nine = st.tuples(st.integers(101, 999), st.integers(1, 99), st.integers(1, 9999)).map(
    lambda p: f"{p[0]:03d}{p[1]:02d}{p[2]:04d}"
)


@PROPERTY
@given(nine=first_nine)
def test_a_number_with_its_check_digit_validates_and_round_trips(nine):
    number = nine + str(check_digit(nine))
    assert validate_brn(number) == number
    formatted = format_brn(number)
    assert formatted == f"{number[:3]}-{number[3:5]}-{number[5:]}"
    assert compact(formatted) == number and validate_brn(formatted) == number
    assert format_brn(formatted) == formatted


@PROPERTY
@given(nine=first_nine, wrong=st.integers(1, 9))
def test_any_other_check_digit_is_refused_naming_the_rule(nine, wrong):
    digit = (check_digit(nine) + wrong) % 10
    with pytest.raises(ValidationError) as caught:
        validate_brn(nine + str(digit))
    assert caught.value.code == "brn_check_digit"


@PROPERTY
@given(text=st.text(max_size=30))
def test_any_text_is_ten_digits_or_a_field_error(text):
    try:
        number = validate_brn(text)
    except ValidationError as error:
        assert error.code in {"brn_format", "brn_check_digit"}
        return
    assert len(number) == 10 and number.isdigit()


# --- CSV import reading -------------------------------------------------------------------------------------

hangul = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ascii_text = st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters=";|\t")
cell = st.text(alphabet=st.one_of(hangul, ascii_text, st.just("\n"), st.just('"'), st.just(",")), max_size=12)
header = st.text(
    alphabet=st.one_of(hangul, st.characters(min_codepoint=0x41, max_codepoint=0x5A)), min_size=1, max_size=8
)


@st.composite
def tables(draw):
    width = draw(st.integers(2, 5))
    headers = draw(st.lists(header, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    return headers, [row for row in rows if any(value.strip() for value in row)]


def as_csv(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


@PROPERTY
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"]))
def test_what_excel_writes_is_read_back_cell_for_cell(table, encoding):
    headers, rows = table
    data = as_csv(headers, rows).encode(encoding)
    read = read_csv(data)
    assert read.headers == headers
    assert [cells for _line, cells in read.rows] == rows


@PROPERTY
@given(data=st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_with_a_reason(data):
    try:
        table = read_csv(data)
        rows = list(table.rows)
    except UploadRejected as error:
        assert str(error)
        return
    assert all(isinstance(cell, str) for _line, cells in rows for cell in cells)
    assert all(isinstance(value, str) for value in table.headers)
