"""Editing a product's option groups, options, rules and partner product numbers (catalog editors only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.platform.access import scope_for
from forgecrm.platform.versioning import ConflictError

from .. import operations, queries
from ..forms import OptionForm, OptionGroupForm, OptionRuleForm, PartnerProductNumberForm
from ..models import Option, Product
from ..policies import can_edit_catalog
from .editing import CatalogFormView, changed_fields, expected_version


def _detail_url(product_id: int, anchor: str = "") -> str:
    return reverse("catalog:product-detail", args=[product_id]) + (f"#{anchor}" if anchor else "")


class OptionGroupFormView(CatalogFormView):
    def load(self, request, product_pk: int | None = None, pk: int | None = None, **kwargs) -> None:
        if pk is not None:
            self.instance = queries.get_option_group_for(request.user, pk)
            self.product = self.instance.product
        else:
            self.product = queries.get_product_for(request.user, product_pk)

    def get_title(self):
        if self.instance is None:
            return _("New option group for %(product)s") % {"product": self.product.name}
        return _("Edit option group %(name)s") % {"name": self.instance.name}

    def make_form(self, data=None, instance=None):
        return OptionGroupForm(data, instance=instance)

    def save(self, form):
        actor = self.request.user
        if self.instance is None:
            fields = {name: form.cleaned_data[name] for name in OptionGroupForm.Meta.fields}
            return operations.create_option_group(actor=actor, product=self.product, **fields)
        return operations.update_option_group(
            actor=actor,
            option_group=self.instance,
            expected_version=expected_version(form),
            changes=changed_fields(form),
        )

    def success_url(self, saved) -> str:
        return _detail_url(self.product.pk, "options")

    def cancel_url(self) -> str:
        return _detail_url(self.product.pk, "options")


class OptionFormView(CatalogFormView):
    def load(self, request, group_pk: int | None = None, pk: int | None = None, **kwargs) -> None:
        if pk is not None:
            self.instance = queries.get_option_for(request.user, pk)
            self.group = self.instance.group
        else:
            self.group = queries.get_option_group_for(request.user, group_pk)

    def get_title(self):
        if self.instance is None:
            return _("New option in %(group)s") % {"group": self.group.name}
        return _("Edit option %(name)s") % {"name": self.instance.name}

    def make_form(self, data=None, instance=None):
        return OptionForm(data, instance=instance)

    def save(self, form):
        actor = self.request.user
        if self.instance is None:
            fields = {name: form.cleaned_data[name] for name in [*OptionForm.Meta.fields, "price_delta"]}
            return operations.create_option(actor=actor, group=self.group, **fields)
        return operations.update_option(
            actor=actor, option=self.instance, expected_version=expected_version(form), changes=changed_fields(form)
        )

    def success_url(self, saved) -> str:
        return _detail_url(self.group.product_id, "options")

    def cancel_url(self) -> str:
        return _detail_url(self.group.product_id, "options")


class OptionRuleFormView(CatalogFormView):
    def load(self, request, product_pk: int | None = None, **kwargs) -> None:
        self.product = queries.get_product_for(request.user, product_pk)

    def get_title(self):
        return _("New rule for %(product)s") % {"product": self.product.name}

    def make_form(self, data=None, instance=None):
        actor = self.request.user
        options = scope_for(actor, Option).filter(group__product=self.product).select_related("group")
        products = scope_for(actor, Product).exclude(pk=self.product.pk).order_by("sku")
        return OptionRuleForm(data, options=options, products=products)

    def save(self, form):
        data = form.cleaned_data
        return operations.create_option_rule(
            actor=self.request.user,
            product=self.product,
            kind=data["kind"],
            option=data.get("option"),
            target_option=data.get("target_option"),
            target_product=data.get("target_product"),
        )

    def success_url(self, saved) -> str:
        return _detail_url(self.product.pk, "rules")

    def cancel_url(self) -> str:
        return _detail_url(self.product.pk, "rules")


class PartnerProductNumberFormView(CatalogFormView):
    def load(self, request, product_pk: int | None = None, pk: int | None = None, **kwargs) -> None:
        if pk is not None:
            self.instance = queries.get_partner_product_number_for(request.user, pk)
            self.product = self.instance.product
        else:
            self.product = queries.get_product_for(request.user, product_pk)

    def get_title(self):
        if self.instance is None:
            return _("New partner product number for %(sku)s") % {"sku": self.product.sku}
        return _("Edit partner product number %(number)s") % {"number": self.instance.partner_sku}

    def make_form(self, data=None, instance=None):
        return PartnerProductNumberForm(
            data, instance=instance, partners=queries.partner_accounts_for(self.request.user)
        )

    def save(self, form):
        actor, data = self.request.user, form.cleaned_data
        if self.instance is None:
            return operations.create_partner_product_number(
                actor=actor,
                partner=data["partner"],
                product=self.product,
                partner_sku=data["partner_sku"],
                partner_name=data["partner_name"],
            )
        changes = changed_fields(form)
        changes.pop("partner", None)
        return operations.update_partner_product_number(
            actor=actor, partner_product_number=self.instance, expected_version=expected_version(form), changes=changes
        )

    def success_url(self, saved) -> str:
        return _detail_url(self.product.pk, "partner-numbers")

    def cancel_url(self) -> str:
        return _detail_url(self.product.pk, "partner-numbers")


DELETERS = {
    "option-group": (queries.get_option_group_for, operations.delete_option_group, "option_group", "options"),
    "option": (queries.get_option_for, operations.delete_option, "option", "options"),
    "rule": (queries.get_option_rule_for, operations.delete_option_rule, "option_rule", "rules"),
    "partner-number": (
        queries.get_partner_product_number_for,
        operations.delete_partner_product_number,
        "partner_product_number",
        "partner-numbers",
    ),
}


def _product_id(record) -> int:
    if hasattr(record, "product_id"):
        return record.product_id
    return record.group.product_id


@login_required
@require_POST
def delete_product_part(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Remove an option group, option, rule or partner number; a stale version is refused, not applied."""
    if kind not in DELETERS:
        raise PermissionDenied
    fetch, delete, argument, anchor = DELETERS[kind]
    record = fetch(request.user, pk)
    if not can_edit_catalog(request.user):
        raise PermissionDenied
    product_id = _product_id(record)
    try:
        version = int(request.POST["version"]) if request.POST.get("version") else None
    except ValueError:
        version = None
    try:
        delete(actor=request.user, expected_version=version, **{argument: record})
    except ConflictError:
        messages.warning(request, _("Someone else changed this record; it was not deleted. Check it and try again."))
    return HttpResponseRedirect(_detail_url(product_id, anchor))
