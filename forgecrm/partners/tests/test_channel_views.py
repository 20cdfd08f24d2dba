"""Sell-through pages: headquarters' overview (chart, filters, CSV, constant queries at two sizes) and the
portal's report / upload / stock / history pages (a distributor's admin sees its dealers', never a sibling's)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import PartnerProductNumberFactory, ProductFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import ChannelInventory, SellThroughLine, SellThroughReport
from forgecrm.partners.operations import channel as ops
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.tests.factories import SalesOrderFactory, SalesOrderLineFactory

pytestmark = pytest.mark.django_db
THIS_MONTH = timezone.localdate().replace(day=1)


def partner_with_data(hq, count: int, name: str):
    partner = PartnerAccountFactory(name=name)
    rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
    products = [ProductFactory() for _ in range(count)]
    lines = [{"product": p, "quantity": 3, "amount": 3_000_000, "end_customer_name": "고객"} for p in products]
    ops.submit_sell_through(actor=rep, partner=partner, month=THIS_MONTH, lines=lines)
    ops.report_inventory(
        actor=rep, partner=partner, rows=[{"product": p, "as_of": THIS_MONTH, "on_hand": 2} for p in products]
    )
    ordered = timezone.make_aware(dt.datetime.combine(THIS_MONTH, dt.time(9)))
    order = SalesOrderFactory(quote=None, opportunity=None, account=partner, owner=hq, ordered_at=ordered)
    for position, product in enumerate(products, start=1):
        SalesOrderLineFactory(
            order=order, position=position, product=product, quantity=6, line_total=Money(6_000_000, "KRW")
        )
    return partner, rep, products


@pytest.fixture
def hq():
    return UserFactory(role=Role.CHANNEL_MANAGER)


def test_hq_overview_chart_filters_and_constant_queries(client, hq, django_assert_max_num_queries):
    partner_with_data(hq, 2, "동부 냉동공조")
    client.force_login(hq)
    url = reverse("partners:sell-through")
    month = {"month": THIS_MONTH.isoformat()}
    with django_assert_max_num_queries(20) as small:
        response = client.get(url, month)
    assert response.status_code == 200
    body = response.content.decode()
    assert "동부 냉동공조" in body and "50%" in body and "chart" in body
    partner_with_data(hq, 12, "서부 설비")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, month)
    assert "서부 설비" in response.content.decode()
    other = PartnerAccountFactory(name="남부 공조")
    response = client.get(url, {"partner": other.pk, "month": THIS_MONTH.isoformat()})
    assert "동부 냉동공조" not in response.content.decode().split("Per partner and product")[-1]


def test_hq_export_csv_neutralises_formulas(client, hq):
    _partner, _rep, products = partner_with_data(hq, 1, "=HYPERLINK(1)")
    client.force_login(hq)
    response = client.get(reverse("partners:sell-through"), {"export": "csv", "month": THIS_MONTH.isoformat()})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body and products[0].sku in body


def test_partner_users_do_not_open_the_hq_page(client, hq):
    _partner, rep, _products = partner_with_data(hq, 1, "대리점")
    client.force_login(rep)
    assert client.get(reverse("partners:sell-through")).status_code == 403


@pytest.fixture
def channel():
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
        "product": ProductFactory(sku="SAC-OU-1001"),
    }


def test_portal_form_submits_and_replaces(client, channel):
    c = channel
    client.force_login(c["dealer_rep"])
    page = client.get(reverse("partner_portal:sell-through"))
    assert page.status_code == 200 and "SAC-OU-1001" in page.content.decode()
    data = {
        "month": THIS_MONTH.isoformat(),
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-product_number": "SAC-OU-1001",
        "form-0-quantity": "4",
        "form-0-amount": "3560000",
        "form-0-end_customer_name": "(주)한빛",
        "form-0-sido": "경기도",
        "form-1-product_number": "",
    }
    response = client.post(reverse("partner_portal:sell-through-submit"), data)
    assert response.status_code == 302
    data["form-0-quantity"] = "-2"
    client.post(reverse("partner_portal:sell-through-submit"), data)
    assert list(SellThroughLine.objects.values_list("quantity", flat=True)) == [-2]
    data["form-0-product_number"] = "NOPE"
    response = client.post(reverse("partner_portal:sell-through-submit"), data)
    assert response.status_code == 400 and "NOPE" in response.content.decode()
    assert list(SellThroughLine.objects.values_list("quantity", flat=True)) == [-2]


def test_portal_upload_reports_row_errors(client, channel):
    c = channel
    PartnerProductNumberFactory(partner=c["dealer"], product=c["product"], partner_sku="SW-1")
    client.force_login(c["dealer_rep"])
    bad = "품번,수량\nSW-1,2\nXX-9,1\nSW-1,=1+1\n".encode("cp949")
    response = client.post(
        reverse("partner_portal:sell-through-upload"),
        {"month": THIS_MONTH.isoformat(), "file": SimpleUploadedFile("10월.csv", bad, content_type="text/csv")},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "XX-9" in body and 'id="row-errors"' in body
    assert not SellThroughReport.objects.exists()
    good = "품번,수량,금액\nSW-1,2,1780000\n".encode("cp949")
    response = client.post(
        reverse("partner_portal:sell-through-upload"),
        {"month": THIS_MONTH.isoformat(), "file": SimpleUploadedFile("10월.csv", good, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert SellThroughReport.objects.get().source == "upload"


def test_portal_stock_form_and_upload(client, channel):
    c = channel
    client.force_login(c["dealer_rep"])
    today = timezone.localdate()
    data = {
        "as_of": today.isoformat(),
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-product_number": "SAC-OU-1001",
        "form-0-on_hand": "7",
        "form-0-in_transit": "2",
    }
    assert client.post(reverse("partner_portal:stock-submit"), data).status_code == 302
    csv = f"product,date,on hand\nSAC-OU-1001,{today.isoformat()},9\n".encode()
    response = client.post(
        reverse("partner_portal:stock-upload"), {"file": SimpleUploadedFile("s.csv", csv, content_type="text/csv")}
    )
    assert response.status_code == 302
    assert ChannelInventory.objects.get().on_hand == 9
    assert "SAC-OU-1001" in client.get(reverse("partner_portal:stock")).content.decode()


def test_history_distributor_sees_dealers_never_siblings(client, channel, django_assert_max_num_queries):
    c = channel
    line = [{"product": c["product"], "quantity": 1, "amount": 100, "end_customer_name": "딜러고객"}]
    dealer_report = ops.submit_sell_through(actor=c["dealer_rep"], partner=c["dealer"], month=THIS_MONTH, lines=line)
    sibling_line = [{"product": c["product"], "quantity": 1, "amount": 100, "end_customer_name": "형제고객"}]
    sibling_report = ops.submit_sell_through(
        actor=c["sibling_admin"], partner=c["sibling"], month=THIS_MONTH, lines=sibling_line
    )
    client.force_login(c["admin"])
    with django_assert_max_num_queries(25) as small:
        page = client.get(reverse("partner_portal:sell-through-history"))
    assert "수원 공조" in page.content.decode() and "서부 설비" not in page.content.decode()
    for months_back in range(1, 5):
        month = (THIS_MONTH - dt.timedelta(days=28 * months_back)).replace(day=1)
        ops.submit_sell_through(actor=c["dealer_rep"], partner=c["dealer"], month=month, lines=line)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("partner_portal:sell-through-history"))
    detail = client.get(reverse("partner_portal:sell-through-report", args=[dealer_report.pk]))
    assert detail.status_code == 200 and "딜러고객" in detail.content.decode()
    assert client.get(reverse("partner_portal:sell-through-report", args=[sibling_report.pk])).status_code == 404
    # the distributor's admin reads its dealer's report but reports only for itself
    response = client.post(
        reverse("partner_portal:sell-through-submit"),
        {
            "month": THIS_MONTH.isoformat(),
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-product_number": "SAC-OU-1001",
            "form-0-quantity": "1",
        },
    )
    assert response.status_code == 302
    assert SellThroughReport.objects.filter(partner=c["distributor"]).exists()
