"""Commission statements computed from sales orders: rates by product line, tiers, exact KRW; idempotent
recompute; approval freezes; payment; the Celery task; the rules."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.catalog.tests.factories import ProductFactory, ProductLineFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import CommissionStatement, SalesOrderStatus
from forgecrm.sales.operations.commissions import (
    approve_commission_statement,
    assign_commission_plan,
    compute_commission_statement,
    compute_commission_statements,
    create_commission_plan,
    mark_commission_statement_paid,
)
from forgecrm.sales.tasks import compute_commission_statements_task

from .factories import QuotaFactory, SalesOrderFactory, SalesOrderLineFactory, krw

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)
M = 1_000_000


def at(day: int, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10, 0))


@pytest.fixture
def setup():
    admin = UserFactory(role=Role.ADMIN)
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory(manager=manager)
    chillers, fans = ProductLineFactory(name="칠러"), ProductLineFactory(name="송풍기")
    chiller, fan = ProductFactory(product_line=chillers), ProductFactory(product_line=fans)
    plan = create_commission_plan(
        actor=admin,
        name="2026 수당",
        valid_from=dt.date(2026, 1, 1),
        base_rate_percent=D("1.00"),
        rates={chillers: D("3.00"), None: D("2.00")},
        tiers=[(D("100"), D("1.50")), (D("150"), D("2.00"))],
    )
    assign_commission_plan(actor=admin, plan=plan, user=rep, valid_from=dt.date(2026, 1, 1))
    QuotaFactory(user=rep, period_kind="month", period_start=MARCH, amount=krw(100 * M))

    def order(day, *lines, month=3, status=SalesOrderStatus.CONFIRMED, net=None):
        total = sum(amount for _product, amount in lines)
        sales_order = SalesOrderFactory(
            owner=rep, ordered_at=at(day, month), status=status, net=krw(net if net is not None else total)
        )
        for position, (product, amount) in enumerate(lines, start=1):
            SalesOrderLineFactory(order=sales_order, position=position, product=product, line_total=krw(amount))
        return sales_order

    return {
        "admin": admin,
        "manager": manager,
        "rep": rep,
        "plan": plan,
        "chiller": chiller,
        "fan": fan,
        "chillers": chillers,
        "fans": fans,
        "order": order,
    }


def test_a_statement_from_orders_by_product_line_with_marginal_tiers(setup):
    s = setup
    first = s["order"](3, (s["chiller"], 60 * M))
    second = s["order"](10, (s["fan"], 30 * M))
    third = s["order"](17, (s["chiller"], 40 * M))
    fourth = s["order"](24, (s["fan"], 30 * M))
    s["order"](25, (s["chiller"], 500 * M), status=SalesOrderStatus.CANCELLED)  # cancelled: not a sale
    s["order"](2, (s["chiller"], 500 * M), month=4)  # another period
    statement = compute_commission_statement(actor=s["manager"], user=s["rep"], period_kind="month", period_start=MARCH)
    lines = [
        (
            line.sales_order_id,
            line.product_line_id,
            line.base.amount,
            line.rate_percent,
            line.multiplier,
            line.commission.amount,
        )
        for line in statement.lines.order_by("sales_order__ordered_at", "multiplier")
    ]
    ch, fa = s["chillers"].pk, s["fans"].pk
    assert lines == [
        (first.pk, ch, D(60 * M), D("3.00"), D("1.00"), D(1_800_000)),
        (second.pk, fa, D(30 * M), D("2.00"), D("1.00"), D(600_000)),
        (third.pk, ch, D(10 * M), D("3.00"), D("1.00"), D(300_000)),
        (third.pk, ch, D(30 * M), D("3.00"), D("1.50"), D(1_350_000)),
        (fourth.pk, fa, D(20 * M), D("2.00"), D("1.50"), D(600_000)),
        (fourth.pk, fa, D(10 * M), D("2.00"), D("2.00"), D(400_000)),
    ]
    assert statement.total.amount == D(5_050_000)
    assert (statement.quota.amount, statement.attained.amount, statement.attainment_percent) == (
        D(100 * M),
        D(160 * M),
        D("160.00"),
    )


def test_a_header_discount_spreads_over_the_product_lines(setup):
    s = setup
    # Lines 30M chillers + 10M fans, net 36M after a 10 % header discount: 27M and 9M.
    s["order"](5, (s["chiller"], 30 * M), (s["fan"], 10 * M), net=36 * M)
    statement = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    bases = {line.product_line_id: line.base.amount for line in statement.lines.all()}
    assert bases == {s["chillers"].pk: D(27 * M), s["fans"].pk: D(9 * M)}
    assert statement.total.amount == D(27 * M) * D("0.03") + D(9 * M) * D("0.02")  # 990,000


def test_recomputing_a_draft_replaces_its_lines_and_an_approved_one_is_frozen(setup):
    s = setup
    s["order"](3, (s["chiller"], 10 * M))
    statement = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    assert statement.total.amount == D(300_000) and statement.lines.count() == 1
    again = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    assert again.pk == statement.pk and again.lines.count() == 1 and again.total.amount == D(300_000)
    s["order"](4, (s["fan"], 10 * M))
    again = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    assert again.lines.count() == 2 and again.total.amount == D(500_000)

    approved = approve_commission_statement(actor=s["manager"], statement=again, expected_version=again.version)
    assert approved.status == "approved" and approved.approved_by == s["manager"]
    s["order"](5, (s["fan"], 50 * M))
    frozen = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    assert frozen.total.amount == D(500_000) and frozen.lines.count() == 2 and frozen.version == approved.version
    with pytest.raises(ValidationError):
        approve_commission_statement(actor=s["manager"], statement=frozen, expected_version=frozen.version)

    with pytest.raises(PermissionDenied):  # payment is recorded by administrators
        mark_commission_statement_paid(actor=s["manager"], statement=frozen, expected_version=frozen.version)
    paid = mark_commission_statement_paid(actor=s["admin"], statement=frozen, expected_version=frozen.version)
    assert paid.status == "paid" and paid.paid_at is not None


def test_approval_rules_and_stale_versions(setup):
    s = setup
    statement = compute_commission_statement(actor=None, user=s["rep"], period_kind="month", period_start=MARCH)
    with pytest.raises(PermissionDenied):  # never the rep
        approve_commission_statement(actor=s["rep"], statement=statement, expected_version=statement.version)
    with pytest.raises(PermissionDenied):  # nor a manager of another line
        other = UserFactory(role=Role.SALES_MANAGER)
        approve_commission_statement(actor=other, statement=statement, expected_version=statement.version)
    with pytest.raises(ConflictError):
        approve_commission_statement(actor=s["manager"], statement=statement, expected_version=statement.version - 1)
    with pytest.raises(ValidationError):  # only an approved statement is paid
        mark_commission_statement_paid(actor=s["admin"], statement=statement, expected_version=statement.version)
    with pytest.raises(PermissionDenied):  # a rep does not compute, not even their own
        compute_commission_statement(actor=s["rep"], user=s["rep"], period_kind="month", period_start=MARCH)


def test_the_task_computes_every_rep_on_a_plan_and_runs_again_safely(setup):
    s = setup
    s["order"](3, (s["chiller"], 10 * M))
    other = UserFactory()
    assign_commission_plan(actor=s["admin"], plan=s["plan"], user=other, valid_from=dt.date(2026, 2, 1))
    no_plan = UserFactory()
    SalesOrderFactory(owner=no_plan, ordered_at=at(3))
    assert compute_commission_statements_task.delay("month", "2026-03-01").get() == 2
    assert compute_commission_statements_task.delay("month", "2026-03-01").get() == 2
    assert CommissionStatement.objects.count() == 2
    assert not CommissionStatement.objects.filter(user=no_plan).exists()
    by_user = {statement.user_id: statement.total.amount for statement in CommissionStatement.objects.all()}
    assert by_user == {s["rep"].pk: D(300_000), other.pk: D(0)}
    # A manager computes for their subtree only.
    CommissionStatement.objects.all().delete()
    touched = compute_commission_statements(actor=s["manager"], period_kind="month", period_start=MARCH)
    assert [statement.user_id for statement in touched] == [s["rep"].pk]


def test_a_new_assignment_ends_the_previous_one(setup):
    s = setup
    later = create_commission_plan(actor=s["admin"], name="하반기", valid_from=dt.date(2026, 7, 1))
    assign_commission_plan(actor=s["admin"], plan=later, user=s["rep"], valid_from=dt.date(2026, 7, 1))
    assignments = list(s["rep"].commission_plan_assignments.order_by("valid_from"))
    assert [(a.plan_id, a.valid_to) for a in assignments] == [(s["plan"].pk, dt.date(2026, 6, 30)), (later.pk, None)]
    with pytest.raises(PermissionDenied):
        create_commission_plan(actor=s["rep"], name="x", valid_from=dt.date(2026, 1, 1))
