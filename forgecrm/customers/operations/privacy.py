"""A data subject's rights under PIPA: an export of everything held about a contact, and erasure; and the
retention purge of contacts nobody may keep any longer.

Erasure anonymises the contact's personal fields and every history row of them (and of the contacts merged
into them), keeps the business records that point at the contact (activities, deals, consents as proof), and
cannot be undone: no history row keeps the old values to revert to.
"""

import datetime as dt
import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.platform import events
from forgecrm.platform.audit import log_personal_data_access
from forgecrm.platform.models import PersonalDataAccess, Role, User
from forgecrm.platform.search import index_objects
from forgecrm.platform.timeline import timeline_for

from ..models import Contact, ContactAlias
from ..privacy import currently_consents_to_anything

# The personal fields of a contact; erasure blanks them (the name becomes a placeholder).
PERSONAL_FIELDS = ("full_name", "title", "department", "email", "phone", "mobile", "notes", "external_id")
ERASED_SOURCE = "erased"
EXPORT_FORMAT = "forgecrm.personal-data/1"


def _field_values(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        **{name: getattr(row, name) for name in PERSONAL_FIELDS},
        "key_person_role": row.key_person_role,
        "preferred_channel": row.preferred_channel,
        "source": row.source,
        "is_active": row.is_active,
    }


def personal_data_of(*, actor: User, contact: Contact) -> dict[str, Any]:
    """Everything held about the person: profile, consents, change history, merged records, the timeline of
    what was done with them, and who looked at their record."""
    if not actor.has_perm("customers.export_personal_data", contact):
        raise PermissionDenied(_("Only a privacy officer can export a person's data."))
    history = contact.history.order_by("history_date", "history_id").select_related("history_user")
    aliases = list(ContactAlias.objects.filter(contact=contact).order_by("merged_at"))
    accesses = (
        PersonalDataAccess.objects.filter(content_type__app_label="customers", content_type__model="contact")
        .filter(object_id=contact.pk)
        .select_related("user")
        .order_by("at")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "contact": {
            **_field_values(contact),
            "account": {"id": contact.account_id, "name": contact.account.name},
            "owner": str(contact.owner),
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        },
        "consents": [
            {
                "purpose": consent.purpose,
                "granted": consent.granted,
                "recorded_at": consent.recorded_at,
                "source": consent.source,
            }
            for consent in contact.consents.order_by("recorded_at", "pk")
        ],
        "history": [
            {
                "at": row.history_date,
                "change": row.history_type,
                "by": str(row.history_user or ""),
                **_field_values(row),
            }
            for row in history
        ],
        "merged_records": [
            {"id": alias.merged_id, "name": alias.merged_name, "at": alias.merged_at} for alias in aliases
        ],
        "timeline": [
            {"at": entry.at, "kind": entry.kind, "title": str(entry.title), "summary": str(entry.summary)}
            for entry in timeline_for(actor, "contact", contact.pk, limit=10_000)
        ],
        "access_log": [{"at": row.at, "by": str(row.user), "action": row.action} for row in accesses],
    }


def export_personal_data(*, actor: User, contact: Contact, ip_address: str | None = None) -> bytes:
    """The data subject's copy as a ZIP (personal-data.json inside); the export itself is logged."""
    data = personal_data_of(actor=actor, contact=contact)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
    log_personal_data_access(
        actor=actor,
        model=Contact,
        object_ids=[contact.pk],
        action=PersonalDataAccess.Action.EXPORT,
        ip_address=ip_address,
    )
    return buffer.getvalue()


def _erased_values(contact_id: int) -> dict[str, Any]:
    return {
        "full_name": _("Erased person #%(id)s") % {"id": contact_id},
        "title": "",
        "department": "",
        "email": "",
        "phone": "",
        "mobile": "",
        "notes": "",
        "external_id": "",
        "key_person_role": "",
        "preferred_channel": "",
        "source": ERASED_SOURCE,
        "is_active": False,
    }


def erase_personal_data(
    *, actor: User | None, contact: Contact, reason: str = "request", ip_address: str | None = None
) -> Contact:
    """Anonymise the person for good (a privacy officer's act; `actor=None` is the retention purge)."""
    if actor is not None and not actor.has_perm("customers.erase_personal_data", contact):
        raise PermissionDenied(_("Only a privacy officer can erase a person's data."))
    with transaction.atomic():
        current = Contact.objects.select_for_update().get(pk=contact.pk)
        values = _erased_values(current.pk)
        merged_ids = list(ContactAlias.objects.filter(contact=current).values_list("merged_id", flat=True))
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_by = actor
        setattr(current, "_history_user", actor)  # noqa: B010  simple-history's hook: the erasure row names who erased
        current.save()
        # Every earlier version, of this contact and of the ones merged into it, loses its personal fields too.
        history_model = current.history.model
        history_model.objects.filter(Q(id=current.pk) | Q(id__in=merged_ids)).update(
            **{name: value for name, value in values.items() if name != "full_name"},
            full_name=values["full_name"],
            name_key="",
        )
        ContactAlias.objects.filter(contact=current).update(merged_name=values["full_name"])
        index_objects("contact", [current])
        if actor is not None:
            log_personal_data_access(
                actor=actor,
                model=Contact,
                object_ids=[current.pk],
                action=PersonalDataAccess.Action.ERASE,
                ip_address=ip_address,
            )
        events.emit(
            "contact.erased",
            {
                "contact_id": current.pk,
                "account_id": current.account_id,
                "reason": reason,
                "by": getattr(actor, "pk", None),
            },
        )
    return current


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    years = getattr(settings, "PERSONAL_DATA_RETENTION_YEARS", 3)
    return (now or timezone.now()) - dt.timedelta(days=round(365.25 * years))


def expired_contacts(now: dt.datetime | None = None):
    """Contacts past retention: not erased yet, no purpose currently consented to, unchanged since the cutoff."""
    cutoff = retention_cutoff(now)
    queryset = Contact.objects.exclude(source=ERASED_SOURCE).filter(updated_at__lt=cutoff)
    return queryset.exclude(currently_consents_to_anything()).exclude(consents__recorded_at__gte=cutoff).order_by("pk")


def _timeline_reader() -> User | None:
    """The purge reads timelines (activities live in apps above customers) as the first active administrator."""
    return User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()


def purge_expired_personal_data(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Erase (anonymise) up to `batch` expired contacts with no timeline activity since the cutoff."""
    cutoff = retention_cutoff(now)
    reader = _timeline_reader()
    if reader is None:
        return 0
    erased = 0
    for contact in expired_contacts(now)[:batch]:
        latest = timeline_for(reader, "contact", contact.pk, limit=1)
        if latest and latest[0].at >= cutoff:
            continue
        erase_personal_data(actor=None, contact=contact, reason="retention")
        erased += 1
    return erased
