"""Writes on leads: create, update (versioned), status changes. Keyword-only, `actor` first, one transaction.

The fields that decide who sees a lead (owner, team, territory, partner) are set only by someone with the
`sales.assign_lead` right (sales managers, marketing, channel managers, administrators); everyone else creates
leads for themselves (internal users) or for their organisation (partner users).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.customers.operations.field_rules import clean_values, reject_unknown
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Lead, LeadSource, LeadStatus
from ..policies import is_assigner

# What a user may type on a lead (the score, status and conversion links are the operations' own).
CONTENT_FIELDS = frozenset(
    {
        "company_name",
        "brn",
        "person_name",
        "title",
        "email",
        "phone",
        "mobile",
        "sido",
        "sigungu",
        "road_address",
        "industry",
        "size",
        "product_line",
        "interest",
        "source",
        "source_detail",
        "external_id",
    }
)
VISIBILITY_FIELDS = frozenset({"owner", "team", "territory", "partner"})
EDITABLE_FIELDS = CONTENT_FIELDS | VISIBILITY_FIELDS
PHONES = ("phone", "mobile")

# Where a lead may go by hand (conversion has its own operation; a converted lead stays converted).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    LeadStatus.NEW: frozenset(
        {LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED}
    ),
    LeadStatus.WORKING: frozenset({LeadStatus.NURTURING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED}),
    LeadStatus.NURTURING: frozenset({LeadStatus.WORKING, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED}),
    LeadStatus.QUALIFIED: frozenset({LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.DISQUALIFIED}),
    LeadStatus.DISQUALIFIED: frozenset({LeadStatus.WORKING, LeadStatus.NURTURING}),  # reopened
    LeadStatus.CONVERTED: frozenset(),
}


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def note_history(lead: Lead, reason: str) -> None:
    """Name why the lead's latest history row was written ("rule:3", "manual", "status:qualified")."""
    history = Lead.history.model  # type: ignore[attr-defined]
    latest = history.objects.filter(id=lead.pk).order_by("-history_id").values("history_id")[:1]
    history.objects.filter(history_id__in=latest).update(history_change_reason=reason[:100])


def clean_lead_values(values: dict[str, Any]) -> dict[str, Any]:
    """BRN as 10 digits (checksum), phones in E.164, email lower case; every bad value a field error."""
    cleaned = clean_values(values, phones=PHONES, name_field="person_name")
    for name in ("company_name", "title", "sido", "sigungu", "road_address", "industry", "source_detail"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "external_id" in cleaned:
        cleaned["external_id"] = str(cleaned["external_id"] or "").strip()[:64]
    return cleaned


def check_visibility_fields(actor, values: dict[str, Any], lead: Lead | None = None) -> None:
    """Owner, team, territory and partner are assigners' decisions (an unchanged value is fine)."""
    if actor is None:
        return
    changed = [name for name in VISIBILITY_FIELDS & values.keys() if _differs(lead, name, values[name])]
    if not changed:
        return
    if lead is not None and actor.has_perm("sales.assign_lead", lead):
        return
    if lead is None and is_assigner(actor):
        return
    if lead is None and set(changed) == {"owner"} and getattr(values["owner"], "pk", None) == actor.pk:
        return
    raise ValidationError(
        {name: ValidationError(_("Only a sales manager can assign leads."), code="not_allowed") for name in changed}
    )


def _differs(lead: Lead | None, name: str, value: Any) -> bool:
    if lead is None:
        return value not in (None, "")
    if name in VISIBILITY_FIELDS | {"product_line"}:
        return getattr(lead, f"{name}_id") != getattr(value, "pk", value)
    return (getattr(lead, name) or "") != (value or "")


def _check_user(values: dict[str, Any]) -> None:
    owner = values.get("owner")
    if owner is not None and (not owner.is_active or not principal_for(owner).is_internal):
        raise ValidationError({"owner": ValidationError(_("Choose an active internal user."), code="invalid")})


def create_lead(
    *, actor: User | None, person_name: str, apply_rules: bool | None = None, consents=(), **fields: Any
) -> Lead:
    """A new lead. With no owner given: an assigner's (or the system's) lead goes through the assignment rules,
    an internal user's is their own, a partner user's belongs to their organisation.

    `consents`: (purpose, text_version, source) triples recorded as LeadConsent rows (see lead_capture)."""
    reject_unknown(fields, EDITABLE_FIELDS | {"web_form", "ip_address"})
    if actor is not None and not actor.has_perm("sales.add_lead"):
        raise PermissionDenied(_("You cannot add leads."))
    web_form = fields.pop("web_form", None)
    ip_address = fields.pop("ip_address", None)
    values = clean_lead_values({"person_name": person_name, **fields})
    check_visibility_fields(actor, values)
    _check_user(values)
    principal = principal_for(actor) if actor is not None else None
    if principal is not None and principal.is_partner:
        organization = principal.organization_id
        values["partner_id"] = organization
        values.pop("partner", None)
    elif values.get("owner") is None and actor is not None and not is_assigner(actor) and apply_rules is not True:
        values["owner"] = actor
    if not values.get("source"):
        values["source"] = LeadSource.API if actor is None else LeadSource.OTHER
    with transaction.atomic():
        lead = Lead(**values, web_form=web_form, created_by=actor if _actor_id(actor) else None)
        lead.updated_by = lead.created_by
        lead.full_clean()
        lead._history_user = lead.created_by  # type: ignore[attr-defined]  # read by django-simple-history
        lead._change_reason = "created"  # type: ignore[attr-defined]
        lead.save()
        _record_consents(actor, lead, consents, ip_address)
        wants_rules = apply_rules if apply_rules is not None else lead.owner_id is None
        if wants_rules and lead.owner_id is None:
            from .lead_assignment import assign_by_rules

            lead = assign_by_rules(lead=lead, actor=actor)
        from .lead_scoring import score_lead

        lead = score_lead(lead=lead)
        index_objects("lead", [lead])
        events.emit(
            "LeadCreated",
            {"lead_id": lead.pk, "source": lead.source, "owner_id": lead.owner_id, "actor_id": _actor_id(actor)},
        )
    return lead


def _record_consents(actor, lead: Lead, consents, ip_address) -> None:
    from django.utils import timezone

    from ..models import LeadConsent

    now = timezone.now()
    rows = [
        LeadConsent(
            lead=lead,
            purpose=purpose,
            granted=True,
            text_version=(version or "")[:32],
            recorded_at=now,
            source=(source or "")[:64],
            ip_address=ip_address or None,
            recorded_by=actor if _actor_id(actor) else None,
        )
        for purpose, version, source in consents
    ]
    for row in rows:
        row.full_clean(exclude=["lead"])
    LeadConsent.objects.bulk_create(rows)


def update_lead(*, actor: User | None, lead: Lead, expected_version: int | None, changes: dict[str, Any]) -> Lead:
    """Apply `changes` if the lead is still at `expected_version` (else ConflictError), then re-score it."""
    reject_unknown(changes, EDITABLE_FIELDS)
    if actor is not None and not actor.has_perm("sales.change_lead", lead):
        raise PermissionDenied(_("You cannot change this lead."))
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("A converted lead cannot be changed; edit its account, contact or opportunity."))
    cleaned = clean_lead_values(changes)
    values = {name: value for name, value in cleaned.items() if _differs(lead, name, value)}
    check_visibility_fields(actor, values, lead)
    _check_user(values)
    if not values:
        if expected_version is not None and lead.version != expected_version:
            raise ConflictError(lead)
        return lead
    with transaction.atomic():
        updated = save_versioned(lead, actor=actor, expected_version=expected_version, changes=values)
        from .lead_scoring import score_lead

        updated = score_lead(lead=updated)
        index_objects("lead", [updated])
        events.emit("LeadUpdated", {"lead_id": updated.pk, "actor_id": _actor_id(actor), "fields": sorted(values)})
    return updated


def change_lead_status(
    *,
    actor: User | None,
    lead: Lead,
    status: str,
    expected_version: int | None,
    reason: str = "",
    note: str = "",
) -> Lead:
    """Move a lead along: working, nurturing, qualified, disqualified (a reason is required), or back to work.
    Conversion is `convert_lead`."""
    if actor is not None and not actor.has_perm("sales.change_lead", lead):
        raise PermissionDenied(_("You cannot change this lead."))
    if status == LeadStatus.CONVERTED:
        raise ValidationError({"status": _("Convert the lead to mark it converted.")})
    if status not in LeadStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == lead.status:
        if expected_version is not None and lead.version != expected_version:
            raise ConflictError(lead)
        return lead
    if status not in ALLOWED_TRANSITIONS[lead.status]:
        raise ValidationError(
            {
                "status": _("A lead that is %(current)s cannot become %(new)s.")
                % {"current": lead.get_status_display(), "new": LeadStatus(status).label}
            }
        )
    from ..models import DisqualifyReason

    changes: dict[str, Any] = {"status": status}
    if status == LeadStatus.DISQUALIFIED:
        if reason not in DisqualifyReason.values:
            raise ValidationError({"reason": _("Say why the lead is disqualified.")})
        changes.update(disqualify_reason=reason, disqualify_note=(note or "").strip())
    else:
        changes.update(disqualify_reason="", disqualify_note="")
    with transaction.atomic():
        updated = save_versioned(lead, actor=actor, expected_version=expected_version, changes=changes)
        note_history(updated, f"status:{status}")
        events.emit(
            "LeadStatusChanged",
            {"lead_id": updated.pk, "status": status, "reason": reason, "actor_id": _actor_id(actor)},
        )
    return updated


def disqualify_lead(*, actor: User | None, lead: Lead, reason: str, note: str = "", expected_version=None) -> Lead:
    return change_lead_status(
        actor=actor,
        lead=lead,
        status=LeadStatus.DISQUALIFIED,
        reason=reason,
        note=note,
        expected_version=expected_version,
    )
