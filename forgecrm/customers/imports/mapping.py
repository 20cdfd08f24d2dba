"""Which file column feeds which field: Korean and English headers recognised, editable on the preview."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class Target:
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    BOTH = "accounts_contacts"
    CHOICES = (
        (ACCOUNTS, _("Accounts")),
        (CONTACTS, _("Contacts (of existing accounts)")),
        (BOTH, _("Accounts and their contacts (one row each)")),
    )


@dataclass(frozen=True)
class TargetField:
    key: str
    label: object  # a lazy translation
    group: str  # "account", "contact" or "owner"
    synonyms: tuple[str, ...] = ()


# Synonyms are compared after `header_key` folding: NFKC, lower case, no spaces, punctuation, "(...)" or "__c".
FIELDS = (
    TargetField(
        "account.name",
        _("Account name"),
        "account",
        (
            "회사명", "상호", "상호명", "거래처명", "거래처", "업체명", "기업명", "법인명", "회사", "고객사", "고객사명",
            "기관명", "시설명", "사업장명", "accountname", "company", "companyname", "organization",
            "organisation", "organizationname", "account",
        ),
    ),
    TargetField("account.brn", _("Business registration number"), "account", (
        "사업자등록번호", "사업자번호", "사업자등록", "brn", "businessregistrationnumber", "businessnumber", "taxid",
    )),
    TargetField("account.corporate_number", _("Corporate registration number"), "account", (
        "법인등록번호", "법인번호", "corporatenumber", "corporateregistrationnumber",
    )),
    TargetField("account.phone", _("Account phone"), "account", (
        "대표전화", "대표전화번호", "대표번호", "회사전화", "회사전화번호", "companyphone", "accountphone", "mainphone",
    )),
    TargetField("account.email", _("Account email"), "account", (
        "대표이메일", "회사이메일", "대표메일", "companyemail", "accountemail",
    )),
    TargetField("account.website", _("Website"), "account", ("홈페이지", "웹사이트", "website", "homepage", "url", "web")),
    TargetField("account.road_address", _("Road-name address"), "account", (
        "도로명주소", "주소", "소재지", "사업장주소", "회사주소", "본사주소", "address", "street", "billingstreet",
        "roadaddress", "address1", "주소1",
    )),
    TargetField("account.lot_address", _("Lot-number address (used when no road-name address)"), "account", (
        "지번주소", "지번", "lotaddress", "jibunaddress",
    )),
    TargetField("account.address_detail", _("Address detail"), "account", (
        "상세주소", "나머지주소", "주소2", "addressdetail", "address2",
    )),
    TargetField("account.sido", _("시/도"), "account", ("시도", "광역시도", "시도명", "state", "province", "billingstate")),
    TargetField("account.sigungu", _("시/군/구"), "account", ("시군구", "시군구명", "구군", "city", "billingcity")),
    TargetField("account.postal_code", _("Postal code"), "account", (
        "우편번호", "postalcode", "zipcode", "zip", "postcode", "billingpostalcode",
    )),
    TargetField("account.industry", _("Industry"), "account", ("업종", "업태", "산업", "산업분류", "industry", "sector")),
    TargetField("account.employees", _("Employees"), "account", (
        "직원수", "종업원수", "임직원수", "사원수", "employees", "numberofemployees", "numemployees", "numemp",
    )),
    TargetField("account.annual_revenue", _("Annual revenue (KRW)"), "account", (
        "매출", "매출액", "연매출", "연간매출", "annualrevenue", "revenue",
    )),
    TargetField("account.description", _("Description"), "account", (
        "비고", "메모", "설명", "description", "notes", "note", "remarks", "remark",
    )),
    TargetField("account.external_id", _("Account external ID"), "account", (
        "거래처코드", "거래처id", "고객코드", "회사코드", "accountid", "accountexternalid", "accountcode",
    )),
    TargetField("owner_email", _("Owner (user email)"), "owner", (
        "담당영업", "영업담당자이메일", "소유자", "소유자이메일", "owner", "owneremail", "owneruserusername", "ownerusername",
    )),
    TargetField("contact.full_name", _("Contact name"), "contact", (
        "담당자명", "담당자", "담당자성명", "성명", "고객명", "이름", "contactname", "fullname",
    )),
    TargetField("contact.first_name", _("First name"), "contact", ("firstname", "givenname")),
    TargetField("contact.last_name", _("Last name"), "contact", ("lastname", "surname", "familyname")),
    TargetField("contact.title", _("Job title"), "contact", ("직함", "직책", "직위", "title", "jobtitle", "position")),
    TargetField("contact.department", _("Department"), "contact", ("부서", "부서명", "소속", "department", "dept")),
    TargetField("contact.email", _("Contact email"), "contact", ("담당자이메일", "담당자메일", "contactemail")),
    TargetField("contact.phone", _("Contact phone"), "contact", (
        "담당자전화", "담당자전화번호", "담당자연락처", "직통전화", "직통번호", "사무실전화", "contactphone", "workphone",
        "officephone",
    )),
    TargetField("contact.mobile", _("Mobile"), "contact", (
        "휴대폰", "휴대전화", "휴대폰번호", "휴대전화번호", "핸드폰", "핸드폰번호", "모바일", "mobile", "mobilephone",
        "cellphone", "cell",
    )),
    TargetField("contact.external_id", _("Contact external ID"), "contact", ("담당자코드", "contactid", "contactexternalid")),
)  # fmt: skip
FIELDS_BY_KEY = {field.key: field for field in FIELDS}

# Headers that mean one thing or another depending on what is imported: (synonyms, fields in order of preference).
GENERIC: dict[str, tuple[str, ...]] = {
    "name": ("name", "명칭", "이름명"),
    "phone": ("전화번호", "전화", "연락처", "phone", "tel", "telephone", "phonenumber"),
    "email": ("이메일", "이메일주소", "메일", "email", "emailaddress", "mail"),
    "external_id": ("id", "외부id", "externalid", "코드", "code", "recordid"),
}
GENERIC_TARGETS: dict[str, dict[str, tuple[str, ...]]] = {
    Target.ACCOUNTS: {
        "name": ("account.name",),
        "phone": ("account.phone",),
        "email": ("account.email",),
        "external_id": ("account.external_id",),
    },
    Target.CONTACTS: {
        "name": ("contact.full_name",),
        "phone": ("contact.phone",),
        "email": ("contact.email",),
        "external_id": ("contact.external_id",),
    },
    Target.BOTH: {
        "name": ("account.name", "contact.full_name"),
        "phone": ("contact.phone", "account.phone"),
        "email": ("contact.email", "account.email"),
        "external_id": ("contact.external_id", "account.external_id"),
    },
}
# In a contacts-only file the account columns only find the account the contact belongs to.
CONTACT_ACCOUNT_LOOKUPS = ("account.name", "account.brn", "account.external_id", "account.sido")
PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]")
NOT_LETTERS = re.compile(r"[\W_]+", re.UNICODE)


def header_key(header: str) -> str:
    """ "Billing Postal Code" -> "billingpostalcode"; "시·도" -> "시도"; "사업자번호(10자리)" -> "사업자번호"."""
    text = unicodedata.normalize("NFKC", header or "").strip().lower()
    text = PARENTHESES.sub("", text)
    text = re.sub(r"__c$", "", text)
    return NOT_LETTERS.sub("", text)


def fields_for(target: str) -> list[TargetField]:
    """The fields a column may be mapped to for this kind of import."""
    if target == Target.ACCOUNTS:
        return [field for field in FIELDS if field.group in ("account", "owner")]
    if target == Target.CONTACTS:
        return [
            field for field in FIELDS if field.group in ("contact", "owner") or field.key in CONTACT_ACCOUNT_LOOKUPS
        ]
    return list(FIELDS)


def _candidates(header: str, target: str, allowed: set[str]) -> tuple[list[str], list[str], list[str]]:
    """Fields a header may mean: named exactly, named by a generic word (Name, Phone), or by a Korean suffix."""
    key = header_key(header)
    explicit = [field.key for field in FIELDS if key in field.synonyms and field.key in allowed]
    generic: list[str] = []
    for word, synonyms in GENERIC.items():
        if key in synonyms:
            generic += [name for name in GENERIC_TARGETS[target][word] if name in allowed]
    # Salesforce external-id fields are custom fields named like Oracle_Id__c.
    if re.search(r"id__c$", (header or "").strip().lower()) or key.endswith("externalid"):
        generic += [name for name in GENERIC_TARGETS[target]["external_id"] if name in allowed]
    # 소재지도로명주소 is a 도로명주소 and 사용안내전화번호 a 전화번호: the longest Korean suffix wins.
    suffix: list[str] = []
    best_length = 0
    options = [([field.key], field.synonyms) for field in FIELDS if field.key in allowed]
    options += [(list(GENERIC_TARGETS[target][word]), GENERIC[word]) for word in ("name", "phone", "email")]
    for fields, synonyms in options:
        for synonym in synonyms:
            if len(synonym) > best_length and not synonym.isascii() and key.endswith(synonym):
                suffix, best_length = [name for name in fields if name in allowed], len(synonym)
    return explicit, generic, suffix


def guess_mapping(headers: list[str], target: str) -> dict[str, str]:
    """{column index as a string: field key}; each field is fed by at most one column, exact names first."""
    allowed = {field.key for field in fields_for(target)}
    candidates = [_candidates(header, target, allowed) if header_key(header) else ([], [], []) for header in headers]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for level in range(3):
        for index, options in enumerate(candidates):
            if str(index) in mapping:
                continue
            for field_key in options[level]:
                if field_key not in taken:
                    mapping[str(index)] = field_key
                    taken.add(field_key)
                    break
    return mapping


def clean_mapping(
    raw: dict[str, str],
    headers: list[str],
    target: str,
    *,
    allowed: set[str] | None = None,
    multiple: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """A mapping a user submitted, kept to real columns and allowed fields, each field once (but `multiple`)."""
    if allowed is None:
        allowed = {field.key for field in fields_for(target)}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index in range(len(headers)):
        field_key = raw.get(str(index), "")
        if field_key in allowed and field_key not in taken:
            mapping[str(index)] = field_key
            if field_key not in multiple:
                taken.add(field_key)
    return mapping
