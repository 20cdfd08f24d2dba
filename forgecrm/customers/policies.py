"""Who sees which accounts and contacts, and who may do what with them.

Scopes (rows a user may see) are registered with the platform access layer; actions are django-rules
permissions (`customers.change_account`, ...), which operations check themselves.
"""

import rules
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forgecrm.platform.access import (
    Principal,
    is_in_scope,
    prefixed,
    principal_for,
    register_organization_resolver,
    register_scope,
    scope_for,
)
from forgecrm.platform.access.predicates import is_internal
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.korea.brn import format_brn
from forgecrm.platform.korea.phone import phone_digits
from forgecrm.platform.models import Role
from forgecrm.platform.search import SearchSource, register_search_source
from forgecrm.platform.ui.context import MenuEntry, register_menu_entry
from forgecrm.platform.ui.dashboard import DashboardTile, register_dashboard_tile

from .models import Account, AccountKind, Contact


def _partner_organizations(user) -> frozenset[int]:
    """A partner rep sees its own partner; a partner admin also sees the dealers below it, never a sibling."""
    own = {user.organization_id}
    if user.role != Role.PARTNER_ADMIN:
        return frozenset(own)
    frontier, seen = set(own), set(own)
    while frontier:
        children = set(Account.objects.filter(channel_parent_id__in=frontier).values_list("pk", flat=True)) - seen
        seen |= children
        frontier = children
    return frozenset(seen)


register_organization_resolver(_partner_organizations)


@register_scope(Account)
def account_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return Q()
    if principal.is_internal:
        return Q(owner_id__in=principal.visible_user_ids) | Q(territory_id__in=principal.territory_ids)
    if principal.is_partner:
        return Q(partner_id__in=principal.organization_ids) | Q(pk__in=principal.organization_ids)
    if principal.is_customer and principal.organization_id:
        return Q(pk=principal.organization_id)
    return NOTHING


@register_scope(Contact)
def contact_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return Q()
    account_q = prefixed(account_scope(principal), "account")
    if principal.is_internal:
        return Q(owner_id__in=principal.visible_user_ids) | account_q
    return account_q


# --- action rules -------------------------------------------------------------------------------------------

# Internal roles that manage customer data for others: they assign owners, serving partners and territories
# (the fields that decide who sees a record), merge duplicates and deactivate accounts.
RECORD_MANAGER_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.CHANNEL_MANAGER})

# Fields that decide who sees an account: only record managers set or change them.
ACCOUNT_VISIBILITY_FIELDS = frozenset({"owner", "partner", "channel_parent", "territory"})
CONTACT_VISIBILITY_FIELDS = frozenset({"owner"})
# What the manufacturer decides about a partner's standing: a partner user never sets these.
PARTNER_LOCKED_FIELDS = frozenset({"tier", "partner_type", "channel_parent"})
PARTNER_CREATABLE_KINDS = frozenset({AccountKind.CUSTOMER, AccountKind.PROSPECT})


@rules.predicate
def is_record_manager(user) -> bool:
    principal = principal_for(user)
    return principal.is_internal and (principal.role in RECORD_MANAGER_ROLES or bool(user.is_superuser))


@rules.predicate
def can_create_accounts(user) -> bool:
    principal = principal_for(user)
    return principal.is_active and (principal.is_internal or principal.is_partner)


@rules.predicate
def account_is_visible(user, account) -> bool:
    return is_in_scope(user, account)


@rules.predicate
def account_served_by_users_partner(user, account) -> bool:
    """A partner user edits the end-customer accounts its own organisation (or a dealer below it) serves."""
    principal = principal_for(user)
    return principal.is_partner and account is not None and account.partner_id in principal.organization_ids


@rules.predicate
def owns_account(user, account) -> bool:
    return account is not None and account.owner_id == user.pk


@rules.predicate
def contact_is_visible(user, contact) -> bool:
    return is_in_scope(user, contact)


@rules.predicate
def contact_at_partner_served_account(user, contact) -> bool:
    principal = principal_for(user)
    return principal.is_partner and contact is not None and contact.account.partner_id in principal.organization_ids


internal = rules.is_active & is_internal

# Cheap checks first: the visibility check is a query, and rules stops at the first False.
can_change_account = (internal | account_served_by_users_partner) & account_is_visible
can_deactivate_account = internal & (is_record_manager | owns_account) & account_is_visible
can_merge_accounts = is_record_manager & account_is_visible
can_change_contact = (internal | contact_at_partner_served_account) & contact_is_visible
can_merge_contacts = is_record_manager & contact_is_visible

rules.set_perm("customers.add_account", can_create_accounts)
rules.set_perm("customers.change_account", can_change_account)
rules.set_perm("customers.delete_account", can_deactivate_account)
rules.set_perm("customers.merge_account", can_merge_accounts)
rules.set_perm("customers.assign_account", is_record_manager)
# Adding a contact is a change of its account.
rules.set_perm("customers.add_contact", can_change_account)
rules.set_perm("customers.change_contact", can_change_contact)
rules.set_perm("customers.delete_contact", can_change_contact)
rules.set_perm("customers.merge_contact", can_merge_contacts)


# --- search, navigation, dashboard ---------------------------------------------------------------------------


def _account_document(account: Account) -> list[str]:
    return [account.name, account.brn, format_brn(account.brn), phone_digits(account.phone), account.email]


def _account_subtitle(account: Account) -> str:
    parts = [
        str(account.get_kind_display()),
        format_brn(account.brn),
        " ".join(filter(None, [account.sido, account.sigungu])),
    ]
    return " · ".join(part for part in parts if part)


def _contact_document(contact: Contact) -> list[str]:
    return [
        contact.full_name,
        contact.email,
        phone_digits(contact.phone),
        phone_digits(contact.mobile),
        contact.account.name,
    ]


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


register_search_source(
    SearchSource(
        entity="account",
        model=Account,
        document=_account_document,
        title=lambda account: account.name,
        subtitle=_account_subtitle,
        url=lambda account: _url("customers:account-detail", account.pk),
    )
)
register_search_source(
    SearchSource(
        entity="contact",
        model=Contact,
        document=_contact_document,
        title=lambda contact: contact.full_name,
        subtitle=lambda contact: " · ".join(filter(None, [contact.account.name, contact.title])),
        url=lambda contact: _url("customers:contact-detail", contact.pk),
        select_related=("account",),
    )
)

# Labels are lazy (translated per request); the platform's dataclasses annotate them as plain str.
ACCOUNTS, CONTACTS, PARTNERS = _("Accounts"), _("Contacts"), _("Partners")
register_menu_entry(MenuEntry(ACCOUNTS, "customers:account-list", "building", 10, internal_only=False))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(CONTACTS, "customers:contact-list", "users", 20, internal_only=False))  # type: ignore[arg-type]


def _count_accounts(user) -> int:
    return scope_for(user, Account).filter(is_active=True).exclude(kind=AccountKind.PARTNER).count()


def _count_partners(user) -> int:
    return scope_for(user, Account).filter(is_active=True, kind=AccountKind.PARTNER).count()


def _count_contacts(user) -> int:
    return scope_for(user, Contact).filter(is_active=True).count()


_TILES = [
    DashboardTile("accounts", ACCOUNTS, _count_accounts, "customers:account-list", "building", 10),  # type: ignore[arg-type]
    DashboardTile("contacts", CONTACTS, _count_contacts, "customers:contact-list", "users", 20),  # type: ignore[arg-type]
    DashboardTile("partners", PARTNERS, _count_partners, "customers:account-list", "building-store", 30),  # type: ignore[arg-type]
]
for _tile in _TILES:
    register_dashboard_tile(_tile)
