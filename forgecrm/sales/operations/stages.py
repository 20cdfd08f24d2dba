"""Writes on the pipeline's configuration: stages (order, default probability and forecast category, won/lost,
retired) and a product line's own probability per stage. Rule `sales.manage_sales_settings`."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform.models import User
from forgecrm.platform.versioning import save_versioned

from ..models import Stage, StageProbability

STAGE_FIELDS = frozenset(
    {"name", "name_en", "order", "default_probability", "default_forecast_category", "is_won", "is_lost", "is_active"}
)


def _check(actor: User | None) -> None:
    if actor is not None and not actor.has_perm("sales.manage_sales_settings"):
        raise PermissionDenied(_("You cannot change the sales settings."))


def _check_closing(stage: Stage, values: dict[str, Any]) -> None:
    """A stage with deals keeps whether it is won or lost: the deals' closed dates and reports depend on it."""
    if stage.pk is None:
        return
    changes_kind = (
        values.get("is_won", stage.is_won) != stage.is_won or values.get("is_lost", stage.is_lost) != stage.is_lost
    )
    if changes_kind and stage.opportunities.exists():
        raise ValidationError(
            {"is_won": [ValidationError(_("Deals are in this stage; won or lost cannot change."), code="in_use")]}
        )


def _keep_one_open(stage: Stage, values: dict[str, Any]) -> None:
    closes = values.get("is_won", stage.is_won) or values.get("is_lost", stage.is_lost)
    retires = not values.get("is_active", stage.is_active)
    if not (closes or retires):
        return
    others = Stage.objects.filter(is_active=True, is_won=False, is_lost=False).exclude(pk=stage.pk)
    if stage.pk is not None and not others.exists():
        raise ValidationError(
            {"is_active": [ValidationError(_("The pipeline needs at least one active open stage."), code="last_open")]}
        )


def create_stage(*, actor: User | None, code: str, name: str, **fields: Any) -> Stage:
    _check(actor)
    unknown = sorted(set(fields) - STAGE_FIELDS)
    if unknown:
        raise ValidationError({name_: [ValidationError(_("This field cannot be set here."))] for name_ in unknown})
    with transaction.atomic():
        stage = Stage(code=code, name=name, created_by=actor, updated_by=actor, **fields)
        stage.full_clean()
        stage._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        stage.save()
    return stage


def update_stage(*, actor: User | None, stage: Stage, expected_version: int | None, **changes: Any) -> Stage:
    """Rename, reorder, change the defaults or retire a stage (a retired stage keeps its deals; nobody moves a
    deal into it). Deals already in the stage keep their probability."""
    _check(actor)
    unknown = sorted(set(changes) - STAGE_FIELDS)
    if unknown:
        raise ValidationError({name: [ValidationError(_("This field cannot be changed here."))] for name in unknown})
    _check_closing(stage, changes)
    _keep_one_open(stage, changes)
    return save_versioned(stage, actor=actor, expected_version=expected_version, changes=changes)


def reorder_stages(*, actor: User | None, stage_ids: list[int]) -> None:
    """Put the stages in this order (10, 20, 30...); stages not named keep their place after them."""
    _check(actor)
    with transaction.atomic():
        stages = {stage.pk: stage for stage in Stage.objects.select_for_update().filter(pk__in=stage_ids)}
        for position, pk in enumerate(stage_ids, start=1):
            stage = stages.get(pk)
            if stage is not None and stage.order != position * 10:
                save_versioned(stage, actor=actor, expected_version=None, changes={"order": position * 10})


def set_stage_probability(*, actor: User | None, stage: Stage, product_line: Any, probability: int) -> StageProbability:
    """A product line's own probability at a stage (created or changed)."""
    _check(actor)
    if probability is None or not 0 <= int(probability) <= 100:
        raise ValidationError(
            {"probability": [ValidationError(_("Enter a probability between 0 and 100."), code="out_of_range")]}
        )
    with transaction.atomic():
        row = StageProbability.objects.select_for_update().filter(stage=stage, product_line=product_line).first()
        if row is None:
            row = StageProbability(
                stage=stage, product_line=product_line, probability=int(probability), created_by=actor, updated_by=actor
            )
            row.full_clean()
            row._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
            row.save()
            return row
        return save_versioned(row, actor=actor, expected_version=None, changes={"probability": int(probability)})


def remove_stage_probability(*, actor: User | None, row: StageProbability) -> None:
    _check(actor)
    row._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    row.delete()
