"""Every read of accounts and contacts a user sees; each starts from the access scope."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.search import search_queryset
from forgecrm.platform.timeline import TimelineEntry, timeline_for

from .duplicates import DuplicateMatch
from .models import Account, AccountAlias, AccountKind, Consent, ConsentPurpose, Contact, ContactAlias, KeyPersonRole

CONTACTS_ON_360 = 50
# Key people are listed by how much they decide, not alphabetically.
KEY_PERSON_RANK = Case(
    *(When(key_person_role=role, then=Value(rank)) for rank, role in enumerate(KeyPersonRole.values)),
    default=Value(len(KeyPersonRole.values)),
)
SUBSIDIARIES_ON_360 = 20
TIMELINE_ON_360 = 50


def accounts_for(actor) -> QuerySet[Account]:
    return scope_for(actor, Account)


def account_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Account]:
    """Accounts the actor may see, narrowed by list filters.

    filters: q (name, BRN, phone or email, through the search index), kind, tier, sido, owner, territory,
    industry, size, partner (objects or ids), active ("active" default, "inactive", "all").
    """
    filters = filters or {}
    text = (filters.get("q") or "").strip()
    queryset = search_queryset(actor, "account", text) if text else accounts_for(actor)
    queryset = queryset.select_related("owner", "territory", "partner")
    for name in ("kind", "tier", "sido", "size", "owner", "territory", "partner"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("industry"):
        queryset = queryset.filter(industry__iexact=filters["industry"].strip())
    active = filters.get("active") or "active"
    if active != "all":
        queryset = queryset.filter(is_active=active == "active")
    return queryset


def get_account_for(actor, pk: Any) -> Account:
    """One account inside the actor's scope, or 404."""
    return get_for_or_404(actor, Account, queryset=Account.objects.select_related("owner", "territory"), pk=pk)


def account_alias_target_for(actor, merged_id: Any) -> int | None:
    """The survivor's id when `merged_id` belongs to a merged account the actor may now see."""
    try:
        merged_id = int(merged_id)
    except (TypeError, ValueError):
        return None
    survivor_id = AccountAlias.objects.filter(merged_id=merged_id).values_list("account_id", flat=True).first()
    if survivor_id is None or not accounts_for(actor).filter(pk=survivor_id).exists():
        return None
    return survivor_id


def account_choices_for(actor, text: str, *, kind: str = "", limit: int = 20) -> list[Account]:
    """Type-ahead for account pickers: visible active accounts whose name, BRN, phone or email match."""
    text = (text or "").strip()
    queryset = search_queryset(actor, "account", text) if text else accounts_for(actor)
    queryset = queryset.filter(is_active=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset.order_by("name", "pk")[:limit])


@dataclass
class Account360:
    account: Account
    parent: Account | None
    partner: Account | None
    channel_parent: Account | None
    contacts: list[Contact]
    key_people: list[Contact]
    contact_count: int
    subsidiaries: list[Account]
    subsidiary_count: int
    served_count: int
    dealer_count: int
    aliases: list[AccountAlias]
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def last_touched(self):
        """The newest entry that has happened: planned future work is not a touch."""
        now = timezone.now()
        return next((entry.at for entry in self.timeline if entry.at <= now), None)


def account_360_for(actor, pk: Any) -> Account360:
    """The account's header facts, people, hierarchy, counts and merged timeline, all within the scope."""
    account = get_account_for(actor, pk)
    visible = accounts_for(actor)
    linked_ids = [i for i in (account.parent_id, account.partner_id, account.channel_parent_id) if i]
    linked = {row.pk: row for row in visible.filter(pk__in=linked_ids)} if linked_ids else {}
    # Narrowed to the three relations first, so each count is an index lookup, not a scan of every visible account.
    counts = visible.filter(
        Q(parent_id=account.pk) | Q(partner_id=account.pk) | Q(channel_parent_id=account.pk)
    ).aggregate(
        subsidiaries=Count("pk", filter=Q(parent_id=account.pk)),
        served=Count("pk", filter=Q(partner_id=account.pk)),
        dealers=Count("pk", filter=Q(channel_parent_id=account.pk)),
    )
    contacts_qs = scope_for(actor, Contact).filter(account_id=account.pk, is_active=True)
    contacts = list(contacts_qs.select_related("owner").order_by("full_name", "pk")[:CONTACTS_ON_360])
    contact_count = len(contacts) if len(contacts) < CONTACTS_ON_360 else contacts_qs.count()
    key_people = list(
        contacts_qs.exclude(key_person_role="")
        .annotate(rank=KEY_PERSON_RANK)
        .order_by("rank", "full_name", "pk")[:CONTACTS_ON_360]
    )
    subsidiaries = list(visible.filter(parent_id=account.pk).order_by("name", "pk")[:SUBSIDIARIES_ON_360])
    return Account360(
        account=account,
        parent=linked.get(account.parent_id),
        partner=linked.get(account.partner_id),
        channel_parent=linked.get(account.channel_parent_id),
        contacts=contacts,
        key_people=key_people,
        contact_count=contact_count,
        subsidiaries=subsidiaries,
        subsidiary_count=counts["subsidiaries"],
        served_count=counts["served"],
        dealer_count=counts["dealers"],
        aliases=list(AccountAlias.objects.filter(account_id=account.pk).order_by("-merged_at")[:20]),
        timeline=timeline_for(actor, "account", account.pk, limit=TIMELINE_ON_360),
    )


def contacts_for(actor) -> QuerySet[Contact]:
    return scope_for(actor, Contact)


def contact_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Contact]:
    """Contacts the actor may see. filters: q (name, email, phone, account name), account, owner,
    key_person_role, preferred_channel, active ("active" default, "inactive", "all")."""
    filters = filters or {}
    text = (filters.get("q") or "").strip()
    queryset = search_queryset(actor, "contact", text) if text else contacts_for(actor)
    queryset = queryset.select_related("account", "owner")
    for name in ("account", "owner", "key_person_role", "preferred_channel"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    active = filters.get("active") or "active"
    if active != "all":
        queryset = queryset.filter(is_active=active == "active")
    return queryset


def get_contact_for(actor, pk: Any) -> Contact:
    return get_for_or_404(actor, Contact, queryset=Contact.objects.select_related("account", "owner"), pk=pk)


def contact_alias_target_for(actor, merged_id: Any) -> int | None:
    try:
        merged_id = int(merged_id)
    except (TypeError, ValueError):
        return None
    survivor_id = ContactAlias.objects.filter(merged_id=merged_id).values_list("contact_id", flat=True).first()
    if survivor_id is None or not contacts_for(actor).filter(pk=survivor_id).exists():
        return None
    return survivor_id


@dataclass(frozen=True)
class ConsentStatus:
    purpose: str
    label: str
    granted: bool | None  # None: never asked
    consent: Consent | None


@dataclass
class Contact360:
    contact: Contact
    account_visible: bool
    consent_status: list[ConsentStatus]
    consents: list[Consent]
    aliases: list[ContactAlias]
    timeline: list[TimelineEntry] = field(default_factory=list)


def consent_status(consents: list[Consent]) -> list[ConsentStatus]:
    """The latest record per purpose (records are append-only; the newest is the person's choice)."""
    latest: dict[str, Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.recorded_at, c.pk)):
        latest[consent.purpose] = consent
    return [
        ConsentStatus(
            purpose=value,
            label=str(label),
            granted=latest[value].granted if value in latest else None,
            consent=latest.get(value),
        )
        for value, label in ConsentPurpose.choices
    ]


def contact_360_for(actor, pk: Any) -> Contact360:
    contact = get_contact_for(actor, pk)
    consents = list(Consent.objects.filter(contact_id=contact.pk).select_related("recorded_by")[:200])
    return Contact360(
        contact=contact,
        account_visible=accounts_for(actor).filter(pk=contact.account_id).exists(),
        consent_status=consent_status(consents),
        consents=consents,
        aliases=list(ContactAlias.objects.filter(contact_id=contact.pk).order_by("-merged_at")[:20]),
        timeline=timeline_for(actor, "contact", contact.pk, limit=TIMELINE_ON_360),
    )


def contact_choices_for(actor, text: str, *, account_id: int | None = None, limit: int = 20) -> list[Contact]:
    text = (text or "").strip()
    queryset = search_queryset(actor, "contact", text) if text else contacts_for(actor)
    queryset = queryset.filter(is_active=True).select_related("account")
    if account_id:
        queryset = queryset.filter(account_id=account_id)
    return list(queryset.order_by("full_name", "pk")[:limit])


@dataclass(frozen=True)
class VisibleDuplicates:
    matches: list[tuple[DuplicateMatch, Any]]  # (match, the visible record)
    hidden_count: int  # matches outside the actor's scope: counted for internal users, never named


def visible_duplicates_for(actor, model: type[Account] | type[Contact], matches: list[DuplicateMatch]):
    """Duplicate matches the actor may see, with their records; the others only counted (internal users)."""
    if not matches:
        return VisibleDuplicates([], 0)
    queryset = scope_for(actor, model).filter(pk__in=[match.id for match in matches])
    queryset = queryset.select_related("account") if model is Contact else queryset.select_related("owner")
    records = {row.pk: row for row in queryset}
    visible = [(match, records[match.id]) for match in matches if match.id in records]
    hidden = len(matches) - len(visible)
    return VisibleDuplicates(visible, hidden if principal_for(actor).is_internal else 0)


def partner_accounts_for(actor) -> QuerySet[Account]:
    return accounts_for(actor).filter(kind=AccountKind.PARTNER, is_active=True)
