"""Duplicate detection for accounts and contacts: exact normalised keys plus a fuzzy name match.

Candidates are read through indexes only: exact BRN / email / phone lookups, and for names the rows that
share a block of the folded name's first three letters (letters 1-2, 1+3 or 2-3: generated, indexed columns
of Account, so one typo among them still finds the row). rapidfuzz then scores the few candidates in Python. Names are compared as Hangul jamo, so a one-letter typo in a
Korean name ("한빛" / "한빗") costs one jamo out of many, not a whole syllable.

The `*_many` variants answer a whole batch in a handful of queries (the import uses them);
the single-row functions are the same code for one probe. No access scope is applied here:
callers that show matches to a user filter them with `queries.visible_duplicates_for`.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from .models import Account, Contact
from .normalization import brn_key, company_name_key, email_key, name_blocks, person_name_key, phone_key

# A fuzzy name score (0-100) at or above this is reported as a possible duplicate.
NAME_THRESHOLD = 85
# One name containing the other ("대한공조" / "대한공조산업") counts as this similar, if the shorter has
# at least CONTAINMENT_MIN_LENGTH letters (so "삼성" does not match every 삼성 company).
CONTAINMENT_SCORE = 88
CONTAINMENT_MIN_LENGTH = 3
# At most this many rows are scored per query; blocks are index ranges, this bounds the work.
MAX_BLOCK_CANDIDATES = 20000
BLOCKS = ("name_block", "name_block_gap", "name_block_tail")
# Probes per query, so that IN lists stay within database parameter limits.
CHUNK = 400

SCORES = {"brn": 100, "name_exact": 95, "email": 92, "phone": 88, "mobile": 88}
REASON_LABELS = {
    "brn": _("Same business registration number"),
    "email": _("Same email"),
    "phone": _("Same phone number"),
    "mobile": _("Same mobile number"),
    "name_exact": _("Same name"),
    "name_similar": _("Similar name"),
}


@dataclass(frozen=True)
class DuplicateMatch:
    """One existing record that may be the same as the probe, with why and how sure (0-100)."""

    id: int
    name: str
    score: int
    reasons: tuple[str, ...]
    is_active: bool = True
    account_id: int | None = None  # contacts: the account they belong to

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]


@dataclass(frozen=True)
class AccountProbe:
    name: str
    brn: str = ""
    email: str = ""
    phone: str = ""
    exclude_id: int | None = None


@dataclass(frozen=True)
class ContactProbe:
    full_name: str
    email: str = ""
    phone: str = ""
    mobile: str = ""
    account_id: int | None = None
    exclude_id: int | None = None


def jamo(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def name_similarity(key_a: str, key_b: str) -> int:
    """0-100 similarity of two folded names (see normalization), Hangul compared letter by letter."""
    if not key_a or not key_b:
        return 0
    if key_a == key_b:
        return 100
    score = fuzz.ratio(jamo(key_a), jamo(key_b))
    shorter, longer = sorted((key_a, key_b), key=len)
    if len(shorter) >= CONTAINMENT_MIN_LENGTH and shorter in longer:
        score = max(score, CONTAINMENT_SCORE)
    return round(score)


@dataclass
class _Collector:
    reasons: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    name_scores: dict[int, int] = field(default_factory=dict)

    def add(self, row_id: int, reason: str) -> None:
        self.reasons[row_id].add(reason)

    def matches(self, rows: dict[int, dict], name_of: str, account_of: str | None = None) -> list[DuplicateMatch]:
        found = []
        for row_id, reasons in self.reasons.items():
            row = rows[row_id]
            scores = [SCORES[r] for r in reasons if r in SCORES]
            if "name_similar" in reasons:
                scores.append(self.name_scores[row_id])
            order = [r for r in ("brn", "email", "phone", "mobile", "name_exact", "name_similar") if r in reasons]
            found.append(
                DuplicateMatch(
                    id=row_id,
                    name=row[name_of],
                    # Two independent signals are surer than either alone.
                    score=min(100, max(scores) + 5 * (len(scores) - 1)),
                    reasons=tuple(order),
                    is_active=row["is_active"],
                    account_id=row.get(account_of) if account_of else None,
                )
            )
        found.sort(key=lambda match: (-match.score, match.name, match.id))
        return found


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def find_duplicate_accounts_many(probes: Sequence[AccountProbe]) -> list[list[DuplicateMatch]]:
    """For each probe, the existing accounts that may be the same company, best first."""
    keys = [
        {
            "name": company_name_key(probe.name),
            "brn": brn_key(probe.brn),
            "email": email_key(probe.email),
            "phone": phone_key(probe.phone),
        }
        for probe in probes
    ]
    for key in keys:
        key.update(name_blocks(key["name"]))
    columns = ("id", "name", "name_key", "brn", "email", "phone", "is_active", *BLOCKS)
    rows: dict[int, dict] = {}
    for chunk in _chunks(keys):
        condition = Q()
        for kind in ("brn", "email", "phone", *BLOCKS):
            values = {key[kind] for key in chunk if key[kind]}
            if values:
                condition |= Q(**{f"{kind}__in": values})
        if condition:
            for row in Account.objects.filter(condition).values(*columns)[:MAX_BLOCK_CANDIDATES]:
                rows[row["id"]] = row
    by: dict[str, dict[str, list[int]]] = {kind: defaultdict(list) for kind in ("brn", "email", "phone", *BLOCKS)}
    for row in rows.values():
        for kind in ("brn", "email", "phone", *BLOCKS):
            if row[kind]:
                by[kind][row[kind]].append(row["id"])

    results = []
    for probe, key in zip(probes, keys, strict=True):
        collector = _Collector()
        for kind in ("brn", "email", "phone"):
            for row_id in by[kind].get(key[kind], []) if key[kind] else []:
                collector.add(row_id, kind)
        candidates = {row_id for block in BLOCKS if key[block] for row_id in by[block].get(key[block], [])}
        for row_id in sorted(candidates):
            score = name_similarity(key["name"], rows[row_id]["name_key"])
            if score == 100:
                collector.add(row_id, "name_exact")
            elif score >= NAME_THRESHOLD:
                collector.add(row_id, "name_similar")
                collector.name_scores[row_id] = score
        collector.reasons.pop(probe.exclude_id, None)
        results.append(collector.matches(rows, "name"))
    return results


def find_duplicate_accounts(
    *, name: str, brn: str = "", email: str = "", phone: str = "", exclude_id: int | None = None
) -> list[DuplicateMatch]:
    """Existing accounts that may be the same company: exact BRN / email / phone, or a similar folded name
    ("(주)대한공조", "주식회사 대한 공조" and "대한공조 Co., Ltd." are the same name)."""
    probe = AccountProbe(name=name, brn=brn, email=email, phone=phone, exclude_id=exclude_id)
    return find_duplicate_accounts_many([probe])[0]


def find_duplicate_contacts_many(probes: Sequence[ContactProbe]) -> list[list[DuplicateMatch]]:
    """For each probe, existing contacts that may be the same person: same email or phone anywhere, or the
    same / a similar name at the same account."""
    keys = [
        {
            "name": person_name_key(probe.full_name),
            "email": email_key(probe.email),
            "numbers": {number for number in (phone_key(probe.phone), phone_key(probe.mobile)) if number},
            "account": probe.account_id,
        }
        for probe in probes
    ]
    columns = ("id", "full_name", "name_key", "email", "phone", "mobile", "account_id", "is_active")
    rows: dict[int, dict] = {}
    for chunk in _chunks(keys):
        emails = {key["email"] for key in chunk if key["email"]}
        numbers = set().union(*(key["numbers"] for key in chunk))
        accounts = {key["account"] for key in chunk if key["account"]}
        condition = Q()
        if emails:
            condition |= Q(email__in=emails)
        if numbers:
            condition |= Q(phone__in=numbers) | Q(mobile__in=numbers)
        if condition:
            for row in Contact.objects.filter(condition).values(*columns):
                rows[row["id"]] = row
        for account_id in accounts:
            for row in (
                Contact.objects.filter(account_id=account_id).order_by("id")[:MAX_BLOCK_CANDIDATES].values(*columns)
            ):
                rows[row["id"]] = row
    by_email: dict[str, list[int]] = defaultdict(list)
    by_number: dict[str, list[tuple[int, str]]] = defaultdict(list)
    by_account: dict[int, list[int]] = defaultdict(list)
    for row in rows.values():
        if row["email"]:
            by_email[row["email"]].append(row["id"])
        for kind in ("phone", "mobile"):
            if row[kind]:
                by_number[row[kind]].append((row["id"], kind))
        by_account[row["account_id"]].append(row["id"])

    results = []
    for probe, key in zip(probes, keys, strict=True):
        collector = _Collector()
        for row_id in by_email.get(key["email"], []) if key["email"] else []:
            collector.add(row_id, "email")
        for number in key["numbers"]:
            for row_id, kind in by_number.get(number, []):
                collector.add(row_id, kind)
        for row_id in by_account.get(key["account"], []) if key["account"] else []:
            score = name_similarity(key["name"], rows[row_id]["name_key"])
            if score == 100:
                collector.add(row_id, "name_exact")
            elif score >= NAME_THRESHOLD:
                collector.add(row_id, "name_similar")
                collector.name_scores[row_id] = score
        collector.reasons.pop(probe.exclude_id, None)
        results.append(collector.matches(rows, "full_name", "account_id"))
    return results


def find_duplicate_contacts(
    *,
    full_name: str,
    email: str = "",
    phone: str = "",
    mobile: str = "",
    account_id: int | None = None,
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Existing contacts that may be the same person (see `find_duplicate_contacts_many`)."""
    probe = ContactProbe(
        full_name=full_name, email=email, phone=phone, mobile=mobile, account_id=account_id, exclude_id=exclude_id
    )
    return find_duplicate_contacts_many([probe])[0]
