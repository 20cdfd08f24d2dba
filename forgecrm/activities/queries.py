"""Every read of activities and attachments a user sees; each starts from the access scope."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from forgecrm.customers.models import Contact
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.korea.calendar import korean_holidays
from forgecrm.platform.models import User

from .ics import user_for_feed_token
from .models import Activity, ActivityKind, ActivityStatus, Attachment


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Planned activities whose due time (or start, when there is no due time) has passed.

    An all-day item is overdue only from the day after: it is stored at local midnight of its day.
    """
    now = now or timezone.now()
    today = _local_midnight(timezone.localdate(now))
    timed = Q(all_day=False, due_at__lt=now) | Q(all_day=False, due_at__isnull=True, starts_at__lt=now)
    all_day = Q(all_day=True, due_at__lt=today) | Q(all_day=True, due_at__isnull=True, starts_at__lt=today)
    return Q(status=ActivityStatus.PLANNED) & (timed | all_day)


def activities_for(actor) -> QuerySet[Activity]:
    return scope_for(actor, Activity)


def activities_regarding_for(actor, obj: models.Model) -> QuerySet[Activity]:
    """The activities about one record of any app (a lead, an opportunity...) that the actor may see, newest
    first; none at all when the actor does not see the record itself (its model's access scope decides).

    One indexed range on (regarding_type, regarding_id, -timeline_at); the visibility check is one query.
    """
    model = type(obj)
    if obj.pk is None or not scope_for(actor, model).filter(pk=obj.pk).exists():
        return Activity.objects.none()
    content_type = ContentType.objects.get_for_model(model)
    return (
        activities_for(actor)
        .filter(regarding_type=content_type, regarding_id=obj.pk)
        .select_related("owner", "account", "contact")
        .order_by("-timeline_at", "-id")
    )


def activity_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Activity]:
    """Activities the actor may see, narrowed by list filters.

    filters: kind, status, owner (user or id), account / contact (object or id), date_from / date_to (dates, on
    the activity's date), mine (owned by the actor), overdue, q (words in the subject).
    """
    filters = filters or {}
    queryset = activities_for(actor).select_related("owner", "account", "contact")
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("owner"):
        queryset = queryset.filter(owner=filters["owner"])
    if filters.get("mine"):
        queryset = queryset.filter(owner_id=actor.pk)
    if filters.get("account"):
        queryset = queryset.filter(account=filters["account"])
    if filters.get("contact"):
        queryset = queryset.filter(contact=filters["contact"])
    if filters.get("date_from"):
        queryset = queryset.filter(timeline_at__gte=_local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(timeline_at__lt=_local_midnight(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("overdue"):
        queryset = queryset.filter(overdue_q())
    if filters.get("q"):
        queryset = queryset.filter(subject__icontains=filters["q"][:100])
    return queryset


def get_activity_for(actor, pk: Any) -> Activity:
    """One activity with its regarding records, owner and attachments; 404 outside the actor's scope."""
    queryset = Activity.objects.select_related("owner", "account", "contact", "created_by", "updated_by")
    queryset = queryset.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.select_related("created_by").order_by("created_at", "id"))
    )
    return get_for_or_404(actor, Activity, queryset=queryset, pk=pk)


def get_attachment_for(actor, pk: Any) -> Attachment:
    """One attachment whose activity the actor may see; 404 otherwise (also for another partner's file)."""
    return get_for_or_404(actor, Attachment, queryset=Attachment.objects.select_related("activity"), pk=pk)


def timeline_activities_for(actor, subject_kind: str, subject_id: int, limit: int) -> list[Activity]:
    """The latest activities regarding an account (its contacts' included) or a contact, newest first.

    An activity on a contact always carries the contact's account (operations set it), so the account's
    timeline is one indexed range scan on (account, -timeline_at).
    """
    if subject_kind not in {"account", "contact"}:
        return []
    queryset = (
        activities_for(actor)
        .filter(**{f"{subject_kind}_id": subject_id})
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("owner")
        .order_by("-timeline_at", "-id")
    )
    return list(queryset[:limit])


def open_task_count_for(actor) -> int:
    return (
        activities_for(actor).filter(owner_id=actor.pk, kind=ActivityKind.TASK, status=ActivityStatus.PLANNED).count()
    )


def overdue_count_for(actor) -> int:
    return activities_for(actor).filter(owner_id=actor.pk).filter(overdue_q()).count()


def owner_choices_for(actor) -> QuerySet[User]:
    """The people the actor may give an activity to: themselves and the users they see."""
    principal = principal_for(actor)
    users = User.objects.filter(is_active=True)
    if principal.sees_everything:
        return users.filter(organization__isnull=True) | users.filter(pk=actor.pk)
    if principal.is_partner:
        return users.filter(organization_id__in=principal.organization_ids)
    return users.filter(pk__in=principal.visible_user_ids)


def contact_choices_for(actor, *, account_id: Any = None, text: str = "", limit: int = 20) -> list[Contact]:
    """Contacts for the activity form's autocomplete: within the actor's scope, of one account if given."""
    queryset = scope_for(actor, Contact).select_related("account").filter(is_active=True)
    if account_id not in (None, ""):
        try:
            queryset = queryset.filter(account_id=int(account_id))
        except (TypeError, ValueError):
            return []
    text = (text or "").strip()[:60]
    if text:
        queryset = queryset.filter(Q(full_name__icontains=text) | Q(email__icontains=text) | Q(mobile__contains=text))
    return list(queryset.order_by("full_name", "pk")[:limit])


@dataclass
class CalendarDay:
    date: dt.date
    holiday: str = ""
    activities: list[Activity] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


@dataclass
class CalendarWeek:
    start: dt.date
    days: list[CalendarDay]

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_week_for(actor, week_start: dt.date, *, owner_id: int | None = None) -> CalendarWeek:
    """Monday-to-Sunday of the actor's (or a visible owner's) scheduled and due activities, with holidays."""
    start_day = week_start_of(week_start)
    start, end = _local_midnight(start_day), _local_midnight(start_day + dt.timedelta(days=7))
    spans_week = Q(starts_at__lt=end) & (Q(ends_at__gte=start) | Q(starts_at__gte=start))
    due_in_week = Q(starts_at__isnull=True, due_at__gte=start, due_at__lt=end)
    rows = list(
        activities_for(actor)
        .filter(owner_id=owner_id or actor.pk)
        .filter(spans_week | due_in_week)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("account", "contact")
        .order_by("all_day", "timeline_at", "pk")
    )
    days = []
    for offset in range(7):
        day = start_day + dt.timedelta(days=offset)
        holidays = korean_holidays(day.year)
        entry = CalendarDay(date=day, holiday=holidays.get(day, ""))
        for row in rows:
            first = timezone.localdate(row.starts_at or row.due_at)
            last = timezone.localdate(row.ends_at) if row.ends_at else first
            if first <= day <= last:
                entry.activities.append(row)
        days.append(entry)
    return CalendarWeek(start=start_day, days=days)


def calendar_feed_user(token: str) -> User | None:
    """The active user a calendar-subscription token belongs to (calendar apps cannot sign in)."""
    found = user_for_feed_token(token, User.objects.filter(is_active=True))
    return found if isinstance(found, User) else None


def calendar_feed_for(user, *, past_days: int = 30, future_days: int = 365) -> list[Activity]:
    """The user's own scheduled activities around now, for an iCalendar subscription."""
    now = timezone.now()
    return list(
        activities_for(user)
        .filter(
            owner_id=user.pk,
            starts_at__isnull=False,
            starts_at__gte=now - dt.timedelta(days=past_days),
            starts_at__lt=now + dt.timedelta(days=future_days),
        )
        .select_related("account", "contact", "owner")
        .order_by("starts_at", "pk")[:2000]
    )
