from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from ..models.identity import Role, Territory, User, UserKind

# Roles whose work spans every customer (service desk, marketing, channel management, administration):
# they see all internal records; sales roles see by ownership, team, hierarchy and territory.
ORG_WIDE_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.SERVICE_AGENT, Role.MARKETING, Role.CHANNEL_MANAGER})

OrganizationResolver = Callable[[User], frozenset[int]]
_organization_resolver: list[OrganizationResolver] = []


def register_organization_resolver(resolver: OrganizationResolver) -> None:
    """customers registers how a portal user's organisation widens (a distributor admin sees its dealers)."""
    _organization_resolver[:] = [resolver]


@dataclass(frozen=True)
class Principal:
    """What the access layer needs to know about an actor, computed once per request."""

    user_id: int | None
    kind: str
    role: str
    is_active: bool
    sees_everything: bool = False
    visible_user_ids: frozenset[int] = field(default_factory=frozenset)
    # Self + the role-hierarchy subtree only (no teammates): for records that follow the reporting line alone,
    # such as quotas, forecasts and commission statements.
    subtree_user_ids: frozenset[int] = field(default_factory=frozenset)
    territory_ids: frozenset[int] = field(default_factory=frozenset)
    organization_id: int | None = None
    organization_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_internal(self) -> bool:
        return self.kind == UserKind.INTERNAL

    @property
    def is_partner(self) -> bool:
        return self.kind == UserKind.PARTNER

    @property
    def is_customer(self) -> bool:
        return self.kind == UserKind.CUSTOMER


ANONYMOUS = Principal(user_id=None, kind="anonymous", role="", is_active=False)


def _subtree_user_ids(user: User) -> set[int]:
    prefix = f"{user.hierarchy_path}{user.pk}/"
    return set(User.objects.filter(hierarchy_path__startswith=prefix).values_list("pk", flat=True))


def _teammate_ids(user: User) -> set[int]:
    return set(
        User.objects.filter(teams__members=user, teams__shares_records=True).values_list("pk", flat=True).distinct()
    )


def _territory_ids(user: User) -> set[int]:
    paths = list(user.territories.values_list("path", "pk"))
    if not paths:
        return set()
    # Own territories and everything below them, in one query however many territories the user covers.
    below = Q(pk__in=[pk for _, pk in paths])
    for path, pk in paths:
        below |= Q(path__startswith=f"{path}{pk}/")
    return set(Territory.objects.filter(below).values_list("pk", flat=True))


def build_principal(user) -> Principal:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    base = {"user_id": user.pk, "kind": user.kind, "role": user.role, "is_active": True}
    if user.kind == UserKind.INTERNAL:
        if user.role in ORG_WIDE_ROLES or user.is_superuser:
            # Their subtree is not computed (one query saved per request): org-wide roles own no quotas,
            # forecasts or statements to manage, and administrators see those through their role.
            ids = frozenset({user.pk})
            return Principal(**base, sees_everything=True, visible_user_ids=ids, subtree_user_ids=ids)
        subtree = {user.pk} | _subtree_user_ids(user)
        return Principal(
            **base,
            visible_user_ids=frozenset(subtree | _teammate_ids(user)),
            subtree_user_ids=frozenset(subtree),
            territory_ids=frozenset(_territory_ids(user)),
        )
    organizations = frozenset({user.organization_id}) if user.organization_id else frozenset()
    if _organization_resolver and user.organization_id:
        organizations = _organization_resolver[0](user)
    return Principal(
        **base,
        visible_user_ids=frozenset({user.pk}),
        subtree_user_ids=frozenset({user.pk}),
        organization_id=user.organization_id,
        organization_ids=organizations,
    )


def principal_for(user) -> Principal:
    """The actor's principal, cached on the user object for the length of the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_forge_principal", None)
    if cached is None:
        cached = build_principal(user)
        user._forge_principal = cached
    return cached
