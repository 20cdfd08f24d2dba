"""Headquarters' deal registration pages: the list (filters, CSV/XLSX export), the detail with its products,
conflicts and history, and the channel manager's decisions (approve, reject) and the won / lost report.
Partner users have their own pages in the partner portal: these answer them 403."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.customers.models import Account
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.exports import Column
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Opportunity

from ..forms.registrations import (
    ApproveRegistrationForm,
    CloseRegistrationForm,
    DecideConflictForm,
    RegistrationFilterForm,
    RejectRegistrationForm,
)
from ..operations import registrations as operations
from ..operations.conflicts import REASON_LABELS
from ..queries import registrations as queries


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def require_internal(request: HttpRequest) -> None:
    if not principal_for(request.user).is_internal:
        raise PermissionDenied


def _text(label) -> str:
    return cast(str, label)


class RegistrationListView(ScopedListView):
    title = _text(gettext_lazy("Deal registrations"))
    template_name = "sales/list.html"
    row_template = "partners/registrations/row.html"
    filter_form_class = RegistrationFilterForm
    hidden_on_phone = (1, 4, 5, 6)
    sorts = {
        "number": "number",
        "submitted": "submitted_at",
        "exclusive": "exclusive_until",
        "close": "expected_close_date",
    }
    default_sort = "-number"
    export_name = "deal-registrations"
    headers = [
        ("number", _text(gettext_lazy("Registration number"))),
        ("", _text(gettext_lazy("Partner"))),
        ("", _text(gettext_lazy("Customer"))),
        ("", _text(gettext_lazy("Status"))),
        ("", _text(gettext_lazy("Expected amount"))),
        ("close", _text(gettext_lazy("Expected close date"))),
        ("exclusive", _text(gettext_lazy("Exclusive until"))),
    ]
    export_columns = [
        Column(_text(gettext_lazy("Registration number")), lambda row: row.number),
        Column(_text(gettext_lazy("Partner")), lambda row: row.partner.name),
        Column(_text(gettext_lazy("Customer")), lambda row: row.customer_name),
        Column(_text(gettext_lazy("Business registration number")), lambda row: row.customer_brn),
        Column(_text(gettext_lazy("시/도")), lambda row: row.sido),
        Column(_text(gettext_lazy("Product line")), lambda row: row.product_line.name if row.product_line else ""),
        Column(_text(gettext_lazy("Status")), lambda row: row.get_status_display()),
        Column(_text(gettext_lazy("Expected amount")), lambda row: row.expected_amount.amount),
        Column(_text(gettext_lazy("Expected close date")), lambda row: row.expected_close_date),
        Column(_text(gettext_lazy("Submitted at")), lambda row: row.submitted_at),
        Column(_text(gettext_lazy("Exclusive until")), lambda row: row.exclusive_until),
        Column(_text(gettext_lazy("Open conflicts")), lambda row: getattr(row, "open_conflicts", 0)),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_internal(request)
        return super().dispatch(request, *args, **kwargs)

    def filters(self):
        partners = scope_for(self.request.user, Account)
        form = RegistrationFilterForm(self.request.GET or None, partners=partners)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [], False)}
        return form, {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = self.hidden_on_phone
        return context

    def query(self, actor, filters):
        return queries.registrations_for(actor, filters)


def _open_opportunities(actor, registration):
    rows = scope_for(actor, Opportunity).filter(stage__is_won=False, stage__is_lost=False)
    if registration.account_id:
        return rows.filter(account_id=registration.account_id).order_by("name")
    return rows.none()


@login_required
def registration_detail(request: HttpRequest, pk: int, *, bound=None, status: int = 200) -> HttpResponse:
    require_internal(request)
    detail = queries.registration_detail_for(request.user, pk)
    registration, user = detail.registration, request.user
    bound = bound or {}
    can_decide = user.has_perm("partners.decide_dealregistration", registration)
    initial = {"version": registration.version}
    context = {
        "title": registration.number,
        "detail": detail,
        "registration": registration,
        "can_decide": can_decide,
        "can_close": user.has_perm("partners.close_dealregistration", registration),
        "can_decide_conflicts": user.has_perm("partners.decide_channelconflict"),
        "approve_form": bound.get("approve")
        or ApproveRegistrationForm(initial=initial, opportunities=_open_opportunities(user, registration)),
        "reject_form": bound.get("reject") or RejectRegistrationForm(initial=initial),
        "close_form": CloseRegistrationForm(initial=initial),
        "conflict_form": DecideConflictForm(),
        "reason_labels": REASON_LABELS,
    }
    return render(request, "partners/registrations/detail.html", context, status=status)


def _decide(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    require_internal(request)
    registration = queries.get_registration_for(request.user, pk)
    permission = "partners.close_dealregistration" if name == "close" else "partners.decide_dealregistration"
    if not request.user.has_perm(permission, registration):
        raise PermissionDenied
    form: forms.Form
    if name == "approve":
        form = ApproveRegistrationForm(request.POST, opportunities=_open_opportunities(request.user, registration))
    elif name == "reject":
        form = RejectRegistrationForm(request.POST)
    else:
        form = CloseRegistrationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if name == "approve":
                operations.approve_deal_registration(
                    actor=_actor(request),
                    registration=registration,
                    expected_version=data["version"],
                    note=data["note"],
                    days=data["days"],
                    opportunity=data["opportunity"],
                    create_opportunity=data["create_opportunity"],
                )
                messages.success(request, _("Registration approved."))
            elif name == "reject":
                operations.reject_deal_registration(
                    actor=_actor(request),
                    registration=registration,
                    expected_version=data["version"],
                    reason=data["reason"],
                )
                messages.success(request, _("Registration rejected."))
            else:
                operations.close_deal_registration(
                    actor=_actor(request),
                    registration=registration,
                    expected_version=data["version"],
                    won=data["outcome"] == "won",
                    note=data["note"],
                )
                messages.success(request, _("Result recorded."))
        except ConflictError:
            messages.error(
                request, _("Someone else changed this registration in the meantime: check it and try again.")
            )
            return redirect("partners:registration-detail", pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            return redirect("partners:registration-detail", pk)
    return registration_detail(request, pk, bound={name: form}, status=400)


@login_required
@require_POST
def registration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@login_required
@require_POST
def registration_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "close")
