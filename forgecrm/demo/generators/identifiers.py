"""Korean identifiers and contact points that pass the platform's validators (BRN, E.164 phones, postcodes)."""

import random

from forgecrm.platform.korea.brn import check_digit

from ..places import BUILDING_DETAILS, COMMON_ROADS, ROADS, Sido
from .draws import between, pick

# The type segment (4th-5th digits) of a 사업자등록번호 tells what kind of business holds it.
BRN_TYPES: dict[str, tuple[int, ...]] = {
    "corp": (81, 81, 81, 86, 87, 88),  # 영리법인 본점 (81, 86, 87, 88)
    "nonprofit": (82,),  # 비영리법인
    "public": (83,),  # 국가·지방자치단체
    "sole": tuple(range(1, 80)),  # 개인 과세사업자
}

# 법인등록번호 registry-office prefixes (관할 등기소 + 법인 종류 11 = 주식회사) per 시/도, first 6 digits.
CORPORATE_REGISTRY: dict[str, str] = {
    "11": "110111", "26": "180111", "27": "170111", "28": "120111", "29": "200111", "30": "160111",
    "31": "230111", "41": "131111", "48": "194211", "47": "175611", "43": "150111", "44": "161511",
    "52": "210111", "46": "205111", "51": "141211", "50": "220111", "36": "164711",
}  # fmt: skip


def brn(rng: random.Random, sido: Sido, business: str) -> str:
    """A 10-digit 사업자등록번호 from a tax office of `sido`, with a type code for `business` and a valid check digit."""
    office = pick(rng, sido.tax_offices)
    kind = pick(rng, BRN_TYPES[business])
    serial = between(rng, 1, 9999)
    first_nine = f"{office}{kind:02d}{serial:04d}"
    return first_nine + str(check_digit(first_nine))


def corporate_number(rng: random.Random, sido: Sido) -> str:
    """A 13-digit 법인등록번호 (weights 1,2 alternating, check digit 10 - sum mod 10)."""
    first_twelve = CORPORATE_REGISTRY.get(sido.code, "110111") + f"{between(rng, 1, 999999):06d}"
    total = sum(int(digit) * (1 if index % 2 == 0 else 2) for index, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def landline(rng: random.Random, sido: Sido) -> str:
    """A fixed-line number of the 시/도's area in E.164 (+82 2 1234 5678)."""
    return f"+82{sido.area_code}{between(rng, 2000, 9999)}{between(rng, 0, 9999):04d}"


def mobile(rng: random.Random) -> str:
    """A 010 mobile number in E.164; 010-597x..599x are not allocated."""
    prefix = between(rng, 2000, 9999)
    if 5970 <= prefix <= 5999:
        prefix -= 100
    return f"+8210{prefix}{between(rng, 0, 9999):04d}"


def postal_code(rng: random.Random, sido: Sido) -> str:
    low, high = sido.postal
    return f"{between(rng, low, high):02d}{between(rng, 0, 999):03d}"


def road_address(rng: random.Random, sido: Sido, sigungu: str) -> tuple[str, str]:
    """A 도로명주소 ("경기도 수원시 영통구 삼성로 129") and an address detail ("5층")."""
    roads = ROADS.get((sido.name, sigungu)) or COMMON_ROADS
    road = pick(rng, roads)
    number = between(rng, 1, 400) if rng.random() < 0.8 else between(rng, 401, 2500)
    building = f"{number}-{between(rng, 1, 30)}" if rng.random() < 0.2 else str(number)
    parts = [sido.name, sigungu, road, building] if sigungu else [sido.name, road, building]
    return " ".join(parts), pick(rng, BUILDING_DETAILS)
