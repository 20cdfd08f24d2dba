"""Price list pages: the list, the detail with its items and tiers (and their export), the forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.exports import Column, export_response
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError

from .. import operations, queries
from ..forms import PriceListFilterForm, PriceListForm, PriceListItemForm, TierFormSet
from ..models.price_lists import currency_amount
from ..policies import can_edit_catalog
from .editing import CatalogFormView, add_validation_error, changed_fields, expected_version

ITEM_SORTS = {"sku": "product__sku", "name": "product__name", "price": "unit_price"}


def _validity(price_list) -> str:
    end = price_list.valid_to.isoformat() if price_list.valid_to else "…"
    return f"{price_list.valid_from.isoformat()} – {end}"


class PriceListListView(ScopedListView):
    title = gettext_lazy("Price lists")
    row_template = "catalog/price_list_row.html"
    filter_form_class = PriceListFilterForm
    sorts = {"name": "name", "from": "valid_from", "currency": "currency"}
    default_sort = "name"
    export_name = "price-lists"

    def query(self, actor, filters):
        return queries.price_list_list_for(
            actor,
            assignment=filters.get("assignment", ""),
            valid_on=timezone.localdate() if filters.get("current") else None,
            text=filters.get("q", ""),
        )

    @property
    def create_url_name(self) -> str:  # type: ignore[override]
        return "catalog:price-list-create" if can_edit_catalog(self.request.user) else ""

    @property
    def headers(self):  # type: ignore[override]
        return [
            ("name", _("Price list")),
            ("", _("Assigned to")),
            ("currency", _("Currency")),
            ("from", _("Validity")),
            ("", _("Items")),
        ]

    @property
    def export_columns(self):  # type: ignore[override]
        return [
            Column(_("Price list"), lambda pl: pl.name),
            Column(_("Assignment"), lambda pl: pl.assignment_display),
            Column(_("Assigned to"), lambda pl: pl.assignment_label),
            Column(_("Currency"), lambda pl: pl.currency),
            Column(_("Valid from"), lambda pl: pl.valid_from),
            Column(_("Valid to"), lambda pl: pl.valid_to),
            Column(_("Items"), lambda pl: pl.item_count),
        ]


def _tiers_text(item) -> str:
    return "; ".join(f"≥{tier.min_quantity}: {currency_amount(tier.unit_price)}" for tier in item.tiers.all())


@login_required
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    price_list = queries.get_price_list_for(actor, pk)
    items = queries.price_list_items_for(actor, price_list)
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        columns = [
            Column(_("SKU"), lambda item: item.product.sku),
            Column(_("Product"), lambda item: item.product.name),
            Column(_("Unit"), lambda item: item.product.unit),
            Column(_("Currency"), lambda item: price_list.currency),
            Column(_("Unit price"), lambda item: currency_amount(item.unit_price)),
            Column(_("Volume tiers"), _tiers_text),
        ]
        rows = items.order_by("product__sku", "pk")[:100_000]
        return export_response(export, rows, columns, f"price-list-{price_list.pk}")
    sort = request.GET.get("sort", "sku")
    if sort.lstrip("-") not in ITEM_SORTS:
        sort = "sku"
    page = keyset_page(items, sort=sort, allowed=ITEM_SORTS, cursor=request.GET.get("cursor", ""), size=100)
    return render(
        request,
        "catalog/price_list_detail.html",
        {
            "price_list": price_list,
            "page": page,
            "sort": sort,
            "title": price_list.name,
            "current": price_list.is_valid_on(timezone.localdate()),
            "can_edit": can_edit_catalog(actor),
            "validity": _validity(price_list),
        },
    )


class PriceListFormView(CatalogFormView):
    wide_fields = ("description",)

    def load(self, request, pk: int | None = None, **kwargs) -> None:
        self.instance = queries.get_price_list_for(request.user, pk) if pk is not None else None

    def get_title(self):
        if self.instance is None:
            return _("New price list")
        return _("Edit %(name)s") % {"name": self.instance.name}

    def make_form(self, data=None, instance=None):
        return PriceListForm(data, instance=instance, partners=queries.partner_accounts_for(self.request.user))

    def save(self, form):
        actor = self.request.user
        names = ["name", "currency", "valid_from", "valid_to", "partner", "partner_tier", "segment", "is_default"]
        names.append("description")
        if self.instance is None:
            return operations.create_price_list(actor=actor, **changed_fields(form, names))
        return operations.update_price_list(
            actor=actor,
            price_list=self.instance,
            expected_version=expected_version(form),
            changes=changed_fields(form, names),
        )

    def success_url(self, saved) -> str:
        return reverse("catalog:price-list-detail", args=[saved.pk])

    def cancel_url(self) -> str:
        if self.instance is not None:
            return reverse("catalog:price-list-detail", args=[self.instance.pk])
        return reverse("catalog:price-list-list")


class PriceListItemFormView(CatalogFormView):
    """A product's price in a list with its volume tiers, edited together in one form."""

    template_name = "catalog/price_list_item_form.html"

    def load(self, request, list_pk: int | None = None, pk: int | None = None, **kwargs) -> None:
        if pk is not None:
            self.instance = queries.get_price_list_item_for(request.user, pk)
            self.price_list = self.instance.price_list
        else:
            self.price_list = queries.get_price_list_for(request.user, list_pk)

    def get_title(self):
        if self.instance is None:
            return _("Add a price to %(name)s") % {"name": self.price_list.name}
        return _("Price of %(sku)s in %(name)s") % {"sku": self.instance.product.sku, "name": self.price_list.name}

    def make_form(self, data=None, instance=None):
        initial = {}
        if instance is not None:
            initial = {
                "product": instance.product_id,
                "unit_price": currency_amount(instance.unit_price),
                "version": instance.version,
            }
        form = PriceListItemForm(
            data,
            initial=initial,
            products=queries.product_list_for(self.request.user),
            currency=self.price_list.currency,
            autocomplete_url=reverse("catalog:product-autocomplete"),
        )
        if instance is not None:
            form.fields["product"].disabled = True
        tier_initial = (
            [
                {"min_quantity": tier.min_quantity, "unit_price": currency_amount(tier.unit_price)}
                for tier in instance.tiers.all()
            ]
            if instance is not None
            else []
        )
        form.tiers = TierFormSet(data, initial=tier_initial, prefix="tiers")
        return form

    def extra_context(self, form) -> dict:
        return {"tiers": form.tiers, "price_list": self.price_list}

    def post(self, request, *args, **kwargs):
        form = self.make_form(data=request.POST, instance=self.instance)
        if form.is_valid() and form.tiers.is_valid():
            tiers = [
                (row["min_quantity"], row["unit_price"])
                for row in form.tiers.cleaned_data
                if row and row.get("min_quantity") is not None
            ]
            try:
                if self.instance is None:
                    saved = operations.create_price_list_item(
                        actor=request.user,
                        price_list=self.price_list,
                        product=form.cleaned_data["product"],
                        unit_price=form.cleaned_data["unit_price"],
                        tiers=tiers,
                    )
                else:
                    saved = operations.update_price_list_item(
                        actor=request.user,
                        item=self.instance,
                        expected_version=expected_version(form),
                        unit_price=form.cleaned_data["unit_price"],
                        tiers=tiers,
                    )
            except ConflictError as conflict:
                current = queries.get_price_list_item_for(request.user, conflict.current.pk)
                return self.render_form(self.make_form(instance=current), conflict=True, status=409)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "tiers" in error.error_dict:
                    form.add_error(None, error.error_dict.pop("tiers")[0])
                add_validation_error(form, error)
            else:
                return HttpResponseRedirect(self.success_url(saved))
        return self.render_form(form)

    def success_url(self, saved) -> str:
        return reverse("catalog:price-list-detail", args=[self.price_list.pk])

    def cancel_url(self) -> str:
        return reverse("catalog:price-list-detail", args=[self.price_list.pk])


@login_required
@require_POST
def delete_price_list_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_price_list_item_for(request.user, pk)
    if not can_edit_catalog(request.user):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    try:
        operations.delete_price_list_item(actor=request.user, item=item, expected_version=version)
    except ConflictError:
        messages.warning(request, _("Someone else changed this price; it was not deleted. Check it and try again."))
    return HttpResponseRedirect(reverse("catalog:price-list-detail", args=[item.price_list_id]))
