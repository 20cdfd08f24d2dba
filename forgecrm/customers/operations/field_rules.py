"""Input rules shared by account and contact writes: each bad value becomes a field error naming the rule."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.korea.phone import normalize_phone

from ..models import AccountSize

_email_validator = EmailValidator(
    message=_("Enter an email address such as name@company.co.kr (one @, a domain with a dot)."),
    code="email",
    allowlist=[],  # Django lets "name@localhost" through by default; a customer's address has a dotted domain
)

# Employee counts where AccountSize changes (see the choices' labels).
SIZE_BOUNDS = ((50, AccountSize.SMALL), (300, AccountSize.MEDIUM), (1000, AccountSize.LARGE))


def size_for_employees(employees: int | None) -> str:
    if employees is None:
        return ""
    for bound, size in SIZE_BOUNDS:
        if employees < bound:
            return size
    return AccountSize.ENTERPRISE


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_values(values: dict[str, Any], *, phones: Iterable[str], name_field: str) -> dict[str, Any]:
    """Normalised copies of the values: BRN as 10 digits, phones in E.164, email in lower case.

    Raises one ValidationError holding every field's error, so a form shows them all at once.
    """
    cleaned = dict(values)
    errors: dict[str, list] = {}
    if name_field in cleaned:
        cleaned[name_field] = _text(cleaned[name_field])
        if not cleaned[name_field]:
            errors[name_field] = [ValidationError(_("A name is required."), code="required")]
    if "brn" in cleaned:
        raw = _text(cleaned["brn"])
        try:
            cleaned["brn"] = validate_brn(raw) if raw else ""
        except ValidationError as error:
            errors["brn"] = error.error_list
    for name in phones:
        if name in cleaned:
            try:
                cleaned[name] = normalize_phone(_text(cleaned[name]))
            except ValidationError as error:
                errors[name] = error.error_list
    if "email" in cleaned:
        email = _text(cleaned["email"]).lower()
        if email:
            try:
                _email_validator(email)
            except ValidationError as error:
                errors["email"] = error.error_list
        cleaned["email"] = email
    for name in ("corporate_number",):
        if name in cleaned:
            digits = "".join(ch for ch in _text(cleaned[name]) if ch.isdigit())
            if digits and len(digits) != 13:
                errors[name] = [
                    ValidationError(_("A corporate registration number has 13 digits."), code="corporate_number")
                ]
            cleaned[name] = digits
    if errors:
        raise ValidationError(errors)
    return cleaned


def reject_unknown(values: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
