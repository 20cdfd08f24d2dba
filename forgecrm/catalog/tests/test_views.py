import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from djmoney.money import Money
from openpyxl import load_workbook

from forgecrm.catalog.models import PriceListItem, Product

from .factories import (
    OptionFactory,
    OptionGroupFactory,
    OptionRuleFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _catalog(rows: int):
    line = ProductLineFactory(name="시스템 에어컨")
    products = [ProductFactory(product_line=line) for _ in range(rows)]
    default = PriceListFactory(name="2026 표준 단가표")
    for product in products:
        item = PriceListItemFactory(price_list=default, product=product)
        PriceTierFactory(item=item, min_quantity=10)
        PartnerProductNumberFactory(product=product)
    return products


@pytest.mark.parametrize("rows", [5, 30])
def test_product_list_keeps_a_constant_query_budget(client, admin_user, rows, django_assert_max_num_queries):
    _catalog(rows)
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/catalog/products/') >= rows


@pytest.mark.parametrize("rows", [5, 30])
def test_product_list_for_partners_keeps_the_budget(client, partner_user_a, rows, django_assert_max_num_queries):
    products = _catalog(rows)
    for product in products:
        PartnerProductNumberFactory(product=product, partner=partner_user_a.organization)
    client.force_login(partner_user_a)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 200


def test_product_list_filters_sorts_and_pages(client, sales_rep):
    air = ProductLineFactory(name="가정용 에어컨")
    purifier_line = ProductLineFactory(name="공기청정기")
    ProductFactory(
        sku="RAC-WF-18", name="가정용 벽걸이 에어컨 18평형", product_line=air, list_price=Money(1_890_000, "KRW")
    )
    ProductFactory(sku="RAC-ST-25", name="가정용 스탠드 에어컨 25평형", product_line=air, status="phase_out")
    ProductFactory(
        sku="AP-H-100", name="공기청정기 100㎡", product_line=purifier_line, list_price=Money(890_000, "KRW")
    )
    from forgecrm.platform.search import index_objects

    index_objects("product", Product.objects.select_related("product_line"))
    client.force_login(sales_rep)
    url = reverse("catalog:product-list")

    page = client.get(url, {"product_line": air.pk}).content.decode()
    assert "RAC-WF-18" in page and "RAC-ST-25" in page and "AP-H-100" not in page
    page = client.get(url, {"status": "phase_out"}).content.decode()
    assert "RAC-ST-25" in page and "RAC-WF-18" not in page
    page = client.get(url, {"q": "벽걸이"}).content.decode()
    assert "RAC-WF-18" in page and "RAC-ST-25" not in page
    page = client.get(url, {"sort": "-price"}).content.decode()
    assert page.index("RAC-WF-18") < page.index("AP-H-100")

    for n in range(60):
        ProductFactory(sku=f"ZZ-{n:03d}", product_line=air)
    first = client.get(url, {"sort": "sku"})
    assert first.context["page"].has_next
    second = client.get(url, {"sort": "sku", "cursor": first.context["page"].next_cursor})
    first_skus = {p.sku for p in first.context["page"].rows}
    second_skus = {p.sku for p in second.context["page"].rows}
    assert first_skus.isdisjoint(second_skus) and len(first_skus | second_skus) == 63


def test_export_has_cost_only_for_internal_users(client, admin_user, partner_user_a):
    ProductFactory(sku="HP-B-16", name="히트펌프 보일러 16kW", standard_cost=Money(3_900_000, "KRW"))
    url = reverse("catalog:product-list")

    client.force_login(admin_user)
    rows = _csv(client.get(url, {"export": "csv"}))
    assert "Standard cost (KRW)" in rows[0] and "3900000" in rows[1]

    client.force_login(partner_user_a)
    rows = _csv(client.get(url, {"export": "csv"}))
    assert "Standard cost (KRW)" not in rows[0] and "3900000" not in [cell for row in rows for cell in row]
    workbook = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content))
    cells = [str(cell.value) for row in workbook.active.iter_rows() for cell in row]
    assert "HP-B-16" in cells and "3900000" not in cells and "Standard cost (KRW)" not in cells

    page = client.get(url).content.decode()
    assert "3,900,000" not in page and "Standard cost" not in page


def _configured_product():
    product = ProductFactory(
        sku="SAC-OU-23K",
        name="시스템 에어컨 실외기 23kW",
        description="<p>고효율 <b>인버터</b></p>",
        standard_cost=Money(5_340_000, "KRW"),
    )
    return product


@pytest.mark.parametrize("size", [2, 12])
def test_product_detail_keeps_a_constant_query_budget(client, admin_user, size, django_assert_max_num_queries):
    product = _configured_product()
    for g in range(size):
        group = OptionGroupFactory(product=product, name=f"그룹 {g}")
        options = [OptionFactory(group=group) for _ in range(3)]
        OptionRuleFactory(product=product, option=options[0], kind="requires", target_option=options[1])
        item = PriceListItemFactory(
            product=product, price_list=PriceListFactory(is_default=False, segment=f"세그먼트{g}")
        )
        PriceTierFactory(item=item, min_quantity=10)
        PriceTierFactory(item=item, min_quantity=50, unit_price=Money(7_000_000, "KRW"))
        PartnerProductNumberFactory(product=product)
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:product-detail", args=[product.pk]))
    assert response.status_code == 200


def test_product_detail_shows_specs_options_rules_prices_and_cost(client, admin_user):
    product = _configured_product()
    group = OptionGroupFactory(product=product, name="배관 키트", required=True, min_selections=1, max_selections=1)
    pipe = OptionFactory(group=group, sku="PIPE-5M", name="동배관 5m")
    insulation = OptionFactory(group=group, sku="INS-1", name="보온재")
    OptionRuleFactory(product=product, option=pipe, kind="requires", target_option=insulation)
    item = PriceListItemFactory(product=product, price_list=PriceListFactory(name="2026 표준 단가표"))
    PriceTierFactory(item=item, min_quantity=10, unit_price=Money(8_100_000, "KRW"))
    client.force_login(admin_user)

    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    for text in (
        "냉방능력",
        "23.0 kW",
        "<b>인버터</b>",
        "배관 키트",
        "동배관 5m",
        "PIPE-5M",
        "2026 표준 단가표",
        "≥ 10",
    ):
        assert text in page
    assert "₩8,500,000" in page and "₩8,100,000" in page and "₩5,340,000" in page
    assert "margin 40.0 %" in page


def test_price_check_fragment(client, partner_user_a):
    product = ProductFactory(sku="AP-H-100", list_price=Money(890_000, "KRW"))
    item = PriceListItemFactory(product=product, unit_price=Money(850_000, "KRW"))
    PriceTierFactory(item=item, min_quantity=20, unit_price=Money(800_000, "KRW"))
    client.force_login(partner_user_a)
    url = reverse("catalog:product-price", args=[product.pk])

    page = client.get(url, {"quantity": "20"}).content.decode()
    assert "₩800,000" in page and "₩16,000,000" in page and "≥ 20" in page
    assert "between 1 and" in client.get(url, {"quantity": "0"}).content.decode()


def test_create_product_with_field_errors_then_success(client, sales_manager):
    line = ProductLineFactory(name="공기청정기")
    ProductFactory(sku="AP-H-100")
    client.force_login(sales_manager)
    url = reverse("catalog:product-create")
    assert client.get(url).status_code == 200

    data = {
        "sku": "AP-H-100",
        "name": "공기청정기 100㎡",
        "product_line": line.pk,
        "unit": "EA",
        "status": "active",
        "list_price": "890000",
        "specs": "청정면적: 100㎡\n소음 없는 줄",
        "description": "<p>필터 3단계</p><img src=x onerror=alert(1)>",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "sku" in errors and "specs" in errors

    data.update(sku="AP-H-120", specs="청정면적: 120㎡\n소음: 22dB")
    response = client.post(url, data)
    product = Product.objects.get(sku="AP-H-120")
    assert response.status_code == 302 and response["Location"] == reverse("catalog:product-detail", args=[product.pk])
    assert product.specs == [{"key": "청정면적", "value": "120㎡"}, {"key": "소음", "value": "22dB"}]
    assert "onerror" not in product.description and product.created_by == sales_manager


def test_stale_edit_shows_the_conflict_message(client, admin_user, sales_manager):
    product = ProductFactory(sku="HP-B-16", name="히트펌프 보일러 16kW")
    client.force_login(sales_manager)
    url = reverse("catalog:product-edit", args=[product.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["specs"] = "난방능력: 16 kW"

    product.name = "다른 사람이 바꾼 이름"
    product.version = 2
    product.save()

    data["name"] = "내가 바꾼 이름"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Someone else saved this record" in response.content.decode()
    product.refresh_from_db()
    assert product.name == "다른 사람이 바꾼 이름"

    data["version"] = "2"
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.name == "내가 바꾼 이름" and product.version == 3


def test_only_catalog_editors_get_the_forms(client, sales_rep, partner_user_a):
    product = ProductFactory()
    hidden = ProductFactory(status="planned")
    client.force_login(sales_rep)
    assert client.get(reverse("catalog:product-edit", args=[product.pk])).status_code == 403
    assert client.get(reverse("catalog:product-create")).status_code == 403
    assert "New" not in client.get(reverse("catalog:product-list")).content.decode().split("page-body")[0][-2000:]

    client.force_login(partner_user_a)
    assert client.get(reverse("catalog:product-edit", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("catalog:product-edit", args=[product.pk])).status_code == 403
    response = client.post(
        reverse("catalog:product-part-delete", args=["option", OptionFactory(group__product=product).pk])
    )
    assert response.status_code == 403


def test_option_group_option_rule_and_partner_number_forms(client, admin_user, partner_a):
    product = ProductFactory(sku="RAC-WF-18", name="가정용 벽걸이 에어컨")
    client.force_login(admin_user)

    response = client.post(
        reverse("catalog:option-group-create", args=[product.pk]),
        {"name": "설치 방식", "min_selections": 1, "max_selections": 1, "required": "on", "position": 0},
    )
    assert response.status_code == 302
    group = product.option_groups.get()
    bad = client.post(
        reverse("catalog:option-group-edit", args=[group.pk]),
        {"name": "설치 방식", "min_selections": 2, "max_selections": 1, "position": 0, "version": group.version},
    )
    assert bad.status_code == 200 and "max_selections" in bad.context["form"].errors

    for sku, name in (("INST-STD", "기본 설치"), ("INST-WALL", "벽 타공")):
        response = client.post(
            reverse("catalog:option-create", args=[group.pk]),
            {"sku": sku, "name": name, "price_delta": "80000", "position": 0, "is_active": "on"},
        )
        assert response.status_code == 302
    std, wall = group.options.order_by("sku")
    response = client.post(
        reverse("catalog:rule-create", args=[product.pk]),
        {"option": wall.pk, "kind": "excludes", "target_option": std.pk},
    )
    assert response.status_code == 302 and product.option_rules.count() == 1
    both = client.post(
        reverse("catalog:rule-create", args=[product.pk]),
        {"option": wall.pk, "kind": "requires", "target_option": std.pk, "target_product": ProductFactory().pk},
    )
    assert both.status_code == 200 and both.context["form"].errors

    response = client.post(
        reverse("catalog:partner-number-create", args=[product.pk]),
        {"partner": partner_a.pk, "partner_sku": "DH-RAC-18", "partner_name": "벽걸이 18"},
    )
    assert response.status_code == 302
    number = product.partner_numbers.get()
    response = client.post(reverse("catalog:product-part-delete", args=["partner-number", number.pk]), {"version": 1})
    assert response.status_code == 302 and not product.partner_numbers.exists()
    response = client.post(reverse("catalog:product-part-delete", args=["option", wall.pk]), {"version": 99})
    assert response.status_code == 302 and group.options.filter(pk=wall.pk).exists()  # stale: not deleted


def test_price_list_pages_and_item_form_with_tiers(client, admin_user, partner_a, django_assert_max_num_queries):
    product = ProductFactory(sku="SAC-OU-23K")
    client.force_login(admin_user)
    response = client.post(
        reverse("catalog:price-list-create"),
        {"name": "대한공조 전용 단가", "currency": "KRW", "valid_from": "2026-01-01", "assignment": "partner"},
    )
    assert response.status_code == 200 and "partner" in response.context["form"].errors  # partner missing
    response = client.post(
        reverse("catalog:price-list-create"),
        {
            "name": "대한공조 전용 단가",
            "currency": "KRW",
            "valid_from": "2026-01-01",
            "assignment": "partner",
            "partner": partner_a.pk,
            "partner_tier": "gold",  # ignored: the assignment is the partner
        },
    )
    assert response.status_code == 302
    price_list = partner_a.price_lists.get()
    assert price_list.partner_tier == "" and not price_list.is_default

    url = reverse("catalog:price-list-item-create", args=[price_list.pk])
    form = {
        "product": product.pk,
        "unit_price": "7600000",
        "tiers-TOTAL_FORMS": "3",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-min_quantity": "10",
        "tiers-0-unit_price": "7300000",
        "tiers-1-min_quantity": "50",
        "tiers-1-unit_price": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not PriceListItem.objects.exists()
    form["tiers-1-unit_price"] = "7000000"
    assert client.post(url, form).status_code == 302
    item = PriceListItem.objects.get()
    assert [t.min_quantity for t in item.tiers.order_by("min_quantity")] == [10, 50]

    for _ in range(10):
        tiered = PriceListItemFactory(price_list=price_list)
        PriceTierFactory(item=tiered)
    with django_assert_max_num_queries(7):
        detail = client.get(reverse("catalog:price-list-detail", args=[price_list.pk]))
    assert "₩7,300,000" in detail.content.decode()
    rows = _csv(client.get(reverse("catalog:price-list-detail", args=[price_list.pk]), {"export": "csv"}))
    assert rows[1][0] == "SAC-OU-23K" or "SAC-OU-23K" in [row[0] for row in rows]

    listing = client.get(reverse("catalog:price-list-list"), {"assignment": "partner", "current": "today"})
    assert "대한공조 전용 단가" in listing.content.decode()
    expired = PriceListFactory(name="2024 종료 단가", valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31))
    assert expired.name not in client.get(reverse("catalog:price-list-list"), {"current": "today"}).content.decode()


def test_product_lines_page_and_form(client, sales_manager):
    client.force_login(sales_manager)
    response = client.post(
        reverse("catalog:product-line-create"), {"code": "HP", "name": "히트펌프 보일러", "is_active": "on"}
    )
    assert response.status_code == 302
    page = client.get(reverse("catalog:product-line-list")).content.decode()
    assert "히트펌프 보일러" in page


def test_menu_and_dashboard_tile(client, sales_rep):
    ProductFactory(status="active")
    ProductFactory(status="active")
    ProductFactory(status="discontinued")
    client.force_login(sales_rep)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("catalog:product-list") in page and reverse("catalog:price-list-list") in page
    assert 'data-tile="active_products">2<' in page
