"""Action rules (django-rules predicates) shared by every app."""

import rules

from ..models.identity import Role
from .principal import principal_for
from .registry import is_in_scope


@rules.predicate
def is_internal(user) -> bool:
    return principal_for(user).is_internal


@rules.predicate
def is_admin(user) -> bool:
    return principal_for(user).role == Role.ADMIN or bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_partner_user(user) -> bool:
    return principal_for(user).is_partner


@rules.predicate
def is_partner_admin(user) -> bool:
    return principal_for(user).role == Role.PARTNER_ADMIN


@rules.predicate
def is_customer_user(user) -> bool:
    return principal_for(user).is_customer


@rules.predicate
def is_sales_manager(user) -> bool:
    return principal_for(user).role in {Role.SALES_MANAGER, Role.ADMIN}


@rules.predicate
def owns(user, obj) -> bool:
    return obj is not None and getattr(obj, "owner_id", None) == user.pk


@rules.predicate
def owner_in_subtree(user, obj) -> bool:
    principal = principal_for(user)
    return obj is not None and (
        principal.sees_everything or getattr(obj, "owner_id", None) in principal.visible_user_ids
    )


def is_above(user, someone) -> bool:
    """`user` is above `someone` in the role hierarchy (someone's path of managers runs through the user)."""
    return someone is not None and someone.pk != user.pk and f"/{user.pk}/" in (someone.hierarchy_path or "")


def has_internal_role(user, roles) -> bool:
    """An internal user whose role is one of `roles` (a superuser counts, whatever the role)."""
    principal = principal_for(user)
    return principal.is_internal and (principal.role in roles or bool(getattr(user, "is_superuser", False)))


@rules.predicate
def is_visible(user, obj) -> bool:
    """The record is inside the user's scope for its model."""
    return is_in_scope(user, obj)
