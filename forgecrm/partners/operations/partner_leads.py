"""A partner reports what became of a lead it holds (the 3Com loop): it turns the lead into its own deal.

Headquarters converts with `sales.convert_lead` (internal users only); a partner converts the leads its
organisation holds through an accepted offer (rule `partners.report_lead_result`). The new account is served by
the partner (customers' rule for partner-created accounts), the opportunity is the partner's (`partner` = the
organisation that holds the lead) and belongs to the headquarters person who owns the lead, else the partner
account's owner (its channel manager), so the deal stays in headquarters' pipeline and forecast.
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
from forgecrm.customers.models import AccountKind, Consent, Contact
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned
from forgecrm.sales.models import Lead, LeadStatus, Opportunity
from forgecrm.sales.operations.lead_conversion import default_opportunity_name
from forgecrm.sales.operations.leads import note_history
from forgecrm.sales.operations.opportunities import create_opportunity

from ..models import LeadOffer


@dataclass
class PartnerConversion:
    lead: Lead
    opportunity: Opportunity
    contact: Contact


def convert_partner_lead(
    *,
    actor: User,
    offer: LeadOffer,
    expected_version: int | None,
    close_date: dt.date,
    amount=None,
    opportunity_name: str = "",
) -> PartnerConversion:
    """Turn the lead held through `offer` (accepted) into an account, a contact and the partner's opportunity."""
    if not actor.has_perm("partners.report_lead_result", offer):
        raise PermissionDenied(_("You cannot report results on this lead."))
    if close_date is None:
        raise ValidationError({"close_date": _("Give the expected close date of the deal.")})
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",)).select_related("partner", "product_line").get(pk=offer.lead_id)
        )
        if expected_version is not None and lead.version != expected_version:
            raise ConflictError(lead)
        if not lead.is_open:
            raise ValidationError(_("This lead is already converted or disqualified."))
        if lead.partner_id != offer.partner_id:
            raise ValidationError(_("Your organisation no longer holds this lead."))
        name = (lead.company_name or lead.person_name).strip()
        account_values: dict[str, Any] = {
            key: value
            for key, value in {
                "brn": lead.brn,
                "phone": lead.phone,
                "sido": lead.sido,
                "sigungu": lead.sigungu,
                "road_address": lead.road_address,
                "industry": lead.industry,
                "size": lead.size,
                "source": "lead",
                "external_id": f"lead-{lead.pk}",
            }.items()
            if value
        }
        account = customer_operations.create_account(
            actor=actor, name=name, kind=AccountKind.PROSPECT, **account_values
        )
        contact = customer_operations.create_contact(
            actor=actor,
            account=account,
            full_name=lead.person_name,
            **{
                key: value
                for key, value in {
                    "title": lead.title,
                    "email": lead.email,
                    "phone": lead.phone,
                    "mobile": lead.mobile,
                    "source": "lead",
                    "external_id": f"lead-{lead.pk}",
                }.items()
                if value
            },
        )
        extra = {"amount": amount} if amount is not None else {}
        # actor None: a partner user may not open deals on its own (`sales.add_opportunity`); this one comes
        # from the lead the rule above lets it report on, and belongs to headquarters' owner of the lead.
        opportunity = create_opportunity(
            actor=None,
            account=account,
            name=(opportunity_name or default_opportunity_name(lead, name)).strip()[:200],
            close_date=close_date,
            owner=lead.owner or (lead.partner.owner if lead.partner else None),
            product_line=lead.product_line,
            primary_contact=contact,
            partner=lead.partner,
            source_lead=lead,
            description=lead.interest,
            **extra,
        )
        _copy_consents(actor, lead, contact)
        lead_type = ContentType.objects.get_for_model(Lead)
        Activity.objects.filter(regarding_type=lead_type, regarding_id=lead.pk, account__isnull=True).update(
            account=account, contact=contact
        )
        converted = save_versioned(
            lead,
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
        note_history(converted, "converted:partner")
        LeadOffer.objects.filter(pk=offer.pk).update(credited=True, updated_at=timezone.now())
        events.emit(
            "LeadConverted",
            {
                "lead_id": lead.pk,
                "account_id": account.pk,
                "contact_id": contact.pk,
                "opportunity_id": opportunity.pk,
                "actor_id": actor.pk,
                "partner_id": offer.partner_id,
            },
        )
    return PartnerConversion(lead=converted, opportunity=opportunity, contact=contact)


def _copy_consents(actor: User, lead: Lead, contact: Contact) -> None:
    """PIPA: what the person agreed to on the lead stays with them as the contact's consent records."""
    rows = [
        Consent(
            contact=contact,
            purpose=consent.purpose,
            granted=consent.granted,
            recorded_at=consent.recorded_at,
            source=(consent.source or "lead")[:64],
            recorded_by=actor,
        )
        for consent in lead.consents.order_by("recorded_at", "id")
    ]
    Consent.objects.bulk_create(rows)
