"""Product pages: the list (filters, sorts, keyset pages, export), the detail, the forms, a price check."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.platform.access import principal_for
from forgecrm.platform.exports import Column
from forgecrm.platform.ui.listing import ScopedListView

from .. import operations, queries
from ..forms import ProductFilterForm, ProductForm, specs_to_text
from ..models import LifecycleStatus
from ..policies import SELLABLE_STATUSES, can_edit_catalog, sees_cost
from .editing import CatalogFormView, changed_fields, expected_version


def _amount(money) -> Any:
    return money.amount if money is not None else None


class ProductListView(ScopedListView):
    title = gettext_lazy("Products")
    template_name = "catalog/product_list.html"
    row_template = "catalog/product_row.html"
    filter_form_class = ProductFilterForm
    sorts = {
        "sku": "sku",
        "name": "name",
        "line": "product_line__name",
        "price": "list_price",
        "updated": "updated_at",
    }
    default_sort = "sku"
    export_name = "products"

    def filters(self):
        actor = self.request.user
        statuses = None
        if not principal_for(actor).is_internal:
            statuses = [(value, label) for value, label in LifecycleStatus.choices if value in SELLABLE_STATUSES]
        form = ProductFilterForm(
            self.request.GET or None, product_lines=queries.product_line_list_for(actor), statuses=statuses
        )
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        return queries.product_list_for(
            actor,
            product_line=filters.get("product_line"),
            status=filters.get("status", ""),
            text=filters.get("q", ""),
        )

    @property
    def create_url_name(self) -> str:  # type: ignore[override]
        return "catalog:product-create" if can_edit_catalog(self.request.user) else ""

    @property
    def export_columns(self) -> list[Column]:  # type: ignore[override]
        columns = [
            Column(_("SKU"), lambda p: p.sku),
            Column(_("Product name"), lambda p: p.name),
            Column(_("English name"), lambda p: p.name_en),
            Column(_("Product line"), lambda p: p.product_line.name),
            Column(_("Unit"), lambda p: p.unit),
            Column(_("Lifecycle status"), lambda p: p.get_status_display()),
            Column(_("List price (KRW)"), lambda p: _amount(p.list_price)),
            Column(_("Specifications"), lambda p: specs_to_text(p.specs).replace("\n", "; ")),
        ]
        if sees_cost(self.request.user):
            columns.append(Column(_("Standard cost (KRW)"), lambda p: _amount(p.standard_cost)))
        if principal_for(self.request.user).is_partner:
            columns.append(
                Column(_("Your product number"), lambda p: ", ".join(n.partner_sku for n in p.visible_partner_numbers))
            )
        return columns

    @property
    def headers(self) -> list[tuple[str, str]]:  # type: ignore[override]
        headers = [
            ("sku", _("SKU")),
            ("name", _("Product name")),
            ("line", _("Product line")),
            ("", _("Status")),
            ("price", _("List price")),
        ]
        if sees_cost(self.request.user):
            headers.append(("", _("Standard cost")))
        return headers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(show_cost=sees_cost(self.request.user), can_edit=can_edit_catalog(self.request.user))
        return context


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = queries.product_detail_for(request.user, pk)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "detail": detail,
            "product": detail.product,
            "title": detail.product.name,
            "can_edit": can_edit_catalog(request.user),
        },
    )


@login_required
def product_price(request: HttpRequest, pk: int) -> HttpResponse:
    """The price check on the product page: quantity (and list) in, unit price, tier and total out."""
    product = queries.get_product_for(request.user, pk)
    error, quote = "", None
    try:
        quantity = int(request.GET.get("quantity", "1"))
    except ValueError:
        quantity = 0
    price_list = None
    if request.GET.get("price_list"):
        price_list = queries.get_price_list_for(request.user, request.GET["price_list"])
    if quantity < 1 or quantity > 1_000_000:
        error = _("Enter a quantity between 1 and 1,000,000.")
    else:
        try:
            quote = queries.price_for_actor(request.user, product=product, quantity=quantity, price_list=price_list)
        except queries.NoPriceError as no_price:
            error = str(no_price)
    return render(
        request,
        "catalog/product_price.html",
        {"product": product, "quote": quote, "error": error, "quantity": quantity},
    )


@login_required
def product_autocomplete(request: HttpRequest) -> JsonResponse:
    """Products the actor may see whose SKU or name matches `q` (for the price list item form)."""
    text = request.GET.get("q", "").strip()[:100]
    products = queries.product_list_for(request.user, text=text) if text else queries.product_list_for(request.user)
    rows = products.order_by("sku")[:20]
    return JsonResponse({"results": [{"id": product.pk, "text": str(product)} for product in rows]})


class ProductFormView(CatalogFormView):
    wide_fields = ("specs", "description")

    def load(self, request, pk: int | None = None, **kwargs) -> None:
        self.instance = queries.get_product_for(request.user, pk) if pk is not None else None

    def get_title(self):
        if self.instance is None:
            return _("New product")
        return _("Edit %(sku)s") % {"sku": self.instance.sku}

    def make_form(self, data=None, instance=None):
        return ProductForm(data, instance=instance, product_lines=queries.product_line_list_for(self.request.user))

    def save(self, form):
        actor = self.request.user
        if self.instance is None:
            data = form.cleaned_data
            return operations.create_product(
                actor=actor,
                sku=data["sku"],
                name=data["name"],
                name_en=data["name_en"],
                product_line=data["product_line"],
                unit=data["unit"],
                status=data["status"],
                specs=data["specs"],
                description=data["description"],
                list_price=data["list_price"],
                standard_cost=data.get("standard_cost"),
            )
        return operations.update_product(
            actor=actor, product=self.instance, expected_version=expected_version(form), changes=changed_fields(form)
        )

    def success_url(self, saved) -> str:
        return reverse("catalog:product-detail", args=[saved.pk])

    def cancel_url(self) -> str:
        if self.instance is not None:
            return reverse("catalog:product-detail", args=[self.instance.pk])
        return reverse("catalog:product-list")
