"""Contacts of an account (담당자, or the members of a household) and their marketing consents."""

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from forgecrm.customers.normalization import person_name_key

from ..places import SIDO_BY_NAME
from ..vocabulary import CONSENT_SOURCES, TITLES
from . import identifiers
from .draws import between, cumulative, pick, weighted
from .people import email_local_part, person

SEOUL = ZoneInfo("Asia/Seoul")
# (channels, cumulative weights)
_CHANNELS_COMPANY = (("email", "phone", "sms", "visit", "post"), cumulative((35, 30, 20, 10, 5)))
_CHANNELS_HOME = (("sms", "phone", "email", "visit"), cumulative((40, 40, 15, 5)))
_PURPOSES = (
    ("marketing_email", 5),
    ("marketing_sms", 4),
    ("marketing_phone", 2),
    ("third_party", 1),
    ("profiling", 1),
)
_PURPOSE_NAMES = [purpose for purpose, _ in _PURPOSES]
_PURPOSE_CUM = cumulative(weight for _, weight in _PURPOSES)
_SELF_SERVICE_SOURCES = {"홈페이지 회원가입", "카카오톡 채널"}


def moment(rng: random.Random, day: dt.date, first_hour: int = 9, last_hour: int = 18) -> dt.datetime:
    """A time of day during office hours, Seoul time."""
    return dt.datetime.combine(day, dt.time(between(rng, first_hour, last_hour - 1), 5 * between(rng, 0, 11)), SEOUL)


def contacts(rng: random.Random, account: dict, count: int, emails: set[str]) -> Iterator[dict]:
    """`count` people at `account` (a dict from `generators.accounts`); e-mail addresses unique in `emails`."""
    home = account["form"] == "household"
    titles = TITLES["household"] if home else TITLES.get(account.get("industry", ""), TITLES["default"])
    channels = _CHANNELS_HOME if home else _CHANNELS_COMPANY
    sido = SIDO_BY_NAME[account["sido"]]
    for position in range(count):
        who = account["_person"] if home and position == 0 else person(rng)
        title, department, role = (
            titles[0] if home and position == 0 else pick(rng, titles[:3] if position == 0 else titles)
        )
        local = email_local_part(rng, who)
        email = unique_email(local, account["_domain"], emails) if rng.random() < 0.92 else ""
        mobile = account["_phone"] if home and position == 0 else identifiers.mobile(rng)
        yield {
            "full_name": who.full_name,
            "name_key": person_name_key(who.full_name),
            "title": title,
            "department": department,
            "email": email,
            "phone": "" if home or rng.random() < 0.4 else identifiers.landline(rng, sido),
            "mobile": mobile if home or rng.random() < 0.9 else "",
            "key_person_role": role,
            "preferred_channel": weighted(rng, *channels),
            "is_active": rng.random() > 0.03,  # a few have left the company (퇴사)
        }


def unique_email(local: str, domain: str, taken: set[str]) -> str:
    """local@domain, or local2@domain, local3@domain... whichever is free; remembers the answer."""
    candidate, number = local, 1
    while f"{candidate}@{domain}" in taken:
        number += 1
        candidate = f"{local}{number}"
    address = f"{candidate}@{domain}"
    taken.add(address)
    return address


def consents(
    rng: random.Random, *, household: bool, today: dt.date
) -> Iterator[tuple[str, bool, dt.datetime, str, bool]]:
    """(purpose, granted, recorded_at, source, self_service) records of one contact, oldest first.

    Under PIPA each purpose is consented to separately, and a withdrawal is a new record, never an edit.
    """
    if rng.random() > (0.6 if household else 0.45):
        return
    chosen = []
    for purpose in (weighted(rng, _PURPOSE_NAMES, _PURPOSE_CUM) for _ in range(between(rng, 1, 3))):
        if purpose not in chosen:
            chosen.append(purpose)
    for purpose in chosen:
        source = pick(rng, CONSENT_SOURCES)
        given = today - dt.timedelta(days=between(rng, 20, 1100))
        yield purpose, True, moment(rng, given), source, source in _SELF_SERVICE_SOURCES
        if rng.random() < 0.12:
            withdrawn = given + dt.timedelta(days=between(rng, 10, 400))
            if withdrawn < today:
                yield purpose, False, moment(rng, withdrawn), "수신거부 요청", False
