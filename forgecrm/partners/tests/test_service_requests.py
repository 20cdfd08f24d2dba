"""Partner service requests: SLA targets on Korean business hours, moves, internal notes that never reach the
partner, breaches flagged once; the queue and the detail page in constant queries; the API contract."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import PartnerServiceRequest, ServiceRequestStatus
from forgecrm.partners.operations import service_requests as ops
from forgecrm.partners.queries.service_requests import comments_for, service_requests_for
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

pytestmark = pytest.mark.django_db
St = ServiceRequestStatus


@pytest.fixture
def desk():
    partner = PartnerAccountFactory(partner_type="dealer")
    return {
        "partner": partner,
        "rep": UserFactory(role=Role.PARTNER_REP, organization=partner),
        "rival": UserFactory(role=Role.PARTNER_REP, organization=PartnerAccountFactory()),
        "agent": UserFactory(role=Role.SERVICE_AGENT),
        "sales": UserFactory(role=Role.SALES_REP),
    }


def opened(desk, priority="normal", subject="실외기 E5 오류"):
    return ops.open_partner_service_request(
        actor=desk["rep"],
        kind="technical",
        subject=subject,
        description="설치 3일째 <script>x</script>오류",
        priority=priority,
    )


def test_sla_targets_count_korean_business_hours():
    seoul = timezone.get_current_timezone()
    christmas_eve = dt.datetime(2026, 12, 24, 16, 0, tzinfo=seoul)  # Thursday; the 25th is a public holiday
    respond, resolve = ops.sla_targets(christmas_eve, "normal")
    assert respond == dt.datetime(2026, 12, 28, 11, 0, tzinfo=seoul)  # 2 h on the 24th, 2 h on Monday the 28th
    assert resolve == dt.datetime(2026, 12, 30, 16, 0, tzinfo=seoul)  # 27 business hours
    respond, _resolve = ops.sla_targets(dt.datetime(2026, 12, 26, 3, 0, tzinfo=seoul), "urgent")  # a Saturday
    assert respond == dt.datetime(2026, 12, 28, 10, 0, tzinfo=seoul)


def test_the_lifecycle_with_first_response_and_resolution(desk):
    request = opened(desk)
    assert request.partner_id == desk["partner"].pk and request.number.startswith("PSR-")
    assert "<script>" not in request.description
    request = ops.assign_partner_service_request(actor=desk["agent"], request=request, assignee=desk["agent"])
    ops.comment_on_partner_service_request(actor=desk["agent"], request=request, body="원가 확인 중", is_internal=True)
    request.refresh_from_db()
    assert request.first_response_at is None  # an internal note is no answer to the partner
    ops.comment_on_partner_service_request(actor=desk["agent"], request=request, body="사진을 보내 주세요")
    request.refresh_from_db()
    assert request.first_response_at is not None
    request = ops.change_partner_service_request_status(actor=desk["agent"], request=request, status=St.WAITING_PARTNER)
    ops.comment_on_partner_service_request(actor=desk["rep"], request=request, body="첨부합니다")
    request.refresh_from_db()
    assert request.status == St.IN_PROGRESS  # the partner's answer puts it back in progress
    request = ops.change_partner_service_request_status(actor=desk["agent"], request=request, status=St.RESOLVED)
    assert request.resolved_at is not None
    request = ops.change_partner_service_request_status(actor=desk["rep"], request=request, status=St.CLOSED)
    with pytest.raises(ValidationError):
        ops.comment_on_partner_service_request(actor=desk["rep"], request=request, body="추가 문의")
    events = set(OutboxEvent.objects.values_list("event_type", flat=True))
    assert {"PartnerServiceRequestOpened", "PartnerServiceCommentAdded", "PartnerServiceRequestStatusChanged"} <= events


def test_internal_notes_stay_with_headquarters(desk):
    request = opened(desk)
    ops.comment_on_partner_service_request(actor=desk["agent"], request=request, body="단가 재검토", is_internal=True)
    ops.comment_on_partner_service_request(actor=desk["agent"], request=request, body="회신드립니다")
    assert [c.body for c in comments_for(desk["rep"], request)] == ["<p>회신드립니다</p>"]
    assert len(comments_for(desk["agent"], request)) == 2
    with pytest.raises(PermissionDenied):
        ops.comment_on_partner_service_request(actor=desk["rep"], request=request, body="x", is_internal=True)
    with pytest.raises(PermissionDenied):
        ops.comment_on_partner_service_request(actor=desk["rival"], request=request, body="x")


def test_refusals(desk):
    with pytest.raises(PermissionDenied):
        ops.open_partner_service_request(actor=desk["agent"], kind="technical", subject="x", description="y")
    with pytest.raises(ValidationError) as refused:
        ops.open_partner_service_request(actor=desk["rep"], kind="nonsense", subject="", description="")
    assert {"kind", "subject", "description"} <= set(refused.value.message_dict)
    request = opened(desk)
    with pytest.raises(ValidationError):
        ops.change_partner_service_request_status(actor=desk["rep"], request=request, status=St.CLOSED)  # not resolved
    with pytest.raises(ValidationError):
        ops.assign_partner_service_request(actor=desk["agent"], request=request, assignee=desk["rep"])
    with pytest.raises(ConflictError):
        ops.change_partner_service_request_status(
            actor=desk["agent"], request=request, status=St.IN_PROGRESS, expected_version=request.version + 1
        )
    with pytest.raises(PermissionDenied):
        ops.assign_partner_service_request(actor=desk["sales"], request=request, assignee=desk["sales"])  # not visible


def test_breaches_are_flagged_once_and_shown_in_the_queue(desk):
    late = opened(desk, priority="urgent", subject="late")
    PartnerServiceRequest.objects.filter(pk=late.pk).update(
        respond_by=timezone.now() - dt.timedelta(hours=1), resolve_by=timezone.now() - dt.timedelta(minutes=5)
    )
    opened(desk, subject="fresh")
    assert ops.flag_partner_service_sla_breaches() == 2  # the response and the resolution target
    assert ops.flag_partner_service_sla_breaches() == 0
    states = dict(service_requests_for(desk["agent"]).values_list("subject", "sla_state"))
    assert states == {"late": "breached", "fresh": "on_track"}
    assert [row.subject for row in service_requests_for(desk["agent"], {"sla": "breached"})] == ["late"]


def test_queue_and_detail_pages_keep_their_query_budget(client, desk, django_assert_max_num_queries):
    client.force_login(desk["agent"])
    request = opened(desk)
    ops.comment_on_partner_service_request(actor=desk["agent"], request=request, body="내부 메모", is_internal=True)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:service-request-list")).status_code == 200
    for number in range(15):
        ops.comment_on_partner_service_request(actor=desk["rep"], request=opened(desk, subject=f"s{number}"), body="+")
        ops.comment_on_partner_service_request(actor=desk["rep"], request=request, body=f"추가 {number}")
    with django_assert_max_num_queries(12):
        queue = client.get(reverse("partners:service-request-list"), {"status": "open_any"})
    assert "s14" in queue.content.decode()
    with django_assert_max_num_queries(16):
        page = client.get(reverse("partners:service-request-detail", args=[request.pk]))
    body = page.content.decode()
    assert "내부 메모" in body and "data-internal" in body and "추가 14" in body
    client.post(
        reverse("partners:service-request-status", args=[request.pk]),
        {"status": "in_progress", "version": request.version},
    )
    request.refresh_from_db()
    assert request.status == St.IN_PROGRESS
    client.force_login(desk["rep"])
    assert client.get(reverse("partners:service-request-detail", args=[request.pk])).status_code == 403


def test_api_contract(client, desk):
    client.force_login(desk["rep"])
    created = client.post(
        "/api/v1/partner-service-requests/",
        {"kind": "warranty", "subject": "보증 기간 확인", "description": "제조번호 확인 부탁"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    assert created.json()["partner"] == desk["partner"].pk and created.json()["sla_state"] == "on_track"
    client.force_login(desk["agent"])
    stale = client.post(
        f"/api/v1/partner-service-requests/{pk}/status/",
        {"status": "in_progress"},
        content_type="application/json",
        HTTP_IF_MATCH='"partnerservicerequest-0-v9"',
    )
    assert stale.status_code == 412
    moved = client.post(
        f"/api/v1/partner-service-requests/{pk}/status/",
        {"status": "in_progress"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    for body, internal in [("내부 검토", True), ("확인했습니다", False)]:
        answer = client.post(
            f"/api/v1/partner-service-requests/{pk}/comments/",
            {"body": body, "is_internal": internal},
            content_type="application/json",
        )
        assert answer.status_code == 201
    client.force_login(desk["rep"])
    thread = client.get(f"/api/v1/partner-service-requests/{pk}/comments/").json()
    assert [row["body"] for row in thread] == ["<p>확인했습니다</p>"]
    bad = client.post(
        f"/api/v1/partner-service-requests/{pk}/status/",
        {"status": "closed"},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert bad.status_code == 400 and "status" in bad.json()
    client.force_login(desk["rival"])
    assert client.get(f"/api/v1/partner-service-requests/{pk}/").status_code == 404
