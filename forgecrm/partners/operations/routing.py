"""Routing rules, tier rules and routing many leads at once (the routing console's bulk action).

Bulk routing is set-based: per batch of leads a fixed number of statements (lock the leads, read their earlier
offers, lock the candidate partners' profiles and count their open offers, insert the offers and their history,
update the leads with their history, insert the events), whatever the batch size. The choice of partner is the
one `distribution.partner_candidates` makes for a single lead (tier routing priority, then performance score,
then the lightest open load), computed in one pass in Python over the partners prefetched once per run, with the
loads moving as the batch hands leads out, so routing a batch gives what routing its leads one by one would.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from forgecrm.customers.models import Account, AccountKind, PartnerType
from forgecrm.platform.models import Job, OutboxEvent
from forgecrm.platform.operations.jobs import finish_job, start_job, step_job
from forgecrm.platform.versioning import save_versioned
from forgecrm.sales.models import Lead, LeadStatus

from ..models import (
    LeadOffer,
    LeadRoutingRule,
    OfferKind,
    PartnerAuthorization,
    PartnerCoverage,
    PartnerProfile,
    TierRule,
)
from .distribution import DEFAULT_RESPONSE_HOURS, OPEN

BULK_ROUTING_JOB = "partners.bulk_routing"
BATCH_SIZE = 500
CLOSED_LEADS = (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
ROUTED_REASON = "partner:routed"  # the lead's history row names how it reached the partner
RULE_FIELDS = (
    "name",
    "priority",
    "is_active",
    "product_line",
    "sido",
    "lead_source",
    "min_tier",
    "require_coverage",
    "require_authorization",
    "offer_to_distributors",
    "response_hours",
    "max_offers",
)
TIER_FIELDS = ("rank", "min_annual_sell_through", "min_certified_people", "min_performance_score", "lead_priority")


def _require(actor, permission: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(permission, obj):
        raise PermissionDenied(permission)


# --- routing rules and tier rules ------------------------------------------------------------------------------


def create_routing_rule(*, actor, values: dict[str, Any]) -> LeadRoutingRule:
    """A new lead routing rule (criteria, how partners are chosen); channel managers only."""
    _require(actor, "partners.manage_partner")
    with transaction.atomic():
        rule = LeadRoutingRule(**{name: values[name] for name in RULE_FIELDS if name in values})
        rule.created_by = rule.updated_by = actor
        rule.full_clean()
        rule.save()
        return rule


def update_routing_rule(
    *, actor, rule: LeadRoutingRule, expected_version: int | None, changes: dict[str, Any]
) -> LeadRoutingRule:
    """Change a routing rule; a stale `expected_version` raises ConflictError."""
    _require(actor, "partners.manage_partner", rule)
    changes = {name: value for name, value in changes.items() if name in RULE_FIELDS}
    return save_versioned(rule, actor=actor, expected_version=expected_version, changes=changes)


def reorder_routing_rules(*, actor, rule_ids: Sequence[int]) -> list[LeadRoutingRule]:
    """Give the rules the order of `rule_ids` (priorities 10, 20, ...); rules not named keep theirs after them."""
    _require(actor, "partners.manage_partner")
    with transaction.atomic():
        rules = {rule.pk: rule for rule in LeadRoutingRule.objects.select_for_update().order_by("priority", "pk")}
        ordered = [rules[pk] for pk in dict.fromkeys(rule_ids) if pk in rules]
        ordered += [rule for pk, rule in rules.items() if rule not in ordered]
        now = timezone.now()
        for index, rule in enumerate(ordered, start=1):
            rule.priority, rule.version, rule.updated_at, rule.updated_by = index * 10, rule.version + 1, now, actor
        bulk_update_with_history(
            ordered,
            LeadRoutingRule,
            ["priority", "version", "updated_at", "updated_by"],
            default_user=actor,
            default_change_reason="reordered",
        )
        return ordered


def save_tier_rule(*, actor, tier: str, values: dict[str, Any], expected_version: int | None = None) -> TierRule:
    """Create or change what a tier asks (and its lead routing priority)."""
    _require(actor, "partners.manage_partner")
    changes = {name: values[name] for name in TIER_FIELDS if name in values}
    existing = TierRule.objects.filter(tier=tier).first()
    if existing is not None:
        return save_versioned(existing, actor=actor, expected_version=expected_version, changes=changes)
    with transaction.atomic():
        rule = TierRule(tier=tier, created_by=actor, updated_by=actor, **changes)
        rule.full_clean()
        rule.save()
        return rule


# --- the partner pool: every routable partner, loaded once per run ------------------------------------------


@dataclass
class PoolPartner:
    pk: int
    name: str
    tier: str
    partner_type: str
    capacity: int
    score: float
    response_hours: int
    load: int = 0


@dataclass
class PartnerPool:
    """Routable partners with their areas and valid authorisations (a fixed number of queries)."""

    partners: dict[int, PoolPartner]
    by_area: dict[tuple[str, str], set[int]]  # (시/도, 시/군/구 or "") -> partners covering it
    authorised: dict[int, set[int]]  # product line -> partners authorised today
    ranks: dict[str, tuple[int, int]]  # tier -> (rank, routing priority)
    rules: list[LeadRoutingRule] = field(default_factory=list)

    @classmethod
    def load(cls, *, today: dt.date | None = None) -> "PartnerPool":
        today = today or timezone.localdate()
        rows = PartnerProfile.objects.filter(
            accepts_leads=True, account__kind=AccountKind.PARTNER, account__is_active=True
        ).values_list(
            "account_id",
            "account__name",
            "account__tier",
            "account__partner_type",
            "lead_capacity",
            "performance_score",
            "response_hours",
        )
        partners = {
            pk: PoolPartner(pk, name, tier or "", kind or "", capacity, float(score), hours)
            for pk, name, tier, kind, capacity, score, hours in rows
        }
        by_area: dict[tuple[str, str], set[int]] = defaultdict(set)
        for partner_id, sido, sigungu in PartnerCoverage.objects.filter(partner_id__in=partners).values_list(
            "partner_id", "sido", "sigungu"
        ):
            by_area[(sido, sigungu)].add(partner_id)
        authorised: dict[int, set[int]] = defaultdict(set)
        valid = PartnerAuthorization.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today, partner_id__in=partners
        )
        for partner_id, line_id in valid.values_list("partner_id", "product_line_id"):
            authorised[line_id].add(partner_id)
        ranks = {
            tier: (rank, priority)
            for tier, rank, priority in TierRule.objects.values_list("tier", "rank", "lead_priority")
        }
        rules = list(LeadRoutingRule.objects.filter(is_active=True).order_by("priority", "pk"))
        return cls(partners=partners, by_area=dict(by_area), authorised=dict(authorised), ranks=ranks, rules=rules)

    def rule_for(self, lead: Lead) -> LeadRoutingRule | None:
        """`distribution.rule_for` over the rules loaded once."""
        for rule in self.rules:
            if rule.product_line_id and rule.product_line_id != lead.product_line_id:
                continue
            if rule.sido and rule.sido != lead.sido:
                continue
            if rule.lead_source and rule.lead_source != lead.source:
                continue
            return rule
        return None

    def refresh_loads(self) -> None:
        """Every pooled partner's open offers now (one query; run under the profiles' locks)."""
        loads = dict(
            LeadOffer.objects.filter(status__in=OPEN, partner_id__in=self.partners)
            .values("partner_id")
            .annotate(n=Count("pk"))
            .values_list("partner_id", "n")
        )
        for partner in self.partners.values():
            partner.load = loads.get(partner.pk, 0)

    def best_for(self, lead: Lead, rule: LeadRoutingRule | None, tried: set[int]) -> PoolPartner | None:
        """The partner `distribution.partner_candidates` would put first for this lead, or None."""
        if rule is None or rule.require_coverage:
            ids = self.by_area.get((lead.sido, ""), set()) | self.by_area.get((lead.sido, lead.sigungu), set())
        else:
            ids = set(self.partners)
        if lead.product_line_id and (rule is None or rule.require_authorization):
            ids &= self.authorised.get(lead.product_line_id, set())
        allowed_tiers = None
        if rule is not None and rule.min_tier and rule.min_tier in self.ranks:
            floor = self.ranks[rule.min_tier][0]
            allowed_tiers = {tier for tier, (rank, _p) in self.ranks.items() if rank <= floor}
        with_distributors = rule is not None and rule.offer_to_distributors
        best: PoolPartner | None = None
        best_key: tuple = ()
        for pk in ids - tried:
            partner = self.partners.get(pk)
            if partner is None or partner.load >= partner.capacity:
                continue
            if partner.partner_type == PartnerType.DISTRIBUTOR and not with_distributors:
                continue
            if allowed_tiers is not None and partner.tier not in allowed_tiers:
                continue
            key = (self.ranks.get(partner.tier, (99, 999))[1], -partner.score, partner.load, partner.pk)
            if best is None or key < best_key:
                best, best_key = partner, key
        return best

    def reasons(self, lead: Lead, rule: LeadRoutingRule | None, partner: PoolPartner) -> list[dict[str, str]]:
        reasons = [{"reason": "tier", "detail": partner.tier or "-"}]
        if rule is None or rule.require_coverage:
            reasons.append({"reason": "coverage", "detail": f"{lead.sido} {lead.sigungu}".strip()})
        if lead.product_line_id and (rule is None or rule.require_authorization):
            reasons.append({"reason": "authorisation", "detail": str(lead.product_line_id)})
        reasons.append({"reason": "score", "detail": f"{partner.score:.2f}"})
        reasons.append({"reason": "capacity", "detail": f"{partner.load}/{partner.capacity}"})
        return reasons


# --- bulk routing --------------------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    routed: int = 0
    returned: int = 0  # no partner qualified: the lead stays with headquarters
    skipped: int = 0  # closed, already with a partner, or gone
    by_partner: dict[int, int] = field(default_factory=dict)

    def add(self, other: "BulkOutcome") -> None:
        self.routed += other.routed
        self.returned += other.returned
        self.skipped += other.skipped
        for pk, count in other.by_partner.items():
            self.by_partner[pk] = self.by_partner.get(pk, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {"routed": self.routed, "returned": self.returned, "skipped": self.skipped}


def _move_leads(leads: Sequence[Lead], *, now: dt.datetime) -> None:
    """The leads' new holders in one UPDATE ... FROM a VALUES list per batch. Django's bulk_update writes a CASE
    per column and row, which took 8.3 s of a 14.4 s profile of 2,000 leads (docs/performance.md, scenario 7)."""
    meta = Lead._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = {field.name: str(field.column) for field in meta.concrete_fields}
    partner, version, updated = (
        connection.ops.quote_name(columns[name]) for name in ("partner", "version", "updated_at")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(leads), BATCH_SIZE):
            chunk = leads[start : start + BATCH_SIZE]
            rows = ", ".join(["(CAST(%s AS bigint), CAST(%s AS bigint))"] * len(chunk))
            cursor.execute(
                # A CTE names the VALUES columns on both PostgreSQL and SQLite (no `AS v(a, b)` there).
                f"WITH v(lead, holder) AS (VALUES {rows}) "  # noqa: S608  # nosec B608  # identifiers from the model's _meta; values are bound parameters
                f"UPDATE {table} SET {partner} = v.holder, {version} = {table}.{version} + 1, {updated} = %s "
                f"FROM v WHERE {table}.id = v.lead",
                [*(value for lead in chunk for value in (lead.pk, lead.partner_id)), now],
            )


def _route_batch(*, actor, lead_ids: Sequence[int], pool: PartnerPool) -> BulkOutcome:
    """Route one batch in one transaction, in a fixed number of statements (see the module docstring)."""
    outcome = BulkOutcome()
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update().filter(pk__in=lead_ids).exclude(status__in=CLOSED_LEADS).order_by("pk")
        )
        offers_by_lead: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
        for lead_id, partner_id, status, top in LeadOffer.objects.filter(
            lead_id__in=[lead.pk for lead in leads]
        ).values_list("lead_id", "partner_id", "status", "parent_offer_id"):
            offers_by_lead[lead_id].append((partner_id, status, top is None))
        # The candidates' profile rows are locked while their loads are counted, as a single routing does.
        list(PartnerProfile.objects.select_for_update().filter(account_id__in=pool.partners).values_list("pk"))
        pool.refresh_loads()
        now = timezone.now()
        offers: list[LeadOffer] = []
        routed_leads: list[Lead] = []
        returned: list[dict[str, Any]] = []
        for lead in leads:
            earlier = offers_by_lead.get(lead.pk, [])
            if any(status in OPEN and top for _p, status, top in earlier):
                outcome.skipped += 1
                continue
            attempt = sum(1 for _p, _s, top in earlier if top) + 1
            rule = pool.rule_for(lead)
            max_offers = rule.max_offers if rule is not None else 3
            partner = None
            if attempt <= max_offers:
                partner = pool.best_for(lead, rule, {partner_id for partner_id, _s, _t in earlier})
            if partner is None:
                outcome.returned += 1
                if lead.partner_id is not None:
                    lead.partner_id = None
                    routed_leads.append(lead)
                returned.append({"lead_id": lead.pk, "attempts": attempt - 1})
                continue
            hours = (rule.response_hours if rule is not None and rule.response_hours else None) or (
                partner.response_hours or DEFAULT_RESPONSE_HOURS
            )
            offers.append(
                LeadOffer(
                    lead=lead,
                    partner_id=partner.pk,
                    kind=OfferKind.ROUTED,
                    rule=rule,
                    attempt=attempt,
                    offered_at=now,
                    respond_by=now + dt.timedelta(hours=hours),
                    match_reasons=pool.reasons(lead, rule, partner),
                    created_by=actor,
                    updated_by=actor,
                )
            )
            partner.load += 1
            lead.partner_id = partner.pk
            routed_leads.append(lead)
            outcome.routed += 1
            outcome.by_partner[partner.pk] = outcome.by_partner.get(partner.pk, 0) + 1
        outcome.skipped += len(lead_ids) - len(leads)
        if offers:
            offers = bulk_create_with_history(offers, LeadOffer, default_user=actor, default_change_reason="routed")
        if routed_leads:
            for lead in routed_leads:
                lead.version += 1
                lead.updated_at = now
            _move_leads(routed_leads, now=now)
            Lead.history.bulk_history_create(routed_leads, default_user=actor, default_change_reason=ROUTED_REASON)
        events = [
            OutboxEvent(
                event_type="LeadOffered",
                payload={
                    "offer_id": offer.pk,
                    "lead_id": offer.lead_id,
                    "partner_id": offer.partner_id,
                    "attempt": offer.attempt,
                    "kind": offer.kind,
                },
            )
            for offer in offers
        ]
        events += [OutboxEvent(event_type="LeadReturnedToHeadquarters", payload=payload) for payload in returned]
        if events:
            OutboxEvent.objects.bulk_create(events)
            transaction.on_commit(_dispatch_pending, robust=True)
    return outcome


def _dispatch_pending() -> None:
    """One sweep for the whole batch instead of one task per event (the beat task is the safety net)."""
    from forgecrm.platform.tasks import dispatch_pending_outbox_task

    dispatch_pending_outbox_task.delay()


def route_leads_in_bulk(*, actor, lead_ids: Iterable[int], batch_size: int = BATCH_SIZE, progress=None) -> BulkOutcome:
    """Route many leads by the routing rules, set-based, one transaction per batch; returns the counts.

    Leads that are converted, disqualified or already with a partner are skipped; a lead no partner qualifies
    for stays with headquarters (as `route_lead_to_partner` leaves it). `progress(n)` after each batch.
    """
    _require(actor, "partners.route_lead")
    ids = list(dict.fromkeys(int(pk) for pk in lead_ids))
    pool = PartnerPool.load()
    total = BulkOutcome()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        total.add(_route_batch(actor=actor, lead_ids=batch, pool=pool))
        if progress is not None:
            progress(len(batch))
    return total


def queue_bulk_routing(*, actor, lead_ids: Sequence[int]) -> Job:
    """A job that routes `lead_ids` in the background; the console polls its progress."""
    _require(actor, "partners.route_lead")
    ids = list(dict.fromkeys(int(pk) for pk in lead_ids))
    if not ids:
        raise ValidationError(_("Choose at least one lead to route."), code="empty")
    from ..tasks import route_leads_in_bulk_task  # the task module imports this one

    with transaction.atomic():
        job = Job.objects.create(kind=BULK_ROUTING_JOB, created_by=actor, total=len(ids), params={"lead_ids": ids})
        transaction.on_commit(lambda: route_leads_in_bulk_task.delay(job.pk))
    return job


def run_bulk_routing(*, job: Job) -> dict[str, Any]:
    """The job's work: route its leads batch by batch, moving its progress bar."""
    actor = job.created_by
    start_job(job=job, total=len(job.params.get("lead_ids", [])))
    try:
        outcome = route_leads_in_bulk(
            actor=actor, lead_ids=job.params.get("lead_ids", []), progress=lambda n: step_job(job=job, done=n)
        )
    except PermissionDenied:
        finish_job(job=job, error=_("You may not route leads."))
        return {}
    result = outcome.as_dict()
    finish_job(job=job, result=result)
    return result


def offer_lead_to_partner(*, actor, lead: Lead, partner: Account):
    """A channel manager's manual offer to a chosen partner (capacity is not checked: a human decided)."""
    from .distribution import route_lead_to_partner

    return route_lead_to_partner(actor=actor, lead=lead, partner=partner)


def withdraw_open_offers(*, actor, partner_id: int, now: dt.datetime | None = None) -> list[int]:
    """Withdraw every open offer of a partner (set-based, with history); returns the leads it held."""
    from ..models import OfferStatus

    now = now or timezone.now()
    offers = list(LeadOffer.objects.select_for_update().filter(partner_id=partner_id, status__in=OPEN))
    for offer in offers:
        offer.status, offer.version, offer.updated_at, offer.updated_by = (
            OfferStatus.WITHDRAWN,
            offer.version + 1,
            now,
            actor,
        )
    if offers:
        bulk_update_with_history(
            offers,
            LeadOffer,
            ["status", "version", "updated_at", "updated_by"],
            default_user=actor,
            default_change_reason="partner deactivated",
        )
    return sorted({offer.lead_id for offer in offers})
