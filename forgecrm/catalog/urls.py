from django.urls import path, re_path

from .views import lines, options, price_lists, products

app_name = "catalog"

urlpatterns = [
    path("products/", products.ProductListView.as_view(), name="product-list"),
    path("products/new/", products.ProductFormView.as_view(), name="product-create"),
    path("products/autocomplete/", products.product_autocomplete, name="product-autocomplete"),
    path("products/<int:pk>/", products.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", products.ProductFormView.as_view(), name="product-edit"),
    path("products/<int:pk>/price/", products.product_price, name="product-price"),
    path(
        "products/<int:product_pk>/option-groups/new/",
        options.OptionGroupFormView.as_view(),
        name="option-group-create",
    ),
    path("option-groups/<int:pk>/edit/", options.OptionGroupFormView.as_view(), name="option-group-edit"),
    path("option-groups/<int:group_pk>/options/new/", options.OptionFormView.as_view(), name="option-create"),
    path("options/<int:pk>/edit/", options.OptionFormView.as_view(), name="option-edit"),
    path("products/<int:product_pk>/rules/new/", options.OptionRuleFormView.as_view(), name="rule-create"),
    path(
        "products/<int:product_pk>/partner-numbers/new/",
        options.PartnerProductNumberFormView.as_view(),
        name="partner-number-create",
    ),
    path(
        "partner-numbers/<int:pk>/edit/",
        options.PartnerProductNumberFormView.as_view(),
        name="partner-number-edit",
    ),
    re_path(
        r"^(?P<kind>option-group|option|rule|partner-number)/(?P<pk>[0-9]+)/delete/$",
        options.delete_product_part,
        name="product-part-delete",
    ),
    path("lines/", lines.ProductLineListView.as_view(), name="product-line-list"),
    path("lines/new/", lines.ProductLineFormView.as_view(), name="product-line-create"),
    path("lines/<int:pk>/edit/", lines.ProductLineFormView.as_view(), name="product-line-edit"),
    path("price-lists/", price_lists.PriceListListView.as_view(), name="price-list-list"),
    path("price-lists/new/", price_lists.PriceListFormView.as_view(), name="price-list-create"),
    path("price-lists/<int:pk>/", price_lists.price_list_detail, name="price-list-detail"),
    path("price-lists/<int:pk>/edit/", price_lists.PriceListFormView.as_view(), name="price-list-edit"),
    path(
        "price-lists/<int:list_pk>/items/new/",
        price_lists.PriceListItemFormView.as_view(),
        name="price-list-item-create",
    ),
    path("price-list-items/<int:pk>/edit/", price_lists.PriceListItemFormView.as_view(), name="price-list-item-edit"),
    path(
        "price-list-items/<int:pk>/delete/",
        price_lists.delete_price_list_item,
        name="price-list-item-delete",
    ),
]
