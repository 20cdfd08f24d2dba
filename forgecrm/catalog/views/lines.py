"""Product line pages: the list and the form."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.platform.ui.listing import ScopedListView

from .. import operations, queries
from ..forms import ProductLineForm
from ..policies import can_edit_catalog
from .editing import CatalogFormView, changed_fields, expected_version


class ProductLineListView(ScopedListView):
    title = gettext_lazy("Product lines")
    row_template = "catalog/product_line_row.html"
    sorts = {"name": "name", "code": "code"}
    default_sort = "name"

    def query(self, actor, filters):
        return queries.product_line_list_for(actor)

    @property
    def create_url_name(self) -> str:  # type: ignore[override]
        return "catalog:product-line-create" if can_edit_catalog(self.request.user) else ""

    @property
    def headers(self):  # type: ignore[override]
        return [("code", _("Code")), ("name", _("Product line")), ("", _("Products")), ("", _("Status"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can_edit_catalog(self.request.user)
        return context


class ProductLineFormView(CatalogFormView):
    wide_fields = ("description",)

    def load(self, request, pk: int | None = None, **kwargs) -> None:
        self.instance = queries.get_product_line_for(request.user, pk) if pk is not None else None

    def get_title(self):
        if self.instance is None:
            return _("New product line")
        return _("Edit %(name)s") % {"name": self.instance.name}

    def make_form(self, data=None, instance=None):
        return ProductLineForm(data, instance=instance)

    def save(self, form):
        actor = self.request.user
        if self.instance is None:
            return operations.create_product_line(actor=actor, **changed_fields(form, ProductLineForm.Meta.fields))
        return operations.update_product_line(
            actor=actor,
            product_line=self.instance,
            expected_version=expected_version(form),
            changes=changed_fields(form),
        )

    def success_url(self, saved) -> str:
        return reverse("catalog:product-line-list")

    def cancel_url(self) -> str:
        return reverse("catalog:product-line-list")
