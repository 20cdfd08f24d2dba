"""Converting a lead in one step: account (new or an existing match) + contact (new or existing) + optionally an
opportunity, in one transaction, losing nothing:

- the lead's company facts fill the new account (or stay on the lead when an existing account is chosen);
- its person becomes the contact (or an existing contact is kept as is);
- every LeadConsent becomes a customers `Consent` of the contact, with its original date and a source naming the
  form and the text version;
- activities regarding the lead stay regarding it and gain the account and contact, so they show on both
  timelines;
- the lead is marked converted with links to all three and keeps its history.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.activities.models import Activity
from forgecrm.customers import operations as customer_operations
from forgecrm.customers.models import Account, AccountKind, Consent, Contact
from forgecrm.customers.policies import is_record_manager
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects
from forgecrm.platform.versioning import save_versioned

from ..models import Lead, LeadStatus
from .leads import note_history


@dataclass
class ConversionResult:
    lead: Lead
    account: Account
    contact: Contact
    opportunity: Any | None
    account_created: bool
    contact_created: bool
    consents_copied: int
    activities_linked: int


def default_opportunity_name(lead: Lead, company: str = "") -> str:
    """ "<company> - <product line>" (or "new deal" when the lead names no product line)."""
    what = str(lead.product_line) if lead.product_line_id else _("new deal")
    return f"{company or lead.company_name or lead.person_name} - {what}"


def _account_values(actor: User, lead: Lead) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": AccountKind.PROSPECT,
        "brn": lead.brn,
        "phone": lead.phone,
        "sido": lead.sido,
        "sigungu": lead.sigungu,
        "road_address": lead.road_address,
        "industry": lead.industry,
        "size": lead.size,
        "source": "lead",
        "external_id": f"lead-{lead.pk}",
    }
    # Who sees the account is a record manager's decision (customers' rule): others own what they create.
    # The lead's owner keeps the account when the converting user would still see it (own, or a manager's line).
    manager = is_record_manager(actor)
    principal = principal_for(actor)
    in_line = principal.sees_everything or lead.owner_id in principal.visible_user_ids
    if lead.owner_id and (lead.owner_id == actor.pk or (manager and in_line)):
        values["owner"] = lead.owner
    if lead.territory_id and manager:
        values["territory"] = lead.territory
    return {name: value for name, value in values.items() if value not in (None, "")}


def convert_lead(
    *,
    actor: User,
    lead: Lead,
    expected_version: int | None,
    account: Account | None = None,
    account_name: str = "",
    contact: Contact | None = None,
    create_opportunity: bool = True,
    opportunity_name: str = "",
    close_date: dt.date | None = None,
    amount=None,
) -> ConversionResult:
    """Turn the lead into customers' records and a deal (rule `sales.convert_lead`)."""
    if not actor.has_perm("sales.convert_lead", lead):
        raise PermissionDenied(_("You cannot convert this lead."))
    errors: dict[str, list] = {}
    if account is not None and not actor.has_perm("customers.add_contact", account):
        errors["account"] = [ValidationError(_("No such account."), code="does_not_exist")]
    if contact is not None and account is not None and contact.account_id != account.pk:
        errors["contact"] = [ValidationError(_("The contact must belong to the chosen account."), code="mismatch")]
    if contact is not None and account is None:
        account = contact.account
    name = (account_name or lead.company_name or lead.person_name).strip()
    if create_opportunity and close_date is None:
        errors["close_date"] = [ValidationError(_("Give the expected close date of the deal."), code="required")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if expected_version is not None and current.version != expected_version:
            from forgecrm.platform.versioning import ConflictError

            raise ConflictError(current)
        if not current.is_open:
            raise ValidationError(_("This lead is already converted or disqualified."))
        account_created = account is None
        if account is None:
            account = customer_operations.create_account(actor=actor, name=name, **_account_values(actor, current))
        contact_created = contact is None
        if contact is None:
            contact_values = {
                key: value
                for key, value in {
                    "title": current.title,
                    "email": current.email,
                    "phone": current.phone,
                    "mobile": current.mobile,
                    "source": "lead",
                    "external_id": f"lead-{current.pk}",
                }.items()
                if value
            }
            contact = customer_operations.create_contact(
                actor=actor, account=account, full_name=current.person_name, **contact_values
            )
        copied = _copy_consents(actor, current, contact)
        opportunity = None
        if create_opportunity:
            from .opportunities import create_opportunity as make_opportunity  # the pipeline area's operation

            extra: dict[str, Any] = {}
            if amount is not None:
                extra["amount"] = amount
            opportunity = make_opportunity(
                actor=actor,
                account=account,
                name=(opportunity_name or default_opportunity_name(current, name)).strip()[:200],
                close_date=close_date,
                owner=current.owner or actor,
                product_line=current.product_line,
                primary_contact=contact,
                team=current.team,
                territory=current.territory,
                partner=current.partner,
                source_lead=current,
                description=current.interest,
                **extra,
            )
        content_type = ContentType.objects.get_for_model(Lead)
        linked = Activity.objects.filter(regarding_type=content_type, regarding_id=current.pk, account__isnull=True)
        activities_linked = linked.update(account=account, contact=contact)
        Activity.objects.filter(
            regarding_type=content_type, regarding_id=current.pk, account=account, contact__isnull=True
        ).update(contact=contact)
        converted = save_versioned(
            current,
            actor=actor,
            expected_version=None,
            changes={
                "status": LeadStatus.CONVERTED,
                "converted_account": account,
                "converted_contact": contact,
                "converted_opportunity": opportunity,
                "converted_at": timezone.now(),
                "converted_by": actor,
            },
        )
        note_history(converted, "converted")
        index_objects("lead", [converted])
        events.emit(
            "LeadConverted",
            {
                "lead_id": converted.pk,
                "account_id": account.pk,
                "contact_id": contact.pk,
                "opportunity_id": getattr(opportunity, "pk", None),
                "actor_id": actor.pk,
            },
        )
    return ConversionResult(
        lead=converted,
        account=account,
        contact=contact,
        opportunity=opportunity,
        account_created=account_created,
        contact_created=contact_created,
        consents_copied=copied,
        activities_linked=activities_linked,
    )


def _copy_consents(actor: User, lead: Lead, contact: Contact) -> int:
    """Each lead consent as a customers Consent row (dated as given; source names where and which text)."""
    rows = [
        Consent(
            contact=contact,
            purpose=consent.purpose,
            granted=consent.granted,
            recorded_at=consent.recorded_at,
            source=f"{consent.source} ({consent.text_version})"[:64] if consent.text_version else consent.source[:64],
            recorded_by=actor,
        )
        for consent in lead.consents.order_by("recorded_at", "id")
    ]
    Consent.objects.bulk_create(rows)
    for row in rows:
        events.emit(
            "ConsentRecorded",
            {"contact_id": contact.pk, "purpose": row.purpose, "granted": row.granted, "actor_id": actor.pk},
        )
    return len(rows)
