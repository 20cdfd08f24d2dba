"""Writes on accounts: create, update, deactivate, reactivate."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform import events
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.models import User
from forgecrm.platform.operations import match_territory
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Account, AccountKind
from ..policies import ACCOUNT_VISIBILITY_FIELDS, PARTNER_CREATABLE_KINDS, PARTNER_LOCKED_FIELDS, is_record_manager
from .field_rules import clean_values, reject_unknown, size_for_employees

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "kind",
        "form",
        "parent",
        "industry",
        "size",
        "employees",
        "annual_revenue",
        "brn",
        "corporate_number",
        "phone",
        "email",
        "website",
        "road_address",
        "address_detail",
        "sido",
        "sigungu",
        "postal_code",
        "owner",
        "territory",
        "tier",
        "partner",
        "partner_type",
        "channel_parent",
        "description",
        "source",
        "external_id",
    }
)
FOREIGN_KEYS = frozenset({"parent", "owner", "territory", "partner", "channel_parent"})
# Changing any of these re-runs the territory rules (unless a manager sets the territory in the same change).
TERRITORY_INPUTS = ("sido", "sigungu", "industry", "employees")
SELF_REFERENCES = ("parent", "partner", "channel_parent")
MAX_HIERARCHY_DEPTH = 50


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _current(account: Account | None, name: str) -> Any:
    if account is None:
        return None
    if name in FOREIGN_KEYS:
        return getattr(account, f"{name}_id")
    value = getattr(account, name)
    return getattr(value, "amount", value) if name == "annual_revenue" else value


def _differs(account: Account, name: str, value: Any) -> bool:
    new = _pk(value) if name in FOREIGN_KEYS else getattr(value, "amount", value)
    current = _current(account, name)
    if isinstance(current, str) or isinstance(new, str):
        return (current or "") != (new or "")
    return current != new


def _not_allowed(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code="not_allowed"))


def _check_permissions(actor: User | None, account: Account | None, values: dict[str, Any], errors: dict) -> None:
    """Field-level rules: who may set the fields that decide visibility and a partner's standing."""
    if actor is None or is_record_manager(actor):
        return
    principal = principal_for(actor)
    for name in sorted(ACCOUNT_VISIBILITY_FIELDS & values.keys()):
        new = _pk(values[name])
        if account is not None:
            allowed = new == _current(account, name)
        else:
            allowed = (
                new is None
                or (name == "owner" and principal.is_internal and new == actor.pk)
                or (name == "partner" and principal.is_partner and new == actor.organization_id)
            )
        if not allowed:
            _not_allowed(
                errors, name, _("Only a manager can change who sees this account (owner, partner, territory).")
            )
    if principal.is_partner:
        for name in sorted(PARTNER_LOCKED_FIELDS & values.keys()):
            value = values[name]
            changed = _differs(account, name, value) if account is not None else _pk(value) not in (None, "")
            if changed:
                _not_allowed(errors, name, _("The manufacturer sets this field for partners."))
        if "kind" in values and values["kind"] not in PARTNER_CREATABLE_KINDS:
            _not_allowed(errors, "kind", _("A partner records customers and prospects only."))


def _creates_cycle(account_pk: int | None, start: Account, field: str) -> bool:
    if account_pk is None:
        return False
    current: int | None = start.pk
    seen: set[int] = set()
    while current and current not in seen and len(seen) < MAX_HIERARCHY_DEPTH:
        if current == account_pk:
            return True
        seen.add(current)
        current = Account.objects.filter(pk=current).values_list(f"{field}_id", flat=True).first()
    return False


def _check_references(actor: User | None, account: Account | None, values: dict[str, Any], errors: dict) -> None:
    """Linked accounts must be visible to the actor, of the right kind and not make a loop."""
    own_pk = account.pk if account else None
    linked = {name: values[name] for name in SELF_REFERENCES if values.get(name) is not None and name not in errors}
    if actor is not None and linked:
        visible = set(
            scope_for(actor, Account).filter(pk__in=[_pk(v) for v in linked.values()]).values_list("pk", flat=True)
        )
        for name, value in linked.items():
            if _pk(value) not in visible:
                errors.setdefault(name, []).append(ValidationError(_("No such account."), code="does_not_exist"))
    for name, value in linked.items():
        if name in errors:
            continue
        if name in ("partner", "channel_parent") and value.kind != AccountKind.PARTNER:
            errors.setdefault(name, []).append(ValidationError(_("Choose a partner account."), code="not_partner"))
        elif _pk(value) == own_pk or _creates_cycle(own_pk, value, name):
            errors.setdefault(name, []).append(
                ValidationError(_("An account cannot sit below itself."), code="hierarchy_loop")
            )
    kind = values.get("kind", account.kind if account else None)
    channel_parent = values.get("channel_parent", account.channel_parent_id if account else None)
    if channel_parent and kind != AccountKind.PARTNER and "channel_parent" not in errors:
        errors.setdefault("channel_parent", []).append(
            ValidationError(_("Only a partner sits below a parent partner."), code="not_partner")
        )


def _assign_territory(values: dict[str, Any], account: Account | None) -> None:
    inputs = {name: values[name] if name in values else _current(account, name) for name in TERRITORY_INPUTS}
    values["territory"] = match_territory(
        sido=inputs["sido"] or "",
        sigungu=inputs["sigungu"] or "",
        industry=inputs["industry"] or "",
        employees=inputs["employees"],
    )


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def create_account(*, actor: User | None, name: str, kind: str, owner: User | None = None, **fields: Any) -> Account:
    """Create an account after the field rules (BRN check digit, phone, email), with the territory its rules
    give, indexed for search. An internal user owns what they create; a partner user's account is served by
    their own partner. `actor=None` is the system (seed data) and must name the owner."""
    reject_unknown(fields, EDITABLE_FIELDS - {"name", "kind", "owner"})
    if actor is not None and not actor.has_perm("customers.add_account"):
        raise PermissionDenied(_("You cannot create accounts."))
    values = clean_values({"name": name, "kind": kind, **fields}, phones=("phone",), name_field="name")
    values["owner"] = owner
    errors: dict[str, list] = {}
    _check_permissions(actor, None, values, errors)
    if actor is not None and principal_for(actor).is_partner and actor.organization is not None:
        values["partner"] = actor.organization
        values["owner"] = actor.organization.owner
    elif values["owner"] is None:
        if actor is None:
            errors.setdefault("owner", []).append(ValidationError(_("Choose an owner."), code="required"))
        values["owner"] = actor
    _check_references(actor, None, values, errors)
    _raise(errors)
    if values.get("territory") is None:
        _assign_territory(values, None)
    if values.get("employees") is not None and not values.get("size"):
        values["size"] = size_for_employees(values["employees"])
    with transaction.atomic():
        account = Account(**values, created_by=actor, updated_by=actor)
        account.full_clean()
        account._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        account.save()
        index_objects("account", [account])
        events.emit("AccountCreated", {"account_id": account.pk, "actor_id": getattr(actor, "pk", None)})
    return account


def update_account(
    *, actor: User | None, account: Account, expected_version: int | None, changes: dict[str, Any]
) -> Account:
    """Apply `changes` (field name -> value; linked records as instances) if the account is still at
    `expected_version`, else raise ConflictError. Unchanged values are ignored; the territory is re-assigned
    when the address, industry or size changes."""
    reject_unknown(changes, EDITABLE_FIELDS)
    if actor is not None and not actor.has_perm("customers.change_account", account):
        raise PermissionDenied(_("You cannot change this account."))
    cleaned = clean_values(changes, phones=("phone",), name_field="name")
    values = {name: value for name, value in cleaned.items() if _differs(account, name, value)}
    errors: dict[str, list] = {}
    _check_permissions(actor, account, values, errors)
    _check_references(actor, account, values, errors)
    _raise(errors)
    if not values:
        if expected_version is not None and account.version != expected_version:
            raise ConflictError(account)
        return account
    if "territory" not in values and any(name in values for name in TERRITORY_INPUTS):
        _assign_territory(values, account)
        if _pk(values["territory"]) == account.territory_id:
            values.pop("territory")
    if "employees" in values and "size" not in cleaned:
        values["size"] = size_for_employees(values["employees"])
    with transaction.atomic():
        updated = save_versioned(account, actor=actor, expected_version=expected_version, changes=values)
        index_objects("account", [updated])
        if "name" in values:
            index_objects("contact", updated.contacts.select_related("account"))
        events.emit(
            "AccountUpdated",
            {"account_id": updated.pk, "actor_id": getattr(actor, "pk", None), "fields": sorted(values)},
        )
    return updated


def _set_active(actor: User | None, account: Account, active: bool, expected_version: int | None) -> Account:
    if actor is not None and not actor.has_perm("customers.delete_account", account):
        raise PermissionDenied(_("You cannot deactivate or restore this account."))
    if account.is_active == active:
        return account
    with transaction.atomic():
        updated = save_versioned(account, actor=actor, expected_version=expected_version, changes={"is_active": active})
        index_objects("account", [updated])
        events.emit(
            "AccountReactivated" if active else "AccountDeactivated",
            {"account_id": updated.pk, "actor_id": getattr(actor, "pk", None)},
        )
    return updated


def deactivate_account(*, actor: User | None, account: Account, expected_version: int | None = None) -> Account:
    """Soft delete: the account leaves lists and counts but keeps its history and links; it can be restored."""
    return _set_active(actor, account, False, expected_version)


def reactivate_account(*, actor: User | None, account: Account, expected_version: int | None = None) -> Account:
    return _set_active(actor, account, True, expected_version)
