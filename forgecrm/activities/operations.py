"""Every write to activities and attachments: one function per business action, actor first."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import principal_for, registered_models, scope_for
from forgecrm.platform.events import emit
from forgecrm.platform.korea.phone import normalize_phone
from forgecrm.platform.models import User
from forgecrm.platform.versioning import save_versioned

from .models import (
    DIRECTED_KINDS,
    PERSONAL_KINDS,
    SCHEDULED_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Attachment,
)
from .queries import owner_choices_for
from .rich_text import sanitize_body
from .upload_checks import check_size, check_upload

EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "subject",
        "body",
        "account",
        "contact",
        "owner",
        "status",
        "due_at",
        "starts_at",
        "ends_at",
        "all_day",
        "location",
        "direction",
        "outcome_code",
        "outcome",
        "duration_minutes",
        "phone_number",
        "shared_with_team",
        "visible_to_partner",
    }
)


def _require(actor, permission: str, obj=None) -> None:
    if actor is None or not actor.has_perm(permission, obj):
        raise PermissionDenied(_("You may not do this with this activity."))


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _in_scope(actor, model, value: Any, field: str):
    """The record with this id if the actor may see it; another organisation's id is simply not found."""
    try:
        found = scope_for(actor, model).filter(pk=int(_pk(value))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({field: _("%(model)s not found.") % {"model": model._meta.verbose_name.capitalize()}})
    return found


def _resolve_regarding(actor, values: dict[str, Any], current: Activity | None) -> None:
    """Check account and contact against the actor's scope (unless unchanged) and keep them consistent."""
    for field, model in (("account", Account), ("contact", Contact)):
        if field not in values:
            continue
        value = values[field]
        if value in (None, ""):
            values[field] = None
        elif current is not None and _pk(value) == getattr(current, f"{field}_id"):
            values[field] = getattr(current, field)
        else:
            values[field] = _in_scope(actor, model, value, field)
    account = values.get("account", current.account if current else None)
    contact = values.get("contact", current.contact if current else None)
    if contact is not None and account is None:
        values["account"] = contact.account
    elif contact is not None and account is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("This contact does not belong to the selected account.")})


# Set through `regarding=<record>` (or None to clear); kept in the state so versioned saves carry them.
REGARDING_LINK_FIELDS = frozenset({"regarding_type", "regarding_id"})


def _resolve_regarding_record(actor, values: dict[str, Any], current: Activity | None) -> None:
    """Turn `regarding` (a record of a scoped model of any app, or None) into the generic link, after checking
    that the actor sees the record (unless unchanged): another organisation's record is simply not found."""
    if "regarding" not in values:
        return
    record = values.pop("regarding")
    if record is None:
        values["regarding_type"], values["regarding_id"] = None, None
        return
    model = type(record)
    if model not in registered_models() or getattr(record, "pk", None) is None:
        raise TypeError(f"an activity cannot regard a {model.__name__}: no access scope")
    content_type = ContentType.objects.get_for_model(model)
    unchanged = current is not None and (current.regarding_type_id, current.regarding_id) == (
        content_type.pk,
        record.pk,
    )
    if not unchanged and not scope_for(actor, model).filter(pk=record.pk).exists():
        raise ValidationError(
            {"regarding": _("%(model)s not found.") % {"model": str(model._meta.verbose_name).capitalize()}}
        )
    values["regarding_type"], values["regarding_id"] = content_type, record.pk


def _resolve_owner(actor, values: dict[str, Any], current: Activity | None) -> None:
    owner = values.get("owner")
    if owner in (None, ""):
        values["owner"] = current.owner if current else actor
        return
    if current is not None and _pk(owner) == current.owner_id:
        values["owner"] = current.owner
        return
    try:
        found = owner_choices_for(actor).filter(pk=int(_pk(owner))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"owner": _("User not found.")})
    values["owner"] = found


def _local_midnight(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(value), dt.time.min))


def _normalise(actor, state: dict[str, Any], changed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Rules between fields of one activity, applied to its full state after the change (`changed`: the keys
    the caller sent, so that a new duration moves the end unless a new end came with it)."""
    duration_changed, end_changed = "duration_minutes" in changed, "ends_at" in changed
    kind = state["kind"]
    errors: dict[str, str] = {}
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown kind of activity.")})
    if not (state.get("subject") or "").strip():
        errors["subject"] = _("Give the activity a subject.")
    state["subject"] = (state.get("subject") or "").strip()[:200]
    state["body"] = sanitize_body(state.get("body") or "")
    if kind not in DIRECTED_KINDS:
        state["direction"] = ""
    if kind != ActivityKind.CALL:
        state["outcome_code"] = ""
        state["phone_number"] = ""
    elif state.get("phone_number"):
        try:
            state["phone_number"] = normalize_phone(state["phone_number"])
        except ValidationError as error:
            errors["phone_number"] = " ".join(error.messages)
    if kind == ActivityKind.CALL and not state.get("starts_at") and state.get("status") == ActivityStatus.DONE:
        state["starts_at"] = timezone.now()
    if kind in SCHEDULED_KINDS and not state.get("starts_at"):
        errors["starts_at"] = _("A meeting, demo or visit needs a start time.")
    if state.get("all_day"):
        for name in ("starts_at", "ends_at", "due_at"):
            if state.get(name):
                state[name] = _local_midnight(state[name])
    starts, ends, minutes = state.get("starts_at"), state.get("ends_at"), state.get("duration_minutes")
    timed = starts is not None and not state.get("all_day")
    if starts is not None and timed and minutes and (not ends or (duration_changed and not end_changed)):
        state["ends_at"] = ends = starts + dt.timedelta(minutes=minutes)
    if starts and ends and ends < starts:
        errors["ends_at"] = _("The end is before the start.")
    elif starts is not None and timed and ends:
        state["duration_minutes"] = int((ends - starts).total_seconds() // 60)  # the end, once known, decides
    regards_nothing = state.get("account") is None and state.get("contact") is None and not state.get("regarding_id")
    if regards_nothing and kind not in PERSONAL_KINDS:
        errors["account"] = _("Choose the account or contact this activity is about.")
    if not principal_for(actor).is_internal:
        state["visible_to_partner"] = False  # only headquarters decides what partners see of its own notes
    # A note records something known, it is never "planned".
    status = ActivityStatus.DONE if kind == ActivityKind.NOTE else (state.get("status") or ActivityStatus.PLANNED)
    if status not in ActivityStatus.values:
        errors["status"] = _("Unknown status.")
    state["status"] = status
    if status == ActivityStatus.DONE:
        state["completed_at"] = state.get("completed_at") or timezone.now()
    else:
        state["completed_at"] = None
    if errors:
        raise ValidationError(errors)
    return state


def _regarding_label(activity: Activity) -> str | None:
    """ "sales.opportunity" for the generic link (from the content-type cache: no query)."""
    if not activity.regarding_type_id:
        return None
    content_type = ContentType.objects.get_for_id(activity.regarding_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _event_payload(activity: Activity) -> dict[str, Any]:
    return {
        "activity_id": activity.pk,
        "kind": activity.kind,
        "status": activity.status,
        "account_id": activity.account_id,
        "contact_id": activity.contact_id,
        "regarding": _regarding_label(activity),
        "regarding_id": activity.regarding_id,
        "owner_id": activity.owner_id,
        "version": activity.version,
    }


def log_activity(
    *,
    actor: User,
    kind: str,
    subject: str,
    account: Any = None,
    contact: Any = None,
    regarding: Any = None,
    **fields: Any,
) -> Activity:
    """Record a call, meeting, correspondence, demo, visit, task or note.

    `account` / `contact` are records or ids; they must be inside the actor's scope (otherwise a field error
    "not found", never a hint that they exist). A contact alone brings its account along. `regarding` is one
    record of a higher app (a lead, an opportunity...) with a registered access scope, also checked against the
    actor's scope; pass the opportunity's account too, so that the account's timeline shows the activity.
    """
    _require(actor, "activities.add_activity")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown activity fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {**fields, "kind": kind, "subject": subject, "account": account, "contact": contact}
    values["regarding"] = regarding
    _resolve_regarding(actor, values, None)
    _resolve_regarding_record(actor, values, None)
    _resolve_owner(actor, values, None)
    state = _normalise(actor, values)
    with transaction.atomic():
        activity = Activity(**state, created_by=actor, updated_by=actor)
        activity.full_clean()
        activity.save()
        emit("ActivityLogged", _event_payload(activity))
    return activity


def update_activity(*, actor: User, activity: Activity, expected_version: int | None, **changes: Any) -> Activity:
    """Change an activity the actor may change; a stale `expected_version` raises ConflictError.

    `regarding=<record>` (or None) moves the generic link, checked like in `log_activity`."""
    _require(actor, "activities.change_activity", activity)
    unknown = set(changes) - EDITABLE_FIELDS - {"regarding"}
    if unknown:
        raise TypeError(f"unknown activity fields: {', '.join(sorted(unknown))}")
    values = dict(changes)
    _resolve_regarding(actor, values, activity)
    _resolve_regarding_record(actor, values, activity)
    if "owner" in values:
        _resolve_owner(actor, values, activity)
    state = {name: getattr(activity, name) for name in EDITABLE_FIELDS | REGARDING_LINK_FIELDS | {"completed_at"}}
    state.update(values)
    state = _normalise(actor, state, frozenset(changes))
    with transaction.atomic():
        saved = save_versioned(activity, actor=actor, expected_version=expected_version, changes=state)
        emit("ActivityUpdated", _event_payload(saved))
    return saved


def complete_activity(
    *,
    actor: User,
    activity: Activity,
    outcome: str = "",
    outcome_code: str = "",
    expected_version: int | None = None,
) -> Activity:
    """Mark an activity done, with what came of it (for a call: connected, no answer, left message…)."""
    _require(actor, "activities.complete_activity", activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError({"status": _("A cancelled activity cannot be completed.")})
    changes: dict[str, Any] = {"status": ActivityStatus.DONE}
    if outcome:
        changes["outcome"] = outcome
    if outcome_code:
        changes["outcome_code"] = outcome_code
    state = {name: getattr(activity, name) for name in EDITABLE_FIELDS | REGARDING_LINK_FIELDS | {"completed_at"}}
    state.update(changes)
    state = _normalise(actor, state)
    with transaction.atomic():
        saved = save_versioned(activity, actor=actor, expected_version=expected_version, changes=state)
        emit("ActivityCompleted", _event_payload(saved))
    return saved


def cancel_activity(*, actor: User, activity: Activity, expected_version: int | None = None) -> Activity:
    """Call off a planned activity (it stays on record, out of calendars and open lists)."""
    _require(actor, "activities.complete_activity", activity)
    if activity.status == ActivityStatus.DONE:
        raise ValidationError({"status": _("A completed activity cannot be cancelled.")})
    with transaction.atomic():
        saved = save_versioned(
            activity,
            actor=actor,
            expected_version=expected_version,
            changes={"status": ActivityStatus.CANCELLED, "completed_at": None},
        )
        emit("ActivityCancelled", _event_payload(saved))
    return saved


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        if name:
            storage.delete(name)


def delete_activity(*, actor: User, activity: Activity) -> None:
    """Delete an activity and its attachment files (history keeps the record of it)."""
    _require(actor, "activities.delete_activity", activity)
    with transaction.atomic():
        files = [(attachment.file.storage, attachment.file.name or "") for attachment in activity.attachments.all()]
        payload = _event_payload(activity)
        activity.delete()
        emit("ActivityDeleted", payload)
        transaction.on_commit(lambda: _delete_files(files))


def add_attachment(*, actor: User, activity: Activity, upload: Any) -> Attachment:
    """Store a checked file on an activity (type by extension and content, size limit, safe name).

    The same content attached twice to one activity is kept once.
    """
    _require(actor, "activities.change_activity", activity)
    limit = settings.FORGE_ATTACHMENT_MAX_BYTES
    check_size(getattr(upload, "size", 0) or 0)  # refuse before reading a huge upload
    upload.seek(0)
    data = upload.read(limit + 1)
    checked = check_upload(getattr(upload, "name", "") or "", data)
    existing = activity.attachments.filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing
    attachment = Attachment(
        activity=activity,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        created_by=actor,
        updated_by=actor,
    )
    try:
        with transaction.atomic():
            attachment.file.save(f"upload.{checked.extension}", ContentFile(data), save=False)
            attachment.save()
            emit("AttachmentAdded", {"attachment_id": attachment.pk, "activity_id": activity.pk})
    except Exception:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def delete_attachment(*, actor: User, attachment: Attachment) -> None:
    """Remove an attachment; its file goes once the deletion is committed."""
    _require(actor, "activities.delete_attachment", attachment)
    files = [(attachment.file.storage, attachment.file.name or "")]
    with transaction.atomic():
        payload = {"attachment_id": attachment.pk, "activity_id": attachment.activity_id}
        attachment.delete()
        emit("AttachmentDeleted", payload)
        transaction.on_commit(lambda: _delete_files(files))
