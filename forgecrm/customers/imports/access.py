"""Who may import, whom an imported row may be assigned to, and which existing rows an import may change."""

import rules
from django.db.models import Q

from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Role

# Administrators, sales managers and marketing load lists for everyone; a sales rep only into their own book.
IMPORT_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.MARKETING, Role.SALES_REP})
ORG_WIDE_IMPORT_ROLES = frozenset({Role.ADMIN, Role.MARKETING})


@rules.predicate
def may_import(user) -> bool:
    principal = principal_for(user)
    return principal.is_active and principal.is_internal and (principal.role in IMPORT_ROLES or user.is_superuser)


def _org_wide(user) -> bool:
    return principal_for(user).role in ORG_WIDE_IMPORT_ROLES or bool(getattr(user, "is_superuser", False))


def assignable_owner_ids(user) -> frozenset[int] | None:
    """Users an import may make owners (None: any active internal user); a sales rep only themselves."""
    principal = principal_for(user)
    if _org_wide(user):
        return None
    if principal.role == Role.SALES_MANAGER:
        return principal.visible_user_ids
    return frozenset({user.pk})


def changeable_q(user) -> Q:
    """Existing accounts or contacts the import may fill in or overwrite: those owned by assignable users."""
    owners = assignable_owner_ids(user)
    return Q() if owners is None else Q(owner_id__in=owners)


rules.set_perm("customers.import_records", may_import)
