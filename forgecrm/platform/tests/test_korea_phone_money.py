from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from forgecrm.platform.korea.money import format_money
from forgecrm.platform.korea.phone import display_phone, normalize_phone, phone_digits
from forgecrm.platform.ui.templatetags.forge import brn, money, phone


@pytest.mark.parametrize(
    ("typed", "e164", "shown"),
    [
        ("010-1234-5678", "+821012345678", "010-1234-5678"),
        ("01012345678", "+821012345678", "010-1234-5678"),
        ("+82 10-1234-5678", "+821012345678", "010-1234-5678"),
        ("+82 (0)10 1234 5678", "+821012345678", "010-1234-5678"),
        ("02-123-4567", "+8221234567", "02-123-4567"),
        ("02-3456-7890", "+82234567890", "02-3456-7890"),
        ("031-123-4567", "+82311234567", "031-123-4567"),
        ("1588-1234", "+8215881234", "1588-1234"),
    ],
)
def test_korean_numbers_normalise_to_e164_and_display_nationally(typed, e164, shown):
    assert normalize_phone(typed) == e164
    assert display_phone(e164) == shown


def test_foreign_numbers_stay_international():
    assert normalize_phone("+1 650-253-0000") == "+16502530000"
    assert display_phone("+16502530000") == "+1 650-253-0000"


@pytest.mark.parametrize("typed", ["010-12-345", "02-12", "hello", "+82 99 1234", "010-1234-56789-1"])
def test_invalid_numbers_are_field_errors_naming_the_rule(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(typed)
    assert caught.value.code == "phone"
    message = caught.value.messages[0]
    assert "phone number" in message


def test_empty_stays_empty():
    assert normalize_phone("") == ""
    assert normalize_phone("   ") == ""
    assert display_phone("") == ""


def test_phone_digits_for_search():
    assert phone_digits("+821012345678") == "01012345678"
    assert phone_digits("010-1234-5678") == "01012345678"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_krw_has_no_minor_unit_in_either_language(language):
    assert format_money(1234000, "KRW", language=language) == "₩1,234,000"
    assert format_money(Decimal("1234000.40"), "KRW", language=language) == "₩1,234,000"
    assert format_money(-5000, "KRW", language=language) == "-₩5,000"


def test_other_currencies_keep_their_minor_unit():
    assert format_money(Decimal("1234.5"), "USD", language="en") == "$1,234.50"
    assert format_money(None) == ""
    assert format_money("") == ""  # what a template passes for a missing amount


def test_money_follows_the_active_language_and_template_filters_format():
    with translation.override("en"):
        assert money(Decimal("1234000"), "KRW") == "₩1,234,000"
        assert money(99, "USD") == "$99.00"
    with translation.override("ko"):
        assert money(Decimal("1234000")) == "₩1,234,000"
        assert "US$" in money(99, "USD")
    assert phone("+821012345678") == "010-1234-5678"
    assert brn("1248100998") == "124-81-00998"
    assert brn("") == ""
