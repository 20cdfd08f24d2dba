"""The back office writes through operations: edit rights, versions, search indexing and events apply there too."""

import pytest
from django.urls import reverse

from forgecrm.catalog.models import OptionGroup, Product
from forgecrm.platform.models import OutboxEvent, SearchDocument

from .factories import ProductFactory, ProductLineFactory

pytestmark = pytest.mark.django_db


def _inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_creates_a_product_with_an_option_group_through_operations(client, admin_user):
    line = ProductLineFactory(name="공기청정기")
    client.force_login(admin_user)
    data = {
        "sku": "AP-H-100",
        "name": "공기청정기 100㎡",
        "name_en": "",
        "product_line": line.pk,
        "unit": "EA",
        "status": "active",
        "specs": "[]",
        "description": "<p>헤파 필터</p><script>x()</script>",
        "list_price_0": "890000",
        "list_price_1": "KRW",
        "standard_cost_0": "410000",
        "standard_cost_1": "KRW",
        "source": "",
        "external_id": "",
        **_inline_management("option_groups", total=1),
        "option_groups-0-name": "필터 옵션",
        "option_groups-0-min_selections": "0",
        "option_groups-0-max_selections": "1",
        "option_groups-0-position": "0",
        **_inline_management("option_rules"),
        **_inline_management("partner_numbers"),
    }
    response = client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    product = Product.objects.get(sku="AP-H-100")
    assert product.created_by == admin_user and "<script" not in product.description
    assert OptionGroup.objects.get(product=product).created_by == admin_user
    assert SearchDocument.objects.filter(entity="product", object_id=product.pk).exists()
    assert OutboxEvent.objects.filter(event_type="ProductCreated", payload__sku="AP-H-100").exists()


def test_admin_change_with_a_stale_version_is_refused(client, admin_user):
    product = ProductFactory(sku="HP-B-16", name="히트펌프 보일러")
    product.version = 3
    product.save()
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = {
        "sku": "HP-B-16",
        "name": "덮어쓰기",
        "product_line": product.product_line_id,
        "unit": "EA",
        "status": "active",
        "specs": "[]",
        "description": "",
        "list_price_0": "6400000",
        "list_price_1": "KRW",
        "standard_cost_0": "",
        "standard_cost_1": "KRW",
        "version": "2",
        **_inline_management("option_groups"),
        **_inline_management("option_rules"),
        **_inline_management("partner_numbers"),
    }
    response = client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 200 and "Someone else saved this record" in response.content.decode()
    product.refresh_from_db()
    assert product.name == "히트펌프 보일러"


def test_products_cannot_be_deleted_in_the_admin(client, admin_user):
    product = ProductFactory()
    client.force_login(admin_user)
    assert client.get(reverse("admin:catalog_product_delete", args=[product.pk])).status_code == 403
