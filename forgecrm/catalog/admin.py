"""The back office for administrators. Every save and delete goes through the catalog's operations,
so the same validation, edit rights, search indexing and outbox events apply as on the pages and the API."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import operations
from .models import (
    Option,
    OptionGroup,
    OptionRule,
    PartnerProductNumber,
    PriceList,
    PriceListItem,
    PriceTier,
    Product,
    ProductLine,
)
from .policies import can_edit_catalog

Create = Callable[..., models.Model]
Update = Callable[[Any, models.Model, int | None, dict], models.Model]
Delete = Callable[[Any, models.Model, int | None], None]


def _update_item(actor, item, version, changes):
    return operations.update_price_list_item(
        actor=actor, item=item, expected_version=version, unit_price=changes.get("unit_price", item.unit_price)
    )


# model -> (create(actor=, **fields), update(actor, obj, version, changes), delete(actor, obj, version) or None:
# products, lines and price lists are retired by status or validity dates, never deleted)
OPERATIONS: dict[type[models.Model], tuple[Create, Update, Delete | None]] = {
    ProductLine: (
        operations.create_product_line,
        lambda a, o, v, c: operations.update_product_line(actor=a, product_line=o, expected_version=v, changes=c),
        None,
    ),
    Product: (
        operations.create_product,
        lambda a, o, v, c: operations.update_product(actor=a, product=o, expected_version=v, changes=c),
        None,
    ),
    OptionGroup: (
        operations.create_option_group,
        lambda a, o, v, c: operations.update_option_group(actor=a, option_group=o, expected_version=v, changes=c),
        lambda a, o, v: operations.delete_option_group(actor=a, option_group=o, expected_version=v),
    ),
    Option: (
        operations.create_option,
        lambda a, o, v, c: operations.update_option(actor=a, option=o, expected_version=v, changes=c),
        lambda a, o, v: operations.delete_option(actor=a, option=o, expected_version=v),
    ),
    OptionRule: (
        operations.create_option_rule,
        lambda a, o, v, c: operations.update_option_rule(actor=a, option_rule=o, expected_version=v, changes=c),
        lambda a, o, v: operations.delete_option_rule(actor=a, option_rule=o, expected_version=v),
    ),
    PriceList: (
        operations.create_price_list,
        lambda a, o, v, c: operations.update_price_list(actor=a, price_list=o, expected_version=v, changes=c),
        None,
    ),
    PriceListItem: (
        operations.create_price_list_item,
        _update_item,
        lambda a, o, v: operations.delete_price_list_item(actor=a, item=o, expected_version=v),
    ),
    PriceTier: (
        operations.create_price_tier,
        lambda a, o, v, c: operations.update_price_tier(actor=a, price_tier=o, expected_version=v, changes=c),
        lambda a, o, v: operations.delete_price_tier(actor=a, price_tier=o, expected_version=v),
    ),
    PartnerProductNumber: (
        operations.create_partner_product_number,
        lambda a, o, v, c: operations.update_partner_product_number(
            actor=a, partner_product_number=o, expected_version=v, changes=c
        ),
        lambda a, o, v: operations.delete_partner_product_number(actor=a, partner_product_number=o, expected_version=v),
    ),
}

SKIPPED = {"id", "version", "DELETE", "created_at", "updated_at", "created_by", "updated_by"}


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the administrator opened, so a concurrent change is refused, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if self.instance.pk and version is not None:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            if current and current[0] != version:
                raise forms.ValidationError(
                    _("Someone else saved this record while you were editing. Reload it and apply your change again."),
                    code="stale_version",
                )
        return cleaned


def _model_fields(form: forms.ModelForm, names) -> dict[str, Any]:
    concrete = {field.name for field in form._meta.model._meta.concrete_fields}
    return {
        name: form.cleaned_data[name]
        for name in names
        if name in concrete and name not in SKIPPED and not name.endswith("_currency")
    }


def _save(actor, form: forms.ModelForm, obj: models.Model, extra: dict | None = None) -> models.Model:
    create, update, _delete = OPERATIONS[type(obj)]
    version = form.cleaned_data.get("version")
    if obj.pk and not obj._state.adding:
        saved = update(
            actor, type(obj)._default_manager.get(pk=obj.pk), version, _model_fields(form, form.changed_data)
        )
    else:
        saved = create(actor=actor, **{**_model_fields(form, form.cleaned_data), **(extra or {})})
    obj.pk, obj.version = saved.pk, saved.version  # type: ignore[attr-defined]
    obj._state.adding = False
    return saved


class OperationsAdminMixin:
    form = VersionedAdminForm

    def has_add_permission(self, request, *args) -> bool:
        return can_edit_catalog(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_edit_catalog(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_edit_catalog(request.user) and OPERATIONS[self.model][2] is not None

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


class CatalogInline(OperationsAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class CatalogAdmin(OperationsAdminMixin, SimpleHistoryAdmin):
    readonly_fields = ("created_at", "updated_at", "created_by", "updated_by")

    def save_model(self, request, obj, form, change):
        _save(request.user, form, obj)

    def delete_model(self, request, obj):
        delete = OPERATIONS[type(obj)][2]
        if delete is not None:
            delete(request.user, obj, None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # fills new/changed/deleted_objects for the change message; saves nothing
        parent = {formset.fk.name: formset.instance}
        for inline_form in formset.deleted_forms:
            delete = OPERATIONS[formset.model][2]
            if inline_form.instance.pk and delete is not None:
                delete(request.user, inline_form.instance, inline_form.cleaned_data.get("version"))
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            _save(request.user, inline_form, inline_form.instance, extra=None if inline_form.instance.pk else parent)


class OptionGroupInline(CatalogInline):
    model = OptionGroup
    fields = ["name", "name_en", "min_selections", "max_selections", "required", "position", "version"]


class OptionInline(CatalogInline):
    model = Option
    fields = ["sku", "name", "name_en", "price_delta", "is_default", "is_active", "position", "version"]


class OptionRuleInline(CatalogInline):
    model = OptionRule
    fk_name = "product"
    fields = ["option", "kind", "target_option", "target_product", "version"]
    raw_id_fields = ["option", "target_option", "target_product"]


class PartnerProductNumberInline(CatalogInline):
    model = PartnerProductNumber
    fields = ["partner", "partner_sku", "partner_name", "version"]
    raw_id_fields = ["partner"]


class PriceListItemInline(CatalogInline):
    model = PriceListItem
    fields = ["product", "unit_price", "version"]
    raw_id_fields = ["product"]


class PriceTierInline(CatalogInline):
    model = PriceTier
    fields = ["min_quantity", "unit_price", "version"]


@admin.register(ProductLine)
class ProductLineAdmin(CatalogAdmin):
    list_display = ["code", "name", "name_en", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ["sku", "name", "product_line", "status", "unit", "list_price"]
    list_filter = ["status", "product_line", "unit"]
    search_fields = ["sku", "name", "name_en"]
    list_select_related = ["product_line"]
    inlines = [OptionGroupInline, OptionRuleInline, PartnerProductNumberInline]


@admin.register(OptionGroup)
class OptionGroupAdmin(CatalogAdmin):
    list_display = ["name", "product", "min_selections", "max_selections", "required"]
    search_fields = ["name", "product__sku", "product__name"]
    raw_id_fields = ["product"]
    list_select_related = ["product"]
    inlines = [OptionInline]


@admin.register(PriceList)
class PriceListAdmin(CatalogAdmin):
    list_display = ["name", "currency", "valid_from", "valid_to", "partner", "partner_tier", "segment", "is_default"]
    list_filter = ["currency", "is_default", "partner_tier"]
    search_fields = ["name", "segment", "partner__name"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]
    inlines = [PriceListItemInline]


@admin.register(PriceListItem)
class PriceListItemAdmin(CatalogAdmin):
    list_display = ["price_list", "product", "unit_price"]
    search_fields = ["product__sku", "price_list__name"]
    raw_id_fields = ["price_list", "product"]
    list_select_related = ["price_list", "product"]
    inlines = [PriceTierInline]


@admin.register(PartnerProductNumber)
class PartnerProductNumberAdmin(CatalogAdmin):
    list_display = ["partner_sku", "partner_name", "partner", "product"]
    search_fields = ["partner_sku", "partner_name", "partner__name", "product__sku"]
    raw_id_fields = ["partner", "product"]
    list_select_related = ["partner", "product"]
