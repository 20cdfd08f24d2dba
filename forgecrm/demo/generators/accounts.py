"""Accounts (companies, households, partners, competitors), contacts and consents as plain dicts.

Pure functions of a seeded `random.Random`: the same seed gives the same rows on any machine. They know
nothing of the database: ids, owners, territories and serving partners are added by `forgecrm.demo.seeding`.
"""

import itertools
import random
from collections.abc import Iterator
from decimal import Decimal

from forgecrm.customers.normalization import company_name_key

from ..places import SIDOS, SIGUNGU_TERRITORIES, Sido, short_place
from ..vocabulary import COMPANY_STEMS, COMPETITORS, FREE_MAIL_DOMAINS, INDUSTRIES, NAME_TEMPLATES
from . import identifiers
from .draws import between, cumulative, pick, weighted
from .people import Person, person

SIZES = (("small", 3, 49), ("medium", 50, 299), ("large", 300, 999), ("enterprise", 1000, 12000))
# Size mix (per cent) by the kind of business.
SIZE_WEIGHTS = {
    "corp": (45, 35, 14, 6),
    "sole": (92, 8, 0, 0),
    "nonprofit": (30, 45, 20, 5),
    "public": (20, 70, 10, 0),
}
_INDUSTRY_CUM = list(itertools.accumulate(weight for _, weight in INDUSTRIES))


class Places:
    """Draws a 시/도 by its share of businesses, then a 시/군/구 (busy districts four times as likely)."""

    def __init__(self):
        self.sidos = SIDOS
        self.sido_cum = list(itertools.accumulate(sido.weight for sido in SIDOS))
        self.sigungu: dict[str, tuple[tuple[str, ...], list[int]]] = {}
        for sido in SIDOS:
            busy = {name for name, _code in SIGUNGU_TERRITORIES.get(sido.name, ())}
            weights = [4 if name in busy else 1 for name in sido.sigungu]
            self.sigungu[sido.name] = (sido.sigungu, list(itertools.accumulate(weights)))

    def pick(self, rng: random.Random, sido: Sido | None = None) -> tuple[Sido, str]:
        chosen = sido or weighted(rng, self.sidos, self.sido_cum)
        names, cum = self.sigungu[chosen.name]
        return chosen, weighted(rng, names, cum)


def unique_name(name: str, place: str, taken: set[str]) -> str:
    """Two businesses of one name in one book get told apart by branch, as Korean firms do (수원지점)."""
    candidate = name
    for number in itertools.count(1):
        if candidate not in taken:
            break
        candidate = f"{name} {place}지점" if number == 1 else f"{name} {place}{number}지점"
    taken.add(candidate)
    return candidate


def company_row(
    rng: random.Random,
    *,
    sido: Sido,
    sigungu: str,
    name: str,
    domain: str,
    business: str,
    industry: str,
    size_weights: tuple[int, ...] | None = None,
) -> dict:
    """The facts of one company account: 사업자등록번호, address, phone, size, revenue."""
    size, low, high = weighted(rng, SIZES, cumulative(size_weights or SIZE_WEIGHTS[business]))
    employees = between(rng, low, high)
    road, detail = identifiers.road_address(rng, sido, sigungu)
    revenue = None
    if business in ("corp", "sole"):
        revenue = Decimal(employees * between(rng, 120, 450)) * 1_000_000  # 1.2억-4.5억 per head, in won
    return {
        "name": name,
        "name_key": company_name_key(name),
        "form": "company",
        "industry": industry,
        "size": size,
        "employees": employees,
        "annual_revenue": revenue,
        "annual_revenue_currency": "KRW",
        "brn": identifiers.brn(rng, sido, business),
        "corporate_number": identifiers.corporate_number(rng, sido) if business == "corp" else "",
        "phone": identifiers.landline(rng, sido),
        "email": f"{pick(rng, ('info', 'contact', 'admin', 'office'))}@{domain}",
        "website": f"https://www.{domain}" if business in ("corp", "nonprofit") and rng.random() < 0.7 else "",
        "road_address": road,
        "address_detail": detail,
        "sido": sido.name,
        "sigungu": sigungu,
        "postal_code": identifiers.postal_code(rng, sido),
        "_domain": domain,
        "_business": business,
    }


def customer_company(rng: random.Random, places: Places, taken: set[str]) -> dict:
    sido, sigungu = places.pick(rng)
    industry = weighted(rng, INDUSTRIES, _INDUSTRY_CUM)[0]
    template, business, suffix = pick(rng, NAME_TEMPLATES[industry])
    stem, stem_roman = pick(rng, COMPANY_STEMS)
    place = short_place(sigungu, sido)
    name = unique_name(template.format(stem=stem, place=place), place, taken)
    row = company_row(
        rng,
        sido=sido,
        sigungu=sigungu,
        name=name,
        domain=f"{stem_roman}-{suffix}.example",
        business=business,
        industry=industry,
    )
    row["kind"] = "customer" if rng.random() < 0.55 else "prospect"
    return row


def household(rng: random.Random, places: Places) -> dict:
    """A home-owner who bought (or asked about) a home air conditioner or boiler: the account is the person."""
    sido, sigungu = places.pick(rng)
    who = person(rng)
    road, _detail = identifiers.road_address(rng, sido, sigungu)
    phone = identifiers.mobile(rng)
    return {
        "name": who.full_name,
        "name_key": company_name_key(who.full_name),
        "form": "household",
        "kind": "customer" if rng.random() < 0.75 else "prospect",
        "phone": phone,
        "road_address": road,
        "address_detail": f"{between(rng, 101, 120)}동 {between(rng, 1, 25)}{between(rng, 1, 4):02d}호",
        "sido": sido.name,
        "sigungu": sigungu,
        "postal_code": identifiers.postal_code(rng, sido),
        "_person": who,
        "_phone": phone,
        "_domain": pick(rng, FREE_MAIL_DOMAINS),
        "_business": "household",
    }


def competitors(rng: random.Random, places: Places) -> Iterator[dict]:
    for name, slug, industry in COMPETITORS:
        sido, sigungu = places.pick(rng, sido=pick(rng, [s for s in SIDOS if s.name in ("서울특별시", "경기도")]))
        row = company_row(
            rng,
            sido=sido,
            sigungu=sigungu,
            name=name,
            domain=f"{slug}.example",
            business="corp",
            industry=industry,
            size_weights=(0, 40, 50, 10),
        )
        row["kind"] = "competitor"
        yield row


def customer_accounts(rng: random.Random, count: int, taken: set[str], household_share: float = 0.25) -> Iterator[dict]:
    """`count` customer and prospect accounts: companies of ten industries and households; competitors first."""
    places = Places()
    made = 0
    for row in competitors(rng, places):
        if made < count:
            taken.add(row["name"])
            made += 1
            yield row
    while made < count:
        made += 1
        yield household(rng, places) if rng.random() < household_share else customer_company(rng, places, taken)


def contact_counts(rng: random.Random, accounts: list[dict], total: int) -> list[int]:
    """How many contacts each account gets: one each, the rest by size (big customers have more people)."""
    weight_by_size = {"": 0.3, "small": 1.0, "medium": 2.0, "large": 3.5, "enterprise": 6.0}
    counts = [1] * len(accounts)
    extra = total - len(accounts)
    if extra > 0 and accounts:
        cum = list(itertools.accumulate(weight_by_size[row.get("size", "")] for row in accounts))
        for index in rng.choices(range(len(accounts)), cum_weights=cum, k=extra):
            counts[index] += 1
    return counts


def household_person(row: dict) -> Person | None:
    return row.get("_person")
