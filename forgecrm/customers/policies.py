"""Who sees which accounts and contacts."""

from django.db.models import Q

from forgecrm.platform.access import Principal, prefixed, register_organization_resolver, register_scope
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import Role

from .models import Account, Contact


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
