"""What the sales import kinds share: folding names for lookups, dates and amounts from a file's cells."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%d.%m.%Y")
AMOUNT_NOISE = re.compile(r"[\s,₩원$€£¥]|KRW|USD|EUR|JPY", re.IGNORECASE)
MAX_AMOUNT = Decimal(10) ** 16  # money_field: 18 digits, 2 decimals


def fold(value: str) -> str:
    """ "GTX  Pro" and "gtx pro" are one name; "GTXPro" is not (a different spelling is mapped, never guessed)."""
    return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def parse_date(value: str) -> dt.date:
    text = (value or "").strip()
    if " " in text or "T" in text:  # "2017-03-01 00:00:00" from a spreadsheet
        text = re.split(r"[ T]", text, maxsplit=1)[0]
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # a calendar day, no time
        except ValueError:
            continue
    raise ValidationError(_("Enter a date such as 2024-03-31."))


def parse_amount(value: str) -> Decimal:
    text = AMOUNT_NOISE.sub("", value or "")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValidationError(_("Enter an amount such as 1250000 or 1,250.50.")) from error
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("The amount cannot be negative."))
    if amount >= MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))
