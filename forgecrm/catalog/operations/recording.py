"""The write steps every catalog operation shares: validate, stamp who, save; version-checked updates and deletes."""

from collections.abc import Collection
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from djmoney.money import Money

from forgecrm.platform.versioning import ConflictError, save_versioned

M = TypeVar("M", bound=models.Model)


def acting_user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def as_money(value: Any, currency: str) -> Money | None:
    """A Money in `currency` from what a form, the API or a caller hands over (Money, Decimal, int, str)."""
    if value is None or value == "":
        return None
    if isinstance(value, Money):
        return value
    return Money(Decimal(str(value)), currency)


def create_record(model: type[M], *, actor: Any, fields: dict[str, Any]) -> M:
    instance = model(**fields)
    user = acting_user(actor)
    instance.created_by = instance.updated_by = user  # type: ignore[attr-defined]
    instance._history_user = user  # type: ignore[attr-defined]  # simple-history outside a request
    instance.full_clean()
    instance.save()
    return instance


def update_record(
    instance: M, *, actor: Any, expected_version: int | None, changes: dict[str, Any], allowed: Collection[str]
) -> M:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    return save_versioned(instance, actor=actor, expected_version=expected_version, changes=changes)  # type: ignore[type-var]  # same bound, mypy cannot unify two TypeVars


def delete_record(instance: models.Model, *, actor: Any, expected_version: int | None) -> None:
    """Delete under a row lock, refusing when someone saved a newer version than the one the actor saw."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise ConflictError(current)
    current._history_user = acting_user(actor)  # type: ignore[attr-defined]
    current.delete()
