import csv
import datetime as dt
from pathlib import Path

import pytest

from forgecrm.platform.korea.calendar import add_business_days, is_business_day, is_holiday, korean_holidays

REFERENCE = Path(__file__).resolve().parents[3].parent / "shared/datasets/korean-holidays-hyunbinseo/public"


def _reference(year: int) -> dict[dt.date, list[str]]:
    path = REFERENCE / f"{year}.csv"
    if not path.exists():  # pragma: no cover - the shared datasets sit beside the checkout
        pytest.skip("shared datasets are not beside this checkout")
    days: dict[dt.date, list[str]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            days.setdefault(dt.date.fromisoformat(row["Start date"]), []).append(row["Subject"])
    return days


@pytest.mark.parametrize("year", range(2018, 2028))
def test_holiday_dates_match_the_official_almanac(year):
    # The almanac (월력요항, via hyunbinseo/holidays-kr) includes substitute and temporary holidays.
    reference = _reference(year)
    ours = korean_holidays(year)
    assert sorted(set(reference) - set(ours)) == []
    assert sorted(set(ours) - set(reference)) == []


def test_substitute_and_temporary_holidays_of_2025():
    days = korean_holidays(2025)
    assert dt.date(2025, 5, 5) in days  # 어린이날 and 부처님오신날 on one day
    assert "대체" in days[dt.date(2025, 5, 6)]  # 대체공휴일
    assert dt.date(2025, 1, 27) in days  # 임시공휴일
    assert dt.date(2025, 6, 3) in days  # 대통령선거일
    assert "대체" in days[dt.date(2025, 10, 8)]  # 추석 대체공휴일


def test_business_days_skip_weekends_and_holidays():
    assert not is_business_day(dt.date(2025, 5, 3))  # Saturday
    assert not is_business_day(dt.date(2025, 5, 5))
    assert is_holiday(dt.date(2025, 5, 6)) and not is_business_day(dt.date(2025, 5, 6))
    # Friday 2 May + 1 business day: Sat, Sun, 5 May, 6 May (substitute) are skipped.
    assert add_business_days(dt.date(2025, 5, 2), 1) == dt.date(2025, 5, 7)
    assert add_business_days(dt.date(2025, 5, 7), 0) == dt.date(2025, 5, 7)
    # 설 2025: 28-30 January, plus the temporary holiday on the 27th.
    assert add_business_days(dt.date(2025, 1, 24), 1) == dt.date(2025, 1, 31)
