"""Writes on who else bids for a deal (internal only: partners neither see nor record competitors)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform.access import is_in_scope, principal_for
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Opportunity, OpportunityCompetitor


def _check(actor: User | None, opportunity: Opportunity) -> None:
    if actor is None:
        return
    if not principal_for(actor).is_internal or not actor.has_perm("sales.change_opportunity", opportunity):
        raise PermissionDenied(_("You cannot change this opportunity's competitors."))


def _clean(actor: User | None, competitor: Account | None, competitor_name: str) -> dict[str, Any]:
    name = (competitor_name or "").strip()
    errors: dict[str, list] = {}
    if competitor is None and not name:
        errors["competitor_name"] = [ValidationError(_("Choose a competitor or type its name."), code="required")]
    if competitor is not None and (
        competitor.kind != AccountKind.COMPETITOR or (actor is not None and not is_in_scope(actor, competitor))
    ):
        errors["competitor"] = [ValidationError(_("Choose a competitor account."), code="not_competitor")]
    if errors:
        raise ValidationError(errors)
    return {"competitor": competitor, "competitor_name": name}


def _one_winner(opportunity: Opportunity, keep: int | None) -> None:
    # a deal is won by one competitor at most (a database constraint keeps it)
    winners = OpportunityCompetitor.objects.filter(opportunity=opportunity, won_by=True)
    (winners.exclude(pk=keep) if keep is not None else winners).update(won_by=False)


def add_opportunity_competitor(
    *,
    actor: User | None,
    opportunity: Opportunity,
    competitor: Account | None = None,
    competitor_name: str = "",
    notes: str = "",
    won_by: bool = False,
) -> OpportunityCompetitor:
    """Record a competitor bidding for the deal (an account of kind competitor, or just a name)."""
    _check(actor, opportunity)
    values = _clean(actor, competitor, competitor_name)
    with transaction.atomic():
        if won_by:
            _one_winner(opportunity, None)
        row = OpportunityCompetitor(
            opportunity=opportunity, notes=notes or "", won_by=won_by, created_by=actor, updated_by=actor, **values
        )
        row.full_clean()
        row._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        row.save()
    return row


def update_opportunity_competitor(
    *, actor: User | None, row: OpportunityCompetitor, expected_version: int | None, **changes: Any
) -> OpportunityCompetitor:
    """Change a competitor's account or name, notes, or whether it won the deal."""
    allowed = {"competitor", "competitor_name", "notes", "won_by"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: [ValidationError(_("This field cannot be changed here."))] for name in unknown})
    _check(actor, row.opportunity)
    values = dict(changes)
    if "competitor" in values or "competitor_name" in values:
        values.update(
            _clean(actor, values.get("competitor", row.competitor), values.get("competitor_name", row.competitor_name))
        )
    with transaction.atomic():
        if values.get("won_by"):
            _one_winner(row.opportunity, row.pk)
        return save_versioned(row, actor=actor, expected_version=expected_version, changes=values)


def remove_opportunity_competitor(
    *, actor: User | None, row: OpportunityCompetitor, expected_version: int | None = None
) -> None:
    _check(actor, row.opportunity)
    with transaction.atomic():
        current = OpportunityCompetitor.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:
            return
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        current._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        current.delete()
