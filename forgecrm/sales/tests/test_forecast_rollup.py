"""Forecasts: the rep's prefill, the roll-up along a 3-level hierarchy (exact sums), adjustments kept apart,
forecast vs actual history, and the operations' rules."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import ForecastCategory, ForecastSubmission, Stage
from forgecrm.sales.operations.planning import adjust_forecast, save_forecast, submit_forecast
from forgecrm.sales.queries.planning import (
    Period,
    forecast_history_for,
    forecast_prefill_for,
    forecast_rollup_for,
    parse_period,
)

from .factories import ForecastSubmissionFactory, OpportunityFactory, QuotaFactory, krw

pytestmark = pytest.mark.django_db

Q1 = Period("quarter", dt.date(2026, 1, 1))
M = 1_000_000


@pytest.fixture
def org():
    """director → manager_1 → rep_1, rep_2; director → manager_2 → rep_3; an outsider elsewhere."""
    director = UserFactory(role=Role.SALES_MANAGER, full_name="본부장")
    manager_1 = UserFactory(role=Role.SALES_MANAGER, manager=director, full_name="1팀장")
    manager_2 = UserFactory(role=Role.SALES_MANAGER, manager=director, full_name="2팀장")
    rep_1 = UserFactory(manager=manager_1, full_name="영업1")
    rep_2 = UserFactory(manager=manager_1, full_name="영업2")
    rep_3 = UserFactory(manager=manager_2, full_name="영업3")
    outsider = UserFactory(full_name="타부서")
    return {
        "director": director,
        "manager_1": manager_1,
        "manager_2": manager_2,
        "rep_1": rep_1,
        "rep_2": rep_2,
        "rep_3": rep_3,
        "outsider": outsider,
    }


def submit(owner, pipeline, best_case, commit, closed):
    return ForecastSubmissionFactory(
        owner=owner,
        period_start=Q1.start,
        pipeline=krw(pipeline * M),
        best_case=krw(best_case * M),
        commit=krw(commit * M),
        closed=krw(closed * M),
    )


@pytest.fixture
def numbers(org):
    subs = {
        "rep_1": submit(org["rep_1"], 500, 300, 200, 50),
        "rep_2": submit(org["rep_2"], 400, 250, 150, 40),
        "rep_3": submit(org["rep_3"], 300, 200, 100, 30),
        "manager_1": submit(org["manager_1"], 100, 60, 40, 10),
        "outsider": submit(org["outsider"], 999, 999, 999, 999),
    }
    for key, amount in [("rep_1", 250), ("rep_2", 200), ("rep_3", 150), ("manager_1", 50), ("director", 0)]:
        QuotaFactory(user=org[key], period_start=Q1.start, amount=krw(amount * M))
    won = Stage.objects.get(code="won")
    for key, amount in [("rep_1", 120), ("rep_2", 30), ("rep_3", 70), ("outsider", 500)]:
        OpportunityFactory(
            owner=org[key], stage=won, amount=krw(amount * M), close_date=dt.date(2026, 2, 15), probability=100
        )
    # Outside the period: not counted.
    OpportunityFactory(owner=org["rep_1"], stage=won, amount=krw(77 * M), close_date=dt.date(2026, 4, 1))
    return subs


def test_a_three_level_rollup_sums_each_subtree_exactly(org, numbers):
    rollup = forecast_rollup_for(org["director"], period=Q1)
    assert rollup.own.user == org["director"] and rollup.own.submission is None
    by_name = {row.user.full_name: row for row in rollup.reports}
    assert list(by_name) == ["1팀장", "2팀장"]
    team_1 = by_name["1팀장"].subtree
    assert (team_1.pipeline, team_1.best_case, team_1.commit, team_1.closed) == (
        D(1000 * M),
        D(610 * M),
        D(390 * M),
        D(100 * M),
    )
    assert (team_1.quota, team_1.won, team_1.people, team_1.submitted) == (D(500 * M), D(150 * M), 3, 0)
    assert by_name["1팀장"].own.commit == D(40 * M) and by_name["1팀장"].has_reports
    team_2 = by_name["2팀장"].subtree
    assert (team_2.commit, team_2.won, team_2.people) == (D(100 * M), D(70 * M), 2)
    total = rollup.total
    assert (total.pipeline, total.best_case, total.commit, total.closed) == (
        D(1300 * M),
        D(810 * M),
        D(490 * M),
        D(130 * M),
    )
    assert (total.quota, total.won, total.people) == (D(650 * M), D(220 * M), 6)  # the outsider is not in it
    # Without adjustments, adjusted = the reps' numbers.
    assert (total.adjusted_commit, total.adjusted_best_case) == (total.commit, total.best_case)


def test_drilling_down_shows_the_managers_reps(org, numbers):
    rollup = forecast_rollup_for(org["director"], period=Q1, manager=org["manager_1"])
    assert rollup.own.own.commit == D(40 * M)
    assert [row.user.full_name for row in rollup.reports] == ["영업1", "영업2"]
    assert rollup.total.commit == D(390 * M)


def test_adjustments_are_kept_apart_and_the_most_senior_one_counts(org, numbers):
    rep_1 = numbers["rep_1"]
    adjust_forecast(
        actor=org["manager_1"], submission=rep_1, best_case=D(280 * M), commit=D(180 * M), expected_version=1
    )
    adjust_forecast(
        actor=org["director"], submission=rep_1, best_case=D(260 * M), commit=D(160 * M), expected_version=1
    )
    adjust_forecast(
        actor=org["director"], submission=numbers["rep_3"], best_case=D(220 * M), commit=D(120 * M), expected_version=1
    )
    rep_1.refresh_from_db()
    assert rep_1.commit.amount == D(200 * M) and rep_1.version == 1  # the rep's own numbers are untouched

    director_view = forecast_rollup_for(org["director"], period=Q1)
    assert director_view.total.commit == D(490 * M)  # rep numbers
    assert director_view.total.adjusted_commit == D(490 * M) - D(40 * M) + D(20 * M)  # rep_1 200→160, rep_3 100→120
    assert director_view.total.adjusted_best_case == D(810 * M) - D(40 * M) + D(20 * M)

    manager_view = forecast_rollup_for(org["manager_1"], period=Q1)
    assert manager_view.total.adjusted_commit == D(390 * M) - D(20 * M)  # the manager sees only their own: 200→180
    rep_view = forecast_rollup_for(org["rep_1"], period=Q1)
    assert rep_view.total.adjusted_commit == D(200 * M)  # a rep never sees a manager's adjustment
    assert rep_view.own.adjustment is None


def test_rollup_query_count_does_not_grow_with_more_reports(org, numbers, django_assert_max_num_queries):
    forecast_rollup_for(org["director"], period=Q1)  # warm the principal
    with django_assert_max_num_queries(6) as few:
        forecast_rollup_for(org["director"], period=Q1)
    for index in range(8):
        rep = UserFactory(manager=org["manager_2"], full_name=f"추가{index}")
        submit(rep, 10, 5, 3, 1)
        QuotaFactory(user=rep, period_start=Q1.start, amount=krw(10 * M))
    org["director"].__dict__.pop("_forge_principal", None)
    forecast_rollup_for(org["director"], period=Q1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rollup = forecast_rollup_for(org["director"], period=Q1)
    assert rollup.total.people == 14


def test_the_prefill_follows_forecast_categories_and_probabilities(org):
    rep = org["rep_1"]
    stages = {stage.code: stage for stage in Stage.objects.all()}
    day = dt.date(2026, 2, 1)

    def opportunity(stage, amount, probability, category=None):
        return OpportunityFactory(
            owner=rep,
            stage=stages[stage],
            amount=krw(amount * M),
            probability=probability,
            forecast_category=category or stages[stage].default_forecast_category,
            close_date=day,
        )

    opportunity("qualification", 100, 25)  # pipeline
    opportunity("proposal", 80, 50)  # best case
    opportunity("negotiation", 60, 75)  # commit
    opportunity("negotiation", 40, 75, ForecastCategory.OMITTED)  # left out
    opportunity("won", 30, 100)  # closed
    opportunity("lost", 50, 0)  # not counted
    prefill = forecast_prefill_for(rep, period=Q1)
    assert prefill.closed == D(30 * M)
    assert prefill.commit == D(90 * M)
    assert prefill.best_case == D(170 * M)
    assert prefill.pipeline == D(240 * M)
    assert prefill.weighted == D(25 * M + 40 * M + 45 * M + 30 * M)
    assert {figure.category: figure.count for figure in prefill.categories} == {
        "pipeline": 1,
        "best_case": 1,
        "commit": 1,
        "closed": 1,
    }


def test_save_submit_conflict_and_rules(org):
    rep, manager = org["rep_1"], org["manager_1"]
    saved = save_forecast(
        actor=rep,
        period_kind="quarter",
        period_start=Q1.start,
        expected_version=None,
        pipeline=D(100),
        best_case=D(60),
        commit=D(40),
        closed=D(10),
    )
    assert saved.status == "draft" and saved.version == 1
    with pytest.raises(ConflictError):  # a second "new" forecast for the same period: stale
        save_forecast(
            actor=rep, period_kind="quarter", period_start=Q1.start, expected_version=None, commit=D(1), best_case=D(1)
        )
    saved = submit_forecast(actor=rep, submission=saved, expected_version=1)
    assert saved.status == "submitted" and saved.submitted_at is not None
    with pytest.raises(ConflictError):
        save_forecast(
            actor=rep, period_kind="quarter", period_start=Q1.start, expected_version=1, commit=D(1), best_case=D(1)
        )
    with pytest.raises(ValidationError) as error:
        save_forecast(
            actor=rep, period_kind="quarter", period_start=Q1.start, expected_version=2, commit=D(9), best_case=D(1)
        )
    assert "best_case" in error.value.message_dict
    with pytest.raises(ValidationError):
        save_forecast(actor=rep, period_kind="quarter", period_start=dt.date(2026, 2, 1), expected_version=None)
    with pytest.raises(PermissionDenied):
        submit_forecast(actor=manager, submission=saved, expected_version=2)
    with pytest.raises(PermissionDenied):  # a rep does not adjust, and not a peer's
        adjust_forecast(actor=org["rep_2"], submission=saved, best_case=D(1), commit=D(1), expected_version=None)
    with pytest.raises(PermissionDenied):  # a manager of another team does not either
        adjust_forecast(actor=org["manager_2"], submission=saved, best_case=D(1), commit=D(1), expected_version=None)
    with pytest.raises(ConflictError):  # the rep changed the numbers since the manager read them
        adjust_forecast(actor=manager, submission=saved, best_case=D(50), commit=D(30), expected_version=1)
    first = adjust_forecast(actor=manager, submission=saved, best_case=D(50), commit=D(30), expected_version=2)
    again = adjust_forecast(actor=manager, submission=saved, best_case=D(55), commit=D(35), expected_version=2)
    assert first.pk == again.pk and again.commit.amount == D(35)
    assert ForecastSubmission.objects.get(pk=saved.pk).commit.amount == D(40)


def test_history_compares_forecast_quota_and_actual_per_period(org, numbers):
    won = Stage.objects.get(code="won")
    previous = Period("quarter", dt.date(2025, 10, 1))
    ForecastSubmissionFactory(
        owner=org["rep_1"], period_start=previous.start, commit=krw(100 * M), best_case=krw(150 * M)
    )
    OpportunityFactory(owner=org["rep_1"], stage=won, amount=krw(90 * M), close_date=dt.date(2025, 11, 30))
    points = forecast_history_for(org["manager_1"], period=Q1, count=3)
    assert [point.period.label for point in points] == ["2025 Q3", "2025 Q4", "2026 Q1"]
    assert (points[1].commit, points[1].won, points[1].accuracy) == (D(100 * M), D(90 * M), D("90.0"))
    assert (points[2].commit, points[2].quota, points[2].won) == (D(390 * M), D(500 * M), D(150 * M))
    assert points[0].commit == 0


def test_periods_parse_and_step():
    period = parse_period("month:2026-05-13")
    assert (period.kind, period.start, period.end) == ("month", dt.date(2026, 5, 1), dt.date(2026, 6, 1))
    assert parse_period("quarter:2026-01-01").previous.start == dt.date(2025, 10, 1)
    assert parse_period("year:2026-07-01").next.start == dt.date(2027, 1, 1)
    assert parse_period("nonsense", today=dt.date(2026, 8, 9)).start == dt.date(2026, 7, 1)


def test_an_administrator_adjusts_but_never_changes_a_reps_numbers(org, numbers):
    from forgecrm.sales.operations.planning import update_forecast

    admin = UserFactory(role=Role.ADMIN)
    submission = numbers["rep_1"]
    with pytest.raises(PermissionDenied):
        update_forecast(actor=admin, submission=submission, expected_version=1, commit=D(1))
    with pytest.raises(PermissionDenied):
        submit_forecast(actor=admin, submission=submission, expected_version=1)
    adjustment = adjust_forecast(actor=admin, submission=submission, best_case=D(1), commit=D(1), expected_version=1)
    assert adjustment.manager == admin
    changed = update_forecast(actor=org["rep_1"], submission=submission, expected_version=1, commit=D(210 * M))
    assert (changed.commit.amount, changed.best_case.amount, changed.version) == (D(210 * M), D(300 * M), 2)
