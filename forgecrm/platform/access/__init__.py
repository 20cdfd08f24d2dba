"""The access layer: every queryset a user sees starts here.

Each app's `policies.py` registers one scope per user-visible model: a function from the actor's
`Principal` to a `Q`. `scope_for(actor, Model)` applies it; `get_for_or_404` answers 404 for a row
outside the scope, so another organisation's id reveals nothing.
"""

from .principal import Principal, principal_for, register_organization_resolver
from .registry import (
    ScopeNotRegistered,
    get_for_or_404,
    is_in_scope,
    prefixed,
    register_scope,
    registered_models,
    scope_for,
)

__all__ = [
    "Principal",
    "ScopeNotRegistered",
    "get_for_or_404",
    "is_in_scope",
    "prefixed",
    "principal_for",
    "register_organization_resolver",
    "register_scope",
    "registered_models",
    "scope_for",
]
