"""MDF pages: budget with chart, request list with CSV export, detail with decisions, claim review, proof
downloads (only through the claim's partner), payment, ROI; constant queries at two sizes."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import MdfAllocation, MdfRequest, MdfRequestStatus
from forgecrm.partners.operations import funds as ops
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
QUARTER = dt.date(2026, 10, 1)
PERIOD = "quarter:2026-10-01"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def hq(tmp_path, settings):
    settings.FORGE_PRIVATE_MEDIA_ROOT = str(tmp_path)
    return UserFactory(role=Role.CHANNEL_MANAGER)


def partner_with_requests(hq, count: int, name: str = "동부 냉동공조"):
    partner = PartnerAccountFactory(name=name)
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=partner)
    allocation = ops.allocate_mdf(
        actor=hq, partner=partner, period_kind="quarter", period_start=QUARTER, amount=50_000_000
    )
    requests = []
    for number in range(count):
        request = ops.create_mdf_request(
            actor=admin,
            allocation=allocation,
            campaign_name=f"대리점 세미나 {number}",
            activity_type="event",
            planned_start=dt.date(2026, 11, 3),
            planned_end=dt.date(2026, 11, 3),
            planned_cost=2_000_000,
            requested_amount=1_000_000,
        )
        requests.append(ops.submit_mdf_request(actor=admin, request=request))
    return partner, admin, allocation, requests


def claimed(hq, admin, request):
    request = ops.approve_mdf_request(actor=hq, request=request)
    proof = SimpleUploadedFile("사진.pdf", PDF, content_type="application/pdf")
    return ops.claim_mdf(
        actor=admin, request=request, actual_cost=2_000_000, claimed_amount=900_000, actual_leads=12, proofs=[proof]
    )


def test_budget_page_shows_each_partner_with_a_chart_in_constant_queries(client, hq, django_assert_max_num_queries):
    client.force_login(hq)
    partner_with_requests(hq, 1, "가람 공조")
    with django_assert_max_num_queries(14):
        small = client.get(reverse("partners:mdf-allocations"), {"period": PERIOD})
    for number in range(5):
        partner_with_requests(hq, 2, f"나래 설비 {number}")
    with django_assert_max_num_queries(14):
        large = client.get(reverse("partners:mdf-allocations"), {"period": PERIOD})
    assert small.status_code == large.status_code == 200
    body = large.content.decode()
    assert "나래 설비 4" in body and "echarts" in body.lower()


def test_allocating_from_the_page_and_lowering_below_committed_is_refused(client, hq):
    client.force_login(hq)
    _partner, _admin, allocation, requests = partner_with_requests(hq, 1)
    ops.approve_mdf_request(actor=hq, request=requests[0])
    url = reverse("partners:mdf-allocation-change", args=[allocation.pk])
    version = MdfAllocation.objects.get(pk=allocation.pk).version  # the approval moved it on
    response = client.post(url, {"amount": "500000", "version": version}, follow=True)
    assert "already committed" in response.content.decode()
    assert MdfAllocation.objects.get(pk=allocation.pk).amount.amount == 50_000_000
    other = PartnerAccountFactory()
    client.post(reverse("partners:mdf-allocate"), {"partner": other.pk, "period": PERIOD, "amount": "7000000"})
    assert MdfAllocation.objects.get(partner=other).amount.amount == 7_000_000


def test_request_list_filters_exports_and_stays_constant(client, hq, django_assert_max_num_queries):
    client.force_login(hq)
    partner_with_requests(hq, 2)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:mdf-request-list")).status_code == 200
    partner_with_requests(hq, 20, "서부 에어텍")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("partners:mdf-request-list"), {"q": "서부"})
    body = response.content.decode()
    assert "서부 에어텍" in body and "동부 냉동공조" not in body
    export = client.get(reverse("partners:mdf-request-list"), {"export": "csv", "status": "submitted"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert text.count("\n") == 23  # header + 22 rows


def test_detail_decide_claim_review_and_pay(client, hq, django_assert_max_num_queries):
    client.force_login(hq)
    _partner, admin, _allocation, requests = partner_with_requests(hq, 2)
    first = requests[0]
    url = reverse("partners:mdf-request-detail", args=[first.pk])
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    response = client.post(
        reverse("partners:mdf-request-approve", args=[first.pk]),
        {"approved_amount": "800000", "note": "축소 승인", "version": first.version},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.approved_amount.amount) == (MdfRequestStatus.APPROVED, 800_000)
    stale = client.post(
        reverse("partners:mdf-request-reject", args=[requests[1].pk]), {"reason": "중복", "version": 99}, follow=True
    )
    assert "changed this request meanwhile" in stale.content.decode()
    second = claimed(hq, admin, requests[1])
    with django_assert_max_num_queries(16):
        page = client.get(reverse("partners:mdf-request-detail", args=[second.pk]))
    assert "사진.pdf" in page.content.decode()
    client.post(reverse("partners:mdf-claim-approve", args=[second.pk]), {"version": second.version})
    second.refresh_from_db()
    finance = UserFactory(role=Role.ADMIN)
    client.force_login(finance)
    client.post(
        reverse("partners:mdf-request-pay", args=[second.pk]),
        {"payment_reference": "BANK-77", "version": second.version},
    )
    second.refresh_from_db()
    assert second.status == MdfRequestStatus.PAID
    roi = client.get(reverse("partners:mdf-roi"), {"period": PERIOD})
    assert roi.status_code == 200 and "동부 냉동공조" in roi.content.decode()


def test_proofs_download_only_through_their_partner(client, hq):
    _partner, admin, _allocation, requests = partner_with_requests(hq, 1)
    request = claimed(hq, admin, requests[0])
    proof = request.claim.proofs.get()
    url = reverse("partners:mdf-proof-download", args=[proof.pk])
    client.force_login(hq)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(admin)
    assert client.get(url).status_code == 200  # its own partner
    rival = UserFactory(role=Role.PARTNER_ADMIN, organization=PartnerAccountFactory())
    client.force_login(rival)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.get(url).status_code == 404


def test_partner_users_get_no_headquarters_mdf_pages(client, hq):
    _partner, admin, _allocation, requests = partner_with_requests(hq, 1)
    client.force_login(admin)
    assert client.get(reverse("partners:mdf-request-list")).status_code == 403
    assert client.get(reverse("partners:mdf-request-detail", args=[requests[0].pk])).status_code == 403
    assert client.post(reverse("partners:mdf-request-approve", args=[requests[0].pk])).status_code == 403
    assert MdfRequest.objects.get(pk=requests[0].pk).status == MdfRequestStatus.SUBMITTED
