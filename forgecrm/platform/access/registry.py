from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from .principal import Principal, principal_for

M = TypeVar("M", bound=models.Model)
ScopeFunction = Callable[[Principal], Q]

NOTHING = Q(pk__in=[])
_scopes: dict[type[models.Model], ScopeFunction] = {}


class ScopeNotRegistered(LookupError):
    pass


def register_scope(model: type[models.Model]) -> Callable[[ScopeFunction], ScopeFunction]:
    """Decorator for a policy function `scope(principal) -> Q` of one model."""

    def decorator(function: ScopeFunction) -> ScopeFunction:
        _scopes[model] = function
        return function

    return decorator


def registered_models() -> list[type[models.Model]]:
    return list(_scopes)


def scope_q(actor: Any, model: type[models.Model]) -> Q:
    principal = actor if isinstance(actor, Principal) else principal_for(actor)
    if not principal.is_active:
        return NOTHING
    try:
        function = _scopes[model]
    except KeyError as error:
        raise ScopeNotRegistered(f"{model.__name__} has no access scope") from error
    return function(principal)


def scope_for(actor: Any, model: type[M]) -> QuerySet[M]:
    """The rows of `model` that `actor` (a user or a Principal) may see."""
    return model._default_manager.filter(scope_q(actor, model))


def is_in_scope(actor: Any, obj: models.Model | None) -> bool:
    """Whether `obj` is one of the rows of its model that `actor` may see (action rules start from this)."""
    if obj is None or getattr(obj, "pk", None) is None:
        return False
    # Remembered on the instance per user: one page asks several permissions about the same record.
    cache = obj.__dict__.setdefault("_forge_visible_to", {})
    key = getattr(actor, "pk", None) if not isinstance(actor, Principal) else actor.user_id
    if key not in cache:
        model = type(obj)
        cache[key] = model._default_manager.filter(scope_q(actor, model), pk=obj.pk).exists()
    return cache[key]


def get_for_or_404(actor: Any, model: type[M], queryset: QuerySet[M] | None = None, **lookup: Any) -> M:
    """One row inside the actor's scope, or 404 (never 403: a foreign id must reveal nothing)."""
    base = queryset if queryset is not None else model._default_manager.all()
    try:
        return base.filter(scope_q(actor, model)).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise Http404 from error


def prefixed(q: Q, prefix: str) -> Q:
    """The same condition seen through a relation: prefixed(Q(owner=1), "account") == Q(account__owner=1)."""
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            clone.children.append(prefixed(child, prefix))
        else:
            key, value = child  # type: ignore[misc]  # a Q's leaves are (lookup, value) pairs
            clone.children.append((f"{prefix}__{key}" if key != "pk" else f"{prefix}__pk", value))
    return clone
