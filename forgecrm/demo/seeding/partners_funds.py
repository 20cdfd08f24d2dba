"""Demo MDF and partner service requests, written through the partners operations: this and last quarter's
budgets for the first partners, a request in every state (claims with a proof file), and service requests
in every status with public answers and internal notes (two of them past their response target)."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from forgecrm.customers.models import Account
from forgecrm.partners.models import MdfRequestStatus, PartnerServiceRequest, ServiceRequestStatus
from forgecrm.partners.operations import funds, service_requests
from forgecrm.partners.operations.scorecards import compute_scorecards, month_start
from forgecrm.platform.models import Role, User
from forgecrm.sales.models import Lead, LeadSource
from forgecrm.sales.models.planning import period_start_for

from .organisation import Organisation

ACTIVITIES = [
    ("exhibition", "냉동공조 산업전 부스 참가", 18_000_000),
    ("event", "지역 설비업체 초청 신제품 설명회", 6_000_000),
    ("advertising", "지역 신문 지면 광고", 4_000_000),
    ("digital", "검색 광고 캠페인", 3_000_000),
    ("showroom", "전시장 시스템 에어컨 체험존", 9_000_000),
    ("training", "설치 기사 교육 세미나", 2_500_000),
    ("direct_mail", "관리사무소 대상 DM 발송", 1_500_000),
]
# The state each demo request ends in, one of each and then the common ones again.
STATES = [
    MdfRequestStatus.PAID,
    MdfRequestStatus.CLAIM_APPROVED,
    MdfRequestStatus.CLAIMED,
    MdfRequestStatus.APPROVED,
    MdfRequestStatus.SUBMITTED,
    MdfRequestStatus.DRAFT,
    MdfRequestStatus.REJECTED,
    MdfRequestStatus.CLAIM_REJECTED,
    MdfRequestStatus.CANCELLED,
]
SERVICE_ASKS = [
    ("technical", "high", "실외기 E5 오류 코드 반복", "설치 후 3일째 E5 오류가 반복됩니다. 배관 길이는 25m입니다."),
    ("order", "normal", "납기 확인 요청 (12월 둘째 주)", "수주 건 납기를 12월 둘째 주로 당길 수 있을까요?"),
    ("commercial", "normal", "대량 구매 특별 단가 문의", "아파트 120세대 일괄 교체 건 특별 단가를 요청드립니다."),
    ("warranty", "urgent", "보증 기간 내 압축기 교체", "제조번호 확인 후 압축기 무상 교체 가능한지 확인 부탁드립니다."),
    ("marketing", "low", "신제품 카탈로그 추가 인쇄", "전시장 비치용 카탈로그 200부가 필요합니다."),
    ("technical", "normal", "냉매 충전량 기준 문의", "배관 40m 설치 시 추가 충전량 기준을 알려 주세요."),
]
FLOW = [
    ServiceRequestStatus.OPEN,
    ServiceRequestStatus.IN_PROGRESS,
    ServiceRequestStatus.WAITING_PARTNER,
    ServiceRequestStatus.RESOLVED,
    ServiceRequestStatus.CLOSED,
    ServiceRequestStatus.OPEN,
]
PROOF = b"%PDF-1.4\n% demo proof of performance\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _proof(number: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"행사사진_{number:02d}.pdf", PROOF, content_type="application/pdf")


def _admins(partner_ids: list[int]) -> list[tuple[Account, User]]:
    admins = {
        user.organization_id: user
        for user in User.objects.filter(role=Role.PARTNER_ADMIN, organization_id__in=partner_ids).order_by("pk")
    }
    partners = Account.objects.in_bulk([pk for pk in partner_ids if pk in admins])
    return [(partners[pk], admins[pk]) for pk in partner_ids if pk in partners]


def _advance(request, state: str, *, admin: User, channel: User, rng: random.Random, number: int):
    if state == MdfRequestStatus.DRAFT:
        return request
    request = funds.submit_mdf_request(actor=admin, request=request)
    if state == MdfRequestStatus.SUBMITTED:
        return request
    if state == MdfRequestStatus.REJECTED:
        return funds.reject_mdf_request(actor=channel, request=request, reason="분기 예산 우선순위에서 제외되었습니다.")
    requested = request.requested_amount.amount
    approved = requested if rng.random() < 0.6 else (requested * Decimal("0.8")).quantize(Decimal(1000))
    request = funds.approve_mdf_request(actor=channel, request=request, amount=approved, note="승인합니다.")
    if state == MdfRequestStatus.APPROVED:
        return request
    if state == MdfRequestStatus.CANCELLED:
        return funds.cancel_mdf_request(actor=admin, request=request, note="행사 일정 취소")
    cost = request.planned_cost.amount * Decimal(rng.choice(["0.9", "0.95", "1.0"]))
    claimed = min(approved, (cost / 2).quantize(Decimal(1000)))
    request = funds.claim_mdf(
        actor=admin,
        request=request,
        actual_cost=cost,
        claimed_amount=claimed,
        actual_leads=rng.randint(5, 60),
        note="행사 사진과 세금계산서를 첨부합니다.",
        proofs=[_proof(number)],
    )
    if state == MdfRequestStatus.CLAIMED:
        return request
    if state == MdfRequestStatus.CLAIM_REJECTED:
        return funds.reject_mdf_claim(actor=channel, request=request, reason="세금계산서 사본이 누락되었습니다.")
    request = funds.approve_mdf_claim(actor=channel, request=request)
    if state == MdfRequestStatus.CLAIM_APPROVED:
        return request
    return funds.mark_mdf_paid(actor=channel, request=request, payment_reference=f"BANK-{number:05d}")


def seed_partner_funds(
    *, org: Organisation, partner_ids: list[int], rng: random.Random, today: dt.date
) -> dict[str, int]:
    """Budgets and requests for the first partners (six at most) and their service requests."""
    channel = User.objects.get(pk=org.channel_manager_ids[0])
    agents = list(User.objects.filter(pk__in=org.service_user_ids).order_by("pk"))
    pairs = _admins(partner_ids)[:6]
    quarter = period_start_for("quarter", today)
    last_quarter = period_start_for("quarter", quarter - dt.timedelta(days=1))
    counts = {"mdf requests": 0, "partner service requests": 0}
    number = 0
    paid: list = []
    for index, (partner, admin) in enumerate(pairs):
        for start in (last_quarter, quarter):
            allocation = funds.allocate_mdf(
                actor=channel,
                partner=partner,
                period_kind="quarter",
                period_start=start,
                amount=rng.choice([20, 30, 40, 50]) * 1_000_000,
                note="분기 마케팅 지원금",
            )
            states = STATES if index == 0 and start == quarter else rng.sample(STATES, 4)
            for state in states:
                number += 1
                kind, name, cost = ACTIVITIES[number % len(ACTIVITIES)]
                begins = start + dt.timedelta(days=rng.randint(5, 70))
                request = funds.create_mdf_request(
                    actor=admin,
                    allocation=allocation,
                    campaign_name=name,
                    activity_type=kind,
                    description=f"{partner.name} 주관 {name}",
                    planned_start=begins,
                    planned_end=begins + dt.timedelta(days=rng.randint(0, 2)),
                    planned_cost=cost,
                    requested_amount=cost // 2,
                    expected_leads=rng.randint(10, 50),
                )
                request = _advance(request, state, admin=admin, channel=channel, rng=rng, number=number)
                if request.status == MdfRequestStatus.PAID:
                    paid.append(request)
                counts["mdf requests"] += 1
        counts["partner service requests"] += _service_requests(partner, admin, agents, rng, index)
    counts["leads from mdf activities"] = _attribute_leads(paid)
    month = month_start(today)
    for _ in range(4):  # the scorecards again, now with their MDF return
        compute_scorecards(period_start=month)
        month = month_start(month - dt.timedelta(days=1))
    return counts


def _attribute_leads(paid: list) -> int:
    """The leads the paid activities brought: their 캠페인 (source detail) becomes the request's number, as the
    import of an event's attendee list would write it (partners.attribution). Some of the partner's own routed
    leads, and one lead that became a won deal per activity, so the MDF return is not empty. One bulk update."""
    leads = list(
        Lead.objects.filter(partner__isnull=False).select_related("converted_opportunity__stage").order_by("pk")
    )
    won = [lead for lead in leads if lead.converted_opportunity and lead.converted_opportunity.stage.is_won]
    own: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        own[lead.partner_id].append(lead)  # type: ignore[index]  # partner is not null here
    tagged: dict[int, Lead] = {}
    for request in paid:
        picks = [lead for lead in own[request.partner_id] if lead.pk not in tagged][:5]
        picks += [lead for lead in won if lead.pk not in tagged][:1]
        for lead in picks:
            lead.source = LeadSource.TRADE_SHOW if request.activity_type == "exhibition" else LeadSource.CAMPAIGN
            lead.source_detail = request.number
            tagged[lead.pk] = lead
    Lead.objects.bulk_update(list(tagged.values()), ["source", "source_detail"], batch_size=500)
    return len(tagged)


def _service_requests(partner: Account, admin: User, agents: list[User], rng: random.Random, index: int) -> int:
    asks = SERVICE_ASKS if index == 0 else rng.sample(SERVICE_ASKS, 2)
    for position, (kind, priority, subject, description) in enumerate(asks):
        request = service_requests.open_partner_service_request(
            actor=admin, kind=kind, priority=priority, subject=subject, description=description
        )
        target = FLOW[position % len(FLOW)] if index == 0 else rng.choice(FLOW)
        if target == ServiceRequestStatus.OPEN and position >= 3 and agents:
            # An old one nobody answered: its targets passed (shown as missed in the queue).
            past = timezone.now() - dt.timedelta(days=3)
            PartnerServiceRequest.objects.filter(pk=request.pk).update(
                created_at=past, respond_by=past + dt.timedelta(hours=4), resolve_by=past + dt.timedelta(days=1)
            )
            continue
        if target == ServiceRequestStatus.OPEN or not agents:
            continue
        agent = agents[position % len(agents)]
        request = service_requests.assign_partner_service_request(actor=agent, request=request, assignee=agent)
        service_requests.comment_on_partner_service_request(
            actor=agent,
            request=request,
            body="담당 엔지니어 확인 중입니다. 설치 사진을 보내 주세요.",
            is_internal=False,
        )
        service_requests.comment_on_partner_service_request(
            actor=agent, request=request, body="동일 증상 3건째: 품질팀 공유 필요", is_internal=True
        )
        request.refresh_from_db()
        for status in FLOW[1 : FLOW.index(target) + 1]:
            request = service_requests.change_partner_service_request_status(
                actor=admin if status == ServiceRequestStatus.CLOSED else agent, request=request, status=status
            )
    return len(asks)
