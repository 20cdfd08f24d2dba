"""Reads of market development funds, each from the actor's access scope: allocations and the period's budget
per partner, requests (for headquarters' pages and the partner portal), a request with its claim and proofs,
and the MDF return (leads and won business per won spent) that scorecards reuse."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from forgecrm.customers.models import Account
from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.sales.models import Opportunity
from forgecrm.sales.queries.planning import Period, parse_period

from ..models import MdfAllocation, MdfClaim, MdfProof, MdfRequest, MdfRequestStatus

S = MdfRequestStatus
ZERO = Decimal(0)
SPENT = (S.PAID,)
CLAIM_ACCEPTED = (S.CLAIM_APPROVED, S.PAID)


def mdf_allocation_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[MdfAllocation]:
    """Allocations the actor may see; filters: partner, period_kind, period_start, period (a `Period`: the
    allocations starting inside it)."""
    filters = filters or {}
    queryset = scope_for(actor, MdfAllocation).select_related("partner")
    for name in ("partner", "period_kind", "period_start"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    period = filters.get("period")
    if period is not None:
        queryset = queryset.filter(period_start__gte=period.start, period_start__lt=period.end)
    return queryset


def get_mdf_allocation_for(actor, pk: Any) -> MdfAllocation:
    return get_for_or_404(actor, MdfAllocation, queryset=MdfAllocation.objects.select_related("partner"), pk=pk)


@dataclass
class BudgetRow:
    allocation: MdfAllocation
    requests: int
    remaining: Decimal


def mdf_budget_for(actor, period: Period) -> list[BudgetRow]:
    """Per partner, the allocations starting inside `period`: allocated, committed, paid, remaining and how many
    requests draw on each (two queries whatever the number of partners)."""
    allocations = list(
        mdf_allocation_list_for(actor, {"period": period})
        .annotate(request_count=Count("requests", filter=~Q(requests__status=S.CANCELLED)))
        .order_by("partner__name", "period_start", "pk")
    )
    return [
        BudgetRow(
            allocation=row,
            requests=row.request_count,  # type: ignore[attr-defined]  # annotated above
            remaining=row.amount.amount - row.committed.amount,
        )
        for row in allocations
    ]


def mdf_requests_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[MdfRequest]:
    """MDF requests the actor may see (headquarters' list, the partner portal); filters: q (number, activity,
    partner name), status (one or a list), partner, allocation, activity_type, period (a `Period`: activities
    starting inside it)."""
    filters = filters or {}
    queryset = scope_for(actor, MdfRequest).select_related("partner", "allocation", "requested_by")
    text = (filters.get("q") or "").strip()[:100]
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(campaign_name__icontains=text) | Q(partner__name__icontains=text)
        )
    status = filters.get("status")
    if status:
        queryset = queryset.filter(status__in=status if isinstance(status, (list, tuple)) else [status])
    for name in ("partner", "allocation", "activity_type"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    period = filters.get("period")
    if period is not None:
        queryset = queryset.filter(planned_start__gte=period.start, planned_start__lt=period.end)
    return queryset


def get_mdf_request_for(actor, pk: Any) -> MdfRequest:
    return get_for_or_404(
        actor,
        MdfRequest,
        queryset=MdfRequest.objects.select_related("partner", "allocation", "requested_by", "decided_by"),
        pk=pk,
    )


@dataclass
class MdfRequestView:
    request: MdfRequest
    allocation: MdfAllocation
    remaining: Decimal
    claim: MdfClaim | None = None
    proofs: list[MdfProof] = field(default_factory=list)
    history: list[Any] = field(default_factory=list)


def mdf_request_detail_for(actor, pk: Any) -> MdfRequestView:
    """The request, its allocation's budget, its claim and proofs and its status history (constant queries)."""
    request = get_mdf_request_for(actor, pk)
    allocation = request.allocation
    claim = scope_for(actor, MdfClaim).filter(request=request).select_related("submitted_by").first()
    proofs = list(scope_for(actor, MdfProof).filter(claim=claim).order_by("pk")) if claim else []
    history = list(request.history.select_related("history_user").order_by("history_date", "history_id")[:200])
    return MdfRequestView(
        request=request,
        allocation=allocation,
        remaining=allocation.amount.amount - allocation.committed.amount,
        claim=claim,
        proofs=proofs,
        history=history,
    )


def get_mdf_proof_for(actor, pk: Any) -> MdfProof:
    """A proof file the actor may download (through its claim's request's partner)."""
    return get_for_or_404(actor, MdfProof, queryset=MdfProof.objects.select_related("claim__request"), pk=pk)


# --- return on MDF ---------------------------------------------------------------------------------------------


@dataclass
class MdfRoi:
    partner_id: int
    partner_name: str
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO  # paid out
    leads: int = 0  # generated by the activities whose claims were accepted
    won_amount: Decimal = ZERO  # the partner's deals won in the period
    won_deals: int = 0

    @property
    def leads_per_million(self) -> Decimal | None:
        """Leads generated per 1,000,000 won of MDF paid."""
        if not self.spent:
            return None
        return (Decimal(self.leads) * Decimal(1_000_000) / self.spent).quantize(Decimal("0.01"))

    @property
    def won_per_won_spent(self) -> Decimal | None:
        """Won business per won of MDF paid (a return multiple)."""
        if not self.spent:
            return None
        return (self.won_amount / self.spent).quantize(Decimal("0.01"))


def mdf_roi_for(actor, partner_ids: list[int] | None, period: Period, *, currency: str = "KRW") -> list[MdfRoi]:
    """Per partner (those given, or every partner with an allocation in the period the actor sees): MDF
    allocated, committed and paid in `period`, leads generated by accepted claims, and the partner's won deals
    in the period with the returns per won spent. Four queries whatever the number of partners."""
    allocations = mdf_allocation_list_for(actor, {"period": period}).filter(currency=currency)
    if partner_ids is not None:
        allocations = allocations.filter(partner_id__in=list(partner_ids))
    budget = {
        row["partner_id"]: row
        for row in allocations.values("partner_id").annotate(
            allocated=Coalesce(Sum("amount"), ZERO), committed=Coalesce(Sum("committed"), ZERO)
        )
    }
    ids = list(partner_ids) if partner_ids is not None else list(budget)
    claims = {
        row["request__partner_id"]: row
        for row in scope_for(actor, MdfClaim)
        .filter(request__allocation__in=allocations, request__status__in=CLAIM_ACCEPTED)
        .values("request__partner_id")
        .annotate(
            leads=Coalesce(Sum("actual_leads"), 0),
            spent=Coalesce(Sum("claimed_amount", filter=Q(request__status__in=SPENT)), ZERO),
        )
    }
    won = {
        row["partner_id"]: row
        for row in scope_for(actor, Opportunity)
        .filter(
            partner_id__in=ids,
            stage__is_won=True,
            close_date__gte=period.start,
            close_date__lt=period.end,
            amount_currency=currency,
        )
        .values("partner_id")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), deals=Count("pk"))
    }
    names = dict(scope_for(actor, Account).filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for partner_id in ids:
        if partner_id not in names:
            continue  # a partner the actor does not see
        row = MdfRoi(partner_id=partner_id, partner_name=names[partner_id])
        if partner_id in budget:
            row.allocated = Decimal(budget[partner_id]["allocated"])
            row.committed = Decimal(budget[partner_id]["committed"])
        if partner_id in claims:
            row.leads = claims[partner_id]["leads"]
            row.spent = Decimal(claims[partner_id]["spent"])
        if partner_id in won:
            row.won_amount = Decimal(won[partner_id]["amount"])
            row.won_deals = won[partner_id]["deals"]
        rows.append(row)
    return sorted(rows, key=lambda item: (-(item.won_per_won_spent or Decimal(-1)), item.partner_name))


def period_of(value: str | None, today: dt.date | None = None) -> Period:
    """The period a page asks for (`quarter:2026-10-01`), this quarter by default."""
    return parse_period(value, today=today)


def mdf_partner_choices_for(actor) -> QuerySet[Account]:
    """The partners the actor may allocate a budget to (active partner accounts it sees)."""
    return scope_for(actor, Account).filter(kind="partner", is_active=True).order_by("name", "pk")


def recent_periods(
    kind: str = "quarter", *, today: dt.date | None = None, back: int = 4, ahead: int = 2
) -> list[Period]:
    """The periods a budget page offers: a few before today's and a couple after, latest first."""
    current = parse_period(None, default_kind=kind, today=today)
    periods = [current]
    for _step in range(back):
        periods.append(periods[-1].previous)
    following = current
    for _step in range(ahead):
        following = following.next
        periods.insert(0, following)
    return periods
