"""Reads of deal registrations and channel conflicts; each starts from the actor's access scope, so the same
functions serve headquarters' pages, the partner portal and the API (a partner user gets only its own
organisation's registrations and never a conflict)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from forgecrm.platform.access import get_for_or_404, principal_for, scope_for

from ..models import ChannelConflict, ConflictStatus, DealRegistration, DealRegistrationLine, RegistrationStatus
from ..operations.registrations import reminder_days

LIST_RELATED = ("partner", "submitted_by", "product_line", "account")
S = RegistrationStatus
# What an approved registration became, as its partner may see it: the opportunity's stage when there is one,
# else the registration's own close (won / lost) or, while approved, open. Drafts, reviews, rejections and
# expiries have no outcome ("").
OUTCOMES = ("open", "won", "lost")
OUTCOME = Case(
    When(opportunity__stage__is_won=True, then=Value("won")),
    When(opportunity__stage__is_lost=True, then=Value("lost")),
    When(opportunity__isnull=False, then=Value("open")),
    When(status=S.WON, then=Value("won")),
    When(status=S.LOST, then=Value("lost")),
    When(status=S.APPROVED, then=Value("open")),
    default=Value(""),
    output_field=CharField(),
)


def with_outcome(queryset: QuerySet[DealRegistration]) -> QuerySet[DealRegistration]:
    """The outcome and only the opportunity's figures a partner may read: amount, currency, win/loss reason code
    and close date (never its competitors, notes, lines or costs)."""
    return queryset.annotate(
        outcome=OUTCOME,
        outcome_amount=F("opportunity__amount"),
        outcome_currency=F("opportunity__amount_currency"),
        outcome_reason=F("opportunity__win_loss_reason"),
        outcome_closed_at=F("opportunity__closed_at"),
    )


def registrations_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[DealRegistration]:
    """Registrations the actor may see, each with its outcome (`with_outcome`); filters: q (number, customer,
    BRN), status, partner, outcome (open / won / lost), expiring (approved, exclusivity ending within the
    reminder window), open_conflicts (with undecided conflicts; internal only)."""
    filters = filters or {}
    queryset = with_outcome(scope_for(actor, DealRegistration).select_related(*LIST_RELATED))
    if filters.get("outcome") in OUTCOMES:
        queryset = queryset.filter(outcome=filters["outcome"])  # type: ignore[misc]  # annotated by with_outcome
    text = (filters.get("q") or "").strip()[:100]
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(number__icontains=text) | Q(customer_name__icontains=text)
        if len(digits) >= 3:
            condition |= Q(customer_brn__startswith=digits)
        queryset = queryset.filter(condition)
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("partner"):
        queryset = queryset.filter(partner=filters["partner"])
    if filters.get("expiring"):
        today = timezone.localdate()
        queryset = queryset.filter(
            status=RegistrationStatus.APPROVED,
            exclusive_until__gte=today,
            exclusive_until__lte=today + dt.timedelta(days=reminder_days()),
        )
    if principal_for(actor).is_internal:
        queryset = queryset.annotate(
            open_conflicts=Count("conflicts", filter=Q(conflicts__status=ConflictStatus.OPEN), distinct=True)
        )
        if filters.get("open_conflicts"):
            queryset = queryset.filter(open_conflicts__gt=0)
    return queryset


def get_registration_for(actor, pk: Any) -> DealRegistration:
    return get_for_or_404(
        actor,
        DealRegistration,
        queryset=with_outcome(DealRegistration.objects.select_related(*LIST_RELATED, "opportunity")),
        pk=pk,
    )


@dataclass(frozen=True)
class RegistrationDetail:
    registration: DealRegistration
    lines: list[DealRegistrationLine]
    conflicts: list[ChannelConflict]  # empty for partner users: a conflict names the other channel
    history: list[Any]


def registration_detail_for(actor, pk: Any) -> RegistrationDetail:
    """A registration with its products, its conflicts (internal users only) and its history, in a fixed number
    of queries."""
    registration = get_registration_for(actor, pk)
    lines = list(scope_for(actor, DealRegistrationLine).filter(registration=registration).select_related("product"))
    conflicts: list[ChannelConflict] = []
    if principal_for(actor).is_internal:
        conflicts = list(
            scope_for(actor, ChannelConflict)
            .filter(registration=registration)
            .select_related("other_registration__partner", "other_opportunity", "other_account", "decided_by")
            .order_by("-score", "pk")
        )
    history = list(registration.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
    return RegistrationDetail(registration=registration, lines=lines, conflicts=conflicts, history=history)


def conflicts_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[ChannelConflict]:
    """Channel conflicts the actor may see (internal users only); filters: status, kind, partner."""
    filters = filters or {}
    queryset = scope_for(actor, ChannelConflict).select_related(
        "registration__partner",
        "offer__partner",
        "offer__lead",
        "other_registration__partner",
        "other_opportunity",
        "other_account",
        "decided_by",
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("partner"):
        partner = filters["partner"]
        queryset = queryset.filter(Q(registration__partner=partner) | Q(offer__partner=partner))
    return queryset


def get_conflict_for(actor, pk: Any) -> ChannelConflict:
    return get_for_or_404(actor, ChannelConflict, queryset=conflicts_for(actor), pk=pk)


def conflict_history_for(actor, conflict: ChannelConflict) -> list[Any]:
    return list(conflict.history.select_related("history_user").order_by("-history_date", "-history_id")[:20])


def registration_lines_prefetch(actor) -> Prefetch:
    """For lists that show the products (the portal): the lines the actor may see, with their product."""
    return Prefetch(
        "lines", queryset=scope_for(actor, DealRegistrationLine).select_related("product"), to_attr="visible_lines"
    )
