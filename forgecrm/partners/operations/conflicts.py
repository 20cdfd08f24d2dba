"""Channel conflicts: a partner's claim (a deal registration or a referred online inquiry) checked against what
headquarters already knows about the same customer, and the channel manager's decision on each match.

Detection is set-based: whatever the number of candidates, a handful of queries. Accounts come from the
customers app's duplicate finder (exact BRN / email / phone keys, and the folded name's indexed blocks scored
with its jamo similarity), plus the contacts holding the same email or phone; open opportunities on those
accounts come in one query; other partners' active registrations in one query (exact keys, or a name
pre-filtered by its first letter or its second and third, then scored in Python with the same similarity).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from forgecrm.customers.duplicates import NAME_THRESHOLD, find_duplicate_accounts, name_similarity
from forgecrm.customers.models import Account, AccountKind, Contact
from forgecrm.customers.normalization import brn_key, company_name_key, email_key, phone_key
from forgecrm.platform import events
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Opportunity

from ..models import ChannelConflict, ConflictKind, ConflictStatus, DealRegistration, RegistrationStatus

ACTIVE = (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED)
SCORES = {"brn": 100, "email": 92, "phone": 88, "name_exact": 95}
REASON_LABELS = {
    "brn": gettext_lazy("Same business registration number"),
    "email": gettext_lazy("Same contact email"),
    "phone": gettext_lazy("Same contact phone"),
    "name_exact": gettext_lazy("Same company name"),
    "name_similar": gettext_lazy("Similar company name"),
    "exclusive": gettext_lazy("Another partner's exclusive registration"),
}
# Contacts matched by email or phone name at most this many accounts (a shared switchboard number must not
# pull in half the customer base).
MAX_CONTACT_ACCOUNTS = 50


@dataclass(frozen=True)
class Claim:
    """What a partner claims: the customer as the partner names it, and who claims it."""

    partner_id: int
    name: str
    brn: str = ""
    email: str = ""
    phone: str = ""
    registration_id: int | None = None


@dataclass
class Match:
    kind: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    score: int = 0
    other_registration: DealRegistration | None = None
    other_opportunity_id: int | None = None
    other_account_id: int | None = None
    blocking: bool = False  # another partner's approved registration, still exclusive


def _score(reasons: set[str], name_score: int = 0) -> int:
    scores = [SCORES[reason] for reason in reasons if reason in SCORES]
    if "name_similar" in reasons:
        scores.append(name_score)
    # Two independent signals are surer than either alone (as in the customers app's duplicate finder).
    return min(100, max(scores, default=0) + 5 * (max(len(scores), 1) - 1))


def _reasons(reasons: set[str], name_score: int = 0) -> list[dict[str, Any]]:
    order = ("brn", "email", "phone", "name_exact", "name_similar")
    found = []
    for reason in order:
        if reason in reasons:
            item: dict[str, Any] = {"reason": reason}
            if reason == "name_similar":
                item["similarity"] = name_score
            found.append(item)
    return found


def _matched_accounts(claim: Claim, keys: dict[str, str]) -> dict[int, tuple[set[str], int]]:
    """account id -> (reasons, name score): the account duplicate finder plus contacts with the same email or
    phone (two queries for any number of accounts)."""
    matched: dict[int, tuple[set[str], int]] = {}
    for match in find_duplicate_accounts(name=claim.name, brn=keys["brn"], email=keys["email"], phone=keys["phone"]):
        reasons = set(match.reasons)
        name_score = name_similarity(keys["name"], company_name_key(match.name)) if "name_similar" in reasons else 0
        matched[match.id] = (reasons, name_score)
    contact_q = Q()
    if keys["email"]:
        contact_q |= Q(email=keys["email"])
    if keys["phone"]:
        contact_q |= Q(phone=keys["phone"]) | Q(mobile=keys["phone"])
    if contact_q:
        rows = Contact.objects.filter(contact_q).values_list("account_id", "email")[:MAX_CONTACT_ACCOUNTS]
        for account_id, email in rows:
            reasons, name_score = matched.get(account_id, (set(), 0))
            reasons.add("email" if keys["email"] and email == keys["email"] else "phone")
            matched[account_id] = (reasons, name_score)
    return matched


def _name_candidates(name_key: str) -> Q:
    if not name_key:
        return Q(pk__in=[])
    condition = Q(customer_name_key__startswith=name_key[:1])
    if len(name_key) >= 3:
        condition |= Q(customer_name_key__contains=name_key[1:3])
    return condition


def find_channel_conflicts(claim: Claim, *, today: dt.date | None = None) -> list[Match]:
    """Every other channel's claim on the same customer: open opportunities (not the claimant's own), customers
    headquarters serves directly, other partners' submitted or approved registrations. Best match first."""
    today = today or timezone.localdate()
    keys = {
        "name": company_name_key(claim.name),
        "brn": brn_key(claim.brn),
        "email": email_key(claim.email),
        "phone": phone_key(claim.phone),
    }
    matches: list[Match] = []

    accounts = _matched_accounts(claim, keys)
    with_opportunity: set[int] = set()
    if accounts:
        opportunities = (
            Opportunity.objects.filter(account_id__in=accounts, stage__is_won=False, stage__is_lost=False)
            .exclude(partner_id=claim.partner_id)
            .values_list("pk", "account_id")
        )
        if claim.registration_id:
            opportunities = opportunities.exclude(deal_registration__pk=claim.registration_id)
        for opportunity_id, account_id in opportunities:
            reasons, name_score = accounts[account_id]
            with_opportunity.add(account_id)
            matches.append(
                Match(
                    kind=ConflictKind.OPPORTUNITY,
                    reasons=_reasons(reasons, name_score),
                    score=_score(reasons, name_score),
                    other_opportunity_id=opportunity_id,
                    other_account_id=account_id,
                )
            )
        direct = Account.objects.filter(
            pk__in=set(accounts) - with_opportunity, kind=AccountKind.CUSTOMER, partner__isnull=True, is_active=True
        ).values_list("pk", flat=True)
        for account_id in direct:
            reasons, name_score = accounts[account_id]
            matches.append(
                Match(
                    kind=ConflictKind.DIRECT_ACCOUNT,
                    reasons=_reasons(reasons, name_score),
                    score=_score(reasons, name_score),
                    other_account_id=account_id,
                )
            )

    exact = Q()
    for column, key in (("customer_brn", "brn"), ("contact_email", "email"), ("contact_phone", "phone")):
        if keys[key]:
            exact |= Q(**{column: keys[key]})
    others = (
        DealRegistration.objects.filter(status__in=ACTIVE)
        .filter(exact | _name_candidates(keys["name"]))
        .exclude(partner_id=claim.partner_id)
        .select_related("partner")
    )
    if claim.registration_id:
        others = others.exclude(pk=claim.registration_id)
    for other in others:
        found: set[str] = set()
        if keys["brn"] and other.customer_brn == keys["brn"]:
            found.add("brn")
        if keys["email"] and other.contact_email == keys["email"]:
            found.add("email")
        if keys["phone"] and other.contact_phone == keys["phone"]:
            found.add("phone")
        name_score = name_similarity(keys["name"], other.customer_name_key)
        if name_score == 100:
            found.add("name_exact")
        elif name_score >= NAME_THRESHOLD:
            found.add("name_similar")
        if not found:
            continue
        match = Match(
            kind=ConflictKind.REGISTRATION,
            reasons=_reasons(found, name_score),
            score=_score(found, name_score),
            other_registration=other,
        )
        if other.status == RegistrationStatus.APPROVED and other.exclusive_until and other.exclusive_until >= today:
            match.blocking = True
            match.reasons.append({"reason": "exclusive", "until": other.exclusive_until.isoformat()})
        matches.append(match)
    matches.sort(key=lambda match: (-match.score, match.kind))
    return matches


def open_conflicts(
    *, actor, matches: list[Match], registration: DealRegistration | None = None, offer=None
) -> list[ChannelConflict]:
    """One ChannelConflict per match (in bulk, with history). A match with another partner's registration that is
    still exclusive is decided at once for the other side: exclusivity is the rule, not a judgement call."""
    now = timezone.now()
    rows = []
    for match in matches:
        row = ChannelConflict(
            kind=ConflictKind.REFERRAL if offer is not None else match.kind,
            registration=registration,
            offer=offer,
            other_registration=match.other_registration,
            other_opportunity_id=match.other_opportunity_id,
            other_account_id=match.other_account_id,
            match_reasons=match.reasons,
            score=match.score,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if match.blocking:
            row.status = ConflictStatus.RESOLVED_FOR_OTHER
            row.decided_at = now
            row.resolution_note = _("Another partner's approved registration is exclusive until %(date)s.") % {
                "date": match.other_registration.exclusive_until  # type: ignore[union-attr]  # blocking implies it
            }
        rows.append(row)
    if not rows:
        return []
    created = bulk_create_with_history(rows, ChannelConflict, default_user=rows[0].created_by)
    events.emit(
        "ChannelConflictsOpened",
        {
            "registration_id": getattr(registration, "pk", None),
            "offer_id": getattr(offer, "pk", None),
            "count": len(created),
            "kinds": sorted({row.kind for row in rows}),
        },
    )
    return created


DECISIONS = (ConflictStatus.RESOLVED_FOR_PARTNER, ConflictStatus.RESOLVED_FOR_OTHER, ConflictStatus.DISMISSED)


def decide_channel_conflict(
    *, actor, conflict: ChannelConflict, decision: str, note: str = "", expected_version: int | None = None
) -> ChannelConflict:
    """The channel manager decides a conflict for the partner, for the other channel, or dismisses it (not the
    same customer). Audited: the decision, its maker and time, and the note go into the conflict's history."""
    if not actor.has_perm("partners.decide_channelconflict", conflict):
        raise PermissionDenied("partners.decide_channelconflict")
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose a decision.")}, code="invalid_choice")
    if decision != ConflictStatus.DISMISSED and not (note or "").strip():
        raise ValidationError({"note": _("Say why you decide this way.")}, code="required")
    with transaction.atomic():
        current = ChannelConflict.objects.select_for_update().get(pk=conflict.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        current.status = decision
        current.resolution_note = (note or "").strip()
        current.decided_by = actor
        current.decided_at = timezone.now()
        current.version += 1
        current.updated_by = actor
        current._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        current.save()
        events.emit(
            "ChannelConflictDecided",
            {
                "conflict_id": current.pk,
                "registration_id": current.registration_id,
                "offer_id": current.offer_id,
                "decision": decision,
                "actor_id": actor.pk,
            },
        )
    return current
