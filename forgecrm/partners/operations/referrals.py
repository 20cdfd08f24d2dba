"""Online referral (PRODUCT part 3, the e-Showroom inquiry): a visitor's inquiry becomes a lead, referred to the
dealer that covers the visitor's 시/도 / 시/군/구 and is authorised for the product line, as a `LeadOffer` of kind
referral credited to the dealer (the dealer keeps the sale). The dealer is chosen by lead distribution's own
candidate search (`partner_candidates`: coverage, authorisation, tier, score, free capacity); when no dealer
qualifies, the lead stays with headquarters. If headquarters already has an open opportunity for the customer, or
another partner registered it, a ChannelConflict of kind referral is opened for the channel manager.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform import events
from forgecrm.sales.models import Lead, LeadSource, WebForm
from forgecrm.sales.operations.lead_capture import CAPTURE_FIELDS
from forgecrm.sales.operations.leads import create_lead

from ..models import ConflictKind, LeadOffer, OfferKind
from .conflicts import Claim, find_channel_conflicts, open_conflicts
from .distribution import _offer_to, partner_candidates

REFERRAL_FIELDS = (*CAPTURE_FIELDS, "sigungu")


def refer_lead_to_dealer(*, actor, lead: Lead) -> LeadOffer | None:
    """Refer `lead` to the best covering, authorised dealer (credited to it), opening a referral conflict when
    another channel already claims the customer. None when no dealer qualifies. `actor` None is the system."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        candidates = partner_candidates(lead, None, limit=5)
        offer = None
        for candidate in candidates:
            reasons = [{"reason": "referral", "detail": lead.source_detail or "web"}, *candidate.reasons]
            offer = _offer_to(
                actor=actor,
                lead=lead,
                partner_id=candidate.partner_id,
                rule=None,
                kind=OfferKind.REFERRAL,
                attempt=1,
                reasons=reasons,
            )
            if offer is not None:
                break
        if offer is None:
            return None
        LeadOffer.objects.filter(pk=offer.pk).update(credited=True)
        offer.credited = True
        matches = [
            match
            for match in find_channel_conflicts(
                Claim(
                    partner_id=offer.partner_id,
                    name=lead.company_name or lead.person_name,
                    brn=lead.brn,
                    email=lead.email,
                    phone=lead.mobile or lead.phone,
                )
            )
            if match.kind in (ConflictKind.OPPORTUNITY, ConflictKind.REGISTRATION)
        ]
        open_conflicts(actor=actor, matches=matches, offer=offer)
        events.emit(
            "LeadReferredToPartner",
            {"lead_id": lead.pk, "offer_id": offer.pk, "partner_id": offer.partner_id, "conflicts": len(matches)},
        )
        return offer


def capture_referral_inquiry(
    *, web_form: WebForm, data: dict[str, Any], consent_purposes: list[str], ip_address: str | None, language: str
) -> tuple[Lead, LeadOffer | None]:
    """A public inquiry (already past the spam checks) becomes a referral lead: recorded with the consents the
    visitor ticked (the web form's text version and language) and referred to a dealer in one transaction."""
    if not web_form.is_active:
        raise ValidationError(_("This form no longer takes submissions."))
    values = {name: data.get(name, "") for name in REFERRAL_FIELDS if name in data}
    offered = set(web_form.consent_purposes or [])
    version = f"{web_form.consent_version or '-'}/{language}"
    consents = [(purpose, version, f"referral {web_form.slug}") for purpose in consent_purposes if purpose in offered]
    with transaction.atomic():
        lead = create_lead(
            actor=None,
            source=LeadSource.REFERRAL,
            source_detail=web_form.name[:200],
            web_form=web_form,
            product_line=data.get("product_line") or web_form.product_line,
            consents=consents,
            ip_address=ip_address,
            apply_rules=False,
            owner=web_form.default_owner,
            **values,
        )
        offer = refer_lead_to_dealer(actor=None, lead=lead)
        lead.refresh_from_db()
    return lead, offer
