"""Money formatting with babel: KRW has no minor unit (₩1,234,000)."""

from decimal import Decimal

from babel.numbers import format_currency
from django.utils import translation

LOCALES = {"ko": "ko_KR", "en": "en_US"}


def format_money(amount: Decimal | int | float | None, currency: str = "KRW", language: str | None = None) -> str:
    if amount is None or amount == "":  # a template's missing value (an unpriced line) shows as nothing
        return ""
    locale = LOCALES.get((language or translation.get_language() or "ko")[:2], "ko_KR")
    return format_currency(Decimal(str(amount)), currency, locale=locale)
