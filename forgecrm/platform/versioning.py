"""Optimistic locking: a write names the version it read; a newer version in the database is a conflict."""

from typing import Any, TypeVar

from django.db import models, transaction

from .models.base import BusinessModel

M = TypeVar("M", bound=BusinessModel)


class ConflictError(Exception):
    """Someone else saved the record after the actor read it."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("stale version")
        self.current = current


def save_versioned(instance: M, *, actor: Any, expected_version: int | None, changes: dict[str, Any]) -> M:
    """Apply `changes` to the row under a lock if it is still at `expected_version`; bump the version."""
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        for name, value in changes.items():
            setattr(current, name, value)
        current.version = current.version + 1
        current.updated_by = actor if getattr(actor, "pk", None) else None
        # django-simple-history credits the change to the actor also outside a request (tasks, API).
        setattr(current, "_history_user", current.updated_by)  # noqa: B010  simple-history's hook
        current.full_clean()
        current.save()
    return current
