"""Korean public holidays and business days (for SLAs and due dates)."""

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def korean_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("KR", years=year, language="ko"))


def is_holiday(day: dt.date) -> bool:
    return day in korean_holidays(day.year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(start: dt.date, days: int) -> dt.date:
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
