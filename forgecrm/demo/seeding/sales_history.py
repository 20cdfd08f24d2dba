"""What the seeded deals imply around them, written in bulk: leads (the converted ones linked to their account,
contact and opportunity), lead capture and routing settings, quotas, forecasts with manager adjustments,
commission plans and statements computed from the won orders, and the calls, meetings and demos logged about
leads and opportunities."""

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from simple_history.utils import bulk_create_with_history

from forgecrm.activities.models import Activity
from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Contact
from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform.models import Team, Territory, User
from forgecrm.sales.models import (
    CommissionPlan,
    CommissionPlanAssignment,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
    CommissionTier,
    ForecastAdjustment,
    ForecastSubmission,
    Lead,
    LeadAssignmentRule,
    LeadConsent,
    LeadScoringRule,
    Opportunity,
    Quota,
    WebForm,
)
from forgecrm.sales.models.planning import period_end, period_start_for

from ..generators import accounts as account_gen
from ..generators.activities import Regarding, activity
from ..generators.contacts import SEOUL
from ..generators.draws import between, cumulative, pick, weighted
from ..generators.people import email_local_part, person
from ..generators.sales import HISTORY_DAYS, office_moment, percent_of
from ..places import SALES_REGIONS
from ..scales import Scale
from ..vocabulary import TITLES
from .customers import TICK, CustomerBook, TerritoryMatcher
from .organisation import CONSTRUCTION_INDUSTRY, Organisation, owner_for
from .progress import Progress
from .sales import DealFacts, OrderFacts, SalesBook, Sink, first_team_of_users

# ---- lead capture and routing settings ----------------------------------------------------------------------

WEB_FORMS = (
    # slug, name, product line, team, purposes
    ("home-quote", "홈페이지 에어컨 견적 문의", "RAC", "텔레세일즈팀", ["marketing_sms", "marketing_email"]),
    ("system-consult", "시스템에어컨 설계 상담 신청", "SAC", "", ["marketing_email"]),
    ("heatpump-subsidy", "히트펌프 보일러 보조금 상담", "HPB", "텔레세일즈팀", ["marketing_sms", "marketing_phone"]),
)
CONSENT_TEXT_KO = (
    "(주)한빛공조는 상담 및 견적 안내를 위해 이름, 연락처, 회사명을 수집하며 상담 종료 후 3년간 보관합니다. "
    "마케팅 정보 수신에 동의하지 않아도 상담을 받을 수 있습니다."
)
CONSENT_TEXT_EN = (
    "Hanbit Air collects your name, contact details and company to answer your enquiry and keeps them for three "
    "years. You may decline marketing messages and still receive the consultation."
)
CONSENT_VERSION = "2025-03"
ORIGINS = ["https://www.hanbit-aircon.example", "https://shop.hanbit-aircon.example"]

# kind, name, field, operator, value, points
SCORING_RULES = (
    ("fit", "대기업·중견기업", "size", "in", "large,enterprise", 20),
    ("fit", "중점 업종 (건설·의료·오피스)", "industry", "in", "건설,의료,오피스·빌딩", 15),
    ("fit", "시스템에어컨 관심", "product_line", "equals", "SAC", 10),
    ("fit", "사업자등록번호 확인", "brn", "is_set", "", 10),
    ("fit", "의사결정권자 직함", "title", "in", "대표이사,이사,부장,팀장", 8),
    ("fit", "수도권", "sido", "in", "서울특별시,경기도,인천광역시", 5),
    ("fit", "연락처 이메일 없음", "email", "equals", "", -10),
    ("engagement", "제품 시연 참석", "activities.demo", "gte", "1", 20),
    ("engagement", "대면 미팅", "activities.meeting", "gte", "1", 15),
    ("engagement", "통화 2회 이상", "activities.call", "gte", "2", 10),
    ("engagement", "전시회 방문", "source", "equals", "trade_show", 8),
    ("engagement", "웹 문의 직접 작성", "source", "equals", "web_form", 5),
)

SOURCES = (
    ("web_form", 30),
    ("campaign", 14),
    ("phone", 12),
    ("partner", 10),
    ("referral", 10),
    ("trade_show", 10),
    ("import", 9),
    ("api", 5),
)
_SOURCE_NAMES = [name for name, _ in SOURCES]
_SOURCE_CUM = cumulative(weight for _, weight in SOURCES)
SOURCE_DETAILS = {
    "campaign": ("여름 성수기 사전예약 캠페인", "히트펌프 전환 지원금 안내 메일", "학교 공기질 개선 캠페인"),
    "trade_show": ("HARFKO 냉난방공조전", "코리아빌드 건축박람회", "서울 카페&베이커리페어"),
    "import": ("설비전 명함 리스트.xlsx", "협회 회원사 명단.csv"),
    "referral": ("기존 고객 추천", "설계사무소 소개"),
    "phone": ("대표번호 1588 인입", "지점 방문 상담"),
    "api": ("조달 플랫폼 연동", "파트너 포털 API"),
    "partner": ("파트너 발굴 리드",),
    "web_form": ("",),
}
# Open and closed statuses of leads that were not converted, with weights.
STATUSES = (("new", 12), ("working", 20), ("nurturing", 18), ("qualified", 8), ("disqualified", 42))
_STATUS_NAMES = [name for name, _ in STATUSES]
_STATUS_CUM = cumulative(weight for _, weight in STATUSES)
DISQUALIFY = (
    ("no_need", 18, "기존 설비 교체 계획 없음"),
    ("no_budget", 16, "올해 예산 미편성"),
    ("no_authority", 8, "구매 권한 없는 실무자 문의"),
    ("bad_timing", 14, "내년 하반기 이후 검토"),
    ("competitor", 12, "경쟁사 장기 계약 중"),
    ("unreachable", 16, "3회 이상 연락 두절"),
    ("duplicate", 8, "기존 거래처 담당자 중복 문의"),
    ("spam", 5, "테스트 입력"),
    ("other", 3, "해외 문의 (서비스 지역 외)"),
)
_DISQUALIFY_CUM = cumulative(weight for _c, weight, _n in DISQUALIFY)
INTERESTS = {
    "SAC": ("사무실 3개 층 천장형 에어컨 교체 견적 요청", "신축 건물 VRF 설계 상담 희망", "노후 냉난방기 교체 검토"),
    "RAC": ("거실 스탠드 + 안방 벽걸이 설치 문의", "이사 예정, 2in1 설치 일정 문의", "객실 벽걸이 에어컨 교체"),
    "APU": ("사무실 공기청정기 렌탈/구매 비교", "교실 공기청정기 20대 견적", "필터 정기 교체 계약 문의"),
    "HPB": ("가스보일러를 히트펌프로 교체 시 보조금 문의", "전원주택 난방·급탕 상담", "신축 단지 난방 방식 검토"),
    "CRF": ("매장 쇼케이스 3대 교체", "주방 냉장고와 제빙기 견적", "저온 창고 냉동기 증설"),
}


def seed_lead_settings(*, org: Organisation, rng: random.Random) -> dict[str, int]:
    """Web forms, scoring rules and assignment rules (one per 시/도 to its regional team, builders to 특판,
    home air conditioners to tele-sales), through simple-history's bulk create. Returns web form ids by slug."""
    lines = dict(ProductLine.objects.values_list("code", "pk"))
    teams = dict(Team.objects.values_list("name", "pk"))
    members: dict[int, list[int]] = defaultdict(list)
    for team, user in Team.members.through.objects.order_by("user_id").values_list("team_id", "user_id"):
        members[team].append(user)
    admin = org.admin
    stamp = {"created_by_id": admin.pk, "updated_by_id": admin.pk}
    forms = [
        WebForm(
            name=name,
            slug=slug,
            public_key=f"{rng.getrandbits(128):032x}",
            product_line_id=lines.get(line),
            default_team_id=teams.get(team) if team else None,
            default_owner_id=None if team else next(iter(org.key_account_rep_ids), None),
            consent_purposes=purposes,
            consent_text_ko=CONSENT_TEXT_KO,
            consent_text_en=CONSENT_TEXT_EN,
            consent_version=CONSENT_VERSION,
            allowed_origins=ORIGINS,
            success_message="문의가 접수되었습니다. 영업일 기준 1일 이내에 담당자가 연락드리겠습니다.",
            **stamp,
        )
        for slug, name, line, team, purposes in WEB_FORMS
    ]
    bulk_create_with_history(forms, WebForm, default_user=admin)
    bulk_create_with_history(
        [
            LeadScoringRule(name=name, kind=kind, field=field, operator=operator, value=value, points=points, **stamp)
            for kind, name, field, operator, value, points in SCORING_RULES
        ],
        LeadScoringRule,
        default_user=admin,
    )

    def team_rule(name: str, priority: int, team: str, capacity: int | None, **criteria) -> LeadAssignmentRule:
        team_id = teams[team]
        return LeadAssignmentRule(
            name=name,
            priority=priority,
            assign_to_team_id=team_id,
            last_assigned_id=members[team_id][-1] if members.get(team_id) else None,
            capacity=capacity,
            **criteria,
            **stamp,
        )

    rules = [team_rule("건설사 대형 현장 → 특판팀", 10, "특판팀", 60, industry=CONSTRUCTION_INDUSTRY)]
    if "RAC" in lines:
        rules.append(team_rule("가정용 에어컨 → 텔레세일즈팀", 20, "텔레세일즈팀", 120, product_line_id=lines["RAC"]))
    for _code, _name, region_team, sido_names, _share in SALES_REGIONS:
        rules += [team_rule(f"{sido} → {region_team}", 50, region_team, 40, sido=sido) for sido in sido_names]
    rules.append(
        LeadAssignmentRule(
            name="그 외 → 영업본부장 검토", priority=999, assign_to_user_id=org.director.pk, capacity=None, **stamp
        )
    )
    bulk_create_with_history(rules, LeadAssignmentRule, default_user=admin)
    return {form.slug: form.pk for form in WebForm.objects.all()}


# ---- scoring ------------------------------------------------------------------------------------------------


def _matches(value, operator: str, expected: str) -> bool:
    text = "" if value is None else str(value)
    if operator == "equals":
        return text == expected
    if operator == "in":
        return text in expected.split(",")
    if operator == "is_set":
        return bool(text)
    if operator == "gte":
        return float(text or 0) >= float(expected)
    return False


def score(lead: dict, counts: dict[str, int], line_code: str) -> tuple[int, int, list[dict]]:
    """(fit, engagement, reasons largest first) by the seeded scoring rules."""
    fit = engagement = 0
    reasons = []
    facts = {**lead, "product_line": line_code, **{f"activities.{kind}": n for kind, n in counts.items()}}
    for kind, name, field, operator, value, points in SCORING_RULES:
        if _matches(facts.get(field), operator, value):
            reasons.append({"kind": kind, "label": name, "points": points})
            if kind == "fit":
                fit += points
            else:
                engagement += points
    reasons.sort(key=lambda reason: -abs(int(str(reason["points"]))))
    return fit, engagement, reasons


# ---- leads --------------------------------------------------------------------------------------------------


class _Leads:
    def __init__(self, *, sink: Sink, org, book: CustomerBook, rng, today, forms, lead_type, progress):
        self.sink = sink
        self.org: Organisation = org
        self.book = book
        self.rng: random.Random = rng
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(0), SEOUL)
        self.first = today - dt.timedelta(days=HISTORY_DAYS - 1)
        self.forms = forms
        self.lead_type = lead_type
        self.progress = progress
        self.lines = dict(ProductLine.objects.values_list("code", "pk"))
        self.teams = dict(Team.objects.values_list("name", "pk"))
        self.team_of = first_team_of_users()
        self.matcher = TerritoryMatcher(list(Territory.objects.all()))
        self.places = account_gen.Places()
        self.taken: set[str] = set()
        self.written = 0
        self.account_names: dict[int, tuple] = {}

    def _when(self, status: str) -> dt.date:
        recent = {"new": 14, "working": 60, "qualified": 45}.get(status)
        first = self.today - dt.timedelta(days=recent) if recent else self.first
        return first + dt.timedelta(days=between(self.rng, 0, max(0, (self.today - first).days - 1)))

    def _counts(self, status: str) -> dict[str, int]:
        rng = self.rng
        if status == "new":
            return {"call": 0, "meeting": 0, "demo": 0}
        warm = status in ("qualified", "converted")
        return {
            "call": between(rng, 1, 4) if warm else between(rng, 0, 3),
            "meeting": int(rng.random() < (0.6 if warm else 0.15)),
            "demo": int(rng.random() < (0.4 if warm else 0.05)),
        }

    def lead(self, *, status: str, converted: DealFacts | None = None, contact=None) -> None:
        rng, org = self.rng, self.org
        household = converted.household if converted else rng.random() < 0.3
        row: dict = {}
        if converted is not None:
            account = self.account_names[converted.account_id]
            line_code = converted.line
            row.update(company_name="" if household else account[0], sido=account[1], sigungu=account[2])
            row.update(industry=account[3], size=account[4], brn=account[5], road_address=account[6])
            name, email, phone, title = contact or ("", "", "", "")
            row.update(person_name=name or person(rng).full_name, email=email, mobile=phone, title=title)
            created = max(
                self.first,
                converted.opened_at.date() - dt.timedelta(days=between(rng, 1, 21)),
            )
            owner_id = converted.owner_id
            territory_id = None
        else:
            if household:
                company = account_gen.household(rng, self.places)
                who = company["_person"]
                row.update(company_name="", person_name=who.full_name, mobile=company["phone"])
                line_code = weighted(rng, ("RAC", "APU", "HPB"), (65, 85, 100))
            else:
                company = account_gen.customer_company(rng, self.places, self.taken)
                who = person(rng)
                title = pick(rng, TITLES.get(company["industry"], TITLES["default"]))[0]
                row.update(
                    company_name=company["name"],
                    person_name=who.full_name,
                    title=title,
                    brn=company["brn"] if rng.random() < 0.6 else "",
                    phone=company["phone"],
                    mobile=f"010-{between(rng, 2000, 9999)}-{between(rng, 1000, 9999)}",
                    industry=company["industry"],
                    size=company["size"],
                )
                line_code = weighted(rng, ("SAC", "CRF", "APU", "HPB"), (55, 75, 90, 100))
            row.update(sido=company["sido"], sigungu=company["sigungu"], road_address=company["road_address"])
            if rng.random() < 0.85:
                domain = company["_domain"]
                row["email"] = f"{email_local_part(rng, who)}@{domain}"
            created = self._when(status)
            territory_id = self.matcher(company)
            if status == "new" and rng.random() < 0.4:
                owner_id = None  # still in its team's queue
            elif household or line_code == "RAC":
                owner_id = pick(rng, org.tele_rep_ids)
            else:
                owner_id = owner_for(org, rng, territory_id)
        source = weighted(rng, _SOURCE_NAMES, _SOURCE_CUM)
        form_slug = {"RAC": "home-quote", "HPB": "heatpump-subsidy"}.get(line_code, "system-consult")
        partner_id = pick(rng, self.book.partner_ids) if source == "partner" and self.book.partner_ids else None
        created_at = office_moment(rng, created)
        counts = self._counts(status)
        row.update(
            product_line_id=self.lines.get(line_code),
            interest=pick(rng, INTERESTS.get(line_code, INTERESTS["SAC"])),
            status=status,
            source=source,
            source_detail=pick(rng, SOURCE_DETAILS[source]),
            web_form_id=self.forms.get(form_slug) if source == "web_form" else None,
            owner_id=owner_id,
            team_id=self.team_of.get(owner_id or 0) or (self.teams.get("텔레세일즈팀") if household else None),
            territory_id=territory_id,
            partner_id=partner_id,
        )
        fit, engagement, reasons = score(row, counts, line_code)
        row.update(
            fit_score=fit,
            engagement_score=engagement,
            score=fit + engagement,
            score_reasons=reasons,
            scored_at=created_at + dt.timedelta(minutes=between(rng, 1, 30)),
            company_name_key=company_name_key(row.get("company_name", "")),
            person_name_key=person_name_key(row["person_name"]),
        )
        if status == "disqualified":
            code, _weight, note = DISQUALIFY[weighted(rng, range(len(DISQUALIFY)), _DISQUALIFY_CUM)]
            row.update(disqualify_reason=code, disqualify_note=note)
        ends = self.now
        if converted is not None:
            ends = converted.opened_at
            row.update(
                converted_account_id=converted.account_id,
                converted_contact_id=converted.contact_id,
                converted_opportunity_id=converted.id,
                converted_at=converted.opened_at,
                converted_by_id=converted.owner_id,
            )
        actor = owner_id or org.director.pk
        last = created_at if status == "new" else min(ends, created_at + dt.timedelta(days=between(rng, 1, 40)))
        row.update(
            created_at=created_at,
            updated_at=max(last, created_at),
            created_by_id=None if source in ("web_form", "api") else actor,
            updated_by_id=actor,
        )
        lead = self.sink.add(Lead, row)
        self._consents(lead, source, form_slug, created_at)
        self._activities(lead, counts, created_at, ends, owner_id, converted)
        self.written += 1
        if self.written % TICK == 0:
            self.progress.advance("leads", TICK)

    def _consents(self, lead: dict, source: str, form_slug: str, at: dt.datetime) -> None:
        rng = self.rng
        if source == "web_form":
            purposes = next(form[4] for form in WEB_FORMS if form[0] == form_slug)
            for purpose in purposes:
                self.sink.add(
                    LeadConsent,
                    {
                        "lead_id": lead["id"],
                        "purpose": purpose,
                        "granted": rng.random() < 0.8,
                        "text_version": CONSENT_VERSION,
                        "recorded_at": at,
                        "source": f"web form: {form_slug}",
                        "ip_address": f"211.{between(rng, 32, 63)}.{between(rng, 0, 255)}.{between(rng, 1, 254)}",
                    },
                )
        elif source in ("phone", "trade_show") and rng.random() < 0.5:
            self.sink.add(
                LeadConsent,
                {
                    "lead_id": lead["id"],
                    "purpose": "marketing_phone" if source == "phone" else "marketing_email",
                    "granted": True,
                    "text_version": CONSENT_VERSION,
                    "recorded_at": at,
                    "source": "전화 상담 녹취" if source == "phone" else "전시회 방문 신청서",
                    "recorded_by_id": lead["owner_id"],
                },
            )

    def _activities(self, lead: dict, counts, start: dt.datetime, end: dt.datetime, owner_id, converted) -> None:
        if not owner_id:
            return
        about = Regarding(
            account_id=converted.account_id if converted else None,
            first_contact_id=0,
            contacts=0,
            owner_id=owner_id,
            household=converted.household if converted else not lead.get("company_name"),
            since=start.date(),
        )
        for kind, count in counts.items():
            for _ in range(count):
                row = activity_between(self.rng, about, kind, start, end, self.today)
                if row is not None:
                    row.update(regarding_type_id=self.lead_type, regarding_id=lead["id"])
                    self.sink.add(Activity, row)


def activity_between(
    rng: random.Random, about: Regarding, kind: str, start: dt.datetime, end: dt.datetime, today: dt.date
) -> dict | None:
    """An activity of `kind` done between `start` and `end`; only a record still open today has planned work."""
    last = min(end.date(), today)
    if last <= start.date():
        return None
    row = activity(rng, about, today=last, kind=kind)
    if row["status"] == "planned" and last < today:
        return None  # closed records get no planned work
    if row["status"] != "planned" and row["timeline_at"].astimezone(SEOUL).date() > last:
        return None  # moved past the end to the next business day
    return row


def seed_leads(
    *, org: Organisation, book: CustomerBook, sales: SalesBook, rng: random.Random, scale: Scale, today, progress
) -> int:
    """`scale.leads` leads in every status besides one converted lead for each deal that came from a lead,
    captured by the web forms of `seed_lead_settings` (called before)."""
    forms = dict(WebForm.objects.values_list("slug", "pk"))
    sink = Sink(history=scale.history)
    writer = _Leads(
        sink=sink,
        org=org,
        book=book,
        rng=rng,
        today=today,
        forms=forms,
        lead_type=ContentType.objects.get_for_model(Lead).pk,
        progress=progress,
    )
    converted = [deal for deal in sales.deals if deal.from_lead]
    writer.account_names = _account_details({deal.account_id for deal in converted})
    contacts = _contact_details({deal.contact_id for deal in converted if deal.contact_id})
    progress.begin("leads")
    for deal in converted:
        writer.lead(status="converted", converted=deal, contact=contacts.get(deal.contact_id or 0))
    for _ in range(scale.leads):
        writer.lead(status=weighted(rng, _STATUS_NAMES, _STATUS_CUM))
    sink.flush()
    progress.advance("leads", writer.written % TICK)
    # Each converted deal points back at its lead: one set-based UPDATE.
    Opportunity.objects.filter(converted_leads__isnull=False).update(
        source_lead_id=Subquery(Lead.objects.filter(converted_opportunity=OuterRef("pk")).values("pk")[:1])
    )
    return writer.written


def _account_details(ids: set[int]) -> dict[int, tuple]:
    from forgecrm.customers.models import Account

    fields = ("pk", "name", "sido", "sigungu", "industry", "size", "brn", "road_address")
    result = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        for row in Account.objects.filter(pk__in=ordered[start : start + 5000]).values_list(*fields):
            result[row[0]] = row[1:]
    return result


def _contact_details(ids: set[int]) -> dict[int, tuple]:
    result = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        for pk, *rest in Contact.objects.filter(pk__in=ordered[start : start + 5000]).values_list(
            "pk", "full_name", "email", "mobile", "title"
        ):
            result[pk] = tuple(rest)
    return result


# ---- quotas and forecasts -----------------------------------------------------------------------------------

# Air conditioning sells before the summer: the monthly share of a year's target.
SEASON = {1: 0.7, 2: 0.75, 3: 0.95, 4: 1.2, 5: 1.4, 6: 1.35, 7: 1.15, 8: 0.9, 9: 0.85, 10: 0.9, 11: 0.85, 12: 1.0}
ADJUSTMENT_NOTES = (
    "대형 현장 2건 계약 시점 불확실, 보수적으로 조정",
    "경쟁 입찰 건 승률 반영",
    "고객사 결재 지연 가능성",
    "연말 예산 집행 건 추가 반영",
)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = period_end("month", current)
    return months


def _round(amount: float, unit: int = 1_000_000) -> int:
    return max(unit, round(amount / unit) * unit)


def _quarter_of(day: dt.date) -> dt.date:
    return period_start_for("quarter", day)


class _Plan:
    """Month quotas per rep (what a rep wins over two years, spread by season, a little above it)."""

    def __init__(self, sales: SalesBook, reps: list[int], months: list[dt.date]):
        won: dict[int, int] = defaultdict(int)
        for order in sales.orders:
            if not order.cancelled:
                won[order.owner_id] += order.net
        mean = sum(SEASON.values()) / 12
        self.month: dict[tuple[int, dt.date], int] = {}
        for rep in reps:
            base = max(won.get(rep, 0) / 24 * 1.1, 10_000_000)
            for month in months:
                self.month[(rep, month)] = _round(base * SEASON[month.month] / mean)


def seed_planning(
    *, org: Organisation, sales: SalesBook, rng: random.Random, scale: Scale, today: dt.date, progress
) -> tuple[_Plan, list[dt.date]]:
    """Quotas per rep and team per month and quarter over the 24 months (up to the current quarter's end),
    forecast submissions per rep per quarter (past ones from what was won, the current one from the open
    pipeline) and manager adjustments on a third of them.

    Forecast figures are cumulative: closed = won in the quarter, commit = closed + committed deals, best case
    = commit + best-case deals, pipeline = best case + the rest of the open deals closing in the quarter."""
    sink = Sink(history=scale.history)
    reps = org.sales_rep_ids
    first = today - dt.timedelta(days=HISTORY_DAYS - 1)
    current_quarter = _quarter_of(today)
    months = _months(first, period_end("quarter", current_quarter) - dt.timedelta(days=1))
    plan = _Plan(sales, reps, months)
    users = dict(User.objects.filter(pk__in=reps).values_list("pk", "manager_id"))
    team_of = {user: team for user, team in first_team_of_users().items() if user in users}
    now = dt.datetime.combine(today, dt.time(0), SEOUL)
    progress.begin("planning")

    def quota(target: dict, kind: str, start: dt.date, amount: int, by: int | None) -> None:
        created = min(now - dt.timedelta(hours=1), office_moment(rng, start - dt.timedelta(days=15)))
        row = {**target, "period_kind": kind, "period_start": start, "amount": Decimal(amount)}
        row.update(created_at=created, updated_at=created, created_by_id=by, updated_by_id=by)
        sink.add(Quota, row)

    quarters = sorted({_quarter_of(month) for month in months})
    for rep in reps:
        manager = users.get(rep) or org.director.pk
        for month in months:
            quota({"user_id": rep}, "month", month, plan.month[(rep, month)], manager)
        for quarter in quarters:
            amount = sum(plan.month.get((rep, month), 0) for month in months if _quarter_of(month) == quarter)
            quota({"user_id": rep}, "quarter", quarter, amount, manager)
    teams: dict[int, list[int]] = defaultdict(list)
    for rep, team in team_of.items():
        teams[team].append(rep)
    for team, members in sorted(teams.items()):
        for month in months:
            quota({"team_id": team}, "month", month, sum(plan.month[(rep, month)] for rep in members), org.director.pk)
        for quarter in quarters:
            amount = sum(
                plan.month[(rep, month)] for rep in members for month in months if _quarter_of(month) == quarter
            )
            quota({"team_id": team}, "quarter", quarter, amount, org.director.pk)
    progress.advance("planning", 1)

    # Forecasts: what each rep won per quarter, and the open pipeline of the current quarter by category.
    won: dict[tuple[int, dt.date], int] = defaultdict(int)
    for order in sales.orders:
        if not order.cancelled:
            won[(order.owner_id, _quarter_of(order.ordered_at.astimezone(SEOUL).date()))] += order.net
    open_by: dict[tuple[int, str], int] = defaultdict(int)
    quarter_end = period_end("quarter", current_quarter)
    for deal in sales.deals:
        if deal.outcome == "open" and current_quarter <= deal.close_date < quarter_end:
            open_by[(deal.owner_id, deal.forecast_category)] += deal.amount
    full_quarters = [quarter for quarter in quarters if quarter >= first]
    for rep in reps:
        rep_manager = users.get(rep)
        for quarter in full_quarters:
            closed = won.get((rep, quarter), 0)
            submitted_at = office_moment(rng, quarter + dt.timedelta(days=14))
            if quarter == current_quarter:
                commit = closed + open_by.get((rep, "commit"), 0)
                best = commit + open_by.get((rep, "best_case"), 0)
                pipeline = best + open_by.get((rep, "pipeline"), 0)
                status = "submitted" if submitted_at < now else "draft"
            else:
                commit = int(closed * (0.85 + 0.25 * rng.random()) // 100_000 * 100_000)
                best = int(commit * (1.1 + 0.3 * rng.random()) // 100_000 * 100_000)
                pipeline = int(best * (1.2 + 0.4 * rng.random()) // 100_000 * 100_000)
                closed_then = int(closed * (0.2 + 0.2 * rng.random()) // 100_000 * 100_000)
                closed = closed_then  # what had closed by the time the rep submitted
                commit, best, pipeline = max(commit, closed), max(best, commit), max(pipeline, best)
                status = "submitted"
            stamp_at = submitted_at if status == "submitted" else min(submitted_at, now - dt.timedelta(hours=2))
            row = sink.add(
                ForecastSubmission,
                {
                    "owner_id": rep,
                    "period_kind": "quarter",
                    "period_start": quarter,
                    "pipeline": Decimal(pipeline),
                    "best_case": Decimal(best),
                    "commit": Decimal(commit),
                    "closed": Decimal(closed),
                    "status": status,
                    "submitted_at": submitted_at if status == "submitted" else None,
                    "note": "" if rng.random() < 0.7 else "대형 현장 계약 시점에 따라 변동 가능",
                    "created_at": stamp_at - dt.timedelta(days=2),
                    "updated_at": stamp_at,
                    "created_by_id": rep,
                    "updated_by_id": rep,
                },
            )
            if status == "submitted" and rep_manager and rng.random() < 0.33:
                adjusted_at = submitted_at + dt.timedelta(days=between(rng, 1, 5))
                if adjusted_at < now:
                    sink.add(
                        ForecastAdjustment,
                        {
                            "submission_id": row["id"],
                            "manager_id": rep_manager,
                            "best_case": Decimal(int(best * (0.85 + 0.2 * rng.random()) // 100_000 * 100_000)),
                            "commit": Decimal(int(commit * (0.85 + 0.15 * rng.random()) // 100_000 * 100_000)),
                            "note": pick(rng, ADJUSTMENT_NOTES),
                            "created_at": adjusted_at,
                            "updated_at": adjusted_at,
                            "created_by_id": rep_manager,
                            "updated_by_id": rep_manager,
                        },
                    )
    sink.flush()
    progress.advance("planning", 1)
    return plan, months


# ---- commissions --------------------------------------------------------------------------------------------

PLANS = (
    # name, for tele-sales, base rate, rates per line, tiers (from attainment %, multiplier)
    (
        "영업 커미션 플랜 (필드·특판)",
        False,
        "1.50",
        {"SAC": "2.00", "HPB": "2.50", "CRF": "1.80", "RAC": "1.20", "APU": "1.00", "SVC": "3.00", "ACC": "0.80"},
        (("0", "0.50"), ("50", "1.00"), ("100", "1.25"), ("130", "1.50")),
    ),
    (
        "텔레세일즈 커미션 플랜",
        True,
        "2.00",
        {"RAC": "2.50", "APU": "2.00", "HPB": "3.00", "SVC": "3.00"},
        (("0", "0.50"), ("60", "1.00"), ("100", "1.20"), ("120", "1.40")),
    ),
)


def multiplier_for(tiers: list[tuple[Decimal, Decimal]], attainment: Decimal) -> Decimal:
    """The multiplier of the highest tier the attainment reaches (1 without tiers)."""
    chosen = Decimal(1)
    for start, multiplier in tiers:
        if attainment >= start:
            chosen = multiplier
    return chosen


def seed_commissions(
    *,
    org: Organisation,
    sales: SalesBook,
    plan: _Plan,
    months: list[dt.date],
    rng: random.Random,
    scale: Scale,
    today: dt.date,
    progress: Progress,
) -> int:
    """Two monthly commission plans (rates by product line, tiers that accelerate above quota), every rep on
    one from the first month of the history, and a statement per rep per finished month computed from the
    rep's won sales orders of that month (cancelled ones left out): attained = Σ order nets, commission per
    order and product line = base × rate × the tier multiplier of the month's attainment, rounded down to the
    won. Statements older than a month are paid, the last one approved or still submitted."""
    sink = Sink(history=scale.history)
    lines = dict(ProductLine.objects.values_list("code", "pk"))
    first_month = months[0]
    now = dt.datetime.combine(today, dt.time(0), SEOUL)
    created = office_moment(rng, first_month - dt.timedelta(days=10))
    admin = org.admin.pk
    plans = {}
    progress.begin("commissions")
    for name, tele, base, rates, tiers in PLANS:
        plan_row = sink.add(
            CommissionPlan,
            {
                "name": name,
                "period_kind": "month",
                "base_rate_percent": Decimal(base),
                "valid_from": first_month,
                "description": "월 단위 정산, 수주(취소 제외) 순공급가액 기준.",
                "created_at": created,
                "updated_at": created,
                "created_by_id": admin,
                "updated_by_id": admin,
            },
        )
        line_rates = {code: Decimal(rate) for code, rate in rates.items() if code in lines}
        for code, rate in line_rates.items():
            sink.add(
                CommissionRate,
                {
                    "plan_id": plan_row["id"],
                    "product_line_id": lines[code],
                    "rate_percent": rate,
                    "created_at": created,
                    "updated_at": created,
                },
            )
        tier_rows = [(Decimal(start), Decimal(multiplier)) for start, multiplier in tiers]
        for start, multiplier in tier_rows:
            sink.add(
                CommissionTier,
                {
                    "plan_id": plan_row["id"],
                    "attainment_from_percent": start,
                    "multiplier": multiplier,
                    "created_at": created,
                    "updated_at": created,
                },
            )
        plans[tele] = (plan_row["id"], Decimal(base), line_rates, tier_rows)
    managers = dict(User.objects.filter(pk__in=org.sales_rep_ids).values_list("pk", "manager_id"))
    tele_reps = set(org.tele_rep_ids)
    by_rep_month: dict[tuple[int, dt.date], list[OrderFacts]] = defaultdict(list)
    for order in sales.orders:
        if not order.cancelled:
            by_rep_month[(order.owner_id, order.ordered_at.astimezone(SEOUL).date().replace(day=1))].append(order)
    current_month = today.replace(day=1)
    count = 0
    for rep in org.sales_rep_ids:
        plan_id, base_rate, line_rates, plan_tiers = plans[rep in tele_reps]
        sink.add(
            CommissionPlanAssignment,
            {
                "plan_id": plan_id,
                "user_id": rep,
                "valid_from": first_month,
                "created_at": created,
                "updated_at": created,
                "created_by_id": admin,
                "updated_by_id": admin,
            },
        )
        approver = managers.get(rep) or org.director.pk
        for month in months:
            if month >= current_month:
                break
            orders = sorted(by_rep_month.get((rep, month), ()), key=lambda order: order.id)
            quota = plan.month[(rep, month)]
            attained = sum(order.net for order in orders)
            attainment = (Decimal(attained) * 100 / quota).quantize(Decimal("0.01"), ROUND_HALF_UP)
            multiplier = multiplier_for(plan_tiers, attainment)
            statement_id = sink.next_id(CommissionStatement)
            total = 0
            for order in orders:
                for code, order_base in order.bases:
                    rate = line_rates.get(code, base_rate)
                    commission = percent_of(order_base, rate * multiplier)
                    total += commission
                    sink.add(
                        CommissionStatementLine,
                        {
                            "statement_id": statement_id,
                            "sales_order_id": order.id,
                            "product_line_id": lines.get(code),
                            "base": Decimal(order_base),
                            "rate_percent": rate,
                            "multiplier": multiplier,
                            "commission": Decimal(commission),
                        },
                    )
            end = period_end("month", month)
            computed = office_moment(rng, end + dt.timedelta(days=1))
            approved_at = office_moment(rng, end + dt.timedelta(days=5))
            paid_at = office_moment(rng, end + dt.timedelta(days=24))
            status = "paid" if paid_at < now else "approved" if approved_at < now else "submitted"
            if status == "approved" and rng.random() < 0.3:
                status = "submitted"  # this month's approvals are not all in yet
            decided = status in ("approved", "paid")
            sink.add(
                CommissionStatement,
                {
                    "id": statement_id,
                    "user_id": rep,
                    "plan_id": plan_id,
                    "period_kind": "month",
                    "period_start": month,
                    "status": status,
                    "quota": Decimal(quota),
                    "attained": Decimal(attained),
                    "attainment_percent": min(attainment, Decimal("99999.99")),
                    "total": Decimal(total),
                    "approved_by_id": approver if decided else None,
                    "approved_at": approved_at if decided else None,
                    "paid_at": paid_at if status == "paid" else None,
                    "created_at": min(computed, now - dt.timedelta(hours=1)),
                    "updated_at": paid_at if status == "paid" else approved_at if decided else computed,
                    "created_by_id": admin,
                    "updated_by_id": approver if decided else admin,
                },
            )
            count += 1
    sink.flush()
    progress.advance("commissions", 1)
    return count


# ---- activities regarding the deals -------------------------------------------------------------------------

DEAL_KINDS = (("call", 35), ("meeting", 20), ("demo", 10), ("visit", 15), ("correspondence", 20))
_DEAL_KIND_NAMES = [kind for kind, _ in DEAL_KINDS]
_DEAL_KIND_CUM = cumulative(weight for _, weight in DEAL_KINDS)


def seed_sales_activities(
    *, book: CustomerBook, sales: SalesBook, rng: random.Random, scale: Scale, today: dt.date, progress
) -> int:
    """Calls, meetings, demos, visits and correspondence regarding each deal (`scale.sales_activities_per_deal`
    on average), by its owner, on business days between its opening and its close (or today)."""
    sink = Sink(history=scale.history)
    deal_type = ContentType.objects.get_for_model(Opportunity).pk
    contacts = {account.id: (account.first_contact_id, account.contacts) for account in book.accounts}
    now = dt.datetime.combine(today, dt.time(0), SEOUL)
    progress.begin("sales activities")
    written = 0
    per_deal = scale.sales_activities_per_deal
    for number, deal in enumerate(sales.deals, start=1):
        first_contact, count = contacts.get(deal.account_id, (0, 0))
        about = Regarding(
            account_id=deal.account_id,
            first_contact_id=first_contact,
            contacts=count,
            owner_id=deal.owner_id,
            household=deal.household,
            since=deal.opened_at.date(),
        )
        for _ in range(int(per_deal * 2 * rng.random() + 0.5)):
            kind = weighted(rng, _DEAL_KIND_NAMES, _DEAL_KIND_CUM)
            row = activity_between(rng, about, kind, deal.opened_at, deal.closed_at or now, today)
            if row is None:
                continue
            row.update(regarding_type_id=deal_type, regarding_id=deal.id)
            sink.add(Activity, row)
            written += 1
        if number % TICK == 0:
            progress.advance("sales activities", TICK)
    sink.flush()
    progress.advance("sales activities", len(sales.deals) % TICK)
    return written
