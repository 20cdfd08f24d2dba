"""The stage configuration page: stages in pipeline order with their defaults, and each product line's own
probability per stage (rule `sales.manage_sales_settings`)."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError

from ..forms.opportunities import StageForm, StageProbabilityForm
from ..operations import stages as operations
from ..queries import opportunities as queries


def acting(request) -> User:
    """The signed-in user of a view behind `login_required` (or an authenticated API view)."""
    return cast(User, request.user)


def _require_settings(request: HttpRequest) -> None:
    if not request.user.has_perm("sales.manage_sales_settings"):
        raise PermissionDenied


@login_required
def stage_settings(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    stages = list(queries.stage_list_for(request.user))
    return render(
        request,
        "sales/stages/settings.html",
        {
            "title": _("Pipeline stages"),
            "stages": stages,
            "probability_form": StageProbabilityForm(actor=acting(request)),
        },
    )


def _render(request, form, title, status=200, conflict=False):
    return render(
        request,
        "platform/form.html",
        {"title": title, "form": form, "conflict": conflict, "cancel_url": reverse("sales:stage-settings")},
        status=status,
    )


@login_required
def stage_create(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    title = _("New stage")
    data = request.POST if request.method == "POST" else None
    form = StageForm(data)
    if data is None or not form.is_valid():
        return _render(request, form, title, status=400 if data else 200)
    values = form.values()
    try:
        stage = operations.create_stage(
            actor=acting(request), code=values.pop("code"), name=values.pop("name"), **values
        )
    except ValidationError as error:
        form.apply_errors(error)
        return _render(request, form, title, status=400)
    messages.success(request, _("Stage %(name)s created.") % {"name": stage.name})
    return redirect("sales:stage-settings")


@login_required
def stage_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_settings(request)
    stage = queries.get_stage_for(request.user, pk)
    title = _("Edit %(name)s") % {"name": stage.name}
    data = request.POST if request.method == "POST" else None
    form = StageForm(data, instance=stage)
    if data is None or not form.is_valid():
        return _render(request, form, title, status=400 if data else 200)
    try:
        stage = operations.update_stage(
            actor=acting(request), stage=stage, expected_version=form.cleaned_data["version"], **form.values()
        )
    except ConflictError as conflict:
        return _render(request, StageForm(instance=conflict.current), title, status=409, conflict=True)
    except ValidationError as error:
        form.apply_errors(error)
        return _render(request, form, title, status=400)
    messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return redirect("sales:stage-settings")


@login_required
@require_POST
def stage_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    """Up or down by one place in the pipeline order."""
    _require_settings(request)
    stage = queries.get_stage_for(request.user, pk)
    ids = [row.pk for row in queries.stage_list_for(request.user)]
    index = ids.index(stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        operations.reorder_stages(actor=acting(request), stage_ids=ids)
    return redirect("sales:stage-settings")


@login_required
@require_POST
def stage_probability_set(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    form = StageProbabilityForm(request.POST, actor=acting(request))
    if form.is_valid():
        try:
            operations.set_stage_probability(actor=acting(request), **form.values())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Probability saved."))
            return redirect("sales:stage-settings")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sales:stage-settings")


@login_required
@require_POST
def stage_probability_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_settings(request)
    row = queries.get_stage_probability_for(request.user, pk)
    operations.remove_stage_probability(actor=acting(request), row=row)
    messages.success(request, _("Probability removed: the stage's default applies."))
    return redirect("sales:stage-settings")
