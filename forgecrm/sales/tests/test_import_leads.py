"""The lead import kind on the customers import framework: row errors naming the column, CP949 files, idempotent
re-runs, mappable references (product line, source, owner), assignment rules over a whole chunk, possible
duplicates among contacts, accounts and leads, consent, and a number of queries that does not grow with rows."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.imports import create_import_job, run_import, update_import_options
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import Job, Role, SearchDocument
from forgecrm.platform.tests.factories import TeamFactory, UserFactory
from forgecrm.sales.imports.leads import KIND_KEY, OWNER, SOURCE
from forgecrm.sales.models import Lead, LeadAssignmentRule, LeadConsent, LeadSource
from forgecrm.sales.tests.factories import LeadAssignmentRuleFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="박팀장", email="park@forge.kr", language="en")
    return SimpleNamespace(
        manager=manager,
        rep=UserFactory(role=Role.SALES_REP, manager=manager, full_name="김영업", email="kim@forge.kr", language="en"),
        rep2=UserFactory(role=Role.SALES_REP, manager=manager, full_name="최영업", email="choi@forge.kr"),
        stranger=UserFactory(role=Role.SALES_REP, full_name="남영업", email="nam@forge.kr"),
        marketing=UserFactory(role=Role.MARKETING, language="en"),
    )


def run(actor, text: str, encoding="utf-8", name="leads.csv", **options):
    job = create_import_job(actor=actor, filename=name, data=text.encode(encoding), target=KIND_KEY, **options)
    preview = job.result
    run_import(actor=actor, job=job)
    job.refresh_from_db()
    return job, preview


def issues(job) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for issue in job.result["issues"]:
        found.setdefault(issue["line"], []).append(f"{issue['result']}|{issue['column']}: {issue['reason']}")
    return found


TRADE_SHOW = (
    "회사명,이름,직책,이메일,휴대폰,사업자등록번호,시도,마케팅동의,문의내용\n"
    "(주)한빛공조,김민준,구매팀장,minjun@hanbit.kr,010-1234-5678,220-81-62517,서울특별시,동의,냉동창고 공조 견적\n"
    "(주)다라설비,이다라,,bad-email,,,,,\n"
    "(주)마바산업,박마바,,,,123-45-67890,,,\n"
    ",,,,,,,,\n"
    "(주)사아,,대리,sa@a.kr,,,,,\n"
    "(주)한빛공조,김민준,구매팀장,minjun@hanbit.kr,010-1234-5678,,서울특별시,,\n"
    "(주)자차,정자차,,ja@cha.kr,,,,글쎄요,\n"
    "(주)카타,최카타,과장,ka@ta.kr,02-555-1234,,경기도,미동의,\n"
)


def test_a_trade_show_list_in_cp949_with_row_errors_consent_score_and_search(people):
    job, preview = run(people.rep, TRADE_SHOW, encoding="cp949", name="2026 냉동공조전.csv")
    assert job.status == Job.Status.DONE and job.result["file"]["encoding"] == "CP949"
    mapping = job.params["mapping"]
    assert mapping["0"] == "lead.company_name" and mapping["1"] == "lead.person_name"
    assert mapping["7"] == "lead.marketing_consent" and mapping["8"] == "lead.interest"
    counts = job.result["counts"]["leads"]
    assert (counts["new"], counts["errors"], counts["duplicates"]) == (2, 4, 1)
    assert preview["counts"] == job.result["counts"]  # the preview's counts are the import's
    rows = issues(job)
    assert "이메일" in rows[3][0] and rows[3][0].startswith("error|")
    assert "사업자등록번호" in rows[4][0]
    assert "The name is missing." in rows[6][0]
    assert "Duplicate of line 2" in rows[7][0]
    assert "yes or no" in rows[8][0]
    assert 5 not in rows  # an empty line is no row
    minjun = Lead.objects.get(email="minjun@hanbit.kr")
    assert minjun.owner == people.rep and minjun.source == LeadSource.IMPORT  # a rep keeps what they import
    assert (minjun.mobile, minjun.brn, minjun.sido) == ("+821012345678", "2208162517", "서울특별시")
    assert minjun.company_name_key and minjun.person_name_key and minjun.external_id.startswith("h:")
    consent = LeadConsent.objects.get(lead=minjun)
    assert consent.purpose == "marketing_email" and consent.source == "Import: 2026 냉동공조전.csv"
    assert not LeadConsent.objects.filter(lead__email="ka@ta.kr").exists()  # 미동의
    assert minjun.score == minjun.fit_score + minjun.engagement_score and minjun.scored_at is not None
    assert SearchDocument.objects.filter(entity="lead", object_id=minjun.pk).exists()
    assert minjun.history.count() == 1 and minjun.history.get().history_change_reason == "import"
    assert job.report_file


def test_a_second_run_changes_nothing_and_fill_or_overwrite_decide_what_moves(people):
    text = "ID,이름,회사명,직책\nTS-1,김민준,(주)한빛공조,\nTS-2,이서연,(주)대한설비,과장\n"
    run(people.rep, text)
    again, _preview = run(people.rep, text)
    assert again.result["counts"]["leads"]["unchanged"] == 2 and Lead.objects.count() == 2
    changed = "ID,이름,회사명,직책\nTS-1,김민준,(주)한빛공조,구매팀장\nTS-2,이서연,(주)대한설비,부장\n"
    fill, _preview = run(people.rep, changed)
    assert fill.result["counts"]["leads"]["updated"] == 1  # only the empty title is filled
    assert (
        Lead.objects.get(external_id="TS-1").title == "구매팀장"
        and Lead.objects.get(external_id="TS-2").title == "과장"
    )
    overwrite, _preview = run(people.rep, changed, mode="overwrite")
    lead = Lead.objects.get(external_id="TS-2")
    assert lead.title == "부장" and lead.version == 2 and lead.history.count() == 2
    assert overwrite.result["counts"]["leads"]["updated"] == 1


def test_a_rep_cannot_change_someone_elses_lead_or_name_another_owner(people):
    LeadFactory(source=LeadSource.IMPORT, external_id="TS-9", owner=people.rep2, title="")
    text = "ID,이름,직책,담당자 이메일\nTS-9,김민준,부장,\nTS-10,이서연,,choi@forge.kr\n"
    job, _preview = run(people.rep, text, mapping={"0": "lead.external_id", "1": "lead.person_name",
                                                   "2": "lead.title", "3": OWNER})  # fmt: skip
    counts = job.result["counts"]["leads"]
    assert (counts["locked"], counts["errors"], counts["new"]) == (1, 1, 0)
    assert "may not assign leads to 최영업" in issues(job)[3][0]
    assert Lead.objects.get(external_id="TS-9").title == ""


def test_unknown_owners_and_sources_are_listed_and_mappable(people):
    text = "이름,영업담당,유입경로\n김민준,김영업,전시회\n이서연,Kim Y.,Trade show\n박지훈,nobody@forge.kr,Bing ads\n"
    job = create_import_job(actor=people.manager, filename="l.csv", data=text.encode(), target=KIND_KEY)
    assert job.params["mapping"] == {"0": "lead.person_name", "1": OWNER, "2": SOURCE}
    unknown = job.result["unknown"]
    assert {entry["value"] for entry in unknown[OWNER]} == {"Kim Y.", "nobody@forge.kr"}
    assert {entry["value"]: entry["known"] for entry in unknown[SOURCE]} == {
        "전시회": True, "Trade show": True, "Bing ads": False,
    }  # fmt: skip
    assert job.result["counts"]["leads"]["errors"] == 2
    update_import_options(
        actor=people.manager, job=job, mapping=job.params["mapping"], mode="fill", account_kind="prospect",
        value_map={OWNER: {"Kim Y.": "kim@forge.kr", "nobody@forge.kr": "choi@forge.kr"}, SOURCE: {"Bing ads": "campaign"}},
    )  # fmt: skip
    assert job.result["counts"]["leads"]["errors"] == 0
    run_import(actor=people.manager, job=job)
    owners = dict(Lead.objects.values_list("person_name", "owner__email"))
    assert owners == {"김민준": "kim@forge.kr", "이서연": "kim@forge.kr", "박지훈": "choi@forge.kr"}
    assert dict(Lead.objects.values_list("person_name", "source")) == {
        "김민준": "trade_show", "이서연": "trade_show", "박지훈": "campaign",
    }  # fmt: skip


def test_a_manager_cannot_hand_leads_outside_their_subtree(people):
    job, _preview = run(people.manager, "이름,영업담당\n김민준,nam@forge.kr\n")
    assert "may not assign leads to 남영업" in issues(job)[2][0] and not Lead.objects.exists()


def test_the_assignment_rules_run_over_the_chunk_with_round_robin_and_capacity(people):
    line = ProductLineFactory(code="VRF", name="시스템 에어컨", name_en="VRF")
    team = TeamFactory(members=[people.rep, people.rep2])
    LeadFactory(owner=people.rep2, status="working")  # rep2 holds one open lead already
    rule = LeadAssignmentRuleFactory(
        sido="", product_line=line, assign_to_user=None, assign_to_team=team, capacity=2, priority=10
    )
    fallback = LeadAssignmentRuleFactory(sido="서울특별시", assign_to_user=people.manager, priority=20)
    rows = "".join(f"담당{n},시스템 에어컨,서울특별시\n" for n in range(5))
    job, preview = run(people.marketing, "이름,제품군,시도\n" + rows)
    assert job.result["counts"]["leads"]["new"] == 5
    by_owner = sorted(Lead.objects.filter(source="import").values_list("person_name", "owner__email"))
    # rep first (the pointer starts at the circle's start), rep2 has room for one, rep takes a second, then the
    # team is full and the 서울 rule takes the rest.
    assert [email for _name, email in by_owner] == [
        "kim@forge.kr", "choi@forge.kr", "kim@forge.kr", "park@forge.kr", "park@forge.kr",
    ]  # fmt: skip
    rule.refresh_from_db()
    assert rule.last_assigned == people.rep
    imported = Lead.objects.filter(source="import")
    assert set(imported.filter(owner=people.rep).values_list("team", flat=True)) == {team.pk}
    reasons = set(Lead.history.filter(id__in=imported.values("pk")).values_list("history_change_reason", flat=True))
    assert reasons == {f"rule:{rule.pk}", f"rule:{fallback.pk}"}
    assert preview["counts"] == job.result["counts"]
    assert LeadAssignmentRule.objects.get(pk=rule.pk).last_assigned_id == people.rep.pk


def test_the_importer_may_keep_or_queue_the_leads_instead(people):
    LeadAssignmentRuleFactory(sido="", assign_to_user=people.rep)
    run(people.marketing, "이름\n김민준\n", options={"assignment": "queue"})
    run(people.marketing, "이름\n이서연\n", options={"assignment": "me"})
    run(people.marketing, "이름\n박지훈\n")
    owners = dict(Lead.objects.values_list("person_name", "owner"))
    assert owners == {"김민준": None, "이서연": people.marketing.pk, "박지훈": people.rep.pk}


def test_possible_duplicates_are_flagged_or_left_out(people):
    ContactFactory(email="known@hanbit.kr", owner=people.rep2)
    AccountFactory(brn="2208162517", owner=people.rep2)
    LeadFactory(mobile="+821099998888", owner=people.rep2)
    text = "이름,이메일,휴대폰,사업자등록번호\n김민준,known@hanbit.kr,,\n이서연,,010-9999-8888,\n박지훈,,,220-81-62517\n최유진,new@x.kr,,\n"
    flagged, _preview = run(people.rep, text)
    rows = issues(flagged)
    assert rows[2] == ["warning|: A contact with this email exists."]
    assert rows[3] == ["warning|: A lead with this phone number exists."]
    assert rows[4] == ["warning|: An account with this business registration number exists."]
    assert flagged.result["counts"]["leads"]["new"] == 4
    Lead.objects.filter(source="import").delete()
    skipped, _preview = run(people.rep, text, options={"duplicates": "skip"})
    counts = skipped.result["counts"]["leads"]
    assert (counts["new"], counts["duplicates"]) == (1, 3)
    assert list(Lead.objects.filter(source="import").values_list("person_name", flat=True)) == ["최유진"]


def test_the_import_writes_set_based(people):
    """The lookups are a fixed number per chunk; the writes grow only by SQLite's batches (its 999 parameters
    make ~20-row INSERTs), never one per row."""

    def queries(rows: int) -> tuple[int, int]:
        text = "이름,이메일,제품군\n" + "".join(f"고객{rows}-{n},c{rows}-{n}@x.kr,VRF\n" for n in range(rows))
        job = create_import_job(actor=people.marketing, filename="l.csv", data=text.encode(), target=KIND_KEY)
        with CaptureQueriesContext(connection) as captured:
            run_import(actor=people.marketing, job=job)
        job.refresh_from_db()
        assert job.result["counts"]["leads"]["new"] == rows
        statements = [q["sql"].lstrip().split()[0].upper() for q in captured.captured_queries]
        return statements.count("SELECT"), sum(word in ("INSERT", "UPDATE") for word in statements)

    ProductLineFactory(code="VRF")
    LeadAssignmentRuleFactory(sido="", assign_to_user=people.rep, capacity=10_000)
    (small_reads, small_writes), (large_reads, large_writes) = queries(10), queries(400)
    assert small_reads == large_reads
    if connection.vendor == "postgresql":
        assert small_writes == large_writes
    else:
        assert large_writes <= small_writes + 2 * 400 // 15, (small_writes, large_writes)


def test_who_may_import_leads(people):
    from forgecrm.customers.imports.forms import target_choices

    partner_user = UserFactory(role=Role.PARTNER_ADMIN, organization=AccountFactory(kind="partner"))
    with pytest.raises(PermissionDenied):
        create_import_job(actor=partner_user, filename="l.csv", data="이름\n김\n".encode(), target=KIND_KEY)
    assert KIND_KEY in dict(target_choices(people.rep)) and KIND_KEY in dict(target_choices(people.marketing))
    assert KIND_KEY not in dict(target_choices(partner_user))


def test_the_leads_page_opens_the_import_with_leads_chosen(client, people):
    client.force_login(people.rep)
    response = client.get(reverse("sales:lead-import"))
    assert response.status_code == 302 and response["Location"].endswith(f"?target={KIND_KEY}")
    page = client.get(response["Location"])
    assert page.status_code == 200 and f'value="{KIND_KEY}"' in page.content.decode()
