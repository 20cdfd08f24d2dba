import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from forgecrm.platform.korea.brn import check_digit, format_brn, is_valid, validate_brn

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared/datasets/korean-business-numbers-reference"


def _real_numbers() -> list[str]:
    path = REFERENCE / "business_numbers_reference.csv"
    if not path.exists():  # pragma: no cover - the shared datasets sit beside the checkout
        pytest.skip("shared datasets are not beside this checkout")
    with path.open(encoding="utf-8") as handle:
        return [row["bizr_no"] for row in csv.DictReader(handle)]


def test_reference_set_is_read():
    assert len(_real_numbers()) == 8


@pytest.mark.parametrize("index", range(8))
def test_real_numbers_pass_in_every_written_form(index):
    number = _real_numbers()[index]
    dashed = f"{number[:3]}-{number[3:5]}-{number[5:]}"
    assert validate_brn(number) == number
    assert validate_brn(dashed) == number
    assert validate_brn(f" {number[:3]} {number[3:5]} {number[5:]} ") == number
    assert format_brn(number) == dashed
    assert is_valid(dashed)


@pytest.mark.parametrize("index", range(8))
def test_every_wrong_check_digit_is_refused_naming_the_rule(index):
    number = _real_numbers()[index]
    for digit in "0123456789":
        if digit == number[9]:
            continue
        mutated = number[:9] + digit
        with pytest.raises(ValidationError) as caught:
            validate_brn(mutated)
        assert caught.value.code == "brn_check_digit"
        assert "check digit" in str(caught.value.messages[0])
        assert not is_valid(mutated)


def test_check_digit_follows_the_nts_weights():
    # 124-81-00998 (삼성전자): 1*1+2*3+4*7+8*1+1*3+0*7+0*1+9*3+9*5 = 118, + 9*5//10 = 4 -> 122 -> 10-2 = 8
    assert check_digit("124810099") == 8
    assert check_digit("220873442") == 5


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12345", "10 digits"),
        ("12345678901", "10 digits"),
        ("124-81-0099X", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_format_errors_name_the_rule(value, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_brn(value)
    assert caught.value.code == "brn_format"
    assert fragment in caught.value.messages[0]


@pytest.mark.parametrize("value", ["0998100995", "1240000998", "1248100000"])
def test_impossible_parts_are_refused_even_with_a_matching_check_digit(value):
    number = value[:9] + str(check_digit(value[:9]))
    with pytest.raises(ValidationError) as caught:
        validate_brn(number)
    assert caught.value.code == "brn_format"
    assert "tax office code" in caught.value.messages[0]


def test_format_leaves_an_unparseable_value_alone():
    assert format_brn("12-34") == "12-34"
