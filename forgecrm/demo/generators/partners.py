"""The manufacturer's channel: distributors (총판) with dealers (대리점) under them, independent dealers,
sales agencies (영업대행), resellers and authorised service centres."""

import random

from ..places import SALES_REGIONS, SIDO_BY_NAME, short_place
from ..vocabulary import COMPANY_STEMS
from .accounts import Places, company_row, unique_name
from .draws import pick

# name templates, kind of business, domain suffix, tiers to draw from
_KINDS: dict[str, tuple[tuple[str, ...], str, str, tuple[str, ...]]] = {
    "distributor": (("(주){stem}냉열", "{stem}공조(주)", "(주){stem}에어시스템", "{stem}에너지(주)"), "corp", "hvac", ("platinum", "gold")),
    "dealer": (("{stem}냉난방", "{place}{stem}에어컨", "{stem}공조설비", "(주){stem}에어텍", "{stem}냉동공조"), "sole", "aircon", ("gold", "silver", "silver", "bronze")),
    "agency": (("(주){stem}세일즈", "{stem}마케팅(주)", "(주){stem}영업대행"), "corp", "sales", ("silver", "bronze")),
    "reseller": (("{stem}가전", "{stem}전자상사", "(주){stem}디지털"), "sole", "store", ("silver", "bronze")),
    "service_centre": (("{stem}테크서비스 {place}센터", "(주){stem}서비스 {place}센터"), "corp", "service", ("gold", "silver")),
}  # fmt: skip
_DESCRIPTIONS = {
    "distributor": "한빛공조 {region} 총판. 시스템에어컨·상업용 냉동기 재고 운영, 산하 대리점 공급.",
    "dealer": "한빛공조 공식 대리점. 가정용·상업용 에어컨 판매와 설치.",
    "agency": "한빛공조 B2B 영업대행. 학교·관공서 입찰 지원.",
    "reseller": "한빛공조 제품 취급 가전 매장.",
    "service_centre": "한빛공조 공인 서비스센터. 설치·점검·수리, 냉매 회수.",
}
# Distributors open in the big markets first, round the regions.
_DISTRIBUTOR_SIDOS = (
    "서울특별시", "부산광역시", "경기도", "대구광역시", "광주광역시", "대전광역시", "인천광역시", "경상남도",
    "충청남도", "전북특별자치도", "울산광역시", "충청북도", "경상북도", "전라남도", "강원특별자치도", "제주특별자치도",
)  # fmt: skip


def partner_plan(count: int) -> list[tuple[str, int | None]]:
    """(partner type, index of its distributor or None) for `count` partners; at least 3 distributors, each
    with at least two dealers under it."""
    distributors = max(3, round(count * 0.1))
    under = max(2 * distributors, round(count * 0.5))
    independent = round(count * 0.08)
    agencies = max(1, round(count * 0.07))
    resellers = max(1, round(count * 0.05))
    centres = max(1, count - distributors - under - independent - agencies - resellers)
    plan: list[tuple[str, int | None]] = [("distributor", None)] * distributors
    plan += [("dealer", index % distributors) for index in range(under)]
    plan += [("dealer", None)] * independent + [("agency", None)] * agencies + [("reseller", None)] * resellers
    plan += [("service_centre", None)] * centres
    return plan


def partners(rng: random.Random, count: int, taken: set[str]) -> list[dict]:
    """Partner accounts; a dealer under a distributor carries "_parent" (the distributor's index here)."""
    places = Places()
    region_of = {sido: region for region in SALES_REGIONS for sido in region[3]}
    rows: list[dict] = []
    for partner_type, parent in partner_plan(count):
        templates, business, suffix, tiers = _KINDS[partner_type]
        if partner_type == "distributor":
            sido = SIDO_BY_NAME[_DISTRIBUTOR_SIDOS[len(rows) % len(_DISTRIBUTOR_SIDOS)]]
            sido, sigungu = places.pick(rng, sido=sido)
        elif parent is not None:  # a dealer works in its distributor's region
            region = region_of[rows[parent]["sido"]]
            sido, sigungu = places.pick(rng, sido=SIDO_BY_NAME[pick(rng, region[3])])
        else:
            sido, sigungu = places.pick(rng)
        stem, stem_roman = pick(rng, COMPANY_STEMS)
        place = short_place(sigungu, sido)
        name = unique_name(pick(rng, templates).format(stem=stem, place=place), place, taken)
        row = company_row(
            rng,
            sido=sido,
            sigungu=sigungu,
            name=name,
            domain=f"{stem_roman}-{suffix}.example",
            business=business,
            industry="설비·인테리어" if partner_type == "service_centre" else "유통",
            size_weights=(70, 28, 2, 0),
        )
        row.update(
            kind="partner",
            partner_type=partner_type,
            tier=tiers[0] if not rows else pick(rng, tiers),
            description=_DESCRIPTIONS[partner_type].format(region=region_of[sido.name][1]),
            _parent=parent,
        )
        rows.append(row)
    return rows
