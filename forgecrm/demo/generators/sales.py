"""Two years of a manufacturer's B2B and household sales, as pure functions of a seeded `Random`.

A deal is planned first (`plan_deal`): when it was opened, how long each stage takes, whether it is won, lost
or still open on the seed's today, and why. Everything else (stage history, quotes, orders) is read off that
plan, so the rows agree with one another: a won deal went through every stage, its accepted quote's lines are
the deal's lines, its order was placed the moment it was won.

Money is in whole won (`int`); the seeding layer turns it into `Decimal` columns.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from .contacts import SEOUL
from .draws import between, cumulative, pick, weighted

HISTORY_DAYS = 730  # the opportunities' window: the 24 months before the seed's today
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
# Relative length of each open stage within a deal's cycle.
STAGE_SHARE = (0.15, 0.25, 0.35, 0.25)

# Product lines a kind of customer buys, with weights.
LINES_BY_INDUSTRY: dict[str, tuple[tuple[str, int], ...]] = {
    "건설": (("SAC", 65), ("HPB", 20), ("RAC", 15)),
    "의료": (("SAC", 55), ("APU", 40), ("HPB", 5)),
    "교육": (("SAC", 50), ("APU", 45), ("HPB", 5)),
    "숙박": (("SAC", 50), ("RAC", 25), ("HPB", 15), ("CRF", 10)),
    "제조": (("SAC", 45), ("CRF", 20), ("APU", 25), ("HPB", 10)),
    "유통": (("CRF", 60), ("SAC", 30), ("APU", 10)),
    "오피스·빌딩": (("SAC", 70), ("APU", 25), ("HPB", 5)),
    "외식": (("CRF", 65), ("RAC", 25), ("APU", 10)),
    "물류·냉동창고": (("CRF", 85), ("SAC", 15)),
    "설비·인테리어": (("SAC", 55), ("RAC", 30), ("HPB", 15)),
}
LINES_HOUSEHOLD = (("RAC", 65), ("APU", 20), ("HPB", 15))
LINES_DEFAULT = (("SAC", 50), ("APU", 20), ("CRF", 20), ("RAC", 10))

# Days from opening to the planned close, per product line (households buy faster).
CYCLE_DAYS = {"SAC": (45, 200), "CRF": (30, 120), "HPB": (25, 110), "APU": (10, 60), "RAC": (10, 70)}
HOUSEHOLD_CYCLE_DAYS = (5, 40)
WIN_RATE = {"SAC": 0.32, "CRF": 0.37, "HPB": 0.34, "APU": 0.40, "RAC": 0.38}
HOUSEHOLD_WIN_RATE = 0.43
STALE_SHARE = 0.06  # deals past their close date that nobody closed: the stale-deal flag's work
# A lost deal dropped out after reaching this open stage (index into OPEN_STAGES), with weights.
LOST_AFTER = cumulative((14, 22, 36, 28))

PROJECTS = {
    "SAC": ("시스템에어컨 교체", "냉난방 설비 증설", "노후 냉난방기 교체", "신규 지점 시스템에어컨", "리모델링 공조 공사", "VRF 실외기 교체"),
    "CRF": ("쇼케이스 교체", "냉장 설비 일괄 구매", "저온 설비 증설", "신규 지점 냉장 설비", "업소용 냉장고 교체"),
    "HPB": ("히트펌프 보일러 전환", "급탕 설비 교체", "난방 설비 교체", "탄소중립 난방 전환"),
    "APU": ("공기청정기 도입", "실내 공기질 개선", "필터 정기 교체 계약", "공기청정기 추가 구매"),
    "RAC": ("에어컨 교체", "벽걸이 에어컨 설치", "스탠드 에어컨 구매", "2in1 에어컨 설치"),
}  # fmt: skip
WON_REASONS = (
    ("product_fit", 30, "에너지효율 1등급과 저소음 사양이 요구 조건을 충족"),
    ("relationship", 22, "기존 설치 실적과 담당자에 대한 신뢰"),
    ("price", 20, "경쟁사 대비 총 설치비 기준 가격 경쟁력 확보"),
    ("service", 16, "전국 A/S망과 24시간 긴급 대응 조건"),
    ("delivery", 12, "성수기 전 납기와 설치 일정 보장"),
)
LOST_REASONS = (
    ("price", 28, "경쟁사 견적이 7% 낮았음"),
    ("competitor", 22, "경쟁사가 설치비 무상 번들을 제안"),
    ("no_decision", 16, "고객사 내부 결정이 무기한 보류됨"),
    ("budget", 14, "예산 삭감으로 프로젝트 연기"),
    ("timing", 12, "착공 일정이 내년으로 밀림"),
    ("product_fit", 8, "요구 용량에 맞는 라인업이 없음"),
)
_WON_CUM = cumulative(weight for _code, weight, _note in WON_REASONS)
_LOST_CUM = cumulative(weight for _code, weight, _note in LOST_REASONS)
NEXT_STEPS = (
    "현장 실사 일정 확정",
    "수정 견적 제출",
    "구매팀과 가격 협상 미팅",
    "설계 도면 검토 의견 회신",
    "쇼룸 시연 일정 잡기",
    "결재 진행 상황 확인",
    "계약서 초안 송부",
    "설치 일정 협의",
)
COMPETITOR_NOTES = (
    "견적가를 5% 낮게 제시",
    "설치비 무상 조건 제안",
    "기존 설비 제조사, 교체 물량 방어 중",
    "납기 2주 단축 제안",
    "10년 무상 보증 조건",
    "",
)


@dataclass(frozen=True, slots=True)
class DealPlan:
    """What happens to one deal: the stages it went through (code, entered at), and how it ended."""

    opened_at: dt.datetime
    stays: tuple[tuple[str, dt.datetime], ...]  # the last one is the current stage (won/lost for closed deals)
    close_date: dt.date
    outcome: str  # "won", "lost" or "open"
    closed_at: dt.datetime | None
    reason: str
    reason_note: str
    stale: bool

    @property
    def stage(self) -> str:
        return self.stays[-1][0]

    @property
    def stage_entered_at(self) -> dt.datetime:
        return self.stays[-1][1]

    def reached(self, stage: str) -> dt.datetime | None:
        """When the deal entered `stage`, if it did."""
        for code, at in self.stays:
            if code == stage:
                return at
        return None


def office_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of an office day in Seoul (9:00-18:00)."""
    return dt.datetime.combine(day, dt.time(9), SEOUL) + dt.timedelta(minutes=between(rng, 0, 539))


def line_for(rng: random.Random, *, industry: str, household: bool) -> str:
    weights = LINES_HOUSEHOLD if household else LINES_BY_INDUSTRY.get(industry, LINES_DEFAULT)
    return weighted(rng, [code for code, _ in weights], cumulative(weight for _, weight in weights))


def plan_deal(rng: random.Random, *, line: str, household: bool, today: dt.date, earliest: dt.date) -> DealPlan:
    """When the deal opened (after `earliest`, inside the window), how its stages went, how it stands today."""
    first = max(earliest, today - dt.timedelta(days=HISTORY_DAYS - 1))
    opened_day = first + dt.timedelta(days=between(rng, 0, max(0, (today - first).days - 1)))
    opened_at = office_moment(rng, opened_day)
    low, high = HOUSEHOLD_CYCLE_DAYS if household else CYCLE_DAYS.get(line, (30, 120))
    cycle = between(rng, low, high)
    # Stage boundaries (seconds after opening), each stay at least half a day.
    weights = [share * (0.6 + 0.8 * rng.random()) for share in STAGE_SHARE]
    scale = cycle * 86_400 / sum(weights)
    bounds, elapsed = [], 0.0
    for weight in weights:
        bounds.append(elapsed)
        elapsed += max(43_200.0, weight * scale)
    close_at = opened_at + dt.timedelta(seconds=elapsed)
    win = rng.random() < (HOUSEHOLD_WIN_RATE if household else WIN_RATE.get(line, 0.35))
    lost_after = 3 if win else weighted(rng, (0, 1, 2, 3), LOST_AFTER)
    now = dt.datetime.combine(today, dt.time(0), SEOUL)  # the start of the seed's today: all history is before
    entered = [(OPEN_STAGES[index], opened_at + dt.timedelta(seconds=bounds[index])) for index in range(4)]

    def reached_by(moment: dt.datetime, upto: int) -> tuple[tuple[str, dt.datetime], ...]:
        return tuple(stay for stay in entered[: upto + 1] if stay[1] <= moment)

    if win:
        end = close_at
    else:  # a lost deal ends some time into the stage after the one it last reached
        next_bound = bounds[lost_after + 1] if lost_after < 3 else elapsed
        end = opened_at + dt.timedelta(seconds=bounds[lost_after] + (next_bound - bounds[lost_after]) * rng.random())
        end = max(end, entered[lost_after][1] + dt.timedelta(hours=2))
    stale = end < now and rng.random() < STALE_SHARE
    if end >= now or stale:
        # Open today: in the stage whose stay covers today (a stale deal: stuck where it was).
        stays = reached_by(now - dt.timedelta(hours=1), lost_after if stale else 3) or (entered[0],)
        close_date = close_at.date()
        if not stale and close_date <= today:
            close_date = today + dt.timedelta(days=between(rng, 3, 30))
        return DealPlan(opened_at, stays, close_date, "open", None, "", "", stale)
    if win:
        code, _weight, note = WON_REASONS[weighted(rng, range(len(WON_REASONS)), _WON_CUM)]
    else:
        code, _weight, note = LOST_REASONS[weighted(rng, range(len(LOST_REASONS)), _LOST_CUM)]
    stays = (*entered[: lost_after + 1], ("won" if win else "lost", end))
    return DealPlan(opened_at, stays, end.date(), "won" if win else "lost", end, code, note, False)


def quantity_for(rng: random.Random, *, unit: str, price: int, household: bool, size: str) -> int:
    """How many of a product a buyer of this size takes."""
    if unit in ("M", "KG"):
        return between(rng, 10, 60) if household else between(rng, 20, 300)
    if unit == "HR":
        return between(rng, 2, 16)
    if household:
        return 1 if rng.random() < 0.7 else between(rng, 2, 3)
    big = {"small": 1, "medium": 2, "large": 3, "enterprise": 4}.get(size, 1)
    if price >= 5_000_000:
        return between(rng, 1, 1 + big)
    if price >= 1_000_000:
        return between(rng, 2, 6 * big)
    return between(rng, 2, 10 * big)


def line_discount(rng: random.Random) -> int:
    """A line discount in whole percent: most lines none, the rest a few percent (below any approval level)."""
    return 0 if rng.random() < 0.6 else between(rng, 2, 8)


def header_discount(rng: random.Random) -> int:
    """A quote's header discount in whole percent; a third need a manager's approval, some a director's."""
    draw = rng.random()
    if draw < 0.45:
        return 0
    if draw < 0.70:
        return between(rng, 3, 9)
    if draw < 0.90:
        return between(rng, 10, 19)
    return between(rng, 20, 25)


def net_unit(unit_price: int, discount_percent: int) -> int:
    """The unit price after a line discount, rounded down to the won."""
    return unit_price * (100 - discount_percent) // 100


def percent_of(amount: int, percent: Decimal | int) -> int:
    """`percent` % of a whole-won amount, rounded down to the won (discounts, VAT, commission)."""
    return int((Decimal(amount) * Decimal(percent) / 100).to_integral_value(ROUND_FLOOR))


@dataclass(frozen=True, slots=True)
class QuoteTotals:
    subtotal: int
    discount: int
    net: int
    vat: int
    total: int


def quote_totals(line_totals: list[int], header_discount_percent: int, vat_rate: Decimal) -> QuoteTotals:
    """subtotal = Σ lines; discount = subtotal × header %; net = subtotal − discount; VAT = net × rate, each
    rounded down to the won (부가세 원 단위 미만 절사); total = net + VAT."""
    subtotal = sum(line_totals)
    discount = percent_of(subtotal, header_discount_percent)
    net = subtotal - discount
    vat = percent_of(net, vat_rate)
    return QuoteTotals(subtotal, discount, net, vat, net + vat)


ORDER_STEPS = (("confirmed", 1, 3), ("in_production", 2, 10), ("shipped", 5, 20), ("invoiced", 2, 10))


def order_path(rng: random.Random, ordered_at: dt.datetime, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The statuses an order went through up to `now`: submitted, then what ERP reported (a few cancelled)."""
    path = [("submitted", ordered_at)]
    at = ordered_at
    cancel_after = 1 if rng.random() < 0.03 else 99
    for step, (status, low, high) in enumerate(ORDER_STEPS):
        at = office_moment(rng, at.date() + dt.timedelta(days=between(rng, low, high)))
        if at >= now:
            break
        if step == cancel_after:
            path.append(("cancelled", at))
            break
        path.append((status, at))
    return path


def deal_name(rng: random.Random, account_name: str, line: str) -> str:
    return f"{account_name} {pick(rng, PROJECTS.get(line, PROJECTS['SAC']))}"[:200]
