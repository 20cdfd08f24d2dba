"""Keys for duplicate matching: the same company or person written differently folds to the same key."""

import re
import unicodedata

from forgecrm.platform.korea.brn import compact as brn_compact

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


def brn_key(value: str) -> str:
    digits = brn_compact(value or "")
    return digits if digits.isdigit() and len(digits) == 10 else ""
