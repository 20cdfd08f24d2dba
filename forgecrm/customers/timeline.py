"""What customers itself adds to the 360° timelines: contacts added, merges, consent given or withdrawn."""

from django.urls import reverse
from django.utils.translation import gettext as _

from forgecrm.platform.access import scope_for
from forgecrm.platform.timeline import TimelineEntry, register_timeline_source

from .models import Account, AccountAlias, Consent, Contact, ContactAlias


def _account_entries(actor, account_id: int, limit: int) -> list[TimelineEntry]:
    entries = []
    account = scope_for(actor, Account).filter(pk=account_id).select_related("created_by").first()
    if account is None:
        return []
    entries.append(
        TimelineEntry(
            at=account.created_at,
            kind="customers.account_created",
            title=_("Account created"),
            icon="building",
            actor=str(account.created_by or ""),
        )
    )
    contacts = scope_for(actor, Contact).filter(account_id=account_id).order_by("-created_at")[:limit]
    for contact in contacts:
        entries.append(
            TimelineEntry(
                at=contact.created_at,
                kind="customers.contact_added",
                title=_("Contact added: %(name)s") % {"name": contact.full_name},
                summary=contact.title,
                url=reverse("customers:contact-detail", args=[contact.pk]),
                icon="user-plus",
            )
        )
    for alias in AccountAlias.objects.filter(account_id=account_id).select_related("merged_by")[:limit]:
        entries.append(
            TimelineEntry(
                at=alias.merged_at,
                kind="customers.account_merged",
                title=_("Merged with %(name)s") % {"name": alias.merged_name},
                icon="arrow-merge",
                actor=str(alias.merged_by or ""),
            )
        )
    return entries


def _contact_entries(actor, contact_id: int, limit: int) -> list[TimelineEntry]:
    contact = scope_for(actor, Contact).filter(pk=contact_id).select_related("created_by").first()
    if contact is None:
        return []
    entries = [
        TimelineEntry(
            at=contact.created_at,
            kind="customers.contact_created",
            title=_("Contact created"),
            icon="user",
            actor=str(contact.created_by or ""),
        )
    ]
    for consent in Consent.objects.filter(contact_id=contact_id).select_related("recorded_by")[:limit]:
        template = _("Consent given: %(purpose)s") if consent.granted else _("Consent withdrawn: %(purpose)s")
        entries.append(
            TimelineEntry(
                at=consent.recorded_at,
                kind="customers.consent",
                title=template % {"purpose": consent.get_purpose_display()},
                summary=consent.source,
                icon="shield-check" if consent.granted else "shield-x",
                actor=str(consent.recorded_by or ""),
            )
        )
    for alias in ContactAlias.objects.filter(contact_id=contact_id).select_related("merged_by")[:limit]:
        entries.append(
            TimelineEntry(
                at=alias.merged_at,
                kind="customers.contact_merged",
                title=_("Merged with %(name)s") % {"name": alias.merged_name},
                icon="arrow-merge",
                actor=str(alias.merged_by or ""),
            )
        )
    return entries


def customer_timeline(actor, subject_kind: str, subject_id: int, limit: int) -> list[TimelineEntry]:
    if subject_kind == "account":
        return _account_entries(actor, subject_id, limit)
    if subject_kind == "contact":
        return _contact_entries(actor, subject_id, limit)
    return []


register_timeline_source("customers", customer_timeline)
