import pytest
from django.db import IntegrityError, transaction
from djmoney.money import Money

from forgecrm.partners.models import OfferStatus, RegistrationStatus
from forgecrm.partners.tests import factories as f

pytestmark = pytest.mark.django_db


def refused(build) -> bool:
    try:
        with transaction.atomic():
            build()
    except IntegrityError:
        return True
    return False


def test_a_lead_is_offered_to_one_partner_at_a_time():
    first = f.LeadOfferFactory()
    assert refused(lambda: f.LeadOfferFactory(lead=first.lead))
    first.status = OfferStatus.RECALLED
    first.save()
    second = f.LeadOfferFactory(lead=first.lead, attempt=2)  # recalled: the next partner may have it
    # A distributor that accepted re-routes to one dealer at a time, and keeps its own accepted offer.
    second.status = OfferStatus.ACCEPTED
    second.save()
    dealer_offer = f.LeadOfferFactory(lead=first.lead, parent_offer=second, kind="rerouted")
    assert refused(lambda: f.LeadOfferFactory(lead=first.lead, parent_offer=second, kind="rerouted"))
    assert dealer_offer.parent_offer == second


def test_a_rejection_names_its_reason_and_a_deadline_follows_the_offer():
    offer = f.LeadOfferFactory()
    assert refused(lambda: f.LeadOfferFactory(status=OfferStatus.REJECTED, reject_reason=""))
    assert refused(lambda: f.LeadOfferFactory(offered_at=offer.respond_by, respond_by=offer.offered_at))


def test_mdf_commitments_never_exceed_the_allocation():
    allocation = f.MdfAllocationFactory(amount=Money(10_000_000, "KRW"))
    allocation.committed = Money(10_000_000, "KRW")
    allocation.save()  # exactly the budget
    allocation.committed = Money(10_000_001, "KRW")
    assert refused(allocation.save)
    allocation.refresh_from_db()
    allocation.paid = Money(10_000_001, "KRW")
    assert refused(allocation.save)
    assert refused(lambda: f.MdfAllocationFactory(partner=allocation.partner, period_start=allocation.period_start))


def test_an_mdf_request_stays_in_one_currency_and_within_what_was_asked():
    assert refused(lambda: f.MdfRequestFactory(approved_amount=Money(7_000_000, "KRW")))  # asked 6,000,000
    assert refused(lambda: f.MdfRequestFactory(currency="USD"))


def test_an_approved_registration_carries_its_exclusivity_and_decision_time():
    registration = f.DealRegistrationFactory()
    registration.status = RegistrationStatus.APPROVED
    assert refused(registration.save)


def test_coverage_and_periods_are_consistent():
    coverage = f.PartnerCoverageFactory(sigungu="")
    assert refused(lambda: f.PartnerCoverageFactory(partner=coverage.partner, sido=coverage.sido, sigungu=""))
    authorization = f.PartnerAuthorizationFactory()
    assert refused(
        lambda: f.PartnerAuthorizationFactory(
            valid_from=authorization.valid_from, valid_to=authorization.valid_from.replace(year=2025)
        )
    )
    assert refused(lambda: f.PartnerCertificationFactory(expires_on=authorization.valid_from.replace(year=2020)))


def test_one_sell_through_report_per_partner_and_month():
    report = f.SellThroughReportFactory()
    assert refused(lambda: f.SellThroughReportFactory(partner=report.partner, period_start=report.period_start))
    returned = f.SellThroughLineFactory(report=report, quantity=-2, amount=Money(-3_100_000, "KRW"))
    assert returned.quantity == -2  # returns are negative lines
