"""Opportunity pages: list (filters, keyset pages, CSV/XLSX), detail, create/edit, lines and competitors.
Each parses input, resolves the actor and the scoped record, calls one operation or query, renders."""

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import principal_for
from forgecrm.platform.exports import Column
from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.opportunities import (
    MoveForm,
    OpportunityCompetitorForm,
    OpportunityFilterForm,
    OpportunityForm,
    OpportunityLineForm,
)
from ..models import Opportunity, OpportunityCompetitor
from ..operations import opportunities as operations
from ..operations import opportunity_competitors as competitor_operations
from ..operations import opportunity_lines as line_operations
from ..queries import opportunities as queries

# Lazy labels typed as the str the platform's list and export classes declare.
lazy = cast("Callable[[str], str]", gettext_lazy)


def acting(request) -> User:
    """The signed-in user of a view behind `login_required` (or an authenticated API view)."""
    return cast(User, request.user)


def _require(request: HttpRequest, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


class OpportunityListView(ScopedListView):
    title = lazy("Opportunities")
    template_name = "sales/opportunities/list.html"
    row_template = "sales/opportunities/row.html"
    sorts = {
        "name": "name",
        "close": "close_date",
        "amount": "amount",
        "updated": "updated_at",
        "stage": "stage__order",
    }
    default_sort = "close"
    headers = [
        ("name", lazy("name")),
        ("stage", lazy("stage")),
        ("amount", lazy("amount")),
        ("close", lazy("close date")),
        ("", lazy("owner")),
        ("", lazy("next step")),
    ]
    hidden_on_phone = (4, 5)
    export_name = "opportunities"
    export_columns = [
        Column("ID", lambda o: o.pk),
        Column(capfirst(lazy("name")), lambda o: o.name),
        Column(capfirst(lazy("account")), lambda o: o.account.name if o.account_visible else ""),
        Column(capfirst(lazy("stage")), lambda o: str(o.stage)),
        Column(capfirst(lazy("probability (%)")), lambda o: o.probability),
        Column(capfirst(lazy("amount")), lambda o: o.amount.amount),
        Column(capfirst(lazy("currency")), lambda o: str(o.amount.currency)),
        Column(capfirst(lazy("forecast category")), lambda o: o.get_forecast_category_display()),
        Column(capfirst(lazy("close date")), lambda o: o.close_date),
        Column(capfirst(lazy("product line")), lambda o: str(o.product_line or "")),
        Column(capfirst(lazy("owner")), lambda o: str(o.owner)),
        Column(capfirst(lazy("partner")), lambda o: str(o.partner or "")),
        Column(capfirst(lazy("next step")), lambda o: o.next_step),
        Column(capfirst(lazy("next step date")), lambda o: o.next_step_date),
        Column(capfirst(lazy("win/loss reason")), lambda o: o.get_win_loss_reason_display()),
        Column(capfirst(lazy("closed at")), lambda o: o.closed_at),
        Column(capfirst(lazy("created at")), lambda o: o.created_at),
        Column(capfirst(lazy("updated at")), lambda o: o.updated_at),
    ]

    def filters(self):
        form = OpportunityFilterForm(self.request.GET or None, actor=acting(self.request))
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [], False)}
        return form, {}

    def query(self, actor, filters):
        return queries.opportunity_list_for(actor, filters)

    def get(self, request, *args, **kwargs):
        if not principal_for(request.user).is_internal:
            # the manufacturer's forecast fields stay internal
            hidden = {capfirst(lazy("probability (%)")), capfirst(lazy("forecast category"))}
            self.export_columns = [column for column in self.export_columns if column.header not in hidden]
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queries.mark_flags(context["page"].rows)
        user = self.request.user
        context["create_url_name"] = "sales:opportunity-create" if user.has_perm("sales.add_opportunity") else ""
        context["hidden_on_phone"] = self.hidden_on_phone
        context["internal"] = principal_for(user).is_internal
        return context


@login_required
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = queries.opportunity_detail_for(request.user, pk)
    opportunity = view.opportunity
    can_change = request.user.has_perm("sales.change_opportunity", opportunity)
    move_form = MoveForm(actor=acting(request), initial={"stage": opportunity.stage_id, "version": opportunity.version})
    return render(
        request,
        "sales/opportunities/detail.html",
        {
            "title": opportunity.name,
            "view": view,
            "opportunity": opportunity,
            "can_change": can_change,
            "can_quote": request.user.has_perm("sales.add_quote", opportunity),
            "can_change_lines": can_change and not opportunity.stage.is_closed,
            "can_change_competitors": can_change and principal_for(request.user).is_internal,
            "move_form": move_form,
            "lines_total": sum((line.amount.amount for line in view.lines), 0),
        },
    )


def _render_form(request, form, *, title, cancel_url, conflict=False, status=200):
    return render(
        request,
        "platform/form.html",
        {
            "title": title,
            "form": form,
            "conflict": conflict,
            "cancel_url": cancel_url,
            "wide_fields": {"description", "name", "options", "notes"},
        },
        status=status,
    )


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    _require(request, "sales.add_opportunity")
    title, cancel = _("New opportunity"), reverse("sales:opportunity-list")
    if request.method != "POST":
        initial = {key: request.GET[key] for key in ("account",) if request.GET.get(key, "").isdigit()}
        return _render_form(
            request, OpportunityForm(actor=acting(request), initial=initial), title=title, cancel_url=cancel
        )
    form = OpportunityForm(request.POST, actor=acting(request))
    if not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    try:
        opportunity = operations.create_opportunity(actor=acting(request), **form.values())
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Opportunity %(name)s created.") % {"name": opportunity.name})
    return redirect("sales:opportunity-detail", opportunity.pk)


@login_required
def opportunity_update(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity_for(request.user, pk)
    _require(request, "sales.change_opportunity", opportunity)
    title = _("Edit %(name)s") % {"name": opportunity.name}
    cancel = reverse("sales:opportunity-detail", args=[opportunity.pk])
    if request.method != "POST":
        form = OpportunityForm(instance=opportunity, actor=acting(request))
        return _render_form(request, form, title=title, cancel_url=cancel)
    form = OpportunityForm(request.POST, instance=opportunity, actor=acting(request))
    if not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    try:
        opportunity = operations.update_opportunity(
            actor=acting(request),
            opportunity=opportunity,
            expected_version=form.cleaned_data["version"],
            **form.values(),
        )
    except ConflictError as conflict:
        current = OpportunityForm(instance=conflict.current, actor=acting(request))
        return _render_form(request, current, title=title, cancel_url=cancel, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Opportunity %(name)s saved.") % {"name": opportunity.name})
    return redirect("sales:opportunity-detail", opportunity.pk)


# --- lines ---------------------------------------------------------------------------------------------------


def _line_values(form) -> dict:
    data = form.cleaned_data
    values = {
        "quantity": data["quantity"],
        "options": list(data.get("options") or []),
        "price_list": data.get("price_list"),
    }
    if data.get("discount_percent") is not None:
        values["discount_percent"] = data["discount_percent"]
    return values


@login_required
def opportunity_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity_for(request.user, pk)
    _require(request, "sales.change_opportunity", opportunity)
    title = _("Add a product to %(name)s") % {"name": opportunity.name}
    cancel = reverse("sales:opportunity-detail", args=[opportunity.pk])
    data = request.POST if request.method == "POST" else None
    form = OpportunityLineForm(data, actor=acting(request), initial={"quantity": 1})
    if data is None or not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400 if data else 200)
    try:
        line_operations.add_opportunity_line(
            actor=acting(request), opportunity=opportunity, product=form.cleaned_data["product"], **_line_values(form)
        )
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Product added."))
    return redirect("sales:opportunity-detail", opportunity.pk)


@login_required
def opportunity_line_update(request: HttpRequest, pk: int) -> HttpResponse:
    line = queries.get_opportunity_line_for(request.user, pk)
    _require(request, "sales.change_opportunity", line.opportunity)
    title = _("Edit %(product)s") % {"product": line.product}
    cancel = reverse("sales:opportunity-detail", args=[line.opportunity_id])
    data = request.POST if request.method == "POST" else None
    form = OpportunityLineForm(data, instance=line, actor=acting(request))
    if data is None or not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400 if data else 200)
    try:
        line_operations.update_opportunity_line(
            actor=acting(request), line=line, expected_version=form.cleaned_data["version"], **_line_values(form)
        )
    except ConflictError as conflict:
        current = OpportunityLineForm(instance=conflict.current, actor=acting(request))
        return _render_form(request, current, title=title, cancel_url=cancel, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Line saved."))
    return redirect("sales:opportunity-detail", line.opportunity_id)


@login_required
@require_POST
def opportunity_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = queries.get_opportunity_line_for(request.user, pk)
    _require(request, "sales.change_opportunity", line.opportunity)
    try:
        line_operations.remove_opportunity_line(actor=acting(request), line=line)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Line removed."))
    return redirect("sales:opportunity-detail", line.opportunity_id)


# --- competitors (internal only) -----------------------------------------------------------------------------


def _require_competitors(request: HttpRequest, opportunity: Opportunity) -> None:
    if not principal_for(request.user).is_internal:
        raise PermissionDenied
    _require(request, "sales.change_opportunity", opportunity)


@login_required
def opportunity_competitor_create(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity_for(request.user, pk)
    _require_competitors(request, opportunity)
    title = _("Add a competitor to %(name)s") % {"name": opportunity.name}
    cancel = reverse("sales:opportunity-detail", args=[opportunity.pk])
    data = request.POST if request.method == "POST" else None
    form = OpportunityCompetitorForm(data, actor=acting(request))
    if data is None or not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400 if data else 200)
    try:
        competitor_operations.add_opportunity_competitor(
            actor=acting(request), opportunity=opportunity, **form.values()
        )
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Competitor added."))
    return redirect("sales:opportunity-detail", opportunity.pk)


@login_required
def opportunity_competitor_update(request: HttpRequest, pk: int) -> HttpResponse:
    row: OpportunityCompetitor = queries.get_opportunity_competitor_for(request.user, pk)
    _require_competitors(request, row.opportunity)
    title = _("Edit %(competitor)s") % {"competitor": row}
    cancel = reverse("sales:opportunity-detail", args=[row.opportunity_id])
    data = request.POST if request.method == "POST" else None
    form = OpportunityCompetitorForm(data, instance=row, actor=acting(request))
    if data is None or not form.is_valid():
        return _render_form(request, form, title=title, cancel_url=cancel, status=400 if data else 200)
    try:
        competitor_operations.update_opportunity_competitor(
            actor=acting(request), row=row, expected_version=form.cleaned_data["version"], **form.values()
        )
    except ConflictError as conflict:
        current = OpportunityCompetitorForm(instance=conflict.current, actor=acting(request))
        return _render_form(request, current, title=title, cancel_url=cancel, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, title=title, cancel_url=cancel, status=400)
    messages.success(request, _("Competitor saved."))
    return redirect("sales:opportunity-detail", row.opportunity_id)


@login_required
@require_POST
def opportunity_competitor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.get_opportunity_competitor_for(request.user, pk)
    _require_competitors(request, row.opportunity)
    competitor_operations.remove_opportunity_competitor(actor=acting(request), row=row)
    messages.success(request, _("Competitor removed."))
    return redirect("sales:opportunity-detail", row.opportunity_id)
