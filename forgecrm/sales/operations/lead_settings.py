"""Writes on lead-capture configuration: web forms, scoring rules (rule `sales.manage_lead_capture`) and
assignment rules (rule `sales.manage_sales_settings`). Each creates, or updates under the optimistic lock."""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform.models import BusinessModel, User
from forgecrm.platform.versioning import save_versioned

from ..models import LeadAssignmentRule, LeadScoringRule, WebForm

M = TypeVar("M", bound=BusinessModel)


def _save(actor: User, model: type[M], instance: M | None, values: dict[str, Any], expected_version) -> M:
    allowed = {field.name for field in model._meta.concrete_fields if field.editable} - {
        "id",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "public_key",
    }
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if instance is None:
            created = model(**values, created_by=actor, updated_by=actor)
            created.full_clean()
            created._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
            created.save()
            return created
        return save_versioned(instance, actor=actor, expected_version=expected_version, changes=values)


def save_web_form(
    *, actor: User, values: dict[str, Any], web_form: WebForm | None = None, expected_version=None
) -> WebForm:
    if not actor.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied(_("You cannot manage lead capture."))
    return _save(actor, WebForm, web_form, values, expected_version)


def rotate_web_form_key(*, actor: User, web_form: WebForm) -> WebForm:
    from ..models.leads import new_public_key

    if not actor.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied(_("You cannot manage lead capture."))
    return save_versioned(web_form, actor=actor, expected_version=None, changes={"public_key": new_public_key()})


def save_scoring_rule(
    *, actor: User, values: dict[str, Any], rule: LeadScoringRule | None = None, expected_version=None
) -> LeadScoringRule:
    if not actor.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied(_("You cannot manage lead scoring."))
    if values.get("operator") in ("gte", "lte"):
        try:
            float(values.get("value") or "")
        except ValueError as error:
            raise ValidationError({"value": _("At least / at most compare with a number.")}) from error
    return _save(actor, LeadScoringRule, rule, values, expected_version)


def save_assignment_rule(
    *, actor: User, values: dict[str, Any], rule: LeadAssignmentRule | None = None, expected_version=None
) -> LeadAssignmentRule:
    if not actor.has_perm("sales.manage_sales_settings"):
        raise PermissionDenied(_("You cannot manage assignment rules."))
    user, team = values.get("assign_to_user"), values.get("assign_to_team")
    if bool(user) == bool(team):
        raise ValidationError({"assign_to_user": _("Choose either one user or one team.")})
    return _save(actor, LeadAssignmentRule, rule, values, expected_version)


def train_score_model(*, actor: User):
    """Train the conversion model now (see lead_scoring.train_lead_score_model); None while history is short."""
    from .lead_scoring import train_lead_score_model

    if not actor.has_perm("sales.manage_lead_capture"):
        raise PermissionDenied(_("You cannot manage lead scoring."))
    return train_lead_score_model(actor=actor)
