"""시/도 and 시/군/구 from a Korean address, and the one spelling of each 시/도 that territories use."""

import unicodedata

# The 17 시/도 by their current official names, with the forms people and old files write.
SIDO_FORMS = {
    "서울특별시": ("서울", "서울시", "서울특별시", "seoul"),
    "부산광역시": ("부산", "부산시", "부산광역시", "busan"),
    "대구광역시": ("대구", "대구시", "대구광역시", "daegu"),
    "인천광역시": ("인천", "인천시", "인천광역시", "incheon"),
    "광주광역시": ("광주", "광주시", "광주광역시", "gwangju"),
    "대전광역시": ("대전", "대전시", "대전광역시", "daejeon"),
    "울산광역시": ("울산", "울산시", "울산광역시", "ulsan"),
    "세종특별자치시": ("세종", "세종시", "세종특별자치시", "sejong"),
    "경기도": ("경기", "경기도", "gyeonggi", "gyeonggido", "gyeonggi-do"),
    "강원특별자치도": ("강원", "강원도", "강원특별자치도", "gangwon", "gangwondo", "gangwon-do"),
    "충청북도": ("충북", "충청북도", "chungbuk", "chungcheongbuk-do"),
    "충청남도": ("충남", "충청남도", "chungnam", "chungcheongnam-do"),
    "전북특별자치도": ("전북", "전라북도", "전북특별자치도", "jeonbuk", "jeollabuk-do"),
    "전라남도": ("전남", "전라남도", "jeonnam", "jeollanam-do"),
    "경상북도": ("경북", "경상북도", "gyeongbuk", "gyeongsangbuk-do"),
    "경상남도": ("경남", "경상남도", "gyeongnam", "gyeongsangnam-do"),
    "제주특별자치도": ("제주", "제주도", "제주특별자치도", "jeju", "jeju-do"),
}
SIDO_BY_FORM = {form: name for name, forms in SIDO_FORMS.items() for form in forms}
SIGUNGU_SUFFIXES = ("시", "군", "구")


def canonical_sido(value: str) -> str:
    """ "서울" -> "서울특별시", "강원도" -> "강원특별자치도"; unknown values come back trimmed as given."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    return SIDO_BY_FORM.get(text.lower().replace(" ", ""), SIDO_BY_FORM.get(text, text))


def split_address(address: str) -> tuple[str, str]:
    """(시/도, 시/군/구) from the first words of a road-name or lot-number address, or ("", "")."""
    tokens = unicodedata.normalize("NFKC", address or "").replace(",", " ").split()
    if not tokens:
        return "", ""
    sido = SIDO_BY_FORM.get(tokens[0])
    if sido is None:
        return "", ""
    rest = tokens[1:]
    if sido == "세종특별자치시" or not rest or not rest[0].endswith(SIGUNGU_SUFFIXES):
        return sido, ""
    sigungu = rest[0]
    # 수원시 영통구: a city with districts is written "시 구", which is how 시/군/구 names it.
    if sigungu.endswith("시") and len(rest) > 1 and rest[1].endswith("구") and len(rest[1]) > 1:
        sigungu = f"{sigungu} {rest[1]}"
    return sido, sigungu
