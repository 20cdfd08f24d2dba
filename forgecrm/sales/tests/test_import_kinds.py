"""The sales import kinds on the customers import framework: products, the sales team, opportunities.

Each: row-level errors with the column and the reason, UTF-8 and CP949 files, idempotent re-runs, who may import,
unknown references reported per row and mappable.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from djmoney.money import Money

from forgecrm.catalog.models import Product, ProductLine
from forgecrm.catalog.tests.factories import ProductFactory, ProductLineFactory
from forgecrm.customers.imports import create_import_job, run_import, update_import_options
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Job, Role, Team, User
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.imports.opportunities import ACCOUNT, OWNER, PRODUCT, STAGE
from forgecrm.sales.models import Opportunity, OpportunityLine, Stage, StageHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


def run(actor, name: str, text: str, target: str, encoding="utf-8", **options):
    job = create_import_job(actor=actor, filename=name, data=text.encode(encoding), target=target, **options)
    preview = job.result
    run_import(actor=actor, job=job)
    job.refresh_from_db()
    return job, preview


def issues(job) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for issue in job.result["issues"]:
        found.setdefault(issue["line"], []).append(f"{issue['column']}: {issue['reason']}")
    return found


# --- products -----------------------------------------------------------------------------------------------------


PRODUCTS_KO = "품번,제품명,제품군,단가,단위,색상\nAC-100,벽걸이 에어컨,가정용 에어컨,890000,EA,화이트\n,,가정용 에어컨,10,EA,\nAC-200,스탠드 에어컨,가정용 에어컨,12.5,EA,\nAC-300,천장형 에어컨,,1500000,상자,\n"


def test_products_from_cp949_with_korean_headers_row_errors_and_a_new_line(admin):
    job, preview = run(admin, "제품.csv", PRODUCTS_KO, "catalog.products", encoding="cp949")
    assert job.status == Job.Status.DONE and job.result["file"]["encoding"] == "CP949"
    mapping = job.params["mapping"]
    assert mapping == {
        "0": "product.sku",
        "1": "product.name",
        "2": "product.line",
        "3": "product.list_price",
        "4": "product.unit",
    }
    counts = job.result["counts"]
    assert counts["products"]["new"] == 1 and counts["products"]["errors"] == 3
    assert counts["product_lines"]["new"] == 1 and preview["counts"] == counts  # the preview's counts are the import's
    rows = issues(job)
    assert "The product name is missing." in rows[3][0]
    assert "whole amount" in rows[4][0]
    assert any("Unknown unit" in reason for reason in rows[5])
    product = Product.objects.get(sku="AC-100")
    assert product.name == "벽걸이 에어컨" and product.list_price == Money(890000, "KRW")
    assert product.product_line.code == "가정용-에어컨" and product.status == "active"
    assert product.source == "import" and product.external_id
    assert job.report_file  # the refused rows, each with line and reason


def test_products_are_idempotent_mappable_and_overwrite_on_request(admin):
    line = ProductLineFactory(code="GTX", name="GTX", name_en="GTX")
    text = "product,series,sales_price\nGTX Basic,GTX Series,550\nMG Special,MG,55\n"
    mapping = {"0": "product.name", "1": "product.line", "2": "product.spec"}
    job = create_import_job(
        actor=admin, filename="p.csv", data=text.encode(), target="catalog.products", mapping=mapping
    )
    lines = {entry["value"]: entry["known"] for entry in job.result["unknown"]["product.line"]}
    assert lines == {"GTX Series": False, "MG": False}
    update_import_options(
        actor=admin, job=job, mapping=mapping, mode="fill", account_kind="prospect",
        value_map={"product.line": {"GTX Series": "GTX"}},
    )  # fmt: skip
    assert job.result["counts"]["product_lines"]["new"] == 1  # only MG now
    run_import(actor=admin, job=job)
    basic = Product.objects.get(sku="GTX-BASIC")
    assert basic.product_line == line and basic.specs == [{"key": "sales_price", "value": "550"}]
    again, _preview = run(admin, "p.csv", text, "catalog.products", mapping=mapping,
                          value_map={"product.line": {"GTX Series": "GTX"}})  # fmt: skip
    assert again.result["counts"]["products"] == {**again.result["counts"]["products"], "new": 0, "unchanged": 2}
    assert Product.objects.filter(source="import").count() == 2 and ProductLine.objects.filter(code="MG").count() == 1
    changed = "product,series,sales_price\nGTX Basic,GTX,600\n"
    third, _preview = run(admin, "p.csv", changed, "catalog.products", mode="overwrite", mapping=mapping)
    basic.refresh_from_db()
    assert third.result["counts"]["products"]["updated"] == 1
    assert basic.specs == [{"key": "sales_price", "value": "600"}] and basic.version == 2


def test_only_catalog_editors_import_products():
    rep = UserFactory(role=Role.SALES_REP)
    with pytest.raises(PermissionDenied):
        create_import_job(actor=rep, filename="p.csv", data=b"product\nX\n", target="catalog.products")


# --- the sales team -----------------------------------------------------------------------------------------------


def test_sales_team_creates_people_managers_and_offices_idempotently(admin):
    text = (
        "sales_agent,manager,regional_office\r\n"
        "Anna Snelling,Dustin Brinkmann,Central\r\n"
        "Cecily Lampkin,Dustin Brinkmann,Central\r\n"
        "Moses Frase,Celia Rouche,West\r\n"
        ",Celia Rouche,West\r\n"
    )
    job, _preview = run(admin, "teams.csv", text, "sales.team")
    counts = job.result["counts"]
    assert counts["people"]["new"] == 3 and counts["people"]["errors"] == 1
    assert counts["managers"]["new"] == 2 and counts["teams"]["new"] == 2
    assert "The name is missing." in issues(job)[5][0]
    anna = User.objects.get(email="anna.snelling@sales.invalid")
    dustin = User.objects.get(full_name="Dustin Brinkmann")
    assert anna.manager == dustin and dustin.role == Role.SALES_MANAGER and anna.role == Role.SALES_REP
    assert anna.hierarchy_path == f"{dustin.hierarchy_path}{dustin.pk}/"
    assert anna.is_active and not anna.has_usable_password()
    central = Team.objects.get(name="Central")
    assert central.lead == dustin and set(central.members.all()) == {
        anna,
        dustin,
        User.objects.get(full_name="Cecily Lampkin"),
    }
    again, _preview = run(admin, "teams.csv", text, "sales.team")
    assert again.result["counts"]["people"]["new"] == 0 and again.result["counts"]["people"]["unchanged"] == 3
    assert again.result["counts"]["managers"]["new"] == 0 and User.objects.count() == 6


def test_sales_team_cp949_korean_names_given_emails_and_inactive_option(admin):
    text = "성명,이메일,팀장,팀\n김민준,MJ.Kim@forge.kr,이서연,서울영업팀\n박지훈,not-an-email,이서연,서울영업팀\n최유나,,이서연,부산영업팀\n"
    job, _preview = run(
        admin, "영업팀.csv", text, "sales.team", encoding="cp949", options={"active": False, "email_domain": "forge.kr"}
    )
    assert job.result["file"]["encoding"] == "CP949"
    assert job.result["counts"]["people"]["new"] == 2 and job.result["counts"]["people"]["errors"] == 1
    assert "이메일" in issues(job)[3][0]
    kim = User.objects.get(email="mj.kim@forge.kr")
    assert kim.full_name == "김민준" and not kim.is_active and kim.manager.full_name == "이서연"
    choi = User.objects.get(full_name="최유나")
    assert choi.email.startswith("user.") and choi.email.endswith("@forge.kr")
    assert Team.objects.filter(name__in=["서울영업팀", "부산영업팀"]).count() == 2


def test_only_administrators_import_people():
    manager = UserFactory(role=Role.SALES_MANAGER)
    with pytest.raises(PermissionDenied):
        create_import_job(actor=manager, filename="t.csv", data=b"name\nA\n", target="sales.team")


# --- opportunities ------------------------------------------------------------------------------------------------


@pytest.fixture
def world(admin):
    rep = UserFactory(role=Role.SALES_REP, full_name="Moses Frase", email="moses@forge.kr", language="en")
    account = AccountFactory(name="Cancity", owner=rep)
    product = ProductFactory(name="GTX Pro", sku="GTX-PRO")
    return {"admin": admin, "rep": rep, "account": account, "product": product}


PIPELINE = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
    "A1,Moses Frase,GTX Pro,Cancity,Won,2016-10-20,2017-03-01,1054\n"
    "A2,Moses Frase,GTXPro,Cancity,Lost,2016-10-25,2017-03-11,0\n"
    "A3,Moses Frase,GTX Pro,,Engaging,2017-05-02,,\n"
    "A4,Nobody Here,GTX Pro,Cancity,Prospecting,,,\n"
    "A5,Moses Frase,GTX Pro,Cancity,Won,2017-01-10,,\n"
    "A6,Moses Frase,GTX Pro,Cancity,Won,2017-01-10,31/02/2017,12\n"
    "A1,Moses Frase,GTX Pro,Cancity,Won,2016-10-20,2017-03-01,1054\n"
)


def test_opportunities_report_unknown_references_per_row_then_map_them(world):
    admin = world["admin"]
    job = create_import_job(
        actor=admin, filename="pipeline.csv", data=PIPELINE.encode(), target="sales.opportunities",
        options={"currency": "USD"},
    )  # fmt: skip
    assert job.params["mapping"]["0"] == "opportunity.external_id" and job.params["mode"] == "overwrite"
    unknown = job.result["unknown"]
    assert [(e["value"], e["count"], e["lines"]) for e in unknown[PRODUCT]] == [("GTXPro", 1, [3])]
    assert [(e["value"], e["lines"]) for e in unknown[ACCOUNT]] == [("", [4])]
    assert [e["value"] for e in unknown[OWNER]] == ["Nobody Here"]
    assert {e["value"]: e["known"] for e in unknown[STAGE]} == {
        "Won": True, "Lost": True, "Engaging": False, "Prospecting": True,
    }  # fmt: skip
    rows = issues(job)
    assert "GTXPro" in rows[3][0] and "map it" in rows[3][0]
    assert "No account given" in rows[4][0] and any("Engaging" in reason for reason in rows[4])
    assert "Nobody Here" in rows[5][0]
    assert "A won or lost deal needs its close date." in rows[6][0]
    assert "Enter a date" in rows[7][0]
    assert "Duplicate of line 2" in rows[8][0]
    assert job.result["counts"]["opportunities"]["new"] == 1
    update_import_options(
        actor=admin, job=job, mapping=job.params["mapping"], mode="overwrite", account_kind="prospect",
        value_map={
            PRODUCT: {"GTXPro": "GTX Pro"}, ACCOUNT: {"": "Cancity"}, STAGE: {"Engaging": "qualification"},
            OWNER: {"Nobody Here": "moses@forge.kr"},
        },
        options={"currency": "USD", "open_close_days": 30},
    )  # fmt: skip
    assert job.result["counts"]["opportunities"]["new"] == 4 and job.result["counts"]["rows_with_errors"] == 2
    assert {e["value"]: e["mapped"] for e in job.result["unknown"][PRODUCT]} == {"GTXPro": "GTX Pro"}
    run_import(actor=admin, job=job)
    assert Opportunity.objects.count() == 4
    won = Opportunity.objects.get(external_id="A1")
    assert won.amount == Money(Decimal("1054"), "USD") and won.stage.code == "won" and won.probability == 100
    assert (
        won.owner == world["rep"]
        and won.account == world["account"]
        and won.product_line == world["product"].product_line
    )
    assert OpportunityLine.objects.get(opportunity=won).product == world["product"]
    lost = Opportunity.objects.get(external_id="A2")
    assert lost.win_loss_reason == "other" and lost.forecast_category == "omitted"
    engaging = Opportunity.objects.get(external_id="A3")
    assert engaging.close_date == dt.date(2017, 6, 1) and engaging.closed_at is None  # engage date + 30 days
    assert engaging.probability == Stage.objects.get(code="qualification").default_probability
    assert engaging.amount == Money(0, "USD")
    history = Opportunity.objects.annotate(
        open_rows=Count("stage_history", filter=Q(stage_history__left_at__isnull=True))
    )
    assert set(history.values_list("open_rows", flat=True)) == {1}
    assert StageHistory.objects.filter(opportunity=won).count() == 2  # qualification, then won
    assert won.history.count() == 1  # simple-history row written set-based


def test_opportunities_from_cp949_and_idempotent_re_runs_and_stage_moves(world):
    admin = world["admin"]
    text = (
        '기회id,담당영업,제품,거래처,단계,마감일,금액\nK1,moses@forge.kr,GTX-PRO,Cancity,발굴,2026-12-31,"1,250,000"\n'
    )
    job, _preview = run(admin, "파이프라인.csv", text, "sales.opportunities", encoding="cp949")
    assert job.result["file"]["encoding"] == "CP949" and job.result["counts"]["opportunities"]["new"] == 1
    deal = Opportunity.objects.get(external_id="K1")
    assert deal.stage.code == "prospecting" and deal.amount == Money(1250000, "KRW") and deal.close_date.year == 2026
    again, _preview = run(admin, "파이프라인.csv", text, "sales.opportunities", encoding="cp949")
    assert again.result["counts"]["opportunities"]["unchanged"] == 1 and Opportunity.objects.count() == 1
    moved = text.replace("발굴", "수주")
    third, _preview = run(admin, "파이프라인.csv", moved, "sales.opportunities", encoding="cp949")
    deal.refresh_from_db()
    assert third.result["counts"]["opportunities"]["updated"] == 1
    assert deal.stage.code == "won" and deal.closed_at is not None and deal.probability == 100
    rows = list(StageHistory.objects.filter(opportunity=deal).order_by("entered_at", "id"))
    assert [row.stage.code for row in rows] == ["prospecting", "won"]
    assert rows[0].left_at is not None and rows[0].seconds_in_stage is not None and rows[1].left_at is None
    assert deal.stage_entered_at == rows[1].entered_at
    skipped, _preview = run(admin, "파이프라인.csv", text, "sales.opportunities", encoding="cp949", mode="skip")
    assert skipped.result["counts"]["opportunities"]["skipped"] == 1
    deal.refresh_from_db()
    assert deal.stage.code == "won"


def test_a_rep_imports_into_their_own_book_only(world):
    rep = world["rep"]
    other = UserFactory(role=Role.SALES_REP, full_name="Someone Else", email="else@forge.kr")
    foreign = Opportunity.objects.create(
        name="theirs", account=world["account"], owner=other, stage=Stage.objects.get(code="proposal"),
        close_date=dt.date(2026, 1, 1), stage_entered_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        source="import", external_id="F1",
    )  # fmt: skip
    text = "id,owner,account,stage,close date\nF1,,Cancity,proposal,2026-02-01\nF2,else@forge.kr,Cancity,proposal,2026-02-01\nF3,,Cancity,proposal,2026-02-01\n"
    job, _preview = run(rep, "mine.csv", text, "sales.opportunities")
    counts = job.result["counts"]["opportunities"]
    assert counts["new"] == 1 and counts["locked"] == 1 and counts["errors"] == 1
    rows = issues(job)
    assert "may not change" in rows[2][0] and "else@forge.kr" in rows[3][0]
    assert Opportunity.objects.get(external_id="F3").owner == rep
    foreign.refresh_from_db()
    assert foreign.close_date == dt.date(2026, 1, 1)


def test_portal_users_may_not_import_opportunities():
    partner = UserFactory(role=Role.PARTNER_REP, organization=AccountFactory(kind="partner"))
    with pytest.raises(PermissionDenied):
        create_import_job(actor=partner, filename="o.csv", data=b"id\n1\n", target="sales.opportunities")


# --- the pages -----------------------------------------------------------------------------------------------------


def test_pages_upload_preview_map_values_run_and_report(client, world, settings, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.LANGUAGE_CODE = "en"
    admin = world["admin"]
    client.force_login(admin)
    upload_url = reverse("customers:account-import")
    response = client.get(upload_url, {"target": "sales.opportunities"})
    page = response.content.decode()
    assert "Opportunities (pipeline)" in page and "Products (catalog)" in page and "Sales team" in page
    assert response.context["form"].initial["target"] == "sales.opportunities"
    text = "id,owner,account,product,stage,close date,amount\nW1,moses@forge.kr,Cancity,GTXPro,Won,2017-03-01,100\n"
    response = client.post(
        upload_url,
        {"target": "sales.opportunities", "mode": "overwrite", "account_kind": "prospect",
         "file": SimpleUploadedFile("deals.csv", text.encode())},
    )  # fmt: skip
    job = Job.objects.get(kind="customers.import")
    assert response.status_code == 302 and response.url == reverse("customers:account-import-job", args=[job.pk])
    page = client.get(response.url)
    html = page.content.decode()
    assert "Values to map" in html and "GTXPro" in html and 'list="values-2"' in html
    assert "Unknown product “GTXPro”" in html  # the row-level reason on the preview
    form = page.context["form"]
    product_box = next(row["name"] for group in form.value_groups if group["key"] == PRODUCT for row in group["rows"])
    posted = {f"col_{index}": key for index, key in job.params["mapping"].items()}
    posted |= {"mode": "overwrite", "opt_currency": "USD", "opt_open_close_days": "60", "opt_engaged_stage": ""}
    posted[product_box] = "GTX Pro"
    assert client.post(response.url, posted).status_code == 302
    job.refresh_from_db()
    assert job.params["value_map"] == {PRODUCT: {"GTXPro": "GTX Pro"}}
    assert job.params["options"] == {"currency": "USD", "open_close_days": 60, "engaged_stage": ""}
    assert job.result["counts"]["opportunities"]["new"] == 1 and job.result["counts"]["rows_with_errors"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("customers:account-import-run", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    deal = Opportunity.objects.get(external_id="W1")
    assert deal.amount == Money(100, "USD") and StageHistory.objects.filter(opportunity=deal).count() == 1
    done = client.get(reverse("customers:account-import-job", args=[job.pk])).content.decode()
    assert "Imported as new" in done and "Opportunities" in done


def test_the_report_lists_unmapped_rows(client, world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    admin = world["admin"]
    text = "id,owner,account,product,stage,close date\nR1,moses@forge.kr,Cancity,GTXPro,Won,2017-03-01\n"
    job, _preview = run(admin, "r.csv", text, "sales.opportunities")
    client.force_login(admin)
    report = client.get(reverse("customers:account-import-report", args=[job.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert report.status_code == 200 and "R1" in body and "GTXPro" in body and body.splitlines()[1].startswith("2,")
    # Someone else's job is not found; a service agent may not import at all.
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(reverse("customers:account-import-job", args=[job.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    assert client.get(reverse("customers:account-import")).status_code == 403


def test_the_opportunity_import_is_set_based(world):
    """No statement per row: 5 rows and 60 rows cost the same number of queries (one chunk each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = world["admin"]
    header = "id,owner,account,product,stage,engage date,close date,amount\n"

    def queries(prefix: str, rows: int) -> int:
        body = "".join(
            f"{prefix}{n},moses@forge.kr,Cancity,GTX Pro,{'Won' if n % 2 else 'proposal'},2017-01-02,2017-03-01,{n}\n"
            for n in range(rows)
        )
        job = create_import_job(
            actor=admin, filename="q.csv", data=(header + body).encode(), target="sales.opportunities"
        )
        with CaptureQueriesContext(connection) as captured:
            run_import(actor=admin, job=job)
        job.refresh_from_db()
        assert job.result["counts"]["opportunities"]["new"] == rows
        return len(captured)

    assert queries("S", 5) == queries("L", 60)
    assert StageHistory.objects.filter(opportunity__external_id__startswith="L").count() == 60 + 30
