"""What the partner portal shows a partner user, always from the access scopes: the offers made to the
organisation, the leads it holds, its own users, and the home page's figures.

Before a partner accepts a lead it sees only what it needs to decide (company, region, product line, need);
headquarters' internals on a lead (owner, team, territory, score, source details, consent records) never leave
these queries for a partner page.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from forgecrm.customers.models import Account
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.models import Role, User
from forgecrm.sales.models import Lead, LeadStatus

from ..models import LeadOffer, OfferStatus

PORTAL_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_REP)
OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.QUALIFIED)


def manufacturer_name() -> str:
    """Our company's name as the portal's header shows it (the quote's supplier block setting)."""
    supplier = getattr(settings, "FORGE_SUPPLIER", {}) or {}
    return str(supplier.get("name") or "(주)한빛공조")


def organization_for(actor) -> Account | None:
    """The partner account the user works for (None for anyone else)."""
    principal = principal_for(actor)
    if not principal.is_partner or principal.organization_id is None:
        return None
    return scope_for(actor, Account).filter(pk=principal.organization_id).first()


def offer_list_for(actor, *, status: str = "") -> QuerySet[LeadOffer]:
    """Offers made to the actor's organisation (a distributor's admin: also to its dealers), newest first."""
    rows = scope_for(actor, LeadOffer).select_related("lead", "lead__product_line", "partner")
    if status == "open":
        rows = rows.filter(status=OfferStatus.OFFERED)
    elif status:
        rows = rows.filter(status=status)
    return rows


def open_offers_for(actor, *, limit: int = 20) -> list[LeadOffer]:
    """Offers waiting for an answer, the soonest deadline first."""
    return list(offer_list_for(actor, status="open").order_by("respond_by", "pk")[:limit])


def get_offer_for(actor, pk) -> LeadOffer:
    """One offer of the actor's organisation, or 404."""
    return get_for_or_404(
        actor, LeadOffer, LeadOffer.objects.select_related("lead", "lead__product_line", "partner"), pk=pk
    )


def dealers_for(actor, offer: LeadOffer) -> list[Account]:
    """The dealers a distributor's admin may pass `offer`'s lead to: the active accounts directly below it."""
    return list(
        scope_for(actor, Account).filter(channel_parent_id=offer.partner_id, is_active=True).order_by("name", "pk")
    )


def _pending_offers(actor) -> QuerySet[LeadOffer]:
    return scope_for(actor, LeadOffer).filter(status=OfferStatus.OFFERED)


def lead_list_for(
    actor, *, status: str = "", q: str = "", with_pending: bool = False, held_only: bool = False
) -> QuerySet[Lead]:
    """Leads of the actor's organisation (sales scopes: `Lead.partner`). `with_pending` annotates
    `pending_offer_id` / `pending_respond_by`: the offer of the lead still waiting for our answer, if any;
    `held_only` leaves those out (the leads we work)."""
    rows = scope_for(actor, Lead).select_related("product_line", "partner")
    if held_only:
        rows = rows.exclude(Exists(_pending_offers(actor).filter(lead_id=OuterRef("pk"))))
    if with_pending:
        pending = _pending_offers(actor).filter(lead_id=OuterRef("pk")).order_by("respond_by")
        rows = rows.annotate(
            pending_offer_id=Subquery(pending.values("pk")[:1]),
            pending_respond_by=Subquery(pending.values("respond_by")[:1]),
        )
    if status == "open":
        rows = rows.filter(status__in=OPEN_LEAD_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(company_name__icontains=q) | Q(person_name__icontains=q))
    return rows


def get_lead_for(actor, pk) -> Lead:
    """One lead the organisation holds, or 404."""
    return get_for_or_404(
        actor, Lead, Lead.objects.select_related("product_line", "partner", "converted_opportunity"), pk=pk
    )


def held_offer_for(actor, lead: Lead) -> LeadOffer | None:
    """The accepted offer through which the actor's organisation holds `lead` (it reports the results on it)."""
    return (
        scope_for(actor, LeadOffer)
        .filter(lead_id=lead.pk, status=OfferStatus.ACCEPTED)
        .order_by("-parent_offer_id", "-pk")
        .first()
    )


def pending_offer_for(actor, lead: Lead) -> LeadOffer | None:
    """The offer of `lead` to the actor's organisation that still waits for an answer."""
    return _pending_offers(actor).filter(lead_id=lead.pk).order_by("respond_by").first()


def portal_users_for(actor) -> QuerySet[User]:
    """The users of exactly the actor's organisation (never a dealer's or a sibling's)."""
    principal = principal_for(actor)
    if not principal.is_partner or principal.organization_id is None:
        return User.objects.none()
    return scope_for(actor, User).filter(organization_id=principal.organization_id, role__in=PORTAL_ROLES)


def get_portal_user_for(actor, pk) -> User:
    return get_for_or_404(actor, User, portal_users_for(actor), pk=pk)


@dataclass(frozen=True)
class PortalKpis:
    offers_this_month: int
    accepted_this_month: int
    median_hours_to_answer: float | None
    open_leads: int


def _month_start(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(today.year, today.month, 1))


def portal_kpis_for(actor, *, today: dt.date | None = None) -> PortalKpis:
    """This month's offers, how many were accepted, the median time to answer (hours), and the open leads.
    Two queries whatever the number of offers."""
    start = _month_start(today or timezone.localdate())
    rows = list(
        scope_for(actor, LeadOffer).filter(offered_at__gte=start).values_list("status", "offered_at", "responded_at")
    )
    answered = [
        (responded - offered).total_seconds() / 3600 for _status, offered, responded in rows if responded is not None
    ]
    return PortalKpis(
        offers_this_month=len(rows),
        accepted_this_month=sum(1 for status, _o, _r in rows if status in (OfferStatus.ACCEPTED, OfferStatus.CLOSED)),
        median_hours_to_answer=round(statistics.median(answered), 1) if answered else None,
        open_leads=lead_list_for(actor, status="open", held_only=True).count(),
    )
