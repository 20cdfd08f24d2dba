"""The Maven CRM sample imports through the normal import path and the reports reproduce PROVENANCE.md exactly.

Stage counts Won 4,238 · Lost 2,473 · Engaging 1,589 · Prospecting 500; win rate 0.6315; won value 10,005,534
USD. The figures are PROVENANCE.md's, not recomputed with the importer's code. One import of the whole chain is
shared by the tests of this module (one xdist worker: the chain takes a few seconds and runs once).
"""

from decimal import Decimal

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from forgecrm.catalog.models import Product
from forgecrm.customers.imports import run_import
from forgecrm.customers.models import Account
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Job, Role, Team, User
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.imports.maven import FILES, NO_ACCOUNT, default_path, import_file, import_maven_sample
from forgecrm.sales.imports.opportunities import PRODUCT, STAGE
from forgecrm.sales.models import Opportunity, OpportunityLine, StageHistory
from forgecrm.sales.queries.reports import sales_summary_for

PATH = default_path()

pytestmark = [
    pytest.mark.skipif(PATH is None, reason="../shared/datasets is not beside the checkout"),
    pytest.mark.xdist_group("maven"),
]


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """The four files imported once by an administrator, kept for the module, removed afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            admin = UserFactory(role=Role.ADMIN, email="maven-admin@example.com")
            jobs = import_maven_sample(actor=admin, path=PATH)
            yield admin, jobs
            transaction.set_rollback(True)


def by_code(summary) -> dict[str, int]:
    return {figure.code: figure.count for figure in summary.by_stage}


@pytest.mark.django_db
def test_the_reports_reproduce_the_provenance_figures(imported):
    admin, jobs = imported
    assert all(job.status == Job.Status.DONE for job in jobs.values()), {n: j.error for n, j in jobs.items()}
    summary = sales_summary_for(admin)
    counts = by_code(summary)
    assert counts["won"] == 4238
    assert counts["lost"] == 2473
    assert counts["qualification"] == 1589  # Engaging
    assert counts["prospecting"] == 500
    assert summary.won_count == 4238 and summary.lost_count == 2473 and summary.open_count == 2089
    assert summary.win_rate == Decimal("0.6315")
    assert summary.won_amounts == {"USD": Decimal("10005534")}


@pytest.mark.django_db
def test_every_file_imports_completely(imported):
    _admin, jobs = imported
    counts = {name: job.result["counts"] for name, job in jobs.items()}
    assert counts["accounts.csv"]["accounts"]["new"] == 85
    assert counts["products.csv"]["products"]["new"] == 7
    assert counts["products.csv"]["product_lines"]["new"] == 3  # GTX, MG, GTK
    assert counts["sales_teams.csv"]["people"]["new"] == 35
    assert counts["sales_teams.csv"]["managers"]["new"] == 6
    assert counts["sales_teams.csv"]["teams"]["new"] == 3
    assert counts["sales_pipeline.csv"]["opportunities"]["new"] == 8800
    assert all(job.result["counts"]["rows_with_errors"] == 0 for job in jobs.values())
    gtx_pro = Product.objects.get(name="GTX Pro")
    assert gtx_pro.sku == "GTX-PRO" and gtx_pro.specs == [{"key": "sales_price", "value": "4821"}]
    assert OpportunityLine.objects.filter(product=gtx_pro).count() == 1480 + 0  # GTXPro mapped to GTX Pro
    assert Opportunity.objects.filter(account__name=NO_ACCOUNT).count() == 1425


@pytest.mark.django_db
def test_people_teams_and_reporting_line(imported):
    agent = User.objects.get(full_name="Anna Snelling")
    assert agent.email == "anna.snelling@sales.invalid" and agent.role == Role.SALES_REP
    assert not agent.has_usable_password() and agent.is_active  # invitation-style
    assert agent.manager.full_name == "Dustin Brinkmann" and agent.manager.role == Role.SALES_MANAGER
    assert agent.hierarchy_path == f"/{agent.manager.pk}/"
    central = Team.objects.get(name="Central")
    assert central.members.count() == 11 + 2  # 11 agents and their two managers
    assert central.lead.full_name in ("Dustin Brinkmann", "Melvin Marxen")
    # A manager sees their reps' deals, and their office's (its members share records): the access layer decides.
    manager = User.objects.get(full_name="Dustin Brinkmann")
    reports = Opportunity.objects.filter(owner__manager=manager).count()
    office = Opportunity.objects.filter(owner__teams=central).count()
    seen = sum(figure.count for figure in sales_summary_for(manager).by_stage)
    assert seen == scope_for(manager, Opportunity).count() == office > reports > 0


@pytest.mark.django_db
def test_stage_history_follows_the_invariant(imported):
    with_open = Opportunity.objects.annotate(
        open_rows=Count("stage_history", filter=Q(stage_history__left_at__isnull=True))
    )
    assert not with_open.exclude(open_rows=1).exists()
    closed = Opportunity.objects.filter(Q(stage__is_won=True) | Q(stage__is_lost=True))
    sample = closed.get(external_id="1C1I7A6R")  # Won, engaged 2016-10-20, closed 2017-03-01, 1,054
    assert (
        timezone.localtime(sample.closed_at).date().isoformat() == "2017-03-01"
        and sample.close_date.isoformat() == "2017-03-01"
    )
    assert sample.stage_entered_at == sample.closed_at and sample.probability == 100
    rows = list(StageHistory.objects.filter(opportunity=sample).order_by("entered_at"))
    assert [row.stage.code for row in rows] == ["qualification", "won"]
    assert rows[0].left_at == rows[1].entered_at and rows[0].seconds_in_stage == 132 * 86400
    assert sample.amount.amount == Decimal("1054") and sample.amount.currency.code == "USD"
    assert not closed.filter(closed_at__isnull=True).exists()
    assert (
        not Opportunity.objects.exclude(stage__is_won=True)
        .exclude(stage__is_lost=True)
        .exclude(closed_at__isnull=True)
        .exists()
    )
    lost = Opportunity.objects.filter(stage__is_lost=True).first()
    assert lost.win_loss_reason == "other" and lost.probability == 0 and lost.forecast_category == "omitted"


@pytest.mark.django_db
def test_re_running_the_import_changes_nothing(imported):
    admin, _jobs = imported
    before = (Opportunity.objects.count(), StageHistory.objects.count(), Account.objects.count(), User.objects.count())
    versions = dict(Opportunity.objects.values_list("pk", "version"))
    again = import_maven_sample(actor=admin, path=PATH)
    pipeline = again["sales_pipeline.csv"].result["counts"]["opportunities"]
    assert pipeline["new"] == 0 and pipeline["updated"] == 0 and pipeline["unchanged"] == 8800
    assert again["accounts.csv"].result["counts"]["accounts"]["new"] == 0
    assert again["products.csv"].result["counts"]["products"]["new"] == 0
    assert again["sales_teams.csv"].result["counts"]["people"]["new"] == 0
    assert again["sales_teams.csv"].result["counts"]["managers"]["new"] == 0
    after = (Opportunity.objects.count(), StageHistory.objects.count(), Account.objects.count(), User.objects.count())
    assert after == before
    assert dict(Opportunity.objects.values_list("pk", "version")) == versions
    assert by_code(sales_summary_for(admin))["won"] == 4238


@pytest.mark.django_db
def test_unmapped_gtxpro_rows_are_reported_per_row_before_mapping(imported):
    admin, _jobs = imported
    pipeline = next(spec for spec in FILES if spec.name == "sales_pipeline.csv")
    job = import_file(actor=admin, path=PATH, spec=pipeline, with_mapping=False, run=False)
    unknown = job.result["unknown"]
    products = {entry["value"]: entry for entry in unknown[PRODUCT]}
    assert products["GTXPro"]["count"] == 1480 and not products["GTXPro"]["known"]
    assert products["GTXPro"]["lines"][0] == 3  # line 3 of the file: Z063OYW0
    stages = {entry["value"]: entry["known"] for entry in unknown[STAGE]}
    assert stages == {"Won": True, "Lost": True, "Engaging": False, "Prospecting": True}
    accounts = {entry["value"]: entry["count"] for entry in unknown["opportunity.account"]}
    assert accounts == {"": 1425}
    counts = job.result["counts"]
    # Rows with an unknown product, stage or account: none is written and each is in the report.
    bad_rows = counts["rows_with_errors"]
    assert counts["opportunities"]["errors"] == bad_rows and bad_rows >= 1480 + 1589
    assert any("GTXPro" in issue["reason"] and issue["line"] == 3 for issue in job.result["issues"])
    run_import(actor=admin, job=job)  # the preview's rows run: only known rows, the rest reported
    job.refresh_from_db()
    report = job.report_file.read().decode("utf-8-sig")
    gtx_lines = [line for line in report.splitlines() if "GTXPro" in line and "Z063OYW0" in line]
    assert len(gtx_lines) == 1 and gtx_lines[0].startswith("3,")
    reported = {line.split(",")[0] for line in report.splitlines()[1:] if ",GTXPro," in line}
    assert len(reported) == 1480  # every GTXPro row, by its line (a row may have more than one reason)
