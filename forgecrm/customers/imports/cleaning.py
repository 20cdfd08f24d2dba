"""One file row -> a clean account and/or contact record, or the reasons it cannot be imported."""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from forgecrm.customers.models import Account, Contact
from forgecrm.customers.normalization import company_name_key, email_key, person_name_key
from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.korea.phone import normalize_phone

from .addresses import canonical_sido, split_address
from .mapping import FIELDS_BY_KEY, Target
from .reading import MAX_CELL_CHARS

HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3]+$")
# Model field behind each text target, for its length limit.
MODEL_FIELDS = {
    "account.name": (Account, "name"),
    "account.brn": (Account, "brn"),
    "account.corporate_number": (Account, "corporate_number"),
    "account.phone": (Account, "phone"),
    "account.email": (Account, "email"),
    "account.website": (Account, "website"),
    "account.road_address": (Account, "road_address"),
    "account.lot_address": (Account, "road_address"),
    "account.address_detail": (Account, "address_detail"),
    "account.sido": (Account, "sido"),
    "account.sigungu": (Account, "sigungu"),
    "account.postal_code": (Account, "postal_code"),
    "account.industry": (Account, "industry"),
    "account.external_id": (Account, "external_id"),
    "contact.full_name": (Contact, "full_name"),
    "contact.first_name": (Contact, "full_name"),
    "contact.last_name": (Contact, "full_name"),
    "contact.title": (Contact, "title"),
    "contact.department": (Contact, "department"),
    "contact.email": (Contact, "email"),
    "contact.phone": (Contact, "phone"),
    "contact.mobile": (Contact, "mobile"),
    "contact.external_id": (Contact, "external_id"),
    "owner_email": (Contact, "email"),
}


def stable_id(*parts: str) -> str:
    """An external id for a file without an id column: the same normalised keys give the same id on re-run."""
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


@functools.lru_cache(maxsize=65_536)
def _normal_phone(value: str) -> tuple[str, Any]:
    """phonenumbers costs about 0.3 ms a number; lists repeat office numbers, so results are kept.

    The problem is kept as its lazy message, to be shown in the language of whoever reads it.
    """
    try:
        return normalize_phone(value), None
    except ValidationError as error:
        return value, error.error_list[0].message


@dataclass
class AccountRecord:
    line: int
    name: str
    name_key: str
    ext_id: str
    file_id: str = ""
    brn: str = ""
    corporate_number: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    road_address: str = ""
    address_detail: str = ""
    sido: str = ""
    sigungu: str = ""
    postal_code: str = ""
    industry: str = ""
    employees: int | None = None
    annual_revenue: int | None = None
    description: str = ""
    owner_email: str = ""

    def match_keys(self) -> list[tuple]:
        """What makes two rows the same account: file id, BRN, email, phone, or the folded name in one 시/도.

        A row without a 시/도 (a company repeated on its contacts' rows without the address) matches the
        same name anywhere.
        """
        if self.file_id:
            # The source system's id says which rows are one record: Salesforce rows that share a phone
            # or a name are still different accounts.
            return [("x", self.file_id)]
        keys: list[tuple] = [("n", self.name_key, self.sido) if self.sido else ("n*", self.name_key)]
        if self.brn:
            keys.append(("b", self.brn))
        if self.email:
            keys.append(("e", email_key(self.email)))
        if self.phone:
            keys.append(("p", self.phone))
        return keys

    def register_keys(self) -> list[tuple]:
        if self.file_id:
            return self.match_keys()
        return [*self.match_keys(), ("n", self.name_key, self.sido), ("n*", self.name_key)]


@dataclass
class ContactRecord:
    line: int
    full_name: str
    name_key: str
    ext_id: str
    account_ref: str  # what names the account: its record's ext id, or the lookup values joined
    file_id: str = ""
    title: str = ""
    department: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    owner_email: str = ""
    account_line: int = 0  # in a file of accounts with contacts: the line of the row that holds the account
    # How a contacts-only file names an existing account.
    account_file_id: str = ""
    account_brn: str = ""
    account_name_key: str = ""
    account_sido: str = ""

    def match_keys(self) -> list[tuple]:
        if self.file_id:
            return [("x", self.file_id)]
        keys: list[tuple] = [("n", self.name_key, self.account_ref)]
        if self.email:
            keys.append(("e", email_key(self.email)))
        if self.mobile:
            keys.append(("m", self.mobile))
        return keys

    def register_keys(self) -> list[tuple]:
        return self.match_keys()


@dataclass
class CleanRow:
    line: int
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)  # field key -> cleaned value, for the preview
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)
    account: AccountRecord | None = None
    contact: ContactRecord | None = None


class RowCleaner:
    """Applies a column mapping and the validation rules to each row of one file."""

    def __init__(self, headers: list[str], mapping: dict[str, str], target: str) -> None:
        self.headers = headers
        self.target = target
        self.columns = {field_key: int(index) for index, field_key in mapping.items()}
        self.limits: dict[str, int] = {
            key: getattr(model._meta.get_field(name), "max_length", None) or MAX_CELL_CHARS
            for key, (model, name) in MODEL_FIELDS.items()
        }
        self.url_validator = URLValidator(schemes=["http", "https"])

    def header(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None:
            return str(FIELDS_BY_KEY[key].label)
        return self.headers[index] if index < len(self.headers) else str(FIELDS_BY_KEY[key].label)

    def clean(self, line: int, cells: list[str]) -> CleanRow:
        row = CleanRow(line=line, cells=cells)
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                column = self.headers[index] if index < len(self.headers) else f"#{index + 1}"
                row.errors.append(
                    (
                        column,
                        _("The cell holds %(count)s characters; at most 32,767 are read.")
                        % {"count": f"{len(cell):,}"},
                    )
                )
        if row.errors:
            return row
        raw = {key: self._text(cells, index) for key, index in self.columns.items()}
        values = self._validate(raw, row)
        row.values = values
        if row.errors:
            return row
        if self.target in (Target.ACCOUNTS, Target.BOTH):
            row.account = self._account(line, values, row)
        if self.target in (Target.CONTACTS, Target.BOTH):
            row.contact = self._contact(line, values, row)
        if row.errors:
            row.account = row.contact = None
        return row

    @staticmethod
    def _text(cells: list[str], index: int) -> str:
        value = cells[index] if index < len(cells) else ""
        # NFKC folds full-width letters and the ideographic spaces Salesforce fixtures wrap ids in.
        return " ".join(unicodedata.normalize("NFKC", value).split()) if "\n" not in value else value.strip()

    def _validate(self, raw: dict[str, str], row: CleanRow) -> dict[str, str]:
        values: dict[str, str] = {}
        for key, value in raw.items():
            if not value:
                values[key] = ""
                continue
            try:
                values[key] = self._field(key, value)
            except ValidationError as error:
                row.errors.append((self.header(key), " ".join(str(message) for message in error.messages)))
                values[key] = value
        return values

    def _field(self, key: str, value: str) -> str:
        kind = key.split(".")[-1]
        if kind == "brn":
            return validate_brn(value)
        if kind in ("phone", "mobile"):
            value, problem = _normal_phone(value)
            if problem is not None:
                raise ValidationError(problem, code="phone")
        elif kind == "email" or key == "owner_email":
            validate_email(value)
            value = value.lower()  # as the account and contact operations store it
        elif kind == "website":
            value = value if "://" in value else f"https://{value}"
            self.url_validator(value)
        elif kind == "corporate_number":
            value = re.sub(r"[\s-]", "", value)
            if not (value.isdigit() and len(value) == 13):
                raise ValidationError(_("A corporate registration number has 13 digits."))
        elif kind in ("employees", "annual_revenue"):
            return str(self._number(value))
        elif kind == "sido":
            value = canonical_sido(value)
        elif kind == "description":
            return value
        limit = self.limits.get(key)
        if limit and len(value) > limit:
            raise ValidationError(
                _("Too long: at most %(limit)s characters (this has %(count)s).")
                % {"limit": limit, "count": len(value)}
            )
        return value

    @staticmethod
    def _number(value: str) -> int:
        text = re.sub(r"[\s,₩원]|KRW", "", value)
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(_("Enter a whole number.")) from error
        if number < 0 or number != number.to_integral_value() or number >= 10**18:
            raise ValidationError(_("Enter a whole number that is not negative."))
        return int(number)

    def _account(self, line: int, values: dict[str, str], row: CleanRow) -> AccountRecord | None:
        name = values.get("account.name", "")
        if not name:
            row.errors.append((self.header("account.name"), _("The account name is missing.")))
            return None
        name_key = company_name_key(name)
        if not name_key:
            row.errors.append((self.header("account.name"), _("The account name has no letters or digits.")))
            return None
        road = values.get("account.road_address", "") or values.get("account.lot_address", "")
        sido, sigungu = values.get("account.sido", ""), values.get("account.sigungu", "")
        if road and not (sido and sigungu):
            found_sido, found_sigungu = split_address(road)
            if not sido or sido == found_sido:
                sido, sigungu = found_sido or sido, sigungu or found_sigungu
        record = AccountRecord(
            line=line,
            name=name,
            name_key=name_key,
            ext_id="",
            file_id=values.get("account.external_id", ""),
            brn=values.get("account.brn", ""),
            corporate_number=values.get("account.corporate_number", ""),
            phone=values.get("account.phone", ""),
            email=values.get("account.email", ""),
            website=values.get("account.website", ""),
            road_address=road,
            address_detail=values.get("account.address_detail", ""),
            sido=sido,
            sigungu=sigungu,
            postal_code=values.get("account.postal_code", ""),
            industry=values.get("account.industry", ""),
            employees=int(values["account.employees"]) if values.get("account.employees") else None,
            annual_revenue=int(values["account.annual_revenue"]) if values.get("account.annual_revenue") else None,
            description=values.get("account.description", ""),
            owner_email=values.get("owner_email", ""),
        )
        record.ext_id = record.file_id or stable_id(
            "account", record.brn, email_key(record.email), record.phone, record.name_key, record.sido
        )
        return record

    def _contact(self, line: int, values: dict[str, str], row: CleanRow) -> ContactRecord | None:
        full_name = values.get("contact.full_name", "")
        if not full_name:
            first, last = values.get("contact.first_name", ""), values.get("contact.last_name", "")
            korean = all(HANGUL_ONLY.match(part) for part in (first, last) if part)
            full_name = f"{last}{first}" if korean else f"{first} {last}".strip()
        has_details = any(
            values.get(key) for key in ("contact.email", "contact.mobile", "contact.phone", "contact.title")
        )
        if not full_name:
            if self.target == Target.BOTH and not has_details:
                return None  # an account row without a person
            row.errors.append((self.header("contact.full_name"), _("The contact name is missing.")))
            return None
        if len(full_name) > self.limits["contact.full_name"]:
            row.errors.append(
                (
                    self.header("contact.full_name"),
                    _("Too long: at most %(limit)s characters (this has %(count)s).")
                    % {"limit": self.limits["contact.full_name"], "count": len(full_name)},
                )
            )
            return None
        record = ContactRecord(
            line=line,
            full_name=full_name,
            name_key=person_name_key(full_name),
            ext_id="",
            account_ref="",
            file_id=values.get("contact.external_id", ""),
            title=values.get("contact.title", ""),
            department=values.get("contact.department", ""),
            email=values.get("contact.email", ""),
            phone=values.get("contact.phone", ""),
            mobile=values.get("contact.mobile", ""),
            owner_email=values.get("owner_email", ""),
        )
        if self.target == Target.CONTACTS:
            record.account_file_id = values.get("account.external_id", "")
            record.account_brn = values.get("account.brn", "")
            account_name = values.get("account.name", "")
            record.account_name_key = company_name_key(account_name) if account_name else ""
            record.account_sido = values.get("account.sido", "")
            if not (record.account_file_id or record.account_brn or record.account_name_key):
                row.errors.append((_("Account"), _("The row does not say which account the contact belongs to.")))
                return None
            record.account_ref = "|".join(
                (record.account_file_id, record.account_brn, record.account_name_key, record.account_sido)
            )
        elif row.account is not None:
            record.account_ref = row.account.ext_id
        record.ext_id = record.file_id or stable_id(
            "contact", record.account_ref, record.name_key, email_key(record.email), record.mobile
        )
        return record
