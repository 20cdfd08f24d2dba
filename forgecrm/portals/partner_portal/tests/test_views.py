"""The portal's pages: who gets in, what an offer shows before acceptance, one-tap answers, the lead's work."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.activities.models import Activity
from forgecrm.partners.models import OfferStatus
from forgecrm.partners.tests.factories import LeadOfferFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead, LeadStatus, Opportunity

pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_sign_in_and_internal_users_get_a_clear_403(client):
    response = client.get(reverse("partner_portal:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(UserFactory(role=Role.SALES_REP))
    response = client.get(reverse("partner_portal:home"))
    assert response.status_code == 403
    assert "partner" in response.content.decode().lower()


def test_a_partner_user_lands_on_the_portal_after_sign_in(client, rep):
    from forgecrm.platform.tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": rep.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partner_portal:home")
    assert "(주)서울냉열 대리점" in response.content.decode()


def test_home_shows_open_offers_with_their_deadline_and_the_figures(rep_client, dealer):
    LeadOfferFactory(partner=dealer, lead__company_name="(주)한강빌딩")
    body = rep_client.get(reverse("partner_portal:home")).content.decode()
    assert "(주)한강빌딩" in body and "data-deadline" in body
    assert 'data-kpi="offers">1<' in body


def test_an_open_offer_shows_company_region_need_but_not_the_person_or_hq_internals(rep_client, dealer):
    owner = UserFactory(role=Role.SALES_REP, full_name="본사김과장")
    offer = LeadOfferFactory(
        partner=dealer, lead__company_name="(주)한강빌딩", lead__interest="시스템 에어컨 40대", lead__owner=owner
    )
    body = rep_client.get(reverse("partner_portal:offer-detail", args=[offer.pk])).content.decode()
    assert "(주)한강빌딩" in body and "시스템 에어컨 40대" in body and "강남구" in body
    assert offer.lead.person_name not in body and offer.lead.email not in body
    assert "본사김과장" not in body


def test_another_partners_offer_and_lead_are_404(rep_client, other_partner):
    offer = LeadOfferFactory(partner=other_partner)
    assert rep_client.get(reverse("partner_portal:offer-detail", args=[offer.pk])).status_code == 404
    assert rep_client.post(reverse("partner_portal:offer-accept", args=[offer.pk])).status_code == 404
    assert rep_client.get(reverse("partner_portal:lead-detail", args=[offer.lead_id])).status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_accept_in_one_tap_with_htmx_returns_the_row(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer)
    response = rep_client.post(reverse("partner_portal:offer-accept", args=[offer.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="offer-{offer.pk}"' in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_an_offer_answered_meanwhile_is_refused_with_a_clear_message(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer, status=OfferStatus.ACCEPTED, responded_at=timezone.now())
    response = rep_client.post(reverse("partner_portal:offer-accept", args=[offer.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "already answered" in response.content.decode()


def test_an_expired_offer_cannot_be_accepted(rep_client, dealer):
    past = timezone.now() - dt.timedelta(hours=60)
    offer = LeadOfferFactory(partner=dealer, offered_at=past, respond_by=past + dt.timedelta(hours=48))
    response = rep_client.post(reverse("partner_portal:offer-accept", args=[offer.pk]), follow=True)
    assert "time to accept" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_reject_needs_a_reason(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer)
    url = reverse("partner_portal:offer-reject", args=[offer.pk])
    response = rep_client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "Choose why" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
    rep_client.post(url, {"reason": "no_capacity"}, HTTP_HX_REQUEST="true")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.REJECTED and offer.reject_reason == "no_capacity"


def _accepted(dealer, **lead):
    return LeadOfferFactory(
        partner=dealer,
        status=OfferStatus.ACCEPTED,
        responded_at=timezone.now(),
        **{f"lead__{k}": v for k, v in lead.items()},
    )


def test_the_held_lead_shows_contact_details_and_takes_status_activity_and_conversion(rep_client, rep, dealer):
    offer = _accepted(dealer, mobile="+821012345678")
    lead = offer.lead
    url = reverse("partner_portal:lead-detail", args=[lead.pk])
    body = rep_client.get(url).content.decode()
    assert lead.person_name in body and "tel:+821012345678" in body

    rep_client.post(
        reverse("partner_portal:lead-status", args=[lead.pk]), {"status": "working", "version": lead.version}
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING

    response = rep_client.post(
        reverse("partner_portal:lead-log-activity", args=[lead.pk]),
        {"kind": "call", "subject": "첫 통화", "starts_at": "2026-12-03T10:00", "body": "견적 요청"},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(subject="첫 통화")
    assert activity.owner == rep and activity.regarding_id == lead.pk and activity.direction == "outbound"
    assert "첫 통화" in rep_client.get(url).content.decode()

    lead.refresh_from_db()
    response = rep_client.post(
        reverse("partner_portal:lead-convert", args=[lead.pk]),
        {"close_date": "2027-03-31", "amount": "45000000", "version": lead.version},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    opportunity = Opportunity.objects.get(source_lead=lead)
    assert opportunity.partner == dealer and opportunity.account.partner == dealer
    assert opportunity.owner.is_internal


def test_disqualifying_needs_a_reason_and_a_stale_version_is_a_conflict(rep_client, dealer):
    lead = _accepted(dealer).lead
    url = reverse("partner_portal:lead-status", args=[lead.pk])
    response = rep_client.post(url, {"status": "disqualified", "version": lead.version})
    assert response.status_code == 400
    response = rep_client.post(url, {"status": "working", "version": lead.version - 1}, follow=True)
    assert "changed this lead meanwhile" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_lead_still_on_offer_shows_only_the_offer_part_and_takes_no_work(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer)
    body = rep_client.get(reverse("partner_portal:lead-detail", args=[offer.lead_id])).content.decode()
    assert offer.lead.person_name not in body and "Open the offer" in body
    response = rep_client.post(reverse("partner_portal:lead-status", args=[offer.lead_id]), {"status": "working"})
    assert response.status_code == 403


def test_pages_need_csrf(rep, dealer):
    from django.test import Client

    offer = LeadOfferFactory(partner=dealer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    assert client.post(reverse("partner_portal:offer-accept", args=[offer.pk])).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


@pytest.mark.parametrize("name", ["home", "offer-list", "lead-list"])
def test_lists_run_a_constant_number_of_queries(rep_client, dealer, name, django_assert_max_num_queries):
    def grow(count):
        for _ in range(count):
            LeadOfferFactory(partner=dealer)
            _accepted(dealer)

    grow(2)
    with django_assert_max_num_queries(12) as small:
        rep_client.get(reverse(f"partner_portal:{name}"))
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(reverse(f"partner_portal:{name}"))


@pytest.mark.parametrize("kind", ["offer", "lead"])
def test_details_run_a_constant_number_of_queries(rep, rep_client, dealer, kind, django_assert_max_num_queries):
    from forgecrm.activities.operations import log_activity

    offer = _accepted(dealer)
    url = reverse(f"partner_portal:{kind}-detail", args=[offer.pk if kind == "offer" else offer.lead_id])
    log_activity(actor=rep, kind="note", subject="메모", regarding=offer.lead)
    with django_assert_max_num_queries(20) as small:
        rep_client.get(url)
    for number in range(8):
        log_activity(actor=rep, kind="note", subject=f"메모 {number}", regarding=offer.lead)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(url)


def test_pages_render_in_korean_and_english(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer)
    for language, word in [("ko", "수락"), ("en", "Accept")]:
        rep_client.cookies["django_language"] = language
        body = rep_client.get(reverse("partner_portal:offer-list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert word in body, language
    assert offer


def test_a_lead_headquarters_gave_directly_is_worked_but_converted_only_through_an_offer(rep_client, dealer):
    from forgecrm.sales.tests.factories import LeadFactory

    lead = LeadFactory(partner=dealer, company_name="(주)직배정")
    body = rep_client.get(reverse("partner_portal:lead-detail", args=[lead.pk])).content.decode()
    assert lead.person_name in body and "Save status" in body and "Convert to our deal" not in body
    rep_client.post(reverse("partner_portal:lead-status", args=[lead.pk]), {"status": "working"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING
    response = rep_client.post(reverse("partner_portal:lead-convert", args=[lead.pk]), {"close_date": "2027-01-31"})
    assert response.status_code == 403


def test_home_never_names_the_person_of_a_lead_still_on_offer(rep_client, dealer):
    offer = LeadOfferFactory(partner=dealer, lead__company_name="")
    body = rep_client.get(reverse("partner_portal:home")).content.decode()
    assert offer.lead.person_name not in body
