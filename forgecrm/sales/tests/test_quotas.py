"""Quotas: set (create or change, versioned), the rule, the grid and attainment."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import TeamFactory, TerritoryFactory, UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Quota, Stage
from forgecrm.sales.operations.planning import delete_quota, set_quota
from forgecrm.sales.queries.planning import Period, attainment_for, quota_grid_for

from .factories import OpportunityFactory, QuotaFactory, krw

pytestmark = pytest.mark.django_db

Q2 = dt.date(2026, 4, 1)
M = 1_000_000


@pytest.fixture
def line():
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory(manager=manager)
    return manager, rep


def test_a_manager_sets_and_changes_a_reps_quota_with_versions(line):
    manager, rep = line
    quota = set_quota(
        actor=manager, user=rep, period_kind="quarter", period_start=Q2, amount=D(150 * M), expected_version=None
    )
    assert (quota.amount.amount, quota.version, quota.created_by) == (D(150 * M), 1, manager)
    changed = set_quota(
        actor=manager, user=rep, period_kind="quarter", period_start=Q2, amount=D(160 * M), expected_version=1
    )
    assert (changed.pk, changed.version, changed.amount.amount) == (quota.pk, 2, D(160 * M))
    with pytest.raises(ConflictError) as stale:
        set_quota(actor=manager, user=rep, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=1)
    assert stale.value.current.amount.amount == D(160 * M)
    with pytest.raises(ConflictError):  # an "empty" cell that someone filled meanwhile
        set_quota(actor=manager, user=rep, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=None)
    assert list(Quota.objects.get(pk=quota.pk).history.values_list("version", flat=True).order_by("history_id")) == [
        1,
        2,
    ]
    # A quota per product line is another quota.
    from forgecrm.catalog.tests.factories import ProductLineFactory

    by_line = set_quota(
        actor=manager,
        user=rep,
        period_kind="quarter",
        period_start=Q2,
        amount=D(50 * M),
        expected_version=None,
        product_line=ProductLineFactory(),
    )
    assert by_line.pk != quota.pk
    delete_quota(actor=manager, quota=by_line, expected_version=1)
    assert not Quota.objects.filter(pk=by_line.pk).exists()


def test_who_may_set_which_quota(line):
    manager, rep = line
    admin = UserFactory(role=Role.ADMIN)
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):  # not one's own
        set_quota(
            actor=manager, user=manager, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=None
        )
    with pytest.raises(PermissionDenied):  # a rep sets none
        set_quota(actor=rep, user=rep, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=None)
    with pytest.raises(PermissionDenied):  # nobody outside the line
        set_quota(
            actor=manager, user=outsider, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=None
        )
    team = TeamFactory(lead=rep)
    assert set_quota(
        actor=manager, team=team, period_kind="quarter", period_start=Q2, amount=D(9), expected_version=None
    )
    territory = TerritoryFactory()
    with pytest.raises(PermissionDenied):
        set_quota(
            actor=manager,
            territory=territory,
            period_kind="year",
            period_start=dt.date(2026, 1, 1),
            amount=D(1),
            expected_version=None,
        )
    assert set_quota(
        actor=admin,
        territory=territory,
        period_kind="year",
        period_start=dt.date(2026, 1, 1),
        amount=D(1),
        expected_version=None,
    )


def test_bad_quota_input_names_the_field(line):
    manager, rep = line
    with pytest.raises(ValidationError) as error:
        set_quota(
            actor=manager,
            user=rep,
            period_kind="quarter",
            period_start=dt.date(2026, 5, 1),
            amount=D(1),
            expected_version=None,
        )
    assert "period_start" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        set_quota(actor=manager, user=rep, period_kind="quarter", period_start=Q2, amount=D(-1), expected_version=None)
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        set_quota(actor=manager, period_kind="quarter", period_start=Q2, amount=D(1), expected_version=None)


def test_the_grid_shows_the_line_and_says_which_rows_are_editable(line, django_assert_max_num_queries):
    manager, rep = line
    QuotaFactory(user=rep, period_start=Q2, amount=krw(150 * M))
    QuotaFactory(user=rep, period_kind="month", period_start=Q2, amount=krw(1 * M))  # another kind: not shown
    grid = quota_grid_for(manager, period_kind="quarter", year=2026)
    assert [period.label for period in grid.periods] == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    rows = {row.target.pk: row for row in grid.rows if row.kind == "user"}
    assert set(rows) == {manager.pk, rep.pk}
    assert rows[rep.pk].editable and not rows[manager.pk].editable
    assert [cell.amount for cell in rows[rep.pk].cells] == [None, D(150 * M), None, None]
    assert rows[rep.pk].total == D(150 * M) and rows[rep.pk].depth == 1
    for _ in range(5):
        UserFactory(manager=manager)
    manager.__dict__.pop("_forge_principal", None)
    with django_assert_max_num_queries(6):
        grid = quota_grid_for(manager, period_kind="quarter", year=2026)
    assert len([row for row in grid.rows if row.kind == "user"]) == 7
    rep_grid = quota_grid_for(rep, period_kind="quarter", year=2026)
    assert [row.target for row in rep_grid.rows] == [rep] and not rep_grid.editable


def test_attainment_is_closed_won_by_close_date_against_quota(line):
    manager, rep = line
    QuotaFactory(user=rep, period_start=Q2, amount=krw(200 * M))
    won, proposal = Stage.objects.get(code="won"), Stage.objects.get(code="proposal")
    OpportunityFactory(owner=rep, stage=won, amount=krw(120 * M), close_date=dt.date(2026, 5, 2))
    OpportunityFactory(owner=rep, stage=won, amount=krw(30 * M), close_date=dt.date(2026, 6, 30))
    OpportunityFactory(owner=rep, stage=won, amount=krw(99 * M), close_date=dt.date(2026, 7, 1))  # next quarter
    OpportunityFactory(owner=rep, stage=proposal, amount=krw(99 * M), close_date=dt.date(2026, 5, 2))  # open
    result = attainment_for(manager, period=Period("quarter", Q2))
    rows = {row.user.pk: row for row in result.rows}
    assert (rows[rep.pk].quota, rows[rep.pk].won, rows[rep.pk].percent) == (D(200 * M), D(150 * M), D("75.0"))
    assert rows[manager.pk].quota is None and rows[manager.pk].percent is None
    assert (result.quota_total, result.won_total, result.percent) == (D(200 * M), D(150 * M), D("75.0"))
