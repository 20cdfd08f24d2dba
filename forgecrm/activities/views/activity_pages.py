"""Activity list, detail, create/edit forms and the HTMX complete/cancel actions."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.audit import log_personal_data_access
from forgecrm.platform.exports import Column
from forgecrm.platform.models import PersonalDataAccess
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms import ActivityFilterForm, ActivityForm, AttachmentForm, CompleteForm
from ..models import Activity, ActivityKind, ActivityStatus, Direction
from ..operations import cancel_activity, complete_activity, delete_activity, log_activity, update_activity
from ..queries import activity_list_for, get_activity_for
from ..rich_text import body_text


class ActivityListView(ScopedListView):
    template_name = "activities/activity_list.html"
    row_template = "activities/activity_row.html"
    title = gettext_lazy("Activities")
    filter_form_class = ActivityFilterForm
    sorts = {"when": "timeline_at", "created": "created_at", "subject": "subject"}
    default_sort = "-when"
    create_url_name = "activities:create"
    export_name = "activities"
    headers = [
        ("", ""),
        ("subject", gettext_lazy("Subject")),
        ("", gettext_lazy("Regarding")),
        ("when", gettext_lazy("Due / start")),
        ("", gettext_lazy("Owner")),
        ("", gettext_lazy("Status")),
        ("created", gettext_lazy("Logged")),
    ]
    export_columns = [
        Column(gettext_lazy("ID"), lambda a: a.pk),
        Column(gettext_lazy("Kind"), lambda a: a.get_kind_display()),
        Column(gettext_lazy("Subject"), lambda a: a.subject),
        Column(gettext_lazy("Account"), lambda a: a.account.name if a.account else ""),
        Column(gettext_lazy("Contact"), lambda a: a.contact.full_name if a.contact else ""),
        Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        Column(gettext_lazy("Starts"), lambda a: timezone.localtime(a.starts_at) if a.starts_at else None),
        Column(gettext_lazy("Ends"), lambda a: timezone.localtime(a.ends_at) if a.ends_at else None),
        Column(gettext_lazy("Due"), lambda a: timezone.localtime(a.due_at) if a.due_at else None),
        Column(gettext_lazy("Direction"), lambda a: a.get_direction_display()),
        Column(gettext_lazy("Call result"), lambda a: a.get_outcome_code_display()),
        Column(gettext_lazy("Outcome"), lambda a: a.outcome),
        Column(gettext_lazy("Duration (minutes)"), lambda a: a.duration_minutes),
        Column(gettext_lazy("Location"), lambda a: a.location),
        Column(gettext_lazy("Owner"), lambda a: str(a.owner)),
        Column(gettext_lazy("Description"), lambda a: body_text(a.body)),
        Column(gettext_lazy("Logged"), lambda a: timezone.localtime(a.created_at)),
    ]

    def filters(self):
        form = ActivityFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [], False)}
        return form, {}

    def query(self, actor, filters):
        return activity_list_for(actor, filters)

    def after_export(self, rows) -> None:
        # PIPA: the export names contacts, so each exported person is logged.
        contact_ids = sorted({row.contact_id for row in rows if row.contact_id})
        if contact_ids:
            log_personal_data_access(
                actor=self.request.user,
                model=Contact,
                object_ids=contact_ids,
                action=PersonalDataAccess.Action.EXPORT,
                ip_address=self.request.META.get("REMOTE_ADDR"),
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["now"] = timezone.now()
        filters = kwargs.get("filters", {})
        new_query = {key: filters[key] for key in ("account", "contact", "kind") if key in filters}
        context["create_query"] = "&".join(f"{key}={value}" for key, value in new_query.items())
        return context


def _initial_for_new(request: HttpRequest) -> dict:
    """Prefill from ?account=&contact=&kind=: "log a call" from an account page is two clicks."""
    actor = request.user
    kind = request.GET.get("kind") if request.GET.get("kind") in ActivityKind.values else ActivityKind.CALL
    initial: dict = {"kind": kind, "owner": actor.pk, "status": ActivityStatus.PLANNED, "shared_with_team": True}
    account = contact = None
    if request.GET.get("contact", "").isdigit():
        contact = scope_for(actor, Contact).select_related("account").filter(pk=request.GET["contact"]).first()
        if contact:
            initial["contact"], account = contact.pk, contact.account
    if account is None and request.GET.get("account", "").isdigit():
        account = scope_for(actor, Account).filter(pk=request.GET["account"]).first()
    if account:
        initial["account"] = account.pk
    name = (contact or account) and str(contact or account)
    now = timezone.localtime().replace(second=0, microsecond=0)
    if kind == ActivityKind.CALL:
        initial.update(status=ActivityStatus.DONE, starts_at=now, direction=Direction.OUTBOUND)
        initial["subject"] = _("Call with %(name)s") % {"name": name} if name else _("Call")
    elif kind in {ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.VISIT}:
        start = now.replace(minute=0) + dt.timedelta(hours=1)
        initial.update(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    elif kind == ActivityKind.NOTE:
        initial["status"] = ActivityStatus.DONE
    elif kind == ActivityKind.TASK:
        initial["due_at"] = (now + dt.timedelta(days=1)).replace(hour=9, minute=0)
    return initial


def _render_form(request, form, *, title, activity=None, conflict=False, status=200):
    context = {"form": form, "title": title, "activity": activity, "conflict": conflict}
    context["cancel_url"] = reverse("activities:detail", args=[activity.pk]) if activity else reverse("activities:list")
    return render(request, "activities/activity_form.html", context, status=status)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("activities.add_activity"):
        raise PermissionDenied
    title = _("New activity")
    if request.method != "POST":
        return _render_form(request, ActivityForm(initial=_initial_for_new(request), actor=request.user), title=title)
    form = ActivityForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.operation_fields()
        try:
            activity = log_activity(actor=request.user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("activities:detail", pk=activity.pk)
    return _render_form(request, form, title=title, status=400)


def _form_initial(activity: Activity) -> dict:
    initial = {name: getattr(activity, name) for name in ActivityForm.base_fields if hasattr(activity, name)}
    initial.update(account=activity.account_id, contact=activity.contact_id, owner=activity.owner_id)
    for name in ("starts_at", "ends_at", "due_at"):
        if initial.get(name):
            initial[name] = timezone.localtime(initial[name])
    return initial


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    if not request.user.has_perm("activities.change_activity", activity):
        raise PermissionDenied
    title = _("Edit activity")
    if request.method != "POST":
        return _render_form(
            request, ActivityForm(initial=_form_initial(activity), actor=request.user), title=title, activity=activity
        )
    form = ActivityForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            update_activity(
                actor=request.user,
                activity=activity,
                expected_version=form.cleaned_data.get("version"),
                **form.operation_fields(),
            )
        except ConflictError as conflict:
            current = get_activity_for(request.user, conflict.current.pk)
            fresh = ActivityForm(initial=_form_initial(current), actor=request.user)
            return _render_form(request, fresh, title=title, activity=current, conflict=True, status=409)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("activities:detail", pk=activity.pk)
    return _render_form(request, form, title=title, activity=activity, status=400)


def _actions_context(request, activity, **extra):
    user = request.user
    return {
        "activity": activity,
        "can_change": user.has_perm("activities.change_activity", activity),
        "can_complete": activity.is_open and user.has_perm("activities.complete_activity", activity),
        "complete_form": CompleteForm(initial={"version": activity.version}),
        **extra,
    }


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    attachments = list(activity.attachments.all())
    context = _actions_context(
        request,
        activity,
        attachments=attachments,
        attachment_form=AttachmentForm(),
        title=activity.subject,
        is_internal=principal_for(request.user).is_internal,
        max_upload=settings.FORGE_ATTACHMENT_MAX_BYTES,
    )
    for attachment in attachments:
        attachment.can_delete = request.user.has_perm("activities.delete_attachment", attachment)
    return render(request, "activities/activity_detail.html", context)


def _status_change(request, pk: int, change) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    form = CompleteForm(request.POST)
    form.is_valid()
    version = form.cleaned_data.get("version")
    message = ""
    try:
        activity = change(activity, form.cleaned_data, version)
    except ConflictError:
        activity = get_activity_for(request.user, pk)
        message = _("Someone else changed this activity; here is the current state.")
    except ValidationError as error:
        message = " ".join(error.messages)
    if request.htmx:
        templates = {"row": "activities/activity_row.html", "panel-row": "activities/panel/_row.html"}
        template = templates.get(request.POST.get("target", ""), "activities/_actions.html")
        context = _actions_context(request, activity, error=message, row=activity, now=timezone.now())
        activity.can_complete = context["can_complete"]  # type: ignore[attr-defined]
        return render(request, template, context)
    if message:
        messages.warning(request, message)
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(
        request,
        pk,
        lambda activity, data, version: complete_activity(
            actor=request.user,
            activity=activity,
            outcome=data.get("outcome", ""),
            outcome_code=data.get("outcome_code", ""),
            expected_version=version,
        ),
    )


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(
        request,
        pk,
        lambda activity, data, version: cancel_activity(
            actor=request.user, activity=activity, expected_version=version
        ),
    )


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    delete_activity(actor=request.user, activity=activity)
    messages.success(request, _("Activity deleted."))
    return redirect("activities:list")


@login_required
def my_open_tasks(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('activities:list')}?mine=on&kind=task&status=planned&sort=when")


@login_required
def my_overdue(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('activities:list')}?mine=on&overdue=on&sort=when")
