"""The portal's MDF pages: the budget per period, a partner admin's request (draft → submit), the claim with its
proof files, reps read-only, 404 on another partner's, stale versions, constant queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forgecrm.partners.models import MdfRequest, MdfRequestStatus
from forgecrm.partners.tests.factories import MdfAllocationFactory, MdfRequestFactory

pytestmark = pytest.mark.django_db
PERIOD = "?period=quarter:2026-10-01"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def admin_client(client, partner_admin):
    client.force_login(partner_admin)
    return client


def _request_payload(allocation, **extra):
    return {
        "allocation": allocation.pk,
        "campaign_name": "강남 시스템 에어컨 세미나",
        "activity_type": "event",
        "planned_start": "2026-11-02",
        "planned_end": "2026-11-03",
        "planned_cost": "4000000",
        "requested_amount": "2000000",
        **extra,
    }


def test_the_budget_shows_allocated_committed_paid_and_left(admin_client, dealer):
    MdfAllocationFactory(partner=dealer)
    body = admin_client.get(reverse("partner_portal:mdf-home") + PERIOD).content.decode()
    assert "30,000,000" in body and "2026 Q4" in body


def test_an_admin_drafts_submits_and_claims_with_proof(admin_client, partner_admin, dealer):
    allocation = MdfAllocationFactory(partner=dealer)
    response = admin_client.post(reverse("partner_portal:mdf-request-create"), _request_payload(allocation))
    item = MdfRequest.objects.get(campaign_name="강남 시스템 에어컨 세미나")
    assert response.status_code == 302 and item.status == MdfRequestStatus.DRAFT
    too_much = _request_payload(allocation, requested_amount="5000000")
    assert admin_client.post(reverse("partner_portal:mdf-request-create"), too_much).status_code == 400

    admin_client.post(reverse("partner_portal:mdf-request-submit", args=[item.pk]), {"version": item.version})
    item.refresh_from_db()
    assert item.status == MdfRequestStatus.SUBMITTED

    from forgecrm.partners.operations.funds import approve_mdf_request
    from forgecrm.platform.tests.factories import UserFactory

    approve_mdf_request(actor=UserFactory(role="channel_manager"), request=item, amount=2_000_000)
    item.refresh_from_db()
    url = reverse("partner_portal:mdf-request-claim", args=[item.pk])
    no_proof = {"actual_cost": "3800000", "claimed_amount": "1900000", "version": item.version}
    assert admin_client.post(url, no_proof).status_code == 400
    photo = SimpleUploadedFile("seminar.png", PNG, content_type="image/png")
    response = admin_client.post(url, {**no_proof, "proofs": [photo]})
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.status == MdfRequestStatus.CLAIMED and item.claim.proofs.count() == 1
    body = admin_client.get(reverse("partner_portal:mdf-request-detail", args=[item.pk])).content.decode()
    assert "seminar.png" in body and "1,900,000" in body


def test_a_rep_reads_but_does_not_request(rep_client, partner_admin, dealer):
    allocation = MdfAllocationFactory(partner=dealer)
    item = MdfRequestFactory(allocation=allocation, requested_by=partner_admin)
    body = rep_client.get(reverse("partner_portal:mdf-home") + PERIOD).content.decode()
    assert item.campaign_name in body and reverse("partner_portal:mdf-request-create") not in body
    assert rep_client.get(reverse("partner_portal:mdf-request-create")).status_code == 403
    assert rep_client.post(reverse("partner_portal:mdf-request-submit", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.status == MdfRequestStatus.DRAFT


def test_another_partners_request_is_404(admin_client, other_partner):
    item = MdfRequestFactory(allocation=MdfAllocationFactory(partner=other_partner))
    assert admin_client.get(reverse("partner_portal:mdf-request-detail", args=[item.pk])).status_code == 404
    assert admin_client.post(reverse("partner_portal:mdf-request-submit", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == MdfRequestStatus.DRAFT


def test_a_stale_edit_changes_nothing(admin_client, partner_admin, dealer):
    allocation = MdfAllocationFactory(partner=dealer)
    item = MdfRequestFactory(allocation=allocation, requested_by=partner_admin, campaign_name="원래 행사")
    url = reverse("partner_portal:mdf-request-edit", args=[item.pk])
    assert "원래 행사" in admin_client.get(url).content.decode()
    admin_client.post(url, _request_payload(allocation, campaign_name="새 행사", version=item.version - 1))
    item.refresh_from_db()
    assert item.campaign_name == "원래 행사"
    admin_client.post(url, _request_payload(allocation, campaign_name="새 행사", version=item.version))
    item.refresh_from_db()
    assert item.campaign_name == "새 행사"


def test_pages_run_a_constant_number_of_queries(admin_client, partner_admin, dealer, django_assert_max_num_queries):
    allocation = MdfAllocationFactory(partner=dealer)

    def grow(count):
        for _ in range(count):
            MdfRequestFactory(allocation=allocation, requested_by=partner_admin)

    grow(2)
    with django_assert_max_num_queries(12) as small:
        admin_client.get(reverse("partner_portal:mdf-home") + PERIOD)
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(reverse("partner_portal:mdf-home") + PERIOD)

    item = MdfRequestFactory(allocation=allocation, requested_by=partner_admin)
    url = reverse("partner_portal:mdf-request-detail", args=[item.pk])
    with django_assert_max_num_queries(20) as small:
        admin_client.get(url)
    for number in range(4):
        MdfRequest.objects.filter(pk=item.pk).update(description=f"v{number}")  # history stays one query
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(url)
