"""The kanban board and stage moves.

A drag on the board posts the card's version through HTMX (`drag=1`): success answers the redrawn card and the
two column headers (out of band); a stale card or a refused move answers 409/400 with the message, and the
board's script puts the card back where it was. The phone's stage select and the detail page post the same
form without `drag`: HTMX requests get the board refreshed, plain posts a redirect with a message.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError

from ..forms.opportunities import MoveForm, OpportunityFilterForm
from ..models import WinLossReason
from ..operations.opportunities import move_opportunity_to_stage
from ..queries import opportunities as queries


def acting(request) -> User:
    """The signed-in user of a view behind `login_required` (or an authenticated API view)."""
    return cast(User, request.user)


def is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


@login_required
def pipeline_board(request: HttpRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET or None, actor=acting(request), board=True)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [], False)}
    board = queries.pipeline_board_for(request.user, filters)
    return render(
        request,
        "sales/pipeline/board.html",
        {
            "title": _("Pipeline"),
            "board": board,
            "form": form,
            "stages": [column.stage for column in board.columns],
            "reasons": WinLossReason.choices,
            "can_create": request.user.has_perm("sales.add_opportunity"),
            "can_manage_stages": request.user.has_perm("sales.manage_sales_settings"),
        },
    )


def _column_header(request, actor, stage_ids: set[int]) -> str:
    """The headers (count, amounts) of the columns a move touched, for an out-of-band swap."""
    board = queries.pipeline_board_for(actor, {}, cards_per_column=0)
    return "".join(
        render_to_string("sales/pipeline/column_head.html", {"column": column, "oob": True}, request=request)
        for column in board.columns
        if column.stage.pk in stage_ids
    )


def _answer(request, status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _back(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("sales:opportunity-detail", opportunity_id)


@login_required
@require_POST
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = queries.get_opportunity_for(request.user, pk)
    if not request.user.has_perm("sales.change_opportunity", opportunity):
        raise PermissionDenied
    dragged = request.POST.get("drag") == "1"
    form = MoveForm(request.POST, actor=acting(request))
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        if is_htmx(request):
            return _answer(request, 400, message)
        messages.error(request, message)
        return _back(request, opportunity.pk)
    from_stage = opportunity.stage_id
    data = form.cleaned_data
    try:
        moved = move_opportunity_to_stage(
            actor=acting(request),
            opportunity=opportunity,
            stage=data["stage"],
            expected_version=data.get("version"),
            win_loss_reason=data.get("win_loss_reason") or "",
            win_loss_note=data.get("win_loss_note") or "",
        )
    except ConflictError:
        message = _("Someone else changed this opportunity meanwhile; it is back where it was. Reload to see it.")
        if is_htmx(request):
            return _answer(request, 409, message)
        messages.warning(request, message)
        return _back(request, opportunity.pk)
    except ValidationError as error:
        message = " ".join(error.messages)
        if is_htmx(request):
            return _answer(request, 400, message)
        messages.error(request, message)
        return _back(request, opportunity.pk)
    if is_htmx(request) and dragged:
        card = render_to_string(
            "sales/pipeline/card.html",
            {
                "card": queries.board_card_for(request.user, moved.pk),
                "stages": list(queries.stage_choices_for(request.user)),
            },
            request=request,
        )
        return HttpResponse(card + _column_header(request, request.user, {from_stage, moved.stage_id}))
    messages.success(request, _("%(name)s moved to %(stage)s.") % {"name": moved.name, "stage": moved.stage})
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return _back(request, moved.pk)
