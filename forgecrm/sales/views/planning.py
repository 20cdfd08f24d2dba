"""Quota and forecast pages: the quota grid (people × periods, versioned cells), attainment, the rep's forecast,
the manager's roll-up with adjustments kept apart, and forecast vs actual history."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from forgecrm.catalog.queries import product_line_list_for
from forgecrm.platform.access import get_for_or_404, principal_for
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.models import Role, Team, Territory, User
from forgecrm.platform.ui.charts import Series, category_chart
from forgecrm.platform.versioning import ConflictError

from ..forms.planning import AdjustmentForm, ForecastForm, QuotaGridFilterForm
from ..models import ForecastSubmission
from ..models.planning import PeriodKind
from ..operations.planning import adjust_forecast, save_forecast, set_quota
from ..queries import planning as queries

TARGET_MODELS = {"user": User, "team": Team, "territory": Territory}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


def _viewed_person(request: HttpRequest) -> User:
    """`?user=<id>`: someone in the actor's reporting line (404 otherwise); the actor without it."""
    try:
        return (
            queries.get_person_for(request.user, int(request.GET["user"]))
            if request.GET.get("user")
            else _user(request)
        )
    except ValueError:
        return _user(request)


def _forecast_initial(submission: Any) -> dict[str, Any]:
    return {
        "pipeline": submission.pipeline.amount,
        "best_case": submission.best_case.amount,
        "commit": submission.commit.amount,
        "closed": submission.closed.amount,
        "note": submission.note,
        "version": submission.version,
    }


def _internal_only(request: HttpRequest) -> None:
    """Quotas, forecasts and commissions follow the reporting line: nothing for partner or customer users."""
    if not principal_for(request.user).is_internal:
        raise PermissionDenied


def _period(request: HttpRequest) -> queries.Period:
    return queries.parse_period(request.GET.get("period") or request.POST.get("period"))


# --- quotas ----------------------------------------------------------------------------------------------------


def _parse_amount(raw: str) -> Decimal | None:
    text = (raw or "").replace(",", "").replace("₩", "").strip()
    if not text:
        return None
    amount = Decimal(text)
    if amount < 0 or amount != amount.to_integral_value():
        raise InvalidOperation
    return amount


@login_required
def quota_grid(request: HttpRequest) -> HttpResponse:
    """GET: the grid. POST: the changed cells, each with the version it showed; stale cells are conflicts."""
    _internal_only(request)
    product_lines = product_line_list_for(request.user)
    source = request.POST if request.method == "POST" else request.GET
    form = QuotaGridFilterForm(source or None, product_lines=product_lines)
    kind, year, product_line = form.values()
    results: dict[str, Any] = {"saved": 0, "conflicts": [], "errors": []}
    if request.method == "POST":
        results = _save_quota_cells(request, product_line)
        if not results["conflicts"] and not results["errors"]:
            if results["saved"]:
                messages.success(request, _("%(count)d quotas saved.") % {"count": results["saved"]})
            query = f"?kind={kind}&year={year}" + (f"&product_line={product_line.pk}" if product_line else "")
            return redirect(reverse("sales:quota-grid") + query)
    grid = queries.quota_grid_for(request.user, period_kind=kind, year=year, product_line=product_line)
    status = 409 if results["conflicts"] else 400 if results["errors"] else 200
    return render(
        request,
        "sales/planning/quota_grid.html",
        {
            "title": _("Quotas"),
            "form": form,
            "grid": grid,
            "results": results,
            "conflict_keys": {item["key"] for item in results["conflicts"]},
            "error_keys": {item["key"] for item in results["errors"]},
            "previous_year": year - 1,
            "next_year": year + 1,
        },
        status=status,
    )


def _save_quota_cells(request: HttpRequest, product_line) -> dict[str, Any]:
    """One set_quota per changed cell (the form posts parallel lists: kind, target, period_start, amount,
    version, original). Cells that were not changed are not written, so an untouched cell never conflicts."""
    post = request.POST
    kinds, targets, starts = post.getlist("kind_of"), post.getlist("target"), post.getlist("period_start")
    amounts, versions = post.getlist("amount"), post.getlist("version")
    originals = post.getlist("original")
    saved, conflicts, errors = 0, [], []
    for index, (kind, target_id, start) in enumerate(zip(kinds, targets, starts, strict=False)):
        raw = amounts[index] if index < len(amounts) else ""
        original = originals[index] if index < len(originals) else None
        version_raw = versions[index] if index < len(versions) else ""
        key = f"{kind}-{target_id}-{start}"
        if original is not None and raw.replace(",", "").strip() == original.replace(",", "").strip():
            continue
        model = TARGET_MODELS.get(kind)
        try:
            period_start = dt.date.fromisoformat(start)
            amount = _parse_amount(raw)
            expected = int(version_raw) if version_raw else None
        except (ValueError, InvalidOperation):
            errors.append({"key": key, "message": _("Enter a whole amount in won, 0 or more.")})
            continue
        if model is None or amount is None:
            continue  # clearing a cell keeps the quota; a quota is removed through the API
        target: Any = get_for_or_404(request.user, model, pk=target_id)
        try:
            set_quota(
                actor=_user(request),
                period_kind=post.get("kind") or PeriodKind.QUARTER,
                period_start=period_start,
                amount=amount,
                expected_version=expected,
                product_line=product_line,
                **{kind: target},
            )
        except ConflictError as conflict:
            current = getattr(conflict.current, "amount", None)
            conflicts.append({"key": key, "target": str(target), "start": period_start, "current": current})
        except ValidationError as error:
            errors.append({"key": key, "message": " ".join(error.messages)})
        else:
            saved += 1
    if conflicts:
        messages.warning(
            request,
            _(
                "%(count)d cells were changed by someone else while you were editing; they now show the current "
                "amounts. Your other changes were saved."
            )
            % {"count": len(conflicts)},
        )
    return {"saved": saved, "conflicts": conflicts, "errors": errors}


@login_required
def quota_attainment(request: HttpRequest) -> HttpResponse:
    _internal_only(request)
    period = _period(request)
    attainment = queries.attainment_for(request.user, period=period)
    charted = [row for row in attainment.rows if row.quota or row.won]  # the table lists everyone
    figure = category_chart(
        _("Attainment against quota"),
        [str(row.user) for row in charted],
        [
            Series(_("Quota"), [row.quota for row in charted]),
            Series(_("Closed won"), [row.won for row in charted]),
        ],
        category_label=_("Rep"),
        value_format="money",
    )
    return render(
        request,
        "sales/planning/attainment.html",
        {"title": _("Attainment"), "period": period, "attainment": attainment, "figure": figure},
    )


# --- forecasts -------------------------------------------------------------------------------------------------


@login_required
def forecast_rollup(request: HttpRequest) -> HttpResponse:
    """The actor's forecast and, for a manager, each direct report's subtree totals (drill down with ?user=)."""
    _internal_only(request)
    period = _period(request)
    manager = _viewed_person(request)
    rollup = queries.forecast_rollup_for(request.user, period=period, manager=manager)
    # The manager's own numbers, then each direct report's subtree: the bars of the roll-up table's rows.
    figures = [rollup.own.own, *(row.subtree for row in rollup.reports)]
    figure = category_chart(
        _("Forecast vs quota vs actual"),
        [str(rollup.own.user), *(str(row.user) for row in rollup.reports)],
        [
            Series(_("Quota"), [item.quota for item in figures]),
            Series(_("Commit"), [item.commit for item in figures]),
            Series(_("Adjusted commit"), [item.adjusted_commit for item in figures]),
            Series(_("Closed won"), [item.won for item in figures]),
        ],
        category_label=_("Rep"),
        value_format="money",
    )
    return render(
        request,
        "sales/planning/forecast_rollup.html",
        {
            "title": _("Forecasts"),
            "period": period,
            "rollup": rollup,
            "figure": figure,
            "is_self": manager.pk == request.user.pk,
            "up": manager.manager_id if manager.pk != request.user.pk else None,
            "extra_query": f"user={manager.pk}" if manager.pk != request.user.pk else "",
            # Only these roles adjust (rule sales.adjust_forecast checks each submission when saving).
            "can_adjust": principal_for(request.user).role in (Role.ADMIN, Role.SALES_MANAGER),
        },
    )


def _render_forecast_form(request, form, *, period, prefill, submission, conflict=False, status=200):
    return render(
        request,
        "sales/planning/forecast_form.html",
        {
            "title": _("My forecast"),
            "form": form,
            "period": period,
            "prefill": prefill,
            "submission": submission,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def forecast_edit(request: HttpRequest) -> HttpResponse:
    """The actor's own forecast for a period, prefilled from their opportunities; save as draft or submit."""
    _internal_only(request)
    period = _period(request)
    prefill = queries.forecast_prefill_for(request.user, period=period)
    submission = queries.own_forecast_for(request.user, period=period)
    if request.method != "POST":
        initial = _forecast_initial(submission) if submission is not None else prefill.initial()
        return _render_forecast_form(
            request, ForecastForm(initial=initial), period=period, prefill=prefill, submission=submission
        )
    form = ForecastForm(request.POST)
    if not form.is_valid():
        return _render_forecast_form(request, form, period=period, prefill=prefill, submission=submission, status=400)
    try:
        saved = save_forecast(
            actor=_user(request),
            period_kind=period.kind,
            period_start=period.start,
            expected_version=form.cleaned_data.get("version"),
            submit="submit" in request.POST,
            note=form.cleaned_data["note"],
            **form.numbers(),
        )
    except ConflictError as conflict:
        current: Any = conflict.current
        fresh = ForecastForm(initial=_forecast_initial(current))
        return _render_forecast_form(
            request, fresh, period=period, prefill=prefill, submission=current, conflict=True, status=409
        )
    except ValidationError as error:
        add_validation_error(form, error)
        return _render_forecast_form(request, form, period=period, prefill=prefill, submission=submission, status=400)
    if saved.status == "submitted" and "submit" in request.POST:
        messages.success(request, _("Forecast submitted."))
    else:
        messages.success(request, _("Forecast saved as a draft."))
    return redirect(reverse("sales:forecast-rollup") + f"?period={period.key}")


@login_required
def forecast_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager's adjusted best case and commit for a rep's forecast, saved beside the rep's numbers."""
    _internal_only(request)
    submission = queries.get_forecast_for(request.user, pk)
    if not request.user.has_perm("sales.adjust_forecast", submission):
        raise PermissionDenied
    period = queries.Period(submission.period_kind, submission.period_start)
    adjustment = queries.adjustment_of(request.user, submission)
    conflict = False
    if request.method == "POST":
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                adjust_forecast(
                    actor=_user(request),
                    submission=submission,
                    best_case=form.cleaned_data["best_case"],
                    commit=form.cleaned_data["commit"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data.get("version"),
                )
            except ConflictError as error:
                submission = cast(ForecastSubmission, error.current)
                conflict = True
                form = AdjustmentForm(
                    initial={
                        "best_case": submission.best_case.amount,
                        "commit": submission.commit.amount,
                        "version": submission.version,
                    }
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Adjustment saved; the rep's own numbers are unchanged."))
                up = submission.owner.manager_id
                query = f"?period={period.key}" + (f"&user={up}" if up and up != request.user.pk else "")
                return redirect(reverse("sales:forecast-rollup") + query)
    else:
        source = adjustment or submission
        form = AdjustmentForm(
            initial={
                "best_case": source.best_case.amount,
                "commit": source.commit.amount,
                "note": adjustment.note if adjustment else "",
                "version": submission.version,
            }
        )
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "sales/planning/forecast_adjust.html",
        {
            "title": _("Adjust forecast"),
            "form": form,
            "submission": submission,
            "adjustment": adjustment,
            "period": period,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def forecast_history(request: HttpRequest) -> HttpResponse:
    """Forecast vs actual per past period (a line/bar chart and the table of the same numbers)."""
    _internal_only(request)
    period = _period(request)
    manager = _viewed_person(request)
    points = queries.forecast_history_for(request.user, period=period, count=6, manager=manager)
    figure = category_chart(
        _("Forecast vs actual"),
        [point.period.label for point in points],
        [
            Series(_("Quota"), [point.quota for point in points], kind="line"),
            Series(_("Commit"), [point.commit for point in points]),
            Series(_("Adjusted commit"), [point.adjusted_commit for point in points]),
            Series(_("Closed won"), [point.won for point in points]),
        ],
        category_label=_("Period"),
        value_format="money",
    )
    return render(
        request,
        "sales/planning/forecast_history.html",
        {
            "title": _("Forecast history"),
            "period": period,
            "points": points,
            "figure": figure,
            "manager": manager,
            "extra_query": f"user={manager.pk}" if manager.pk != request.user.pk else "",
        },
    )
