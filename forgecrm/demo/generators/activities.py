"""Two years of sales and service work on the accounts: calls, meetings, visits, demos, correspondence, tasks
and notes, on Korean business days, with outcomes; the most recent few weeks still planned."""

import datetime as dt
import random
from dataclasses import dataclass

from forgecrm.platform.korea.calendar import is_business_day

from .contacts import SEOUL
from .draws import between, cumulative, pick, weighted

HISTORY_DAYS = 730
PLANNED_DAYS = 42  # how far ahead the planned work reaches

KINDS = (("call", 30), ("correspondence", 18), ("meeting", 10), ("visit", 12), ("demo", 4), ("task", 15), ("note", 11))
_KIND_NAMES = [kind for kind, _ in KINDS]
_KIND_CUM = cumulative(weight for _, weight in KINDS)

PRODUCTS_B2B = (
    "시스템에어컨",
    "4WAY 카세트",
    "VRF 실외기",
    "덕트형 실내기",
    "히트펌프 보일러",
    "상업용 쇼케이스",
    "냉동 콘덴싱 유닛",
    "대형 공기청정기",
)
PRODUCTS_HOME = ("스탠드 에어컨", "벽걸이 에어컨", "2in1 홈멀티", "공기청정기", "히트펌프 보일러", "창문형 에어컨")

SUBJECTS = {
    "call": ("{product} 견적 문의 회신", "설치 일정 확인 전화", "A/S 접수 후속 통화", "여름철 사전 점검 안내", "납기 문의 응대", "결제 조건 확인", "{product} 교체 수요 확인"),
    "correspondence": ("{product} 견적서 송부", "제안서 발송 ({product})", "계약서 검토 의견 회신", "세금계산서 발행 안내", "설치 완료 보고서 송부", "신제품 카탈로그 발송"),
    "meeting": ("{product} 도입 검토 회의", "연간 유지보수 계약 협의", "설계 도면 검토 회의", "분기 실적 리뷰", "가격 협상 미팅"),
    "visit": ("현장 실사 ({product})", "설치 현장 점검", "정기 점검 방문", "준공 전 시운전 입회", "고객사 인사 방문"),
    "demo": ("{product} 시연", "쇼룸 {product} 체험 안내", "스마트 제어 시스템 데모"),
    "task": ("견적서 작성 ({product})", "설치 일정 잡기", "도면 검토 요청 회신", "보증 연장 서류 준비", "입찰 서류 준비"),
    "note": ("고객 요청 사항 메모", "경쟁사 동향 메모", "예산 편성 시기 메모", "의사결정 구조 메모"),
}  # fmt: skip
OUTCOMES = {
    "call": ("견적 요청, 다음 주 방문 약속", "담당자 부재, 재통화 예정", "예산 확정 후 연락 주기로 함", "경쟁사 대비 가격 검토 중", "설치 일정 확정", "만족도 확인, 추가 구매 의향 있음"),
    "correspondence": ("수신 확인", "회신 대기", "수정 요청 받음", "검토 후 회신 예정"),
    "meeting": ("2차 미팅 일정 합의", "사양 확정, 견적 재산정 필요", "결재 상신 예정", "내년 예산 반영하기로 함", "경쟁 입찰로 진행"),
    "visit": ("실측 완료, 배관 경로 확인", "점검 완료, 필터 교체 권고", "추가 실내기 필요 확인", "설치 상태 양호"),
    "demo": ("반응 좋음, 견적 요청", "소음 수준 확인 원함", "경쟁 제품과 비교 검토", "도입 확정"),
    "task": ("완료", "완료, 고객 전달", "완료, 팀장 검토"),
    "note": ("",),
}  # fmt: skip
CALL_RESULTS = (("connected", 65), ("no_answer", 20), ("left_message", 12), ("wrong_number", 3))
_CALL_RESULT_NAMES = [name for name, _ in CALL_RESULTS]
_CALL_RESULT_CUM = cumulative(weight for _, weight in CALL_RESULTS)
LOCATIONS = ("고객사 회의실", "현장", "한빛공조 마곡 쇼룸", "화상회의 (Teams)", "고객사 기계실", "지점 상담실")


@dataclass(frozen=True, slots=True)
class Regarding:
    """The account an activity is about, as far as the generator needs it (filled by the seeding layer)."""

    account_id: int | None
    first_contact_id: int
    contacts: int
    owner_id: int
    household: bool
    since: dt.date  # no activity before the account existed


def business_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A working day between the two dates (inclusive), weekends and Korean public holidays skipped."""
    span = (last - first).days
    day = first + dt.timedelta(days=between(rng, 0, max(0, span)))
    for _ in range(10):
        if is_business_day(day):
            return day
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, minutes_after_nine: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), SEOUL) + dt.timedelta(minutes=minutes_after_nine)


def activity(rng: random.Random, about: Regarding, *, today: dt.date, kind: str = "") -> dict:
    """One activity row (without id) about `about`, owned by `about.owner_id`; `kind` drawn unless given."""
    kind = kind or weighted(rng, _KIND_NAMES, _KIND_CUM)
    first = max(about.since, today - dt.timedelta(days=HISTORY_DAYS))
    planned = rng.random() < 0.05 and kind != "note"  # a note records something known, never planned
    if planned:
        day = business_day(rng, today + dt.timedelta(days=1), today + dt.timedelta(days=PLANNED_DAYS))
    else:
        day = business_day(rng, first, today - dt.timedelta(days=1))
    product = pick(rng, PRODUCTS_HOME if about.household else PRODUCTS_B2B)
    when = _at(day, 10 * between(rng, 0, 47))
    row: dict = {
        "kind": kind,
        "subject": pick(rng, SUBJECTS[kind]).format(product=product),
        "account_id": about.account_id,
        "owner_id": about.owner_id,
        "created_by_id": about.owner_id,
        "updated_by_id": about.owner_id,
        "shared_with_team": True,
    }
    if about.contacts and rng.random() < 0.75:
        row["contact_id"] = about.first_contact_id + int(rng.random() * about.contacts)
    if kind in ("meeting", "visit", "demo"):
        minutes = pick(rng, (30, 60, 60, 90, 120))
        row.update(
            starts_at=when,
            ends_at=when + dt.timedelta(minutes=minutes),
            duration_minutes=minutes,
            location=pick(rng, LOCATIONS),
        )
    elif kind == "call":
        minutes = between(rng, 2, 25)
        row.update(
            starts_at=when,
            ends_at=when + dt.timedelta(minutes=minutes),
            duration_minutes=minutes,
            direction=pick(rng, ("inbound", "outbound")),
        )
    elif kind == "correspondence":
        row["direction"] = pick(rng, ("inbound", "outbound", "outbound"))
    elif kind == "task":
        row["due_at"] = _at(day, 9 * 60 - 1)  # end of the working day
    if planned or (kind == "task" and day >= today - dt.timedelta(days=7) and rng.random() < 0.4):
        row["status"] = "planned"  # still to do, a few tasks overdue
        logged = min(day - dt.timedelta(days=between(rng, 1, 14)), today - dt.timedelta(days=between(rng, 0, 10)))
    elif kind in ("meeting", "visit", "demo") and rng.random() < 0.07:
        row["status"] = "cancelled"
        logged = day - dt.timedelta(days=between(rng, 1, 14))
    else:
        row["status"] = "done"
        row["completed_at"] = row.get("ends_at") or row.get("due_at") or when
        row["outcome"] = pick(rng, OUTCOMES[kind])
        if kind == "call":
            row["outcome_code"] = weighted(rng, _CALL_RESULT_NAMES, _CALL_RESULT_CUM)
        logged = day
    created = _at(logged, 5 * between(rng, 0, 107)) if logged != day else when
    row["created_at"] = created
    row["updated_at"] = row.get("completed_at") or created
    row["timeline_at"] = row.get("starts_at") or row.get("due_at") or created
    if kind == "note":
        row["body"] = f"<p>{row['subject']}: {pick(rng, NOTE_BODIES)}</p>"
    return row


NOTE_BODIES = (
    "여름 성수기 전 설치를 원함, 6월 초 이전 납품 필요",
    "구매 결정은 본사 시설팀, 현장은 실무 검토만 함",
    "기존 설비 12년 사용, 냉매 R-22 교체 대상",
    "관리비 절감이 최우선 관심사, 에너지효율 1등급 선호",
    "경쟁사 견적이 8% 낮음, 설치 품질로 차별화 필요",
    "공공 조달 등록 여부 문의",
)
