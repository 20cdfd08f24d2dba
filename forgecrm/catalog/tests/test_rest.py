"""The catalog API contract: scopes, cost only for internal users, ETag/If-Match, 404 for foreign ids."""

import datetime as dt

import pytest
from djmoney.money import Money
from rest_framework.test import APIClient

from forgecrm.catalog.models import Product
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .factories import (
    OptionFactory,
    OptionGroupFactory,
    OptionRuleFactory,
    PartnerFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
    ProductLineFactory,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def boiler():
    return ProductFactory(
        sku="HP-B-16",
        name="히트펌프 보일러 16kW",
        list_price=Money(6_400_000, "KRW"),
        standard_cost=Money(3_900_000, "KRW"),
    )


def test_cost_is_in_the_internal_api_only(boiler, sales_rep, partner_user_a, customer_user):
    internal = api(sales_rep).get(f"{PRODUCTS}{boiler.pk}/").json()
    assert internal["standard_cost"] == "3900000" and internal["list_price"] == "6400000"
    assert internal["list_price_currency"] == "KRW"
    for user in (partner_user_a, customer_user):
        detail = api(user).get(f"{PRODUCTS}{boiler.pk}/").json()
        listing = api(user).get(PRODUCTS).json()["results"]
        assert "standard_cost" not in detail and all("standard_cost" not in row for row in listing)
        assert "3900000" not in str(detail) + str(listing)


def test_list_is_cursor_paginated_and_filtered(sales_rep):
    line = ProductLineFactory(code="AP", name="공기청정기")
    for n in range(3):
        ProductFactory(sku=f"AP-H-{n}", product_line=line)
    ProductFactory(sku="HP-B-9", status="planned")
    client = api(sales_rep)
    page = client.get(PRODUCTS, {"page_size": 2, "product_line": line.pk}).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1
    assert [row["sku"] for row in client.get(PRODUCTS, {"status": "planned"}).json()["results"]] == ["HP-B-9"]


def test_detail_has_etag_options_and_rules(boiler, sales_rep):
    group = OptionGroupFactory(product=boiler, name="설치 키트", required=True, min_selections=1, max_selections=1)
    kit, tank = OptionFactory(group=group, sku="KIT-1"), OptionFactory(group=group, sku="TANK-200")
    OptionRuleFactory(product=boiler, option=kit, kind="excludes", target_option=tank)
    response = api(sales_rep).get(f"{PRODUCTS}{boiler.pk}/")
    assert response["ETag"] == f'"product-{boiler.pk}-v1"'
    body = response.json()
    assert [o["sku"] for o in body["option_groups"][0]["options"]] == ["KIT-1", "TANK-200"]
    assert body["option_rules"][0]["kind"] == "excludes"
    assert api(sales_rep).get(f"{PRODUCTS}{boiler.pk}/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_update_needs_the_current_version(boiler, sales_manager):
    client = api(sales_manager)
    url = f"{PRODUCTS}{boiler.pk}/"
    assert client.patch(url, {"name": "새 이름"}, format="json").status_code == 428
    assert client.patch(url, {"name": "새 이름"}, format="json", HTTP_IF_MATCH='"product-1-v0"').status_code == 412

    response = client.patch(
        url, {"name": "히트펌프 보일러 16kW 2세대"}, format="json", HTTP_IF_MATCH=f'"product-{boiler.pk}-v1"'
    )
    assert response.status_code == 200 and response["ETag"] == f'"product-{boiler.pk}-v2"'
    stale = client.patch(url, {"name": "덮어쓰기"}, format="json", HTTP_IF_MATCH=f'"product-{boiler.pk}-v1"')
    assert stale.status_code == 412
    body_stale = client.patch(url, {"name": "덮어쓰기", "version": 1}, format="json")
    assert body_stale.status_code == 412
    boiler.refresh_from_db()
    assert boiler.name == "히트펌프 보일러 16kW 2세대" and boiler.version == 2


def test_create_validates_and_sanitises(sales_manager):
    line = ProductLineFactory()
    client = api(sales_manager)
    payload = {
        "sku": "RAC-WF-18",
        "name": "가정용 벽걸이 에어컨 18평형",
        "product_line": line.pk,
        "list_price": "1890000",
        "status": "active",
        "specs": {"냉방능력": "6.5 kW", "에너지효율": "1등급"},
        "description": '<p>무풍</p><img src=x onerror="alert(1)">',
        "standard_cost": "1100000",
    }
    response = client.post(PRODUCTS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["specs"] == [{"key": "냉방능력", "value": "6.5 kW"}, {"key": "에너지효율", "value": "1등급"}]
    assert "onerror" not in body["description"] and body["standard_cost"] == "1100000"
    assert response["ETag"] == f'"product-{body["id"]}-v1"'

    duplicate = client.post(PRODUCTS, payload, format="json")
    assert duplicate.status_code == 400 and "sku" in duplicate.json()
    bad_specs = client.post(PRODUCTS, {**payload, "sku": "X-1", "specs": [{"key": ""}]}, format="json")
    assert bad_specs.status_code == 400 and "specs" in bad_specs.json()


@pytest.mark.parametrize("role", [Role.SALES_REP, Role.PARTNER_REP, Role.CUSTOMER_USER])
def test_non_editors_cannot_write(role, boiler):
    organization = PartnerFactory() if role != Role.SALES_REP else None
    user = UserFactory(role=role, organization=organization)
    client = api(user)
    response = client.post(
        PRODUCTS, {"sku": "NEW-1", "name": "x", "product_line": boiler.product_line_id, "list_price": 1}, format="json"
    )
    assert response.status_code == 403
    assert client.patch(f"{PRODUCTS}{boiler.pk}/", {"name": "x"}, format="json", HTTP_IF_MATCH="*").status_code in {
        403,
        404,
    }
    assert not Product.objects.filter(sku="NEW-1").exists()
    boiler.refresh_from_db()
    assert boiler.name == "히트펌프 보일러 16kW"


def test_products_cannot_be_deleted(boiler, admin_user):
    assert api(admin_user).delete(f"{PRODUCTS}{boiler.pk}/", HTTP_IF_MATCH="*").status_code == 405


def test_foreign_ids_answer_404(partner_user_a, partner_b, sales_manager):
    planned = ProductFactory(status="planned")
    own_b = PriceListFactory(is_default=False, partner=partner_b)
    number_b = PartnerProductNumberFactory(partner=partner_b)
    client = api(partner_user_a)
    assert client.get(f"{PRODUCTS}{planned.pk}/").status_code == 404
    assert client.get(f"/api/v1/price-lists/{own_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/partner-product-numbers/{number_b.pk}/").status_code == 404
    assert client.get(f"{PRODUCTS}{planned.pk}/price/").status_code == 404
    assert client.get("/api/v1/partner-product-numbers/").json()["results"] == []

    # A partner account the sales manager cannot see, named in a body, is a 404 as well.
    response = api(sales_manager).post(
        "/api/v1/price-lists/",
        {"name": "몰래", "currency": "KRW", "valid_from": "2026-01-01", "partner": partner_b.pk},
        format="json",
    )
    assert response.status_code == 404


def test_price_action(partner_user_a, partner_b):
    product = ProductFactory(sku="SAC-OU-23K", list_price=Money(8_900_000, "KRW"))
    default = PriceListItemFactory(product=product, unit_price=Money(8_500_000, "KRW"))
    own = PriceListItemFactory(
        product=product,
        unit_price=Money(7_600_000, "KRW"),
        price_list=PriceListFactory(name="대한공조 전용", is_default=False, partner=partner_user_a.organization),
    )
    PriceTierFactory(item=own, min_quantity=10, unit_price=Money(7_200_000, "KRW"))
    foreign = PriceListFactory(is_default=False, partner=partner_b)
    PriceListItemFactory(product=product, price_list=foreign)
    client = api(partner_user_a)
    url = f"{PRODUCTS}{product.pk}/price/"

    body = client.get(url, {"quantity": 12}).json()
    assert body == {
        "product": product.pk,
        "sku": "SAC-OU-23K",
        "quantity": 12,
        "unit_price": "7200000",
        "currency": "KRW",
        "total": "86400000",
        "price_list": {"id": own.price_list_id, "name": "대한공조 전용"},
        "tier_applied": {"min_quantity": 10, "unit_price": "7200000"},
    }
    explicit = client.get(url, {"quantity": 1, "price_list": default.price_list_id}).json()
    assert explicit["unit_price"] == "8500000"
    assert client.get(url, {"price_list": foreign.pk}).status_code == 404
    assert client.get(url, {"quantity": 0}).status_code == 400
    future = client.get(url, {"price_list": default.price_list_id, "on_date": "2025-06-01"})
    assert future.status_code == 400 and "price_list" in future.json()
    # A partner cannot price as another partner.
    assert client.get(url, {"partner": partner_b.pk}).json()["price_list"]["id"] == own.price_list_id


def test_internal_price_for_a_partner(admin_user, partner_a):
    product = ProductFactory()
    own = PriceListItemFactory(
        product=product,
        price_list=PriceListFactory(is_default=False, partner=partner_a),
        unit_price=Money(1_000, "KRW"),
    )
    body = api(admin_user).get(f"{PRODUCTS}{product.pk}/price/", {"partner": partner_a.pk}).json()
    assert body["price_list"]["id"] == own.price_list_id and body["unit_price"] == "1000"


def test_validate_configuration_action(partner_user_a):
    product = ProductFactory(sku="RAC-WF-18", name="가정용 벽걸이 에어컨")
    group = OptionGroupFactory(product=product, name="설치 방식", required=True, min_selections=1, max_selections=1)
    std, wall = (
        OptionFactory(group=group, name="기본 설치", sku="STD"),
        OptionFactory(group=group, name="벽 타공", sku="WALL"),
    )
    indoor = ProductFactory(sku="SAC-IU-1", name="실내기")
    OptionRuleFactory(product=product, option=wall, kind="requires", target_product=indoor)
    client = api(partner_user_a)
    url = f"{PRODUCTS}{product.pk}/validate-configuration/"

    assert client.post(url, {"options": [std.pk]}, format="json").json() == {"valid": True, "errors": []}
    body = client.post(url, {"options": []}, format="json").json()
    assert body == {"valid": False, "errors": ["Choose an option in “설치 방식”."]}
    body = client.post(url, {"options": [wall.pk], "quote_products": []}, format="json").json()
    assert body["errors"] == ["벽 타공 (WALL) requires 실내기 (SAC-IU-1)."]
    assert client.post(url, {"options": [wall.pk], "quote_products": [indoor.pk]}, format="json").json()["valid"]
    assert client.post(url, {"options": ["x"]}, format="json").status_code == 400


def test_price_lists_nest_visible_items_and_tiers(partner_user_a):
    visible = ProductFactory(sku="AP-H-100")
    hidden = ProductFactory(sku="AP-H-200", status="planned")
    price_list = PriceListFactory(name="표준", valid_from=dt.date(2026, 1, 1))
    item = PriceListItemFactory(price_list=price_list, product=visible, unit_price=Money(890_000, "KRW"))
    PriceTierFactory(item=item, min_quantity=20, unit_price=Money(850_000, "KRW"))
    PriceListItemFactory(price_list=price_list, product=hidden)
    client = api(partner_user_a)

    listing = client.get("/api/v1/price-lists/").json()["results"]
    assert [row["name"] for row in listing] == ["표준"] and "items" not in listing[0]
    detail = client.get(f"/api/v1/price-lists/{price_list.pk}/")
    assert detail["ETag"] == f'"pricelist-{price_list.pk}-v1"'
    items = detail.json()["items"]
    assert items == [
        {
            "id": item.pk,
            "product": visible.pk,
            "sku": "AP-H-100",
            "product_name": visible.name,
            "unit_price": "890000",
            "tiers": [{"min_quantity": 20, "unit_price": "850000"}],
        }
    ]


def test_price_list_write_and_conflict(admin_user):
    client = api(admin_user)
    response = client.post(
        "/api/v1/price-lists/",
        {"name": "2026 실버", "currency": "KRW", "valid_from": "2026-01-01", "partner_tier": "silver"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    both = client.patch(
        f"/api/v1/price-lists/{pk}/", {"is_default": True}, format="json", HTTP_IF_MATCH=f'"pricelist-{pk}-v1"'
    )
    assert both.status_code == 400  # a tier list cannot also be the default
    ok = client.patch(
        f"/api/v1/price-lists/{pk}/", {"valid_to": "2026-12-31"}, format="json", HTTP_IF_MATCH=f'"pricelist-{pk}-v1"'
    )
    assert ok.status_code == 200 and ok.json()["valid_to"] == "2026-12-31"


def test_partner_product_numbers_api(admin_user, partner_a, partner_user_a):
    product = ProductFactory()
    client = api(admin_user)
    response = client.post(
        "/api/v1/partner-product-numbers/",
        {"partner": partner_a.pk, "product": product.pk, "partner_sku": "DH-77", "partner_name": "실외기"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert [
        row["partner_sku"] for row in api(partner_user_a).get("/api/v1/partner-product-numbers/").json()["results"]
    ] == ["DH-77"]
    assert (
        client.delete(
            f"/api/v1/partner-product-numbers/{pk}/", HTTP_IF_MATCH=f'"partnerproductnumber-{pk}-v1"'
        ).status_code
        == 204
    )


def test_product_lines_and_search(sales_rep):
    line = ProductLineFactory(code="HP", name="히트펌프 보일러")
    product = ProductFactory(sku="HP-B-16", name="히트펌프 보일러 16kW", product_line=line)
    ProductFactory(sku="AP-H-100", name="공기청정기")
    from forgecrm.platform.search import index_objects

    index_objects("product", Product.objects.select_related("product_line"))
    client = api(sales_rep)
    assert [row["code"] for row in client.get("/api/v1/product-lines/", {"code": "HP"}).json()["results"]] == ["HP"]
    assert [row["id"] for row in client.get(PRODUCTS, {"q": "히트펌프"}).json()["results"]] == [product.pk]


def test_amounts_keep_their_currency_minor_unit():
    from forgecrm.catalog.rest.serializers import amount_text

    assert amount_text(Money("7200000.00", "KRW")) == "7200000"
    assert amount_text(Money("6100.5", "USD")) == "6100.50"


def test_openapi_schema_describes_the_catalog(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/products/{id}/price/" in text and "/api/v1/products/{id}/validate-configuration/" in text
