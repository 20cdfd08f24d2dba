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


# Business hours: 09:00–18:00 local time (Asia/Seoul) on business days; SLAs count only these hours.
WORKDAY_START = dt.time(9)
WORKDAY_END = dt.time(18)


def _local(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.localtime(moment) if timezone.is_aware(moment) else timezone.make_aware(moment)


def _day_window(day: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(day, WORKDAY_START, tzinfo=tz), dt.datetime.combine(day, WORKDAY_END, tzinfo=tz))


def add_business_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` business hours after `start` (a start outside hours counts from the next opening)."""
    current = _local(start)
    remaining = dt.timedelta(hours=hours)
    day = current.date()
    while True:
        if is_business_day(day):
            opens, closes = _day_window(day, current.tzinfo)
            begin = max(current, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
        current = dt.datetime.combine(day, dt.time(0), tzinfo=current.tzinfo)


def business_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Business hours from `start` to `end` (0 when end is not after start)."""
    begin, finish = _local(start), _local(end)
    if finish <= begin:
        return 0.0
    total = dt.timedelta()
    day = begin.date()
    while day <= finish.date():
        if is_business_day(day):
            opens, closes = _day_window(day, begin.tzinfo)
            low, high = max(begin, opens), min(finish, closes)
            if high > low:
                total += high - low
        day += dt.timedelta(days=1)
    return round(total.total_seconds() / 3600, 2)
