"""Open lead offers for the demo's partner logins, so the partner portal has work to show on the first visit:
offers waiting for `partner.rep@` (a dealer) and `partner.admin@` (its distributor), and one lead the dealer
already accepted. Offers go through lead distribution's own operations (as a channel manager's manual offer)."""

from django.db.models import Q

from forgecrm.partners.operations.distribution import accept_lead_offer, route_lead_to_partner
from forgecrm.platform.models import User
from forgecrm.sales.models import Lead, LeadStatus

from .organisation import DEMO_DOMAIN

OPEN_OFFERS = {"partner.rep": 3, "partner.admin": 2}


def _free_leads(account, count: int, taken: set[int]) -> list[Lead]:
    """Open leads no partner holds, in the partner's 시/도 first (the same rows for the same seed)."""
    free = Lead.objects.filter(status=LeadStatus.NEW, partner__isnull=True).exclude(pk__in=taken)
    near = list(free.filter(sido=account.sido).order_by("pk")[:count])
    if len(near) < count:
        near += list(free.filter(~Q(pk__in=[lead.pk for lead in near])).order_by("pk")[: count - len(near)])
    return near


def seed_partner_portal() -> int:
    """Offer a few leads to the fixed partner logins' organisations; returns the number of offers made."""
    made, taken = 0, set()
    for login, count in OPEN_OFFERS.items():
        user = User.objects.filter(email=f"{login}@{DEMO_DOMAIN}").select_related("organization").first()
        if user is None or user.organization is None:
            continue
        leads = _free_leads(user.organization, count + (1 if login == "partner.rep" else 0), taken)
        for index, lead in enumerate(leads):
            taken.add(lead.pk)
            offer = route_lead_to_partner(actor=None, lead=lead, partner=user.organization)
            if offer is None:
                continue
            made += 1
            if login == "partner.rep" and index == len(leads) - 1:
                accept_lead_offer(actor=user, offer=offer)  # one lead already being worked
    return made
