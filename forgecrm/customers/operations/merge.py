"""Merging duplicates: every related row moves to the survivor, the loser's id stays as an alias.

Related rows are found generically from the model's reverse relations, so a table another app adds later
(activities, opportunities, tickets...) moves without this module knowing it. History tables are left alone:
they record what was.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects, remove_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Account, AccountAlias, Contact, ContactAlias

# Never copied from the loser: identity, bookkeeping and derived fields.
NOT_FILLED = frozenset(
    {
        "id",
        "name",
        "full_name",
        "name_key",
        "name_block",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "is_active",
        "owner",
        "account",
        "source",
        "external_id",
    }
)


@dataclass(frozen=True)
class RelatedRows:
    """The rows of one relation that point at a record: `Contact.account` -> 3 rows."""

    label: str
    model: type[models.Model]
    field_name: str
    count: int
    many_to_many: bool = False


@dataclass
class MergePlan:
    survivor: models.Model
    duplicate: models.Model
    related: list[RelatedRows] = field(default_factory=list)
    filled: dict[str, Any] = field(default_factory=dict)

    @property
    def moved_total(self) -> int:
        return sum(rows.count for rows in self.related)

    @property
    def filled_labels(self) -> list[tuple[str, Any]]:
        meta = type(self.survivor)._meta
        return [
            (str(getattr(meta.get_field(name), "verbose_name", name)), value) for name, value in self.filled.items()
        ]


def _is_history(model: type[models.Model] | None) -> bool:
    return model is not None and issubclass(model, HistoricalChanges)


# Reverse relations (ManyToOneRel, OneToOneRel, ManyToManyRel) are typed loosely here: django-stubs does not
# model their m2m helpers, and the code below reads only what every kind has.
Relation = Any


def reverse_relations(model: type[models.Model]) -> list[Relation]:
    """Every relation from any installed model to `model` (hidden "+" ones too), except history tables."""
    relations: list[Relation] = []
    for relation in model._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or not relation.is_relation:
            continue
        if _is_history(relation.related_model):
            continue
        relations.append(relation)
    return relations


def _label(relation: Relation) -> str:
    meta = relation.related_model._meta
    name = str(meta.verbose_name_plural)
    if (
        relation.related_model is relation.model
        or sum(1 for other in reverse_relations(relation.model) if other.related_model is relation.related_model) > 1
    ):
        name = f"{name} ({relation.field.verbose_name})"
    return name


def _pointing_rows(relation: Relation, record: models.Model, survivor: models.Model) -> tuple[Any, str, Any]:
    """(model, field name, queryset) of the rows of `relation` that point at `record`."""
    if relation.many_to_many:
        through = relation.through
        target = relation.field.m2m_reverse_field_name()
        return through, target, through._base_manager.filter(**{target: record})
    rows = relation.related_model._base_manager.filter(**{relation.field.name: record})
    if relation.related_model is type(survivor):
        rows = rows.exclude(pk=survivor.pk)  # the survivor itself pointing at the loser is handled by filling
    return relation.related_model, relation.field.name, rows


def plan_merge(survivor: models.Model, duplicate: models.Model) -> MergePlan:
    """What a merge would do: the related rows that move and the survivor's empty fields that get filled."""
    plan = MergePlan(survivor=survivor, duplicate=duplicate)
    for relation in reverse_relations(type(survivor)):
        model, field_name, rows = _pointing_rows(relation, duplicate, survivor)
        count = rows.count()
        if count:
            plan.related.append(RelatedRows(_label(relation), model, field_name, count, relation.many_to_many))
    for model_field in type(survivor)._meta.concrete_fields:
        if model_field.name in NOT_FILLED or model_field.primary_key or model_field.generated:
            continue
        mine, theirs = getattr(survivor, model_field.attname), getattr(duplicate, model_field.attname)
        points_at_loser = (
            model_field.is_relation and model_field.related_model is type(survivor) and mine == duplicate.pk
        )
        if theirs in (None, "") or (mine not in (None, "") and not points_at_loser):
            continue
        if model_field.is_relation and model_field.related_model is type(survivor) and theirs == survivor.pk:
            continue  # never point the survivor at itself
        plan.filled[model_field.name] = getattr(duplicate, model_field.name)
    return plan


def _move(relation: Relation, duplicate: models.Model, survivor: models.Model) -> int:
    model, field_name, rows = _pointing_rows(relation, duplicate, survivor)
    if relation.many_to_many:
        # A link both records have is kept once: the loser's copy is dropped, not moved.
        other = relation.field.m2m_field_name()
        shared = model._base_manager.filter(**{field_name: survivor}).values_list(f"{other}_id", flat=True)
        rows.filter(**{f"{other}_id__in": list(shared)}).delete()
        return rows.update(**{field_name: survivor})
    if relation.one_to_one and model._base_manager.filter(**{field_name: survivor}).exists() and rows.exists():
        raise ValidationError(
            _("Both records have a %(what)s; combine them by hand first.") % {"what": model._meta.verbose_name}
        )
    changes: dict[str, Any] = {field_name: survivor}
    field_names = {f.name for f in model._meta.concrete_fields}
    if "version" in field_names:
        changes["version"] = F("version") + 1  # an edit form opened before the merge now conflicts
    if "updated_at" in field_names:
        changes["updated_at"] = timezone.now()
    try:
        with transaction.atomic():
            return rows.update(**changes)
    except IntegrityError as error:
        raise ValidationError(
            _("Some %(what)s of the two records cannot be combined automatically.")
            % {"what": model._meta.verbose_name_plural}
        ) from error


def _merge(
    *,
    actor: User | None,
    survivor: Any,
    duplicate: Any,
    expected_version: int | None,
    alias_model: type[models.Model],
    alias_field: str,
    name_field: str,
) -> tuple[Any, MergePlan]:
    model = type(survivor)
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose another record to merge into this one.")})
    survivor = model._default_manager.select_for_update().get(pk=survivor.pk)
    duplicate = model._default_manager.select_for_update().get(pk=duplicate.pk)
    if expected_version is not None and survivor.version != expected_version:
        raise ConflictError(survivor)
    plan = plan_merge(survivor, duplicate)
    for relation in reverse_relations(model):
        _move(relation, duplicate, survivor)
    duplicate_name = getattr(duplicate, name_field)
    alias_model._default_manager.create(
        **{alias_field: survivor},
        merged_id=duplicate.pk,
        merged_name=duplicate_name[:120],
        merged_by=actor if getattr(actor, "pk", None) else None,
    )
    changes = dict(plan.filled)
    for name in ("parent", "partner", "channel_parent"):
        if name not in changes and getattr(survivor, f"{name}_id", None) == duplicate.pk:
            changes[name] = None
    duplicate._history_user = actor if getattr(actor, "pk", None) else None
    duplicate._change_reason = f"merged into {survivor.pk}"
    duplicate.delete()
    changes["_change_reason"] = f"merged {duplicate_name} (#{plan.duplicate.pk})"
    survivor = save_versioned(survivor, actor=actor, expected_version=None, changes=changes)
    return survivor, plan


def merge_accounts(
    *, actor: User | None, survivor: Account, duplicate: Account, expected_version: int | None = None
) -> Account:
    """Fold `duplicate` into `survivor`: contacts, subsidiaries, served accounts, dealers, portal users and
    every other app's rows move; empty survivor fields take the duplicate's values; the duplicate's id and
    name stay as an AccountAlias; an AccountMerged event is emitted. Both must be visible to the actor, who
    must be allowed to merge."""
    if actor is not None and not (
        actor.has_perm("customers.merge_account", survivor) and actor.has_perm("customers.merge_account", duplicate)
    ):
        raise PermissionDenied(_("You cannot merge these accounts."))
    duplicate_id, duplicate_name = duplicate.pk, duplicate.name
    with transaction.atomic():
        survivor, plan = _merge(
            actor=actor,
            survivor=survivor,
            duplicate=duplicate,
            expected_version=expected_version,
            alias_model=AccountAlias,
            alias_field="account",
            name_field="name",
        )
        remove_objects("account", [duplicate_id])
        index_objects("account", [survivor])
        index_objects("contact", survivor.contacts.select_related("account"))
        events.emit(
            "AccountMerged",
            {
                "survivor_id": survivor.pk,
                "merged_id": duplicate_id,
                "merged_name": duplicate_name,
                "actor_id": getattr(actor, "pk", None),
                "moved": {f"{rows.model._meta.label}.{rows.field_name}": rows.count for rows in plan.related},
                "filled": sorted(plan.filled),
            },
        )
    return survivor


def merge_contacts(
    *, actor: User | None, survivor: Contact, duplicate: Contact, expected_version: int | None = None
) -> Contact:
    """Fold `duplicate` into `survivor` (consents, activities and every other related row move; the
    survivor keeps its account); the duplicate's id stays as a ContactAlias."""
    if actor is not None and not (
        actor.has_perm("customers.merge_contact", survivor) and actor.has_perm("customers.merge_contact", duplicate)
    ):
        raise PermissionDenied(_("You cannot merge these contacts."))
    duplicate_id, duplicate_name = duplicate.pk, duplicate.full_name
    with transaction.atomic():
        survivor, plan = _merge(
            actor=actor,
            survivor=survivor,
            duplicate=duplicate,
            expected_version=expected_version,
            alias_model=ContactAlias,
            alias_field="contact",
            name_field="full_name",
        )
        remove_objects("contact", [duplicate_id])
        index_objects("contact", [survivor])
        events.emit(
            "ContactMerged",
            {
                "survivor_id": survivor.pk,
                "merged_id": duplicate_id,
                "merged_name": duplicate_name,
                "actor_id": getattr(actor, "pk", None),
                "moved": {f"{rows.model._meta.label}.{rows.field_name}": rows.count for rows in plan.related},
                "filled": sorted(plan.filled),
            },
        )
    return survivor
