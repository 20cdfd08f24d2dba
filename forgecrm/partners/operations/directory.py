"""Taking a partner out of the channel: its open leads and deals go to another partner or back to headquarters,
in one audited action (one transaction, history rows on every record it touches, one outbox event)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform import events
from forgecrm.sales.models import Lead, Opportunity

from ..models import LeadOffer, OfferKind, PartnerProfile
from .distribution import DEFAULT_RESPONSE_HOURS, OPEN
from .routing import CLOSED_LEADS, withdraw_open_offers

REASON = "partner:deactivated"


@dataclass(frozen=True)
class DeactivationCounts:
    open_offers: int
    leads: int
    opportunities: int


def deactivation_counts(partner: Account) -> DeactivationCounts:
    """What deactivating `partner` would move (the confirmation page's numbers; three counts)."""
    return DeactivationCounts(
        open_offers=LeadOffer.objects.filter(partner=partner, status__in=OPEN).count(),
        leads=Lead.objects.filter(partner=partner).exclude(status__in=CLOSED_LEADS).count(),
        opportunities=Opportunity.objects.filter(partner=partner, stage__is_won=False, stage__is_lost=False).count(),
    )


def deactivate_partner(*, actor, partner: Account, successor: Account | None = None) -> DeactivationCounts:
    """Deactivate a partner: withdraw its open offers, hand its open leads and open opportunities to `successor`
    (a manual offer each, so the successor accepts the leads like any other) or back to headquarters (None),
    stop offering it leads and deactivate its account. Returns what moved."""
    if actor is not None and not actor.has_perm("partners.manage_partner", partner):
        raise PermissionDenied("partners.manage_partner")
    if partner.kind != AccountKind.PARTNER:
        raise ValidationError({"partner": _("Choose a partner account.")}, code="not_partner")
    if successor is not None:
        if successor.pk == partner.pk:
            raise ValidationError({"successor": _("Choose another partner.")}, code="same")
        if successor.kind != AccountKind.PARTNER or not successor.is_active:
            raise ValidationError({"successor": _("Choose an active partner.")}, code="not_partner")
    now = timezone.now()
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=partner.pk).first()
        withdrawn = withdraw_open_offers(actor=actor, partner_id=partner.pk, now=now)
        leads = list(Lead.objects.select_for_update().filter(partner=partner).exclude(status__in=CLOSED_LEADS))
        # A dealer's withdrawn offer hands the lead back up to its distributor's accepted offer, if any; the
        # rest go to the successor or to headquarters.
        target_id = successor.pk if successor is not None else None
        for lead in leads:
            lead.partner_id, lead.version, lead.updated_at, lead.updated_by = target_id, lead.version + 1, now, actor
        if leads:
            bulk_update_with_history(
                leads,
                Lead,
                ["partner", "version", "updated_at", "updated_by"],
                default_user=actor,
                default_change_reason=REASON,
            )
        if successor is not None and leads:
            profile = PartnerProfile.objects.filter(account=successor).first()
            hours = profile.response_hours if profile is not None else DEFAULT_RESPONSE_HOURS
            attempts = _top_level_offer_counts([lead.pk for lead in leads])
            LeadOffer.objects.bulk_create(
                [
                    LeadOffer(
                        lead=lead,
                        partner=successor,
                        kind=OfferKind.MANUAL,
                        attempt=attempts.get(lead.pk, 0) + 1,
                        offered_at=now,
                        respond_by=now + dt.timedelta(hours=hours),
                        match_reasons=[{"reason": "successor", "detail": partner.name}],
                        created_by=actor,
                        updated_by=actor,
                    )
                    for lead in leads
                ]
            )
        opportunities = list(
            Opportunity.objects.select_for_update(of=("self",)).filter(
                partner=partner, stage__is_won=False, stage__is_lost=False
            )
        )
        for opportunity in opportunities:
            opportunity.partner_id = target_id
            opportunity.version += 1
            opportunity.updated_at, opportunity.updated_by = now, actor
        if opportunities:
            bulk_update_with_history(
                opportunities,
                Opportunity,
                ["partner", "version", "updated_at", "updated_by"],
                default_user=actor,
                default_change_reason=REASON,
            )
        profile = PartnerProfile.objects.select_for_update().filter(account=partner).first()
        if profile is not None:
            profile.accepts_leads = False
            profile.version += 1
            profile.updated_by = actor
            profile._change_reason = REASON  # type: ignore[attr-defined]  # simple-history's hook
            profile.save(update_fields=["accepts_leads", "version", "updated_by", "updated_at"])
        account = Account.objects.get(pk=partner.pk)
        account.is_active = False
        account.version += 1
        account.updated_by = actor
        account._change_reason = REASON  # type: ignore[attr-defined]
        account.save(update_fields=["is_active", "version", "updated_by", "updated_at"])
        counts = DeactivationCounts(open_offers=len(withdrawn), leads=len(leads), opportunities=len(opportunities))
        events.emit(
            "PartnerDeactivated",
            {
                "partner_id": partner.pk,
                "successor_id": target_id,
                "offers_withdrawn": counts.open_offers,
                "leads_moved": counts.leads,
                "opportunities_moved": counts.opportunities,
                "by": getattr(actor, "pk", None),
            },
        )
        return counts


def _top_level_offer_counts(lead_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        LeadOffer.objects.filter(lead_id__in=lead_ids, parent_offer__isnull=True)
        .values("lead_id")
        .annotate(n=Count("pk"))
        .values_list("lead_id", "n")
    )
    return dict(rows)
