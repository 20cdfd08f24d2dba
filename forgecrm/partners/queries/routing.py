"""Reads of the routing pages: tier rules, routing rules, the console's unassigned leads and one lead's
distribution history and candidates; each from the actor's access scope (routing rules never reach a partner)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.sales.models import Lead, LeadStatus

from ..models import LeadOffer, LeadRoutingRule, TierRule
from ..operations.distribution import Candidate, partner_candidates, rule_for

OPEN = ("offered", "accepted")
CLOSED_LEADS = (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)


def tier_rules_for(actor) -> QuerySet[TierRule]:
    return scope_for(actor, TierRule).order_by("rank", "tier")


def get_tier_rule_for(actor, pk: Any) -> TierRule:
    return get_for_or_404(actor, TierRule, pk=pk)


def routing_rules_for(actor) -> QuerySet[LeadRoutingRule]:
    return scope_for(actor, LeadRoutingRule).select_related("product_line").order_by("priority", "pk")


def get_routing_rule_for(actor, pk: Any) -> LeadRoutingRule:
    return get_for_or_404(actor, LeadRoutingRule, pk=pk)


def unassigned_leads_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Lead]:
    """Open leads the actor sees that no partner holds: the routing console's rows. Filters: sido, sigungu,
    product_line, source, min_score, created_from, created_to, q (company or person name)."""
    filters = filters or {}
    queryset = (
        scope_for(actor, Lead)
        .filter(partner__isnull=True)
        .exclude(status__in=CLOSED_LEADS)
        .exclude(Exists(LeadOffer.objects.filter(lead_id=OuterRef("pk"), status__in=OPEN, parent_offer__isnull=True)))
        .select_related("product_line", "owner")
    )
    for name in ("sido", "sigungu", "product_line", "source"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("min_score") is not None:
        queryset = queryset.filter(score__gte=filters["min_score"])
    if filters.get("created_from"):
        queryset = queryset.filter(created_at__date__gte=filters["created_from"])
    if filters.get("created_to"):
        queryset = queryset.filter(created_at__date__lte=filters["created_to"])
    if filters.get("q"):
        text = filters["q"].strip()
        queryset = queryset.filter(company_name__icontains=text) | queryset.filter(person_name__icontains=text)
    return queryset


@dataclass
class LeadRoutingPage:
    lead: Lead
    offers: list[LeadOffer]
    rule: LeadRoutingRule | None
    candidates: list[Candidate]
    history: list[Any]
    open_offer: LeadOffer | None


def lead_routing_page_for(actor, pk: Any) -> LeadRoutingPage:
    """One lead's distribution: every offer (the timeline), the rule that applies and the partners it would go
    to next; a fixed number of queries."""
    lead = get_for_or_404(actor, Lead, queryset=Lead.objects.select_related("product_line", "partner", "owner"), pk=pk)
    offers = list(
        scope_for(actor, LeadOffer)
        .filter(lead_id=lead.pk)
        .select_related("partner", "rule", "responded_by", "created_by", "parent_offer")
        .order_by("offered_at", "pk")
    )
    history = list(
        LeadOffer.history.filter(id__in=[offer.pk for offer in offers])  # type: ignore[attr-defined]
        .select_related("history_user", "partner")
        .order_by("history_date", "history_id")
    )
    open_offer = next((o for o in offers if o.status in OPEN and o.parent_offer_id is None), None)
    rule = rule_for(lead)
    candidates = [] if open_offer or lead.status in CLOSED_LEADS else partner_candidates(lead, rule, limit=5)
    return LeadRoutingPage(
        lead=lead, offers=offers, rule=rule, candidates=candidates, history=history, open_offer=open_offer
    )
