"""The partners app's action rules (scopes are checked role by role in tests/authz/test_model_scopes.py)."""

import pytest
from django.utils import timezone

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import OfferStatus, PartnerServiceComment, RegistrationStatus
from forgecrm.partners.tests import factories as f
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    distributor = PartnerAccountFactory(partner_type="distributor")
    dealer = PartnerAccountFactory(partner_type="dealer", channel_parent=distributor)
    rival = PartnerAccountFactory(partner_type="distributor")
    people = {
        "distributor_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
        "distributor_rep": UserFactory(role=Role.PARTNER_REP, organization=distributor),
        "dealer_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer),
        "rival_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=rival),
        "channel_manager": UserFactory(role=Role.CHANNEL_MANAGER),
        "sales_rep": UserFactory(role=Role.SALES_REP),
    }
    return {"distributor": distributor, "dealer": dealer, "rival": rival, **people}


def test_only_the_offered_organisation_answers_an_open_offer(channel):
    people = channel
    offer = f.LeadOfferFactory(partner=people["dealer"])
    assert people["dealer_rep"].has_perm("partners.respond_to_offer", offer)
    # The distributor's admin sees its dealer's offer but the dealer answers it; a rival never.
    assert not people["distributor_admin"].has_perm("partners.respond_to_offer", offer)
    assert not people["rival_admin"].has_perm("partners.respond_to_offer", offer)
    assert not people["channel_manager"].has_perm("partners.respond_to_offer", offer)
    offer.status = OfferStatus.ACCEPTED
    assert not people["dealer_rep"].has_perm("partners.respond_to_offer", offer)  # answered already


def test_a_distributor_admin_reroutes_what_it_accepted(channel):
    people = channel
    offer = f.LeadOfferFactory(partner=people["distributor"], status=OfferStatus.ACCEPTED, responded_at=timezone.now())
    assert people["distributor_admin"].has_perm("partners.reroute_lead", offer)
    assert not people["distributor_rep"].has_perm("partners.reroute_lead", offer)
    assert not people["rival_admin"].has_perm("partners.reroute_lead", offer)
    assert people["distributor_rep"].has_perm("partners.report_lead_result", offer)


def test_registrations_are_decided_by_the_channel_once_submitted(channel):
    people = channel
    registration = f.DealRegistrationFactory(partner=people["distributor"], submitted_by=people["distributor_rep"])
    assert people["distributor_rep"].has_perm("partners.change_dealregistration", registration)
    assert not people["rival_admin"].has_perm("partners.change_dealregistration", registration)
    assert not people["channel_manager"].has_perm("partners.decide_dealregistration", registration)  # a draft
    registration.status = RegistrationStatus.SUBMITTED
    assert people["channel_manager"].has_perm("partners.decide_dealregistration", registration)
    assert not people["sales_rep"].has_perm("partners.decide_dealregistration", registration)
    assert not people["distributor_rep"].has_perm("partners.change_dealregistration", registration)  # submitted


def test_mdf_is_requested_by_partner_admins_for_their_own_organisation(channel):
    people = channel
    allocation = f.MdfAllocationFactory(partner=people["distributor"])
    assert people["distributor_admin"].has_perm("partners.request_mdf", allocation)
    assert not people["distributor_rep"].has_perm("partners.request_mdf", allocation)
    assert not people["rival_admin"].has_perm("partners.request_mdf", allocation)
    assert people["channel_manager"].has_perm("partners.decide_mdf")
    assert not people["sales_rep"].has_perm("partners.decide_mdf")


def test_internal_notes_on_a_service_request_stay_with_headquarters(channel):
    people = channel
    request = f.PartnerServiceRequestFactory(partner=people["distributor"], requested_by=people["distributor_rep"])
    public = f.PartnerServiceCommentFactory(request=request, author=people["channel_manager"], body="회신드립니다")
    f.PartnerServiceCommentFactory(
        request=request, author=people["channel_manager"], body="단가 재검토", is_internal=True
    )
    seen = set(scope_for(people["distributor_rep"], PartnerServiceComment).values_list("pk", flat=True))
    assert seen == {public.pk}
    assert scope_for(people["channel_manager"], PartnerServiceComment).count() == 2
    assert not scope_for(people["rival_admin"], PartnerServiceComment).exists()
    assert people["distributor_rep"].has_perm("partners.comment_partnerservicerequest", request)
    assert not people["rival_admin"].has_perm("partners.comment_partnerservicerequest", request)
