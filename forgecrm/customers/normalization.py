"""Keys for duplicate matching: the same company or person written differently folds to the same key."""

import re
import unicodedata

from django.core.exceptions import ValidationError

from forgecrm.platform.korea.brn import compact as brn_compact
from forgecrm.platform.korea.phone import normalize_phone

# Korean and English corporate forms that do not distinguish one company from another.
CORPORATE_FORMS = re.compile(
    r"\(\s*주\s*\)|㈜|주식회사|\(\s*유\s*\)|유한회사|유한책임회사|\(\s*합\s*\)|합자회사|합명회사|\(\s*사\s*\)|사단법인|\(\s*재\s*\)|재단법인"
    r"|\b(co\.?,?\s*ltd\.?|co\.|ltd\.?|inc\.?|corp\.?|corporation|company|limited|llc|gmbh)\b"
)
NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def company_name_key(name: str) -> str:
    """ "(주)대한 공조", "주식회사 대한공조" and "대한공조 Co., Ltd." all give "대한공조"."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = CORPORATE_FORMS.sub(" ", text)
    return NON_WORD.sub("", text)


def person_name_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "").lower()
    return NON_WORD.sub("", text)


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def name_blocks(name_key: str) -> dict[str, str]:
    """The indexed blocks of a folded name, as Account's generated columns compute them (see the model)."""
    key = name_key or ""
    return {"name_block": key[:2], "name_block_gap": key[:1] + key[2:3], "name_block_tail": key[1:3]}


def phone_key(value: str) -> str:
    """E.164 when the number is valid (what operations store), else "" (no match on garbage)."""
    try:
        return normalize_phone(value or "")
    except ValidationError:
        return ""


def brn_key(value: str) -> str:
    digits = brn_compact(value or "")
    return digits if digits.isdigit() and len(digits) == 10 else ""


# The 17 시/도 by their current official names: the spelling territory rules and forms use.
SIDO_NAMES = (
    "서울특별시",
    "부산광역시",
    "대구광역시",
    "인천광역시",
    "광주광역시",
    "대전광역시",
    "울산광역시",
    "세종특별자치시",
    "경기도",
    "강원특별자치도",
    "충청북도",
    "충청남도",
    "전북특별자치도",
    "전라남도",
    "경상북도",
    "경상남도",
    "제주특별자치도",
)
