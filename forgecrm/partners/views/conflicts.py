"""The channel manager's conflict list (every claim two channels make on one customer) and the decision on each:
for the partner, for the other channel, or not a conflict, with a note (audited in the conflict's history)."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.customers.models import Account
from forgecrm.platform.access import scope_for
from forgecrm.platform.exports import Column
from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.registrations import ConflictFilterForm, DecideConflictForm
from ..models import ConflictStatus
from ..operations.conflicts import REASON_LABELS, decide_channel_conflict
from ..queries import registrations as queries
from .registrations import require_internal


def _text(label) -> str:
    return cast(str, label)


def _claimant(row) -> str:
    partner = row.registration.partner if row.registration_id else row.offer.partner
    return partner.name


class ConflictListView(ScopedListView):
    title = _text(gettext_lazy("Channel conflicts"))
    template_name = "partners/conflicts/list.html"
    row_template = "partners/conflicts/row.html"
    filter_form_class = ConflictFilterForm
    hidden_on_phone = (2, 3, 4)
    sorts = {"score": "score", "created": "created_at"}
    default_sort = "-created"
    export_name = "channel-conflicts"
    headers = [
        ("", _text(gettext_lazy("Claim"))),
        ("", _text(gettext_lazy("Conflicts with"))),
        ("", _text(gettext_lazy("What matched"))),
        ("score", _text(gettext_lazy("Score"))),
        ("created", _text(gettext_lazy("Found at"))),
        ("", _text(gettext_lazy("Status"))),
    ]
    export_columns = [
        Column(_text(gettext_lazy("Kind")), lambda row: row.get_kind_display()),
        Column(_text(gettext_lazy("Partner")), _claimant),
        Column(
            _text(gettext_lazy("Deal registration")), lambda row: row.registration.number if row.registration_id else ""
        ),
        Column(_text(gettext_lazy("Score")), lambda row: row.score),
        Column(_text(gettext_lazy("Status")), lambda row: row.get_status_display()),
        Column(_text(gettext_lazy("Resolution note")), lambda row: row.resolution_note),
        Column(_text(gettext_lazy("Found at")), lambda row: row.created_at),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_internal(request)
        return super().dispatch(request, *args, **kwargs)

    def filters(self):
        form = ConflictFilterForm(self.request.GET or None, partners=scope_for(self.request.user, Account))
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {"status": ConflictStatus.OPEN} if not form.is_bound else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            hidden_on_phone=self.hidden_on_phone,
            can_decide=self.request.user.has_perm("partners.decide_channelconflict"),
            decide_form=DecideConflictForm(),
            reason_labels=REASON_LABELS,
        )
        return context

    def query(self, actor, filters):
        return queries.conflicts_for(actor, filters)


@login_required
@require_POST
def conflict_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_internal(request)
    conflict = queries.get_conflict_for(request.user, pk)
    if not request.user.has_perm("partners.decide_channelconflict", conflict):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    form = DecideConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(back) if back else redirect("partners:conflict-list")
    try:
        decide_channel_conflict(
            actor=cast(User, request.user),
            conflict=conflict,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError:
        messages.error(request, _("Someone else decided this conflict in the meantime."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Conflict decided."))
    return redirect(back) if back else redirect("partners:conflict-list")
