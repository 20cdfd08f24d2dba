"""Headquarters' MDF pages: the period's budget per partner (with a chart), allocating, the request list (CSV),
a request with its decision, claim review with proof downloads and payment, and the MDF return per partner."""

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import principal_for
from forgecrm.platform.exports import Column
from forgecrm.platform.models import User
from forgecrm.platform.ui.charts import Series, category_chart
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.funds import (
    AllocationChangeForm,
    AllocationForm,
    ApproveForm,
    MdfRequestFilterForm,
    NoteForm,
    PaymentForm,
    ReasonForm,
)
from ..models import MdfRequestStatus
from ..operations import funds as ops
from ..queries import funds as queries

S = MdfRequestStatus


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _internal_only(request: HttpRequest) -> None:
    """These are headquarters' pages; partners work their funds in the partner portal."""
    if not principal_for(request.user).is_internal:
        raise PermissionDenied


def _header(text: str) -> str:
    return cast(str, capfirst(gettext_lazy(text)))


# --- the budget ------------------------------------------------------------------------------------------------


@login_required
def allocations(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    period = queries.period_of(request.GET.get("period"))
    rows = queries.mdf_budget_for(request.user, period)
    labels = [row.allocation.partner.name for row in rows]
    figure = category_chart(
        _("Allocated, committed and paid per partner"),
        labels,
        [
            Series(_("Allocated"), [row.allocation.amount.amount for row in rows]),
            Series(_("Committed"), [row.allocation.committed.amount for row in rows]),
            Series(_("Paid"), [row.allocation.paid.amount for row in rows]),
        ],
        category_label=_("Partner"),
        horizontal=len(rows) > 6,
        value_format="money",
        height="lg" if len(rows) > 12 else "md",
    )
    can_allocate = request.user.has_perm("partners.allocate_mdf")
    form = _allocation_form(request, period) if can_allocate else None
    totals = {
        "allocated": sum((row.allocation.amount.amount for row in rows), Decimal(0)),
        "committed": sum((row.allocation.committed.amount for row in rows), Decimal(0)),
        "paid": sum((row.allocation.paid.amount for row in rows), Decimal(0)),
        "remaining": sum((row.remaining for row in rows), Decimal(0)),
    }
    return render(
        request,
        "partners/mdf/allocations.html",
        {
            "title": _("MDF budget"),
            "period": period,
            "periods": queries.recent_periods(),
            "rows": rows,
            "totals": totals,
            "figure": figure,
            "form": form,
            "can_allocate": can_allocate,
        },
    )


def _allocation_form(request: HttpRequest, period, data=None) -> AllocationForm:
    periods = [(item.key, item.label) for item in queries.recent_periods()]
    return AllocationForm(
        data,
        partners=queries.mdf_partner_choices_for(request.user),
        periods=periods,
        initial={"period": period.key},
    )


@login_required
@require_POST
def allocate(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    if not request.user.has_perm("partners.allocate_mdf"):
        raise PermissionDenied
    form = _allocation_form(request, queries.period_of(request.POST.get("period")), request.POST)
    if form.is_valid():
        period = queries.period_of(form.cleaned_data["period"])
        try:
            allocation = ops.allocate_mdf(
                actor=_actor(request),
                partner=form.cleaned_data["partner"],
                period_kind=period.kind,
                period_start=period.start,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Budget for %(partner)s set.") % {"partner": allocation.partner.name})
        return redirect(reverse("partners:mdf-allocations") + f"?period={period.key}")
    messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("partners:mdf-allocations")


@login_required
@require_POST
def allocation_change(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    allocation = queries.get_mdf_allocation_for(request.user, pk)
    if not request.user.has_perm("partners.allocate_mdf"):
        raise PermissionDenied
    form = AllocationChangeForm(request.POST)
    target = (
        reverse("partners:mdf-allocations") + f"?period={allocation.period_kind}:{allocation.period_start:%Y-%m-%d}"
    )
    if not form.is_valid():
        messages.error(request, _("Enter an amount."))
        return redirect(target)
    try:
        ops.change_mdf_allocation(
            actor=_actor(request),
            allocation=allocation,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"] or None,
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError:
        messages.warning(request, _("Someone else changed this budget meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Budget for %(partner)s set.") % {"partner": allocation.partner.name})
    return redirect(target)


# --- requests --------------------------------------------------------------------------------------------------


class MdfRequestListView(ScopedListView):
    hidden_on_phone = (1, 2, 4)
    title: Any = gettext_lazy("MDF requests")
    template_name = "partners/mdf/request_list.html"
    row_template = "partners/mdf/request_row.html"
    filter_form_class = MdfRequestFilterForm
    sorts = {"number": "number", "starts": "planned_start", "requested": "requested_amount", "updated": "updated_at"}
    default_sort = "-updated"
    headers: Any = [
        ("number", _header("number")),
        ("", gettext_lazy("Partner")),
        ("starts", gettext_lazy("Activity")),
        ("requested", gettext_lazy("Requested")),
        ("", gettext_lazy("Approved")),
        ("", gettext_lazy("Status")),
    ]
    export_name = "mdf-requests"
    export_columns: Any = [
        Column("ID", lambda r: r.pk),
        Column(_header("number"), lambda r: r.number),
        Column(_header("partner"), lambda r: r.partner.name),
        Column(_header("activity"), lambda r: r.campaign_name),
        Column(_header("activity type"), lambda r: r.get_activity_type_display()),
        Column(_header("starts"), lambda r: r.planned_start),
        Column(_header("ends"), lambda r: r.planned_end),
        Column(_header("planned cost"), lambda r: r.planned_cost.amount),
        Column(_header("requested amount"), lambda r: r.requested_amount.amount),
        Column(_header("approved amount"), lambda r: r.approved_amount.amount),
        Column(_header("currency"), lambda r: r.currency),
        Column(_header("expected leads"), lambda r: r.expected_leads),
        Column(_header("status"), lambda r: r.get_status_display()),
        Column(_header("submitted at"), lambda r: r.submitted_at),
        Column(_header("decided at"), lambda r: r.decided_at),
        Column(_header("decision note"), lambda r: r.decision_note),
    ]

    def get(self, request, *args, **kwargs):
        _internal_only(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = self.hidden_on_phone
        return context

    def query(self, actor, filters):
        return queries.mdf_requests_for(actor, filters)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _internal_only(request)
    view = queries.mdf_request_detail_for(request.user, pk)
    mdf, user = view.request, request.user
    decides = user.has_perm("partners.decide_mdf", mdf)
    return render(
        request,
        "partners/mdf/request_detail.html",
        {
            "title": mdf.number,
            "view": view,
            "mdf": mdf,
            "can_decide": decides and mdf.status == S.SUBMITTED,
            "can_review_claim": decides and mdf.status == S.CLAIMED,
            "can_pay": mdf.status == S.CLAIM_APPROVED and user.has_perm("partners.pay_mdf", mdf),
            "can_cancel": ops.may_cancel(user, mdf),
            "approve_form": ApproveForm(
                initial={"version": mdf.version, "approved_amount": mdf.requested_amount.amount}
            ),
            "reason_form": ReasonForm(initial={"version": mdf.version}),
            "note_form": NoteForm(initial={"version": mdf.version}),
            "payment_form": PaymentForm(initial={"version": mdf.version}),
        },
    )


def _decide(request: HttpRequest, pk: int, form_class, run, done: str) -> HttpResponse:
    _internal_only(request)
    mdf = queries.get_mdf_request_for(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("partners:mdf-request-detail", mdf.pk)
    try:
        run(mdf, form.cleaned_data)
    except ConflictError:
        messages.warning(request, _("Someone else changed this request meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("partners:mdf-request-detail", mdf.pk)


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.approve_mdf_request(
            actor=_actor(request),
            request=mdf,
            amount=data["approved_amount"],
            note=data["note"],
            expected_version=data["version"],
        )

    return _decide(request, pk, ApproveForm, run, _("Request approved; the amount is committed from the budget."))


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.reject_mdf_request(
            actor=_actor(request), request=mdf, reason=data["reason"], expected_version=data["version"]
        )

    return _decide(request, pk, ReasonForm, run, _("Request rejected."))


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.cancel_mdf_request(actor=_actor(request), request=mdf, note=data["note"], expected_version=data["version"])

    return _decide(request, pk, NoteForm, run, _("Request cancelled; its commitment went back to the budget."))


@login_required
@require_POST
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.approve_mdf_claim(actor=_actor(request), request=mdf, note=data["note"], expected_version=data["version"])

    return _decide(request, pk, NoteForm, run, _("Claim approved; it can be paid now."))


@login_required
@require_POST
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.reject_mdf_claim(
            actor=_actor(request), request=mdf, reason=data["reason"], expected_version=data["version"]
        )

    return _decide(request, pk, ReasonForm, run, _("Claim sent back to the partner."))


@login_required
@require_POST
def request_pay(request: HttpRequest, pk: int) -> HttpResponse:
    def run(mdf, data):
        ops.mark_mdf_paid(
            actor=_actor(request),
            request=mdf,
            payment_reference=data["payment_reference"],
            expected_version=data["version"],
        )

    return _decide(request, pk, PaymentForm, run, _("Payment recorded."))


@login_required
def proof_download(request: HttpRequest, pk: int) -> FileResponse:
    """A proof file, only through the scope of its claim's partner; never rendered inline."""
    proof = queries.get_mdf_proof_for(request.user, pk)
    try:
        handle = proof.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=proof.original_name, content_type=proof.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- return on MDF ---------------------------------------------------------------------------------------------


@login_required
def roi(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    period = queries.period_of(request.GET.get("period"))
    rows = queries.mdf_roi_for(request.user, None, period)
    figure = category_chart(
        _("Won business and MDF paid per partner"),
        [row.partner_name for row in rows],
        [Series(_("MDF paid"), [row.spent for row in rows]), Series(_("Won amount"), [row.won_amount for row in rows])],
        category_label=_("Partner"),
        horizontal=len(rows) > 6,
        value_format="money",
    )
    return render(
        request,
        "partners/mdf/roi.html",
        {
            "title": _("MDF return"),
            "period": period,
            "periods": queries.recent_periods(),
            "rows": rows,
            "figure": figure,
        },
    )
