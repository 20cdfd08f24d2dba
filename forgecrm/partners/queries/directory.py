"""Reads of the partner directory and a partner's page, from the actor's access scope, in a fixed number of
queries whatever the number of partners, areas, offers or people."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform.access import get_for_or_404, scope_for
from forgecrm.platform.models import User

from ..models import (
    LeadOffer,
    OfferStatus,
    PartnerAuthorization,
    PartnerCertification,
    PartnerCoverage,
    PartnerProfile,
    PartnerScorecard,
)

OPEN = ("offered", "accepted")
EXPIRING_DAYS = 30
OFFERS_ON_PAGE = 30


def _open_offers() -> Subquery:
    counted = (
        LeadOffer.objects.filter(partner_id=OuterRef("account_id"), status__in=OPEN)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def partner_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[PartnerProfile]:
    """Partner profiles the actor sees, with type, tier, channel manager, open leads and 시/도 coverage, narrowed
    by: q (name), partner_type, tier, sido (covers it), product_line (authorised today), inactive (include)."""
    filters = filters or {}
    today = timezone.localdate()
    queryset = (
        scope_for(actor, PartnerProfile)
        .filter(account__kind=AccountKind.PARTNER)
        .select_related("account", "account__channel_parent", "channel_manager")
        .annotate(open_offers=Coalesce(_open_offers(), 0))
        .prefetch_related(Prefetch("account__coverage", queryset=PartnerCoverage.objects.order_by("sido", "sigungu")))
    )
    if not filters.get("inactive"):
        queryset = queryset.filter(account__is_active=True)
    if filters.get("q"):
        queryset = queryset.filter(account__name__icontains=filters["q"].strip())
    for name in ("partner_type", "tier"):
        if filters.get(name):
            queryset = queryset.filter(**{f"account__{name}": filters[name]})
    if filters.get("sido"):
        queryset = queryset.filter(
            Exists(PartnerCoverage.objects.filter(partner_id=OuterRef("account_id"), sido=filters["sido"]))
        )
    if filters.get("product_line"):
        valid = PartnerAuthorization.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            partner_id=OuterRef("account_id"),
            product_line=filters["product_line"],
            valid_from__lte=today,
        )
        queryset = queryset.filter(Exists(valid))
    if filters.get("channel_manager"):
        queryset = queryset.filter(channel_manager=filters["channel_manager"])
    return queryset


def get_partner_profile_for(actor, pk: Any) -> PartnerProfile:
    return get_for_or_404(
        actor,
        PartnerProfile,
        queryset=PartnerProfile.objects.select_related("account", "account__channel_parent", "channel_manager"),
        pk=pk,
    )


@dataclass
class PartnerPage:
    profile: PartnerProfile
    coverage: list[PartnerCoverage]
    authorizations: list[PartnerAuthorization]
    certifications: list[PartnerCertification]
    portal_users: list[User]
    dealers: list[Account]
    offers: list[LeadOffer]
    offer_counts: dict[str, int]
    scorecards: list[PartnerScorecard]
    open_offers: int = 0
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def partner(self) -> Account:
        return self.profile.account

    @property
    def offer_summary(self) -> list[tuple[str, int]]:
        """(status label, count) in the order of the statuses."""
        return [
            (str(label), self.offer_counts[value]) for value, label in OfferStatus.choices if value in self.offer_counts
        ]

    @property
    def soon(self) -> dt.date:
        """Certifications expiring by this day get the "expires soon" badge."""
        return self.today + dt.timedelta(days=EXPIRING_DAYS)


def partner_page_for(actor, pk: Any) -> PartnerPage:
    """Everything a partner's page shows, in a fixed number of queries."""
    profile = get_partner_profile_for(actor, pk)
    partner_id = profile.account_id
    offers = scope_for(actor, LeadOffer).filter(partner_id=partner_id)
    counts = dict(offers.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return PartnerPage(
        profile=profile,
        coverage=list(scope_for(actor, PartnerCoverage).filter(partner_id=partner_id).order_by("sido", "sigungu")),
        authorizations=list(
            scope_for(actor, PartnerAuthorization)
            .filter(partner_id=partner_id)
            .select_related("product_line")
            .order_by("product_line__name", "-valid_from")
        ),
        certifications=list(
            scope_for(actor, PartnerCertification)
            .filter(partner_id=partner_id)
            .select_related("product_line", "holder")
            .order_by("expires_on", "name")
        ),
        portal_users=list(
            scope_for(actor, User).filter(organization_id=partner_id).order_by("-is_active", "role", "full_name")
        ),
        dealers=list(
            scope_for(actor, Account)
            .filter(channel_parent_id=partner_id, kind=AccountKind.PARTNER)
            .select_related("partner_profile")
            .order_by("name")
        )
        if profile.account.partner_type == "distributor"
        else [],
        offers=list(offers.select_related("lead", "rule").order_by("-offered_at", "-pk")[:OFFERS_ON_PAGE]),
        offer_counts=counts,
        open_offers=sum(counts.get(status, 0) for status in OPEN),
        scorecards=list(
            scope_for(actor, PartnerScorecard).filter(partner_id=partner_id).order_by("-period_start")[:12]
        ),
    )


def partner_choices_for(actor) -> QuerySet[Account]:
    """Active partners the actor sees (a successor, a manual offer's target)."""
    return scope_for(actor, Account).filter(kind=AccountKind.PARTNER, is_active=True).order_by("name")
