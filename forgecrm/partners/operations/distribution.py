"""Lead distribution (the 3Com loop): offer a lead to the best partner, let it accept or reject before the
deadline, recall it when the deadline passes and offer it to the next partner, let a distributor re-route an
accepted lead to one of its dealers. Every step is a `LeadOffer` row, so the offers are the lead's history.

Concurrency: the lead row is locked for every step (one open offer at a time; the database also refuses a
second one), and the chosen partner's profile row is locked while its open offers are counted, so two routings
at once cannot both take a partner's last free place.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.customers.models import Account, AccountKind, PartnerType
from forgecrm.platform import events
from forgecrm.sales.models import Lead, LeadStatus

from ..models import (
    LeadOffer,
    LeadRoutingRule,
    OfferKind,
    OfferRejectReason,
    OfferStatus,
    PartnerAuthorization,
    PartnerCoverage,
    PartnerProfile,
    TierRule,
)

OPEN = (OfferStatus.OFFERED, OfferStatus.ACCEPTED)
DEFAULT_RESPONSE_HOURS = 48


@dataclass(frozen=True)
class Candidate:
    partner_id: int
    name: str
    tier: str
    score: float
    open_offers: int
    capacity: int
    reasons: list[dict[str, str]]


def _require(actor, permission: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(permission, obj):
        raise PermissionDenied(permission)


def _tier_ranks() -> dict[str, tuple[int, int]]:
    """tier -> (rank, routing priority); tiers without a rule rank last."""
    return {rule.tier: (rule.rank, rule.lead_priority) for rule in TierRule.objects.all()}


def partner_candidates(lead: Lead, rule: LeadRoutingRule | None, *, limit: int = 10) -> list[Candidate]:
    """The partners that may be offered `lead` under `rule`, best first, in one query.

    Best = tier routing priority, then performance score, then the lightest open load. Partners already offered
    this lead (whatever they answered) are left out, so a recalled lead always moves on.
    """
    today = timezone.localdate()
    partners = Account.objects.filter(kind=AccountKind.PARTNER, is_active=True, partner_profile__accepts_leads=True)
    if rule is None or not rule.offer_to_distributors:
        partners = partners.exclude(partner_type=PartnerType.DISTRIBUTOR)
    if rule is None or rule.require_coverage:
        area = Q(sido=lead.sido, sigungu="") | Q(sido=lead.sido, sigungu=lead.sigungu)
        partners = partners.filter(Exists(PartnerCoverage.objects.filter(area, partner=OuterRef("pk"))))
    if lead.product_line_id and (rule is None or rule.require_authorization):
        valid = PartnerAuthorization.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            partner=OuterRef("pk"),
            product_line_id=lead.product_line_id,
            valid_from__lte=today,
        )
        partners = partners.filter(Exists(valid))
    ranks = _tier_ranks()
    if rule is not None and rule.min_tier and rule.min_tier in ranks:
        floor = ranks[rule.min_tier][0]
        partners = partners.filter(tier__in=[tier for tier, (rank, _p) in ranks.items() if rank <= floor])
    rows_query = (
        partners.exclude(Exists(LeadOffer.objects.filter(lead=lead, partner=OuterRef("pk"))))
        .annotate(open_offers=Count("lead_offers", filter=Q(lead_offers__status__in=OPEN)))
        .filter(open_offers__lt=F("partner_profile__lead_capacity"))
        .values(
            "pk",
            "name",
            "tier",
            "sido",
            "open_offers",
            "partner_profile__lead_capacity",
            "partner_profile__performance_score",
        )
    )
    rows = sorted(
        rows_query,
        key=lambda row: (
            ranks.get(row["tier"], (99, 999))[1],
            -float(row["partner_profile__performance_score"]),
            row["open_offers"],
            row["pk"],
        ),
    )[:limit]
    candidates = []
    for row in rows:
        reasons = [{"reason": "tier", "detail": row["tier"] or "-"}]
        if rule is None or rule.require_coverage:
            reasons.append({"reason": "coverage", "detail": f"{lead.sido} {lead.sigungu}".strip()})
        if lead.product_line_id and (rule is None or rule.require_authorization):
            reasons.append({"reason": "authorisation", "detail": str(lead.product_line_id)})
        reasons.append({"reason": "score", "detail": str(row["partner_profile__performance_score"])})
        reasons.append(
            {"reason": "capacity", "detail": f"{row['open_offers']}/{row['partner_profile__lead_capacity']}"}
        )
        candidates.append(
            Candidate(
                partner_id=row["pk"],
                name=row["name"],
                tier=row["tier"],
                score=float(row["partner_profile__performance_score"]),
                open_offers=row["open_offers"],
                capacity=row["partner_profile__lead_capacity"],
                reasons=reasons,
            )
        )
    return candidates


def rule_for(lead: Lead) -> LeadRoutingRule | None:
    """The first active routing rule whose criteria the lead meets (lower priority first)."""
    for rule in LeadRoutingRule.objects.filter(is_active=True).order_by("priority", "pk"):
        if rule.product_line_id and rule.product_line_id != lead.product_line_id:
            continue
        if rule.sido and rule.sido != lead.sido:
            continue
        if rule.lead_source and rule.lead_source != lead.source:
            continue
        return rule
    return None


def _open_offer(lead: Lead) -> LeadOffer | None:
    return LeadOffer.objects.filter(lead=lead, status__in=OPEN, parent_offer__isnull=True).first()


def _hours_for(rule: LeadRoutingRule | None, profile: PartnerProfile | None) -> int:
    if rule is not None and rule.response_hours:
        return rule.response_hours
    return profile.response_hours if profile is not None else DEFAULT_RESPONSE_HOURS


def _set_lead_partner(lead: Lead, partner_id: int | None) -> None:
    Lead.objects.filter(pk=lead.pk).update(partner_id=partner_id, version=F("version") + 1, updated_at=timezone.now())
    lead.partner_id = partner_id


def _offer_to(
    *, actor, lead: Lead, partner_id: int, rule, kind: str, attempt: int, reasons, parent=None
) -> LeadOffer | None:
    # The partner's profile row is locked while its load is counted: its last free place goes to one lead only.
    profile = PartnerProfile.objects.select_for_update().filter(account_id=partner_id).first()
    if profile is not None and kind != OfferKind.MANUAL:
        load = LeadOffer.objects.filter(partner_id=partner_id, status__in=OPEN).count()
        if load >= profile.lead_capacity:
            return None
    now = timezone.now()
    offer = LeadOffer.objects.create(
        lead=lead,
        partner_id=partner_id,
        kind=kind,
        rule=rule,
        parent_offer=parent,
        attempt=attempt,
        offered_at=now,
        respond_by=now + dt.timedelta(hours=_hours_for(rule, profile)),
        match_reasons=reasons,
        created_by=actor,
    )
    _set_lead_partner(lead, partner_id)
    events.emit(
        "LeadOffered",
        {"offer_id": offer.pk, "lead_id": lead.pk, "partner_id": partner_id, "attempt": attempt, "kind": kind},
    )
    return offer


def _route_next(*, actor, lead: Lead, rule: LeadRoutingRule | None, attempt: int) -> LeadOffer | None:
    """Offer the lead to the next candidate, or hand it back to headquarters when none is left."""
    max_offers = rule.max_offers if rule is not None else 3
    if attempt <= max_offers:
        for candidate in partner_candidates(lead, rule):
            offer = _offer_to(
                actor=actor,
                lead=lead,
                partner_id=candidate.partner_id,
                rule=rule,
                kind=OfferKind.ROUTED,
                attempt=attempt,
                reasons=candidate.reasons,
            )
            if offer is not None:
                return offer
    _set_lead_partner(lead, None)
    events.emit("LeadReturnedToHeadquarters", {"lead_id": lead.pk, "attempts": attempt - 1})
    return None


def route_lead_to_partner(*, actor, lead: Lead, partner: Account | None = None) -> LeadOffer | None:
    """Offer `lead` to `partner` (a channel manager's choice) or to the best partner by the routing rules.

    Returns the offer, or None when no partner qualifies (the lead stays with headquarters). `actor` None is the
    system (a rule applied on capture, the recall task).
    """
    _require(actor, "partners.route_lead")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
            raise ValidationError(_("A converted or disqualified lead is not distributed."), code="closed")
        if _open_offer(lead) is not None:
            raise ValidationError(_("This lead is already with a partner."), code="offered")
        attempt = LeadOffer.objects.filter(lead=lead, parent_offer__isnull=True).count() + 1
        rule = rule_for(lead)
        if partner is not None:
            if partner.kind != AccountKind.PARTNER:
                raise ValidationError({"partner": _("Choose a partner account.")}, code="not_partner")
            reasons = [{"reason": "manual", "detail": getattr(actor, "full_name", "")}]
            return _offer_to(
                actor=actor,
                lead=lead,
                partner_id=partner.pk,
                rule=None,
                kind=OfferKind.MANUAL,
                attempt=attempt,
                reasons=reasons,
            )
        return _route_next(actor=actor, lead=lead, rule=rule, attempt=attempt)


def _locked_offer(offer: LeadOffer) -> LeadOffer:
    Lead.objects.select_for_update().filter(pk=offer.lead_id).first()
    # `of=("self",)`: PostgreSQL refuses FOR UPDATE on the nullable side of the joins (rule, parent offer).
    return LeadOffer.objects.select_for_update(of=("self",)).select_related("lead", "rule").get(pk=offer.pk)


def accept_lead_offer(*, actor, offer: LeadOffer) -> LeadOffer:
    """The offered partner takes the lead: it now works it and reports its results."""
    _require(actor, "partners.respond_to_offer", offer)
    with transaction.atomic():
        offer = _locked_offer(offer)
        if offer.status != OfferStatus.OFFERED:
            raise ValidationError(_("This offer was already answered or recalled."), code="answered")
        if offer.respond_by < timezone.now():
            raise ValidationError(_("The time to accept this lead has passed."), code="late")
        offer.status, offer.responded_at, offer.responded_by = OfferStatus.ACCEPTED, timezone.now(), actor
        offer.version += 1
        offer.save(update_fields=["status", "responded_at", "responded_by", "version", "updated_at"])
        events.emit(
            "LeadOfferAccepted", {"offer_id": offer.pk, "lead_id": offer.lead_id, "partner_id": offer.partner_id}
        )
        return offer


def reject_lead_offer(*, actor, offer: LeadOffer, reason: str, note: str = "") -> LeadOffer | None:
    """The partner declines with a reason; the lead goes to the next partner. Returns the next offer, if any."""
    _require(actor, "partners.respond_to_offer", offer)
    if reason not in OfferRejectReason.values:
        raise ValidationError({"reason": _("Choose why you reject this lead.")}, code="reason")
    with transaction.atomic():
        offer = _locked_offer(offer)
        if offer.status != OfferStatus.OFFERED:
            raise ValidationError(_("This offer was already answered or recalled."), code="answered")
        offer.status, offer.responded_at, offer.responded_by = OfferStatus.REJECTED, timezone.now(), actor
        offer.reject_reason, offer.reject_note = reason, note
        offer.version += 1
        offer.save()
        events.emit(
            "LeadOfferRejected",
            {"offer_id": offer.pk, "lead_id": offer.lead_id, "partner_id": offer.partner_id, "reason": reason},
        )
        return _after_closed_offer(offer)


def _after_closed_offer(offer: LeadOffer) -> LeadOffer | None:
    if offer.parent_offer_id:
        # A dealer's answer returns the lead to its distributor, which re-routes it or works it itself.
        _set_lead_partner(offer.lead, LeadOffer.objects.get(pk=offer.parent_offer_id).partner_id)
        return None
    return _route_next(actor=None, lead=offer.lead, rule=offer.rule or rule_for(offer.lead), attempt=offer.attempt + 1)


def recall_expired_offers(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Recall every offer not accepted in time and offer its lead to the next partner (the beat task's work).

    Each offer is handled in its own transaction under the lead's lock, and `skip_locked` leaves an offer being
    answered at this moment to that answer: running the task twice, or beside a partner's click, recalls nothing
    twice.
    """
    now = now or timezone.now()
    recalled = 0
    due = list(
        LeadOffer.objects.filter(status=OfferStatus.OFFERED, respond_by__lt=now)
        .order_by("respond_by")
        .values_list("pk", flat=True)[:limit]
    )
    for offer_id in due:
        with transaction.atomic():
            offer = (
                LeadOffer.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("lead", "rule", "parent_offer")
                .filter(pk=offer_id, status=OfferStatus.OFFERED, respond_by__lt=now)
                .first()
            )
            if offer is None:
                continue
            offer.status = OfferStatus.RECALLED
            offer.version += 1
            offer.save(update_fields=["status", "version", "updated_at"])
            events.emit(
                "LeadOfferRecalled", {"offer_id": offer.pk, "lead_id": offer.lead_id, "partner_id": offer.partner_id}
            )
            _after_closed_offer(offer)
            recalled += 1
    return recalled


def reroute_lead_to_dealer(*, actor, offer: LeadOffer, dealer: Account) -> LeadOffer:
    """A distributor that accepted a lead passes it to one of its own dealers (which then accepts or rejects)."""
    _require(actor, "partners.reroute_lead", offer)
    with transaction.atomic():
        offer = _locked_offer(offer)
        if offer.status != OfferStatus.ACCEPTED:
            raise ValidationError(_("Accept the lead before passing it to a dealer."), code="not_accepted")
        if dealer.channel_parent_id != offer.partner_id:
            raise ValidationError({"dealer": _("Choose one of your own dealers.")}, code="not_own_dealer")
        if LeadOffer.objects.filter(parent_offer=offer, status__in=OPEN).exists():
            raise ValidationError(_("A dealer already holds this lead."), code="offered")
        attempt = LeadOffer.objects.filter(parent_offer=offer).count() + 1
        child = _offer_to(
            actor=actor,
            lead=offer.lead,
            partner_id=dealer.pk,
            rule=offer.rule,
            kind=OfferKind.REROUTED,
            attempt=attempt,
            reasons=[{"reason": "rerouted", "detail": str(offer.partner_id)}],
            parent=offer,
        )
        if child is None:
            raise ValidationError({"dealer": _("This dealer has no free capacity.")}, code="capacity")
        return child
