"""What makes catalog rows findable in the global search.

Partner product numbers are their own entity (not words of the product's document) so that a partner
searching for another partner's number finds nothing: each number is filtered by its own access scope.
"""

from django.urls import reverse

from forgecrm.platform.search import SearchSource, register_search_source

from .models import PartnerProductNumber, Product


def _product_document(product: Product) -> list[str]:
    return [product.sku, product.name, product.name_en, product.product_line.name, product.product_line.name_en]


def _number_document(number: PartnerProductNumber) -> list[str]:
    return [number.partner_sku, number.partner_name]


register_search_source(
    SearchSource(
        entity="product",
        model=Product,
        document=_product_document,
        title=lambda product: f"{product.sku} · {product.name}",
        subtitle=lambda product: f"{product.product_line.name} · {product.get_status_display()}",
        url=lambda product: reverse("catalog:product-detail", args=[product.pk]),
        select_related=("product_line",),
    )
)

register_search_source(
    SearchSource(
        entity="partner_product",
        model=PartnerProductNumber,
        document=_number_document,
        title=lambda number: f"{number.partner_sku} → {number.product.sku}",
        subtitle=lambda number: f"{number.partner.name} · {number.product.name}",
        url=lambda number: reverse("catalog:product-detail", args=[number.product_id]),
        select_related=("product", "partner"),
    )
)
