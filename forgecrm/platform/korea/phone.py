"""Phone numbers normalised to E.164 with Korean numbering as the default region."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(value: str, region: str = "KR") -> str:
    """E.164 form (+82...), or raise a field error. Empty stays empty."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Enter a phone number such as 010-1234-5678 or 02-123-4567."), code="phone") from error
    if any(ch.isalpha() for ch in raw) and not parsed.extension:
        # phonenumbers drops trailing letters ("010-1234-567a" -> 010-1234-567): a typo would save another number.
        raise ValidationError(_("A phone number has digits only; it contains letters."), code="phone")
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("This phone number is not a valid number."), code="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Korean national format for Korean numbers (010-1234-5678), international otherwise."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "KR")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 82
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def phone_digits(value: str) -> str:
    """Digits in the national form, for search: +821012345678 -> 01012345678."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return "0" + digits[2:] if digits.startswith("82") and (value or "").startswith("+82") else digits
