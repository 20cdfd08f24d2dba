"""Writes on contacts and their consent records."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Account, Consent, ConsentPurpose, Contact
from ..policies import CONTACT_VISIBILITY_FIELDS, is_record_manager
from .field_rules import clean_values, reject_unknown

EDITABLE_FIELDS = frozenset(
    {
        "account",
        "full_name",
        "title",
        "department",
        "email",
        "phone",
        "mobile",
        "key_person_role",
        "preferred_channel",
        "owner",
        "notes",
        "source",
        "external_id",
    }
)
PHONES = ("phone", "mobile")


def _differs(contact: Contact, name: str, value: Any) -> bool:
    if name in ("account", "owner"):
        return getattr(contact, f"{name}_id") != getattr(value, "pk", value)
    return (getattr(contact, name) or "") != (value or "")


def _check_owner(actor: User | None, contact: Contact | None, owner: User | None, errors: dict) -> None:
    if actor is None or is_record_manager(actor) or owner is None:
        return
    current = contact.owner_id if contact is not None else actor.pk
    if owner.pk != current:
        errors.setdefault("owner", []).append(
            ValidationError(_("Only a manager can give a contact to someone else."), code="not_allowed")
        )


def _default_owner(actor: User | None, account: Account) -> User:
    if actor is not None and principal_for(actor).is_internal:
        return actor
    return account.owner


def create_contact(*, actor: User | None, account: Account, full_name: str, **fields: Any) -> Contact:
    """Add a person to an account (the actor must be allowed to change the account), after the field rules."""
    reject_unknown(fields, EDITABLE_FIELDS - {"account", "full_name"})
    if actor is not None and not actor.has_perm("customers.add_contact", account):
        raise PermissionDenied(_("You cannot add contacts to this account."))
    values = clean_values({"full_name": full_name, **fields}, phones=PHONES, name_field="full_name")
    errors: dict[str, list] = {}
    _check_owner(actor, None, values.get("owner"), errors)
    if errors:
        raise ValidationError(errors)
    values["owner"] = values.get("owner") or _default_owner(actor, account)
    with transaction.atomic():
        contact = Contact(account=account, **values, created_by=actor, updated_by=actor)
        contact.full_clean()
        contact._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        contact.save()
        index_objects("contact", [contact])
        events.emit(
            "ContactCreated",
            {"contact_id": contact.pk, "account_id": account.pk, "actor_id": getattr(actor, "pk", None)},
        )
    return contact


def update_contact(
    *, actor: User | None, contact: Contact, expected_version: int | None, changes: dict[str, Any]
) -> Contact:
    """Apply `changes` if the contact is still at `expected_version` (else ConflictError). Moving a contact
    to another account needs the right to add contacts there; the owner is a manager's decision."""
    reject_unknown(changes, EDITABLE_FIELDS)
    if actor is not None and not actor.has_perm("customers.change_contact", contact):
        raise PermissionDenied(_("You cannot change this contact."))
    cleaned = clean_values(changes, phones=PHONES, name_field="full_name")
    values = {name: value for name, value in cleaned.items() if _differs(contact, name, value)}
    errors: dict[str, list] = {}
    for name in CONTACT_VISIBILITY_FIELDS & values.keys():
        _check_owner(actor, contact, values[name], errors)
    if "account" in values and actor is not None and not actor.has_perm("customers.add_contact", values["account"]):
        errors.setdefault("account", []).append(ValidationError(_("No such account."), code="does_not_exist"))
    if errors:
        raise ValidationError(errors)
    if not values:
        if expected_version is not None and contact.version != expected_version:
            raise ConflictError(contact)
        return contact
    with transaction.atomic():
        updated = save_versioned(contact, actor=actor, expected_version=expected_version, changes=values)
        index_objects("contact", [updated])
        events.emit(
            "ContactUpdated",
            {"contact_id": updated.pk, "actor_id": getattr(actor, "pk", None), "fields": sorted(values)},
        )
    return updated


def _set_active(actor: User | None, contact: Contact, active: bool, expected_version: int | None) -> Contact:
    if actor is not None and not actor.has_perm("customers.delete_contact", contact):
        raise PermissionDenied(_("You cannot deactivate or restore this contact."))
    if contact.is_active == active:
        return contact
    with transaction.atomic():
        updated = save_versioned(contact, actor=actor, expected_version=expected_version, changes={"is_active": active})
        events.emit(
            "ContactReactivated" if active else "ContactDeactivated",
            {"contact_id": updated.pk, "actor_id": getattr(actor, "pk", None)},
        )
    return updated


def deactivate_contact(*, actor: User | None, contact: Contact, expected_version: int | None = None) -> Contact:
    """Soft delete (the person left the company, say): out of lists, history and consents kept."""
    return _set_active(actor, contact, False, expected_version)


def reactivate_contact(*, actor: User | None, contact: Contact, expected_version: int | None = None) -> Contact:
    return _set_active(actor, contact, True, expected_version)


def record_consent(
    *,
    actor: User | None,
    contact: Contact,
    purpose: str,
    granted: bool,
    source: str,
    recorded_at: dt.datetime | None = None,
) -> Consent:
    """Record that the person gave or withdrew consent for one purpose (PIPA: purpose-bound, dated, with
    its source). Records are never edited: the latest per purpose is the person's current choice."""
    if actor is not None and not actor.has_perm("customers.change_contact", contact):
        raise PermissionDenied(_("You cannot record consent for this contact."))
    errors: dict[str, list] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [ValidationError(_("Choose a consent purpose."), code="invalid_choice")]
    source = (source or "").strip()
    if not source:
        errors["source"] = [
            ValidationError(_("Say where the consent was given (web form, paper, call…)."), code="required")
        ]
    now = timezone.now()
    recorded_at = recorded_at or now
    if timezone.is_naive(recorded_at):
        recorded_at = timezone.make_aware(recorded_at)
    if recorded_at > now + dt.timedelta(minutes=5):
        errors["recorded_at"] = [ValidationError(_("A consent cannot be dated in the future."), code="future")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            contact=contact,
            purpose=purpose,
            granted=bool(granted),
            recorded_at=recorded_at,
            source=source[:64],
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        consent.full_clean()
        consent.save()
        events.emit(
            "ConsentRecorded",
            {
                "contact_id": contact.pk,
                "purpose": purpose,
                "granted": bool(granted),
                "actor_id": getattr(actor, "pk", None),
            },
        )
    return consent
