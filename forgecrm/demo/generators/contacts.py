"""Contacts of an account (담당자, or the members of a household) and their marketing consents."""

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from forgecrm.customers.normalization import person_name_key

from ..places import SIDO_BY_NAME
from ..vocabulary import CONSENT_SOURCES, TITLES
from . import identifiers
from .people import email_local_part, person

SEOUL = ZoneInfo("Asia/Seoul")
_CHANNELS_COMPANY = (("email", 35), ("phone", 30), ("sms", 20), ("visit", 10), ("post", 5))
_CHANNELS_HOME = (("sms", 40), ("phone", 40), ("email", 15), ("visit", 5))
_PURPOSES = (
    ("marketing_email", 5),
    ("marketing_sms", 4),
    ("marketing_phone", 2),
    ("third_party", 1),
    ("profiling", 1),
)
_SELF_SERVICE_SOURCES = {"홈페이지 회원가입", "카카오톡 채널"}


def moment(rng: random.Random, day: dt.date, first_hour: int = 9, last_hour: int = 18) -> dt.datetime:
    """A time of day during office hours, Seoul time."""
    return dt.datetime.combine(day, dt.time(rng.randint(first_hour, last_hour - 1), rng.randrange(0, 60, 5)), SEOUL)


def contacts(rng: random.Random, account: dict, count: int, emails: set[str]) -> Iterator[dict]:
    """`count` people at `account` (a dict from `generators.accounts`); e-mail addresses unique in `emails`."""
    home = account["form"] == "household"
    titles = TITLES["household"] if home else TITLES.get(account.get("industry", ""), TITLES["default"])
    channels = _CHANNELS_HOME if home else _CHANNELS_COMPANY
    sido = SIDO_BY_NAME[account["sido"]]
    for position in range(count):
        who = account["_person"] if home and position == 0 else person(rng)
        title, department, role = (
            titles[0] if home and position == 0 else rng.choice(titles[:3] if position == 0 else titles)
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
            "preferred_channel": rng.choices([c for c, _ in channels], weights=[w for _, w in channels])[0],
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
    purposes = [purpose for purpose, _ in _PURPOSES]
    weights = [weight for _, weight in _PURPOSES]
    chosen = []
    for purpose in rng.choices(purposes, weights=weights, k=rng.randint(1, 3)):
        if purpose not in chosen:
            chosen.append(purpose)
    for purpose in chosen:
        source = rng.choice(CONSENT_SOURCES)
        given = today - dt.timedelta(days=rng.randint(20, 1100))
        yield purpose, True, moment(rng, given), source, source in _SELF_SERVICE_SOURCES
        if rng.random() < 0.12:
            withdrawn = given + dt.timedelta(days=rng.randint(10, 400))
            if withdrawn < today:
                yield purpose, False, moment(rng, withdrawn), "수신거부 요청", False
