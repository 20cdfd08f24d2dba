"""Commission pages: statements (list with CSV export, detail with lines, approve, paid, PDF), computing a
period's statements (a Celery task), and the plans."""

from typing import Any, cast

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
from forgecrm.platform.access.predicates import is_admin
from forgecrm.platform.exports import Column
from forgecrm.platform.models import User
from forgecrm.platform.pdf import pdf_response, render_pdf
from forgecrm.platform.ui.charts import Series, category_chart
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.commissions import CommissionPlanForm, StatementFilterForm
from ..operations.commissions import (
    approve_commission_statement,
    create_commission_plan,
    mark_commission_statement_paid,
    update_commission_plan,
)
from ..queries import commissions as queries
from ..queries.planning import parse_period, planning_people_for
from ..tasks import compute_commission_statements_task


def _internal_only(request: HttpRequest) -> None:
    if not principal_for(request.user).is_internal:
        raise PermissionDenied


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


def _header(text: str) -> str:
    """A column header translated when the export is written (a lazy string; typed as the str it becomes)."""
    return cast(str, capfirst(gettext_lazy(text)))


class StatementListView(ScopedListView):
    title: Any = gettext_lazy("Commission statements")
    template_name = "sales/commissions/statement_list.html"
    row_template = "sales/commissions/statement_row.html"
    filter_form_class = StatementFilterForm
    sorts = {"period": "period_start", "total": "total", "updated": "updated_at"}
    default_sort = "-period"
    headers: Any = [
        ("", gettext_lazy("rep")),
        ("period", gettext_lazy("period")),
        ("", gettext_lazy("commission plan")),
        ("", gettext_lazy("attainment (%)")),
        ("total", gettext_lazy("commission")),
        ("", gettext_lazy("status")),
    ]
    export_name = "commission-statements"
    export_columns: Any = [
        Column("ID", lambda s: s.pk),
        Column(_header("rep"), lambda s: str(s.user)),
        Column(_header("commission plan"), lambda s: s.plan.name),
        Column(_header("period"), lambda s: s.get_period_kind_display()),
        Column(_header("period start"), lambda s: s.period_start),
        Column(_header("quota"), lambda s: s.quota.amount),
        Column(_header("attained"), lambda s: s.attained.amount),
        Column(_header("attainment (%)"), lambda s: s.attainment_percent),
        Column(_header("commission"), lambda s: s.total.amount),
        Column(_header("currency"), lambda s: s.total.currency.code),
        Column(_header("status"), lambda s: s.get_status_display()),
        Column(_header("approved by"), lambda s: str(s.approved_by or "")),
        Column(_header("approved at"), lambda s: s.approved_at),
        Column(_header("paid at"), lambda s: s.paid_at),
        Column(_header("note"), lambda s: s.note),
    ]

    def get(self, request, *args, **kwargs):
        _internal_only(request)
        return super().get(request, *args, **kwargs)

    def query(self, actor, filters):
        return queries.statement_list_for(actor, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_compute"] = user.has_perm("sales.manage_sales_settings")
        context["compute_period"] = parse_period(None, default_kind="month")
        return context


@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = queries.get_statement_for(request.user, pk)
    lines = list(statement.lines.all())
    user = request.user
    figure = category_chart(
        _("Attainment against quota"),
        [_("Quota"), _("Attained")],
        [Series(_("Amount"), [statement.quota.amount, statement.attained.amount])],
        value_format="money",
        height="sm",
    )
    return render(
        request,
        "sales/commissions/statement_detail.html",
        {
            "title": _("Commission statement"),
            "statement": statement,
            "lines": lines,
            "figure": figure,
            "can_approve": statement.status in ("draft", "submitted")
            and user.has_perm("sales.approve_commissionstatement", statement),
            "can_pay": statement.status == "approved" and is_admin(user),
        },
    )


def _statement_action(request: HttpRequest, pk: int, operation, done: str) -> HttpResponse:
    _internal_only(request)
    statement = queries.get_statement_for(request.user, pk)
    try:
        version = int(request.POST.get("version") or statement.version)
    except ValueError:
        version = statement.version
    try:
        operation(actor=cast(User, request.user), statement=statement, expected_version=version)
    except ConflictError:
        messages.warning(request, _("Someone else changed this statement meanwhile; check it and try again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:commission-detail", statement.pk)
    else:
        messages.success(request, done)
    return redirect("sales:commission-detail", statement.pk)


@login_required
@require_POST
def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_action(
        request, pk, approve_commission_statement, _("Statement approved; its figures are now frozen.")
    )


@login_required
@require_POST
def statement_paid(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_action(request, pk, mark_commission_statement_paid, _("Payment recorded."))


@login_required
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement as a PDF, in the reader's language or `?lang=ko|en`."""
    statement = queries.get_statement_for(request.user, pk)
    language = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "ko")
    language = language if language in ("ko", "en") else "ko"
    pdf = render_pdf(
        "sales/commissions/statement_pdf.html",
        {
            "statement": statement,
            "lines": list(statement.lines.all()),
            "document_title": "",
            "document_number": f"CS-{statement.pk:06d}",
        },
        language=language,
    )
    name = f"{statement.user} {statement.period_start:%Y-%m} CS-{statement.pk:06d}"
    return pdf_response(pdf, name)


@login_required
@require_POST
def statement_compute(request: HttpRequest) -> HttpResponse:
    """Compute (or recompute) the statements of a period for the actor's reporting line (administrators: all);
    the work runs as a Celery task. Approved and paid statements are left as they are."""
    _internal_only(request)
    if not request.user.has_perm("sales.manage_sales_settings"):
        raise PermissionDenied
    month = request.POST.get("month", "")  # the page's <input type="month">: "2026-03"
    period = parse_period(f"month:{month}-01" if month else request.POST.get("period"), default_kind="month")
    user_ids = None if is_admin(request.user) else [person.pk for person in planning_people_for(request.user)]
    compute_commission_statements_task.delay(period.kind, period.start.isoformat(), user_ids)
    messages.success(
        request, _("Statements for %(period)s are being computed; reload in a moment.") % {"period": period.label}
    )
    return redirect(
        reverse("sales:commission-list") + f"?period_kind={period.kind}&period_start={period.start:%Y-%m-%d}"
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    plans = list(queries.plan_list_for(request.user))
    context = {
        "title": _("Commission plans"),
        "plans": plans,
        "can_create": request.user.has_perm("sales.add_commissionplan"),
    }
    return render(request, "sales/commissions/plan_list.html", context)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for(request.user, pk)
    return render(
        request,
        "sales/commissions/plan_detail.html",
        {
            "title": plan.name,
            "plan": plan,
            "rates": list(plan.rates.all()),
            "tiers": list(plan.tiers.all()),
            "assignments": list(plan.assignments.all()),
            "can_change": request.user.has_perm("sales.change_commissionplan", plan),
        },
    )


def _plan_form_page(request, form, *, title, cancel_url, conflict=False, status=200) -> HttpResponse:
    context = {"title": title, "form": form, "cancel_url": cancel_url, "conflict": conflict}
    return render(request, "sales/commissions/plan_form.html", context, status=status)


def _plan_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    if not request.user.has_perm("sales.add_commissionplan"):
        raise PermissionDenied
    lines = queries.plan_product_lines_for(request.user)
    form = CommissionPlanForm(request.POST or None, product_lines=lines)
    title, cancel = _("New commission plan"), reverse("sales:commission-plan-list")
    if request.method == "POST" and form.is_valid():
        try:
            plan = create_commission_plan(
                actor=_user(request), **form.plan_fields(), rates=form.rates, tiers=form.tiers
            )
        except ValidationError as error:
            _plan_errors(form, error)
        else:
            messages.success(request, _("Commission plan %(name)s created.") % {"name": plan.name})
            return redirect("sales:commission-plan-detail", plan.pk)
    return _plan_form_page(request, form, title=title, cancel_url=cancel, status=400 if form.is_bound else 200)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for(request.user, pk)
    if not request.user.has_perm("sales.change_commissionplan", plan):
        raise PermissionDenied
    rates, tiers = list(plan.rates.all()), list(plan.tiers.all())
    initial: dict[str, Any] = {
        "version": plan.version,
        **{name: getattr(plan, name) for name in ("name", "period_kind", "base_rate_percent", "valid_from")},
        **{name: getattr(plan, name) for name in ("valid_to", "is_active", "description")},
    }
    for rate in rates:
        initial[f"rate_{rate.product_line_id or 'default'}"] = rate.rate_percent
    for index, tier in enumerate(tiers):
        initial[f"tier_from_{index}"], initial[f"tier_multiplier_{index}"] = (
            tier.attainment_from_percent,
            tier.multiplier,
        )
    lines = queries.plan_product_lines_for(request.user)
    form = CommissionPlanForm(request.POST or None, product_lines=lines, tier_rows=len(tiers), initial=initial)
    title, cancel = _("Edit %(name)s") % {"name": plan.name}, reverse("sales:commission-plan-detail", args=[plan.pk])
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            plan = update_commission_plan(
                actor=_user(request),
                plan=plan,
                expected_version=form.cleaned_data.get("version"),
                changes=form.plan_fields(),
                rates=form.rates if form.cleaned_data.get("table") else None,
                tiers=form.tiers if form.cleaned_data.get("table") else None,
            )
        except ConflictError:
            conflict = True
            form.add_error(None, _("Someone else changed this plan meanwhile. Reload it and apply your change again."))
        except ValidationError as error:
            _plan_errors(form, error)
        else:
            messages.success(request, _("Commission plan %(name)s saved.") % {"name": plan.name})
            return redirect("sales:commission-plan-detail", plan.pk)
    status = 409 if conflict else (400 if form.is_bound else 200)
    return _plan_form_page(request, form, title=title, cancel_url=cancel, conflict=conflict, status=status)
