"""Scorecard maths: counts, median, relative parts within the tier, the documented weights, the feed into the
profile's performance score, ranking, idempotency, and a constant number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.partners.models import MdfRequestStatus, OfferStatus, PartnerProfile, PartnerScorecard
from forgecrm.partners.operations.scorecards import WEIGHTS, compute_scorecards, score_of, tier_ranking
from forgecrm.partners.tests import factories as f
from forgecrm.sales.models import LeadStatus, Stage
from forgecrm.sales.tests.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def at(day, hour=9):
    return timezone.make_aware(dt.datetime(2026, 10, day, hour))


def offer(partner, status, hours=None, converted=False, day=5):
    offered = at(day)
    answered = offered + dt.timedelta(hours=hours) if hours is not None else None
    made = f.LeadOfferFactory(
        partner=partner,
        status=status,
        offered_at=offered,
        respond_by=offered + dt.timedelta(hours=48),
        responded_at=answered,
        reject_reason="other" if status == OfferStatus.REJECTED else "",
    )
    if converted:
        type(made.lead).objects.filter(pk=made.lead_id).update(
            status=LeadStatus.CONVERTED, converted_account=AccountFactory(), converted_at=timezone.now()
        )
    return made


def test_the_weights_add_up_to_a_hundred_and_no_data_is_neutral():
    assert sum(WEIGHTS.values()) == 100
    assert score_of({}) == Decimal("50.00")
    assert score_of(dict.fromkeys(WEIGHTS, 1.0)) == Decimal("100.00")
    assert score_of(dict.fromkeys(WEIGHTS, 0.0)) == Decimal("0.00")


def test_a_scorecard_counts_and_scores_a_month():
    good = PartnerAccountFactory(name="잘함", tier="gold")
    weak = PartnerAccountFactory(name="부진", tier="gold")
    for account in (good, weak):
        f.PartnerProfileFactory(account=account, performance_score=Decimal(50))
    offer(good, OfferStatus.ACCEPTED, hours=2, converted=True)
    offer(good, OfferStatus.ACCEPTED, hours=4)
    offer(good, OfferStatus.CLOSED, hours=6, converted=True)
    offer(good, OfferStatus.REJECTED, hours=1)
    offer(good, OfferStatus.OFFERED, day=20)  # still open: not yet part of the acceptance rate
    offer(good, OfferStatus.ACCEPTED, hours=1)
    offer(weak, OfferStatus.RECALLED)
    offer(weak, OfferStatus.REJECTED, hours=30)
    f.PartnerCertificationFactory(partner=good, issued_on=dt.date(2026, 1, 1), expires_on=None)
    f.PartnerCertificationFactory(
        partner=good, issued_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 10, 2)
    )  # expired by month end
    report = f.SellThroughReportFactory(partner=good, period_start=MONTH)
    f.SellThroughLineFactory(report=report, amount=f.krw(40_000_000))

    assert compute_scorecards(period_start=dt.date(2026, 10, 17), partner_ids=[good.pk, weak.pk]) == 2
    card = PartnerScorecard.objects.get(partner=good, period_start=MONTH)
    assert (card.leads_offered, card.leads_accepted, card.leads_converted) == (6, 4, 2)
    assert card.median_response_hours == Decimal("2.00")  # answers after 2, 4, 6, 1, 1 hours
    assert card.sell_through_amount.amount == Decimal(40_000_000)
    # acceptance 4/5, conversion 2/4, speed 1 - 2/48, won: nobody in gold won (neutral), sell-through best of tier,
    # certifications 1 of 3, no MDF paid (neutral)
    expected = 20 * 0.8 + 20 * 0.5 + 15 * (1 - 2 / 48) + 15 * 0.5 + 10 * 1 + 10 * (1 / 3) + 10 * 0.5
    assert card.score == Decimal(str(expected)).quantize(Decimal("0.01"))
    weak_card = PartnerScorecard.objects.get(partner=weak, period_start=MONTH)
    assert weak_card.leads_accepted == 0 and weak_card.score < card.score
    ranking = tier_ranking([card, weak_card], {good.pk: "gold", weak.pk: "gold"})
    assert ranking == {good.pk: (1, 2), weak.pk: (2, 2)}
    # the profile's performance score (what routing ranks by) follows the scorecard
    assert PartnerProfile.objects.get(account=good).performance_score == card.score


def test_recomputing_replaces_the_month_and_keeps_a_constant_number_of_queries():
    partners = [PartnerAccountFactory() for _ in range(3)]
    for account in partners:
        f.PartnerProfileFactory(account=account)
        offer(account, OfferStatus.ACCEPTED, hours=3)
    with CaptureQueriesContext(connection) as small:
        compute_scorecards(period_start=MONTH)
    for _ in range(12):
        account = PartnerAccountFactory()
        f.PartnerProfileFactory(account=account)
        offer(account, OfferStatus.REJECTED, hours=5)
    with CaptureQueriesContext(connection) as large:
        compute_scorecards(period_start=MONTH)
    assert len(large) <= len(small) + 1  # SQLite may split the upsert by its parameter limit
    assert PartnerScorecard.objects.filter(period_start=MONTH).count() == 15


def _paid_mdf(partner, number, amount, paid_at):
    allocation = f.MdfAllocationFactory(partner=partner, period_start=paid_at.date().replace(day=1))
    request = f.MdfRequestFactory(number=number, allocation=allocation, status=MdfRequestStatus.PAID)
    f.MdfClaimFactory(request=request, claimed_amount=f.krw(amount), paid_at=paid_at)
    return request


def _won_from(detail, amount, closed_at, partner):
    lead = LeadFactory(source="trade_show", source_detail=detail, partner=partner)
    return OpportunityFactory(
        stage=Stage.objects.get(code="won"), amount=f.krw(amount), source_lead=lead, closed_at=closed_at
    )


def test_the_mdf_return_feeds_the_score():
    funded = PartnerAccountFactory(name="지원금 활용", tier="silver")
    idle = PartnerAccountFactory(name="지원금 미사용", tier="silver")
    for account in (funded, idle):
        f.PartnerProfileFactory(account=account)
    _paid_mdf(funded, "MDF-2026-00901", 5_000_000, at(3))
    _paid_mdf(funded, "MDF-2025-00902", 3_000_000, timezone.make_aware(dt.datetime(2025, 9, 1)))  # outside the year
    _paid_mdf(idle, "MDF-2026-00903", 4_000_000, at(20))
    _won_from("MDF-2026-00901", 30_000_000, at(25), funded)
    _won_from("mdf-2026-00901", 20_000_000, at(28), funded)  # the same activity, spelt by an import
    _won_from("MDF-2026-00901", 90_000_000, timezone.make_aware(dt.datetime(2026, 11, 3)), funded)  # next month
    _won_from("MDF-2025-00902", 70_000_000, at(26), funded)  # its activity was paid over a year ago

    compute_scorecards(period_start=MONTH, partner_ids=[funded.pk, idle.pk])
    card = PartnerScorecard.objects.get(partner=funded, period_start=MONTH)
    assert card.mdf_paid.amount == Decimal(5_000_000)
    assert card.mdf_won_amount.amount == Decimal(50_000_000)
    assert card.mdf_return == Decimal("10.00")
    idle_card = PartnerScorecard.objects.get(partner=idle, period_start=MONTH)
    assert idle_card.mdf_paid.amount == Decimal(4_000_000) and idle_card.mdf_return == Decimal("0.00")
    # everything else equal (no offers, no wins, no sell-through, no certificates): the MDF part makes the gap
    assert card.score - idle_card.score == Decimal(WEIGHTS["mdf_return"])
