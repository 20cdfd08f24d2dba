"""Every read of activities and attachments a user sees; each starts from the access scope."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.korea.calendar import korean_holidays
from forgecrm.platform.models import Role, User

from .ics import user_for_feed_token
from .models import Activity, ActivityKind, ActivityStatus, Attachment, CallOutcome


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


def about_record_q(obj: models.Model) -> Q:
    """Activities about one record: an account or contact through their own FKs, any other record through
    the generic `regarding` link."""
    if isinstance(obj, Account):
        return Q(account_id=obj.pk)
    if isinstance(obj, Contact):
        return Q(contact_id=obj.pk)
    return Q(regarding_type=ContentType.objects.get_for_model(type(obj)), regarding_id=obj.pk)


@dataclass
class RegardingPanel:
    """What the regarding panel shows: open items first (soonest first), then the latest history."""

    open: list[Activity]
    history: list[Activity]
    more_history: bool


def regarding_panel_for(actor, obj: models.Model, *, open_limit: int = 20, history_limit: int = 10) -> RegardingPanel:
    """The record's open activities (planned, soonest first) and recent history (done or cancelled, newest
    first) that the actor may see; nothing when the actor does not see the record.

    Three queries whatever the number of activities: the record's visibility, the open ones, the history.
    """
    model = type(obj)
    if obj.pk is None or not scope_for(actor, model).filter(pk=obj.pk).exists():
        return RegardingPanel(open=[], history=[], more_history=False)
    about = activities_for(actor).filter(about_record_q(obj)).select_related("owner", "contact")
    open_rows = list(about.filter(status=ActivityStatus.PLANNED).order_by("timeline_at", "id")[:open_limit])
    history = list(about.exclude(status=ActivityStatus.PLANNED).order_by("-timeline_at", "-id")[: history_limit + 1])
    return RegardingPanel(open=open_rows, history=history[:history_limit], more_history=len(history) > history_limit)


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

    @property
    def busy_days(self) -> list[CalendarDay]:
        """The agenda: only days with something on them (and today), in order."""
        return [day for day in self.days if day.activities or day.is_today or day.holiday]

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) of the week's meetings, calls, demos and visits (each activity once)."""
        seen: dict[int, str] = {}
        for day in self.days:
            for activity in day.activities:
                seen[activity.pk] = activity.kind
        kinds = (ActivityKind.MEETING, ActivityKind.CALL, ActivityKind.DEMO, ActivityKind.VISIT)
        counts = [(kind.value, str(kind.label), sum(1 for k in seen.values() if k == kind)) for kind in kinds]
        return [entry for entry in counts if entry[2]]


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


# ---- activity-based performance (managers: per person of their subtree; reps: themselves) ----------------

# The record "activities per opportunity" counts: named by content type, since activities cannot import sales.
PER_RECORD_MODEL = ("sales", "opportunity")
PERFORMANCE_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.VISIT)


@dataclass
class PersonPerformance:
    """One person's figures over the period (cancelled activities never count).

    `<kind>_logged`: activities of that kind dated in the period, planned or done; `<kind>_done`: completed.
    `connected_rate`: connected calls / completed calls (4 places), None without completed calls.
    `average_call_minutes`: over completed calls with a duration (1 place). `activities_per_opportunity`:
    activities regarding an opportunity / the distinct opportunities they regard (2 places)."""

    user_id: int | None
    name: str
    calls_logged: int = 0
    calls_done: int = 0
    meetings_logged: int = 0
    meetings_done: int = 0
    demos_logged: int = 0
    demos_done: int = 0
    visits_logged: int = 0
    visits_done: int = 0
    connected_calls: int = 0
    call_minutes: int = 0
    timed_calls: int = 0
    opportunity_activities: int = 0
    opportunities: int = 0

    @property
    def connected_rate(self) -> Decimal | None:
        if not self.calls_done:
            return None
        return (Decimal(self.connected_calls) / Decimal(self.calls_done)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def average_call_minutes(self) -> Decimal | None:
        if not self.timed_calls:
            return None
        return (Decimal(self.call_minutes) / Decimal(self.timed_calls)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def activities_per_opportunity(self) -> Decimal | None:
        if not self.opportunities:
            return None
        return (Decimal(self.opportunity_activities) / Decimal(self.opportunities)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )

    @property
    def connected_percent(self) -> Decimal | None:
        rate = self.connected_rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


COUNTED_FIELDS = (
    "calls_logged",
    "calls_done",
    "meetings_logged",
    "meetings_done",
    "demos_logged",
    "demos_done",
    "visits_logged",
    "visits_done",
    "connected_calls",
    "call_minutes",
    "timed_calls",
    "opportunity_activities",
)


@dataclass
class PerformanceReport:
    date_from: dt.date
    date_to: dt.date
    people: list[PersonPerformance]
    total: PersonPerformance


def performance_people_for(actor, *, under: int | None = None) -> QuerySet[User]:
    """Whose figures the actor may read: a manager their role-hierarchy subtree (themselves included), a rep
    or partner user themselves, org-wide roles every active internal sales user; `under` narrows to one
    person's subtree inside that."""
    principal = principal_for(actor)
    if principal.is_customer or not principal.is_active:
        return User.objects.none()
    if principal.sees_everything:
        people = User.objects.filter(is_active=True, organization__isnull=True).filter(
            Q(role__in=[Role.SALES_MANAGER, Role.SALES_REP]) | Q(pk=actor.pk)
        )
    else:
        people = User.objects.filter(pk__in=principal.subtree_user_ids)
    if under is not None:
        chosen = people.filter(pk=under).first()
        if chosen is not None:
            people = people.filter(
                Q(pk=chosen.pk) | Q(hierarchy_path__startswith=f"{chosen.hierarchy_path}{chosen.pk}/")
            )
    return people.order_by("full_name", "pk")


def _per_record_type() -> ContentType | None:
    try:
        return ContentType.objects.get_by_natural_key(*PER_RECORD_MODEL)
    except ContentType.DoesNotExist:
        return None


def performance_for(actor, *, date_from: dt.date, date_to: dt.date, under: int | None = None) -> PerformanceReport:
    """Calls, meetings, demos and visits per person over [date_from, date_to] (local dates, inclusive).

    Starts from the actor's Activity scope and the people they may read (performance_people_for); two queries
    (the people, one aggregate grouped by owner) whatever the number of people and activities."""
    people = list(performance_people_for(actor, under=under).only("pk", "full_name", "email"))
    start, end = _local_midnight(date_from), _local_midnight(date_to + dt.timedelta(days=1))
    by_id = {person.pk: PersonPerformance(user_id=person.pk, name=str(person)) for person in people}
    total = PersonPerformance(user_id=None, name="")
    if not by_id:
        return PerformanceReport(date_from=date_from, date_to=date_to, people=[], total=total)
    done = Q(status=ActivityStatus.DONE)
    call_done = Q(kind=ActivityKind.CALL) & done
    measures: dict[str, Any] = {}
    for kind in PERFORMANCE_KINDS:
        plural = f"{kind}s"
        measures[f"{plural}_logged"] = models.Count("id", filter=Q(kind=kind))
        measures[f"{plural}_done"] = models.Count("id", filter=Q(kind=kind) & done)
    measures["connected_calls"] = models.Count("id", filter=call_done & Q(outcome_code=CallOutcome.CONNECTED))
    measures["call_minutes"] = models.Sum("duration_minutes", filter=call_done & Q(duration_minutes__isnull=False))
    measures["timed_calls"] = models.Count("id", filter=call_done & Q(duration_minutes__isnull=False))
    per_record = _per_record_type()
    if per_record is not None:
        on_record = Q(regarding_type=per_record)
        measures["opportunity_activities"] = models.Count("id", filter=on_record)
        measures["opportunities"] = models.Count("regarding_id", filter=on_record, distinct=True)
    rows = (
        activities_for(actor)
        .filter(owner_id__in=list(by_id), timeline_at__gte=start, timeline_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .values("owner_id")
        .annotate(**measures)
        .order_by()
    )
    for row in rows:
        person = by_id[row["owner_id"]]
        for name in (*COUNTED_FIELDS, "opportunities"):
            setattr(person, name, row.get(name) or 0)
    for person in by_id.values():
        for name in COUNTED_FIELDS:
            setattr(total, name, getattr(total, name) + getattr(person, name))
    # Distinct opportunities over everyone: a deal two people worked counts once in the total's ratio.
    if per_record is not None:
        total.opportunities = (
            activities_for(actor)
            .filter(owner_id__in=list(by_id), timeline_at__gte=start, timeline_at__lt=end, regarding_type=per_record)
            .exclude(status=ActivityStatus.CANCELLED)
            .values("regarding_id")
            .distinct()
            .count()
        )
    return PerformanceReport(date_from=date_from, date_to=date_to, people=list(by_id.values()), total=total)
