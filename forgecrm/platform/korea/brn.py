"""사업자등록번호 (business registration number): 10 digits, the last a check digit.

python-stdnum's `kr.brn` checks the format (and the tax-office and type segments) but not the check
digit, so the National Tax Service weights 1,3,7,1,3,7,1,3,5 are applied here.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.kr import brn as stdnum_brn

WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def compact(value: str) -> str:
    return stdnum_brn.compact(value or "")


def check_digit(first_nine: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    total += int(first_nine[8]) * 5 // 10
    return (10 - total % 10) % 10


def is_valid(value: str) -> bool:
    try:
        validate_brn(value)
    except ValidationError:
        return False
    return True


def validate_brn(value: str) -> str:
    """Return the 10 digits, or raise a field error that names the rule that failed."""
    number = compact(value)
    if not number.isdigit() or len(number) != 10:
        raise ValidationError(_("A business registration number has 10 digits (e.g. 123-45-67890)."), code="brn_format")
    try:
        stdnum_brn.validate(number)
    except InvalidComponent as error:
        raise ValidationError(
            _(
                "This business registration number has an impossible part: the tax office code (first 3 digits) "
                "starts at 101, the business type code (digits 4-5) is not 00 and the serial (digits 6-9) "
                "is not 0000."
            ),
            code="brn_format",
        ) from error
    except StdnumError as error:
        raise ValidationError(
            _("A business registration number has 10 digits (e.g. 123-45-67890)."), code="brn_format"
        ) from error
    if check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("The check digit of this business registration number is wrong."), code="brn_check_digit"
        )
    return number


def format_brn(value: str) -> str:
    number = compact(value)
    return f"{number[:3]}-{number[3:5]}-{number[5:]}" if len(number) == 10 else value
