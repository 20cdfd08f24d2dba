"""Sell-through and stock: resubmission replaces (idempotent, history), uploads all-or-nothing with a row error
report (CP949, partner product numbers, formulas), stock upserts; the scopes (a distributor's admin sees its
dealers', never a sibling distributor's); sell-in vs sell-through vs stock."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import PartnerProductNumberFactory, ProductFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import ChannelInventory, SellThroughLine, SellThroughReport
from forgecrm.partners.operations import channel as ops
from forgecrm.partners.queries import channel as queries
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models.planning import PeriodKind
from forgecrm.sales.queries.planning import Period
from forgecrm.sales.tests.factories import SalesOrderFactory, SalesOrderLineFactory

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


@pytest.fixture
def world():
    distributor = PartnerAccountFactory(name="동부 냉동공조", partner_type="distributor")
    dealer = PartnerAccountFactory(name="수원 공조", channel_parent=distributor)
    sibling = PartnerAccountFactory(name="서부 설비", partner_type="distributor")
    return {
        "distributor": distributor,
        "dealer": dealer,
        "sibling": sibling,
        "admin": UserFactory(role=Role.PARTNER_ADMIN, organization=distributor),
        "dealer_rep": UserFactory(role=Role.PARTNER_REP, organization=dealer),
        "sibling_admin": UserFactory(role=Role.PARTNER_ADMIN, organization=sibling),
        "hq": UserFactory(role=Role.CHANNEL_MANAGER),
        "p1": ProductFactory(sku="SAC-OU-1001"),
        "p2": ProductFactory(sku="SAC-IU-2002"),
    }


def lines(w, quantity=5):
    return [
        {
            "product": w["p1"],
            "quantity": quantity,
            "amount": 44_500_000,
            "end_customer_name": "(주)서울기계",
            "sido": "서울",
        },
        {"product": w["p2"], "quantity": -1, "amount": -1_200_000, "end_customer_name": "", "sido": ""},
    ]


def test_submit_then_resubmit_replaces_lines_idempotently(world):
    w = world
    report = ops.submit_sell_through(
        actor=w["dealer_rep"], partner=w["dealer"], month=dt.date(2026, 10, 17), lines=lines(w)
    )
    assert report.period_start == MONTH and report.lines.count() == 2
    assert report.lines.get(product=w["p1"]).sido == "서울특별시"  # canonical 시/도
    again = ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=lines(w))
    assert again.pk == report.pk and again.version == 1 and report.history.count() == 1  # same lines: no change
    replaced = ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=lines(w, 7))
    assert replaced.pk == report.pk and replaced.version == 2 and report.history.count() == 2
    assert SellThroughReport.objects.count() == 1
    assert sorted(SellThroughLine.objects.values_list("quantity", flat=True)) == [-1, 7]


def test_only_the_partners_own_users_report_for_it(world):
    w = world
    with pytest.raises(PermissionDenied):
        ops.submit_sell_through(actor=w["hq"], partner=w["dealer"], month=MONTH, lines=lines(w))
    with pytest.raises(PermissionDenied):  # the distributor sees its dealer's reports but does not write them
        ops.submit_sell_through(actor=w["admin"], partner=w["dealer"], month=MONTH, lines=lines(w))
    with pytest.raises(PermissionDenied):
        ops.report_inventory(actor=w["sibling_admin"], partner=w["dealer"], rows=[])
    assert not SellThroughReport.objects.exists()


def test_bad_lines_are_field_errors(world):
    w = world
    bad = [
        {"product": w["p1"], "quantity": "1.5"},
        {"product": w["p1"], "quantity": 0},
        {"product": None, "quantity": 1},
    ]
    with pytest.raises(ops.UploadErrors) as error:
        ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=bad)
    assert [(row.line, row.column) for row in error.value.rows] == [(1, "quantity"), (2, "quantity"), (3, "product")]
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    with pytest.raises(ValidationError):
        ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=future, lines=lines(w))


def test_upload_cp949_with_partner_numbers(world):
    w = world
    PartnerProductNumberFactory(partner=w["dealer"], product=w["p2"], partner_sku="SW-77")
    text = '품번,수량,금액,최종 고객,시/도\nSAC-OU-1001,3,"26,700,000",(주)한빛,경기\nSW-77,-2,-2400000,,부산\n'
    report = ops.upload_sell_through(
        actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, name="10월.csv", data=text.encode("cp949")
    )
    assert report.source == "upload"
    got = {(line.product.sku, line.quantity, line.sido, line.end_customer_name) for line in report.lines.all()}
    assert got == {("SAC-OU-1001", 3, "경기도", "(주)한빛"), ("SAC-IU-2002", -2, "부산광역시", "")}
    assert report.lines.get(product=w["p1"]).amount == Money(26_700_000, "KRW")


def test_upload_errors_per_row_write_nothing(world):
    w = world
    ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=lines(w))
    text = (
        "\ufeffproduct,quantity,amount,end customer\n"
        "SAC-OU-1001,2,100,ok\n"
        "NOPE-1,2,100,ok\n"
        "SAC-OU-1001,two,100,ok\n"
        'SAC-IU-2002,1,100,=HYPERLINK("x")\n'
        "SAC-IU-2002,1,abc,ok\n"
    )
    with pytest.raises(ops.UploadErrors) as error:
        ops.upload_sell_through(
            actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, name="a.csv", data=text.encode()
        )
    assert [(row.line, row.column) for row in error.value.rows] == [
        (3, "product"),
        (4, "quantity"),
        (5, "end_customer"),
        (6, "amount"),
    ]
    assert "NOPE-1" in error.value.rows[0].message
    assert sorted(SellThroughLine.objects.values_list("quantity", flat=True)) == [-1, 5]  # the old report stays


def test_upload_refuses_a_file_without_columns(world):
    with pytest.raises(ValidationError) as error:
        ops.upload_sell_through(
            actor=world["dealer_rep"], partner=world["dealer"], month=MONTH, name="a.csv", data=b"foo,bar\n1,2\n"
        )
    assert "file" in error.value.message_dict


def test_inventory_upserts_and_upload(world):
    w = world
    day = dt.date(2026, 10, 31)
    ops.report_inventory(
        actor=w["dealer_rep"],
        partner=w["dealer"],
        rows=[{"product": w["p1"], "as_of": day, "on_hand": 4, "in_transit": 2}],
    )
    PartnerProductNumberFactory(partner=w["dealer"], product=w["p2"], partner_sku="SW-77")
    text = "제품,기준일,재고,운송중\nSAC-OU-1001,2026-10-31,9,0\nSW-77,2026.10.31,3,1\n"
    rows = ops.upload_inventory(actor=w["dealer_rep"], partner=w["dealer"], name="s.csv", data=text.encode("cp949"))
    assert {(r.product.sku, r.on_hand, r.in_transit) for r in rows} == {("SAC-OU-1001", 9, 0), ("SAC-IU-2002", 3, 1)}
    assert ChannelInventory.objects.count() == 2
    bad = "product,as of,on hand\nSAC-OU-1001,2026-10-31,-1\nSAC-OU-1001,2099-01-01,1\nSW-77,2026-10-31,1\nSW-77,2026-10-31,2\n"
    with pytest.raises(ops.UploadErrors) as error:
        ops.upload_inventory(actor=w["dealer_rep"], partner=w["dealer"], name="s.csv", data=bad.encode())
    assert [(row.line, row.column) for row in error.value.rows] == [(2, "on_hand"), (3, "as_of")]
    assert ChannelInventory.objects.get(product=w["p1"]).on_hand == 9


def test_scopes_distributor_sees_dealers_never_siblings(world):
    w = world
    ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=lines(w))
    ops.submit_sell_through(actor=w["sibling_admin"], partner=w["sibling"], month=MONTH, lines=lines(w))
    seen = lambda user: set(queries.sell_through_reports_for(user).values_list("partner_id", flat=True))  # noqa: E731
    assert seen(w["admin"]) == {w["dealer"].pk}
    assert seen(w["dealer_rep"]) == {w["dealer"].pk}
    assert seen(w["sibling_admin"]) == {w["sibling"].pk}
    assert seen(w["hq"]) == {w["dealer"].pk, w["sibling"].pk}
    overview = queries.channel_overview_for(w["admin"], MONTH)
    assert {row.partner_id for row in overview} == {w["dealer"].pk}


def test_sell_in_vs_sell_through_vs_stock(world):
    w = world
    ordered = timezone.make_aware(dt.datetime(2026, 10, 5, 10))
    order = SalesOrderFactory(quote=None, opportunity=None, account=w["dealer"], owner=w["hq"], ordered_at=ordered)
    SalesOrderLineFactory(order=order, product=w["p1"], quantity=10, line_total=Money(89_000_000, "KRW"))
    ops.submit_sell_through(actor=w["dealer_rep"], partner=w["dealer"], month=MONTH, lines=lines(w))
    ops.report_inventory(
        actor=w["dealer_rep"],
        partner=w["dealer"],
        rows=[
            {"product": w["p1"], "as_of": dt.date(2026, 10, 15), "on_hand": 8},
            {"product": w["p1"], "as_of": dt.date(2026, 10, 31), "on_hand": 5, "in_transit": 1},
        ],
    )
    rows = {row.sku: row for row in queries.channel_overview_for(w["hq"], MONTH)}
    p1 = rows["SAC-OU-1001"]
    assert (p1.sell_in_quantity, p1.sell_through_quantity, p1.on_hand, p1.in_transit) == (10, 5, 5, 1)
    assert p1.sell_through_rate == 50
    assert rows["SAC-IU-2002"].sell_through_quantity == -1
    summary = queries.sell_through_for(w["hq"], [w["dealer"].pk], Period(PeriodKind.QUARTER, MONTH))
    assert summary[w["dealer"].pk].amount == 44_500_000 - 1_200_000
    assert summary[w["dealer"].pk].sell_in_amount == 89_000_000
    assert summary[w["dealer"].pk].on_hand == 5
    assert queries.channel_overview_for(w["sibling_admin"], MONTH) == []
