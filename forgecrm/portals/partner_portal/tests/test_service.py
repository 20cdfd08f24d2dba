"""The portal's service requests: open one, the SLA state, the thread without internal notes, comment, close or
reopen a resolved one, 404 on another partner's, constant queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.partners.models import PartnerServiceComment, PartnerServiceRequest, ServiceRequestStatus
from forgecrm.partners.tests.factories import PartnerServiceCommentFactory, PartnerServiceRequestFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_rep_opens_a_request_and_sees_it_with_its_sla(rep_client, dealer):
    payload = {"kind": "technical", "priority": "high", "subject": "실외기 E5 오류", "description": "반복됩니다"}
    response = rep_client.post(reverse("partner_portal:service-create"), payload)
    item = PartnerServiceRequest.objects.get(subject="실외기 E5 오류")
    assert response.status_code == 302 and item.partner_id == dealer.pk and item.priority == "high"
    listing = rep_client.get(reverse("partner_portal:service-list")).content.decode()
    assert "실외기 E5 오류" in listing and "badge bg-azure-lt" in listing  # on track
    assert rep_client.post(reverse("partner_portal:service-create"), {"kind": "technical"}).status_code == 400


def test_the_thread_leaves_out_internal_notes_and_takes_a_comment(rep_client, rep, dealer):
    agent = UserFactory(role=Role.SERVICE_AGENT)
    item = PartnerServiceRequestFactory(partner=dealer, requested_by=rep)
    PartnerServiceCommentFactory(request=item, author=agent, body="공개 답변입니다")
    PartnerServiceCommentFactory(request=item, author=agent, body="내부 메모: 원가 문제", is_internal=True)
    body = rep_client.get(reverse("partner_portal:service-detail", args=[item.pk])).content.decode()
    assert "공개 답변입니다" in body and "내부 메모" not in body
    response = rep_client.post(reverse("partner_portal:service-comment", args=[item.pk]), {"body": "감사합니다"})
    assert response.status_code == 302
    comment = PartnerServiceComment.objects.get(body__contains="감사합니다")
    assert comment.author_id == rep.pk and not comment.is_internal


def test_a_resolved_request_is_closed_or_reopened_by_the_partner(rep_client, rep, dealer):
    item = PartnerServiceRequestFactory(
        partner=dealer, requested_by=rep, status=ServiceRequestStatus.RESOLVED, resolved_at=timezone.now()
    )
    body = rep_client.get(reverse("partner_portal:service-detail", args=[item.pk])).content.decode()
    assert 'value="closed"' in body and 'value="in_progress"' in body
    url = reverse("partner_portal:service-status", args=[item.pk])
    rep_client.post(url, {"status": "in_progress", "version": item.version})
    item.refresh_from_db()
    assert item.status == ServiceRequestStatus.IN_PROGRESS and item.resolved_at is None
    rep_client.post(url, {"status": "closed", "version": item.version})  # not resolved any more: refused by state
    item.refresh_from_db()
    assert item.status == ServiceRequestStatus.IN_PROGRESS


def test_a_stale_close_is_a_conflict(rep_client, rep, dealer):
    item = PartnerServiceRequestFactory(
        partner=dealer, requested_by=rep, status=ServiceRequestStatus.RESOLVED, resolved_at=timezone.now()
    )
    rep_client.post(reverse("partner_portal:service-status", args=[item.pk]), {"status": "closed", "version": 0})
    item.refresh_from_db()
    assert item.status == ServiceRequestStatus.RESOLVED


def test_another_partners_request_is_404(rep_client, other_partner):
    item = PartnerServiceRequestFactory(partner=other_partner)
    assert rep_client.get(reverse("partner_portal:service-detail", args=[item.pk])).status_code == 404
    response = rep_client.post(reverse("partner_portal:service-comment", args=[item.pk]), {"body": "x"})
    assert response.status_code == 404
    assert not PartnerServiceComment.objects.exists()


def test_list_and_detail_run_a_constant_number_of_queries(rep_client, rep, dealer, django_assert_max_num_queries):
    for _ in range(2):
        PartnerServiceRequestFactory(partner=dealer, requested_by=rep)
    with django_assert_max_num_queries(12) as small:
        rep_client.get(reverse("partner_portal:service-list"))
    for _ in range(8):
        PartnerServiceRequestFactory(partner=dealer, requested_by=rep)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(reverse("partner_portal:service-list"))

    item = PartnerServiceRequestFactory(partner=dealer, requested_by=rep)
    PartnerServiceCommentFactory(request=item, author=rep, body="첫 댓글")
    url = reverse("partner_portal:service-detail", args=[item.pk])
    with django_assert_max_num_queries(15) as small:
        rep_client.get(url)
    for number in range(6):
        PartnerServiceCommentFactory(request=item, author=UserFactory(role=Role.SERVICE_AGENT), body=f"답변 {number}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(url)
