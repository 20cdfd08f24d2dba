import datetime as dt

import pytest
from django.utils import timezone

from forgecrm.activities.models import ActivityKind, ActivityStatus
from forgecrm.activities.operations import log_activity
from forgecrm.activities.queries import (
    activity_list_for,
    calendar_feed_for,
    calendar_week_for,
    contact_choices_for,
    open_task_count_for,
    overdue_count_for,
)
from forgecrm.activities.timeline import activity_timeline
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.timeline import timeline_for

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class TestTimeline:
    def test_newest_first_limited_and_including_the_accounts_contacts(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        contact = ContactFactory(account=account)
        base = timezone.now() - dt.timedelta(days=30)
        rows = [
            ActivityFactory(account=account, owner=rep, starts_at=base + dt.timedelta(days=i), subject=f"#{i}")
            for i in range(6)
        ]
        on_contact = ActivityFactory(
            account=account, contact=contact, owner=rep, starts_at=base + dt.timedelta(days=10), subject="contact"
        )
        ActivityFactory(owner=rep, starts_at=base + dt.timedelta(days=20))  # another account
        ActivityFactory(account=account, owner=rep, status=ActivityStatus.CANCELLED, starts_at=base)

        entries = activity_timeline(rep, "account", account.pk, 4)
        assert [entry.title for entry in entries] == ["contact", "#5", "#4", "#3"]
        assert entries[0].url == f"/activities/{on_contact.pk}/"
        assert entries[1].kind == "activity.call" and entries[1].icon == "phone"
        assert entries[1].actor == str(rep)
        assert [e.title for e in activity_timeline(rep, "contact", contact.pk, 10)] == ["contact"]
        assert len(activity_timeline(rep, "account", account.pk, 50)) == 7
        assert rows  # all six created
        assert activity_timeline(rep, "opportunity", account.pk, 10) == []

    def test_icons_per_kind(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        expected = {
            ActivityKind.CALL: "phone",
            ActivityKind.MEETING: "calendar-event",
            ActivityKind.CORRESPONDENCE: "mail",
            ActivityKind.DEMO: "presentation",
            ActivityKind.VISIT: "map-pin",
            ActivityKind.TASK: "checkbox",
            ActivityKind.NOTE: "note",
        }
        for kind in expected:
            ActivityFactory(account=account, owner=rep, kind=kind, subject=kind)
        icons = {entry.title: entry.icon for entry in activity_timeline(rep, "account", account.pk, 20)}
        assert icons == {str(kind): icon for kind, icon in expected.items()}

    def test_scoped_by_the_actor(self):
        partner = PartnerAccountFactory()
        account = AccountFactory(partner=partner)
        partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
        log_activity(actor=account.owner, kind=ActivityKind.NOTE, subject="내부 메모", account=account)
        log_activity(actor=partner_rep, kind=ActivityKind.NOTE, subject="대리점 메모", account=account)
        assert [e.title for e in activity_timeline(partner_rep, "account", account.pk, 10)] == ["대리점 메모"]
        assert {e.title for e in activity_timeline(account.owner, "account", account.pk, 10)} == {
            "내부 메모",
            "대리점 메모",
        }
        assert activity_timeline(UserFactory(), "account", account.pk, 10) == []

    def test_one_query_per_call_and_registered_with_platform(self, django_assert_num_queries):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        for _ in range(8):
            ActivityFactory(account=account, owner=UserFactory())
        rep = type(rep).objects.get(pk=rep.pk)
        from forgecrm.platform.access import principal_for

        principal_for(rep)  # computed once per request, before the sources run
        with django_assert_num_queries(1):
            entries = activity_timeline(rep, "account", account.pk, 50)
            assert {entry.actor for entry in entries}  # owners came with the same query
        assert any(entry.kind.startswith("activity.") for entry in timeline_for(rep, "account", account.pk))


class TestListAndCounts:
    def test_filters(self):
        rep = UserFactory()
        account, other_account = AccountFactory(owner=rep), AccountFactory(owner=rep)
        day = dt.date(2026, 5, 6)
        call = ActivityFactory(account=account, owner=rep, starts_at=at(day), subject="견적 통화")
        task = ActivityFactory(
            account=other_account,
            owner=rep,
            kind=ActivityKind.TASK,
            starts_at=None,
            due_at=at(day + dt.timedelta(days=3)),
            status=ActivityStatus.PLANNED,
        )
        colleague_meeting = ActivityFactory(
            account=account, owner=UserFactory(), kind=ActivityKind.MEETING, starts_at=at(day - dt.timedelta(days=3))
        )

        def ids(**filters):
            return set(activity_list_for(rep, filters).values_list("pk", flat=True))

        assert ids() == {call.pk, task.pk, colleague_meeting.pk}
        assert ids(kind="task") == {task.pk}
        assert ids(status="planned") == {task.pk}
        assert ids(mine=True) == {call.pk, task.pk}
        assert ids(account=account.pk) == {call.pk, colleague_meeting.pk}
        assert ids(date_from=day, date_to=day) == {call.pk}
        assert ids(date_from=day) == {call.pk, task.pk}
        assert ids(q="견적") == {call.pk}
        assert ids(overdue=True) == {task.pk}  # due 2026-05-09, long past

    def test_overdue_and_open_task_counts(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        now = timezone.now()
        log_activity(
            actor=rep, kind=ActivityKind.TASK, subject="a", account=account, due_at=now - dt.timedelta(hours=1)
        )
        log_activity(actor=rep, kind=ActivityKind.TASK, subject="b", account=account, due_at=now + dt.timedelta(days=1))
        log_activity(actor=rep, kind=ActivityKind.TASK, subject="today", account=account, due_at=now, all_day=True)
        log_activity(
            actor=rep,
            kind=ActivityKind.MEETING,
            subject="not logged",
            account=account,
            starts_at=now - dt.timedelta(days=2),
        )
        done = log_activity(
            actor=rep, kind=ActivityKind.TASK, subject="c", account=account, due_at=now - dt.timedelta(days=1)
        )
        done.status = ActivityStatus.DONE
        done.save()
        ActivityFactory(owner=UserFactory(), account=account, kind=ActivityKind.TASK, status=ActivityStatus.PLANNED)

        assert open_task_count_for(rep) == 3
        assert overdue_count_for(rep) == 2  # "a" and the meeting; an all-day task is due until the day ends

    def test_contact_autocomplete_is_scoped_and_narrowed_to_the_account(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        mine = ContactFactory(account=account, full_name="김민준")
        other = ContactFactory(account=AccountFactory(owner=rep), full_name="김서연")
        ContactFactory(full_name="김철수")  # someone else's account
        assert set(contact_choices_for(rep, text="김")) == {mine, other}
        assert contact_choices_for(rep, account_id=account.pk) == [mine]
        assert contact_choices_for(rep, account_id="x") == []


class TestCalendarWeek:
    def test_week_from_monday_with_korean_public_holidays(self):
        rep = UserFactory()
        week = calendar_week_for(rep, dt.date(2026, 2, 18))  # a Wednesday in the Seollal week
        assert week.start == dt.date(2026, 2, 16) and week.end == dt.date(2026, 2, 22)
        holidays = {day.date: day.holiday for day in week.days if day.holiday}
        assert set(holidays) == {dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 2, 18)}
        assert all("설날" in name for name in holidays.values())
        assert [day.is_weekend for day in week.days] == [False] * 5 + [True] * 2
        assert week.previous == dt.date(2026, 2, 9) and week.next == dt.date(2026, 2, 23)

    def test_activities_fall_on_their_days_and_the_scope_applies(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        monday = dt.date(2026, 6, 1)
        meeting = log_activity(
            actor=rep, kind=ActivityKind.MEETING, subject="회의", account=account, starts_at=at(monday, 14)
        )
        trip = log_activity(
            actor=rep,
            kind=ActivityKind.VISIT,
            subject="지방 출장",
            account=account,
            starts_at=at(monday + dt.timedelta(days=2)),
            ends_at=at(monday + dt.timedelta(days=3)),
            all_day=True,
        )
        task = log_activity(
            actor=rep,
            kind=ActivityKind.TASK,
            subject="보고서",
            account=account,
            due_at=at(monday + dt.timedelta(days=4), 18),
        )
        log_activity(
            actor=rep,
            kind=ActivityKind.MEETING,
            subject="다음 주",
            account=account,
            starts_at=at(monday + dt.timedelta(days=7)),
        )
        late_night = log_activity(  # 23:30 in Seoul is still Sunday even though it is 14:30 UTC
            actor=rep,
            kind=ActivityKind.CALL,
            subject="밤 통화",
            account=account,
            starts_at=at(monday + dt.timedelta(days=6), 23, 30),
        )
        ActivityFactory(owner=UserFactory(), account=AccountFactory(), starts_at=at(monday, 9))  # not visible

        week = calendar_week_for(rep, monday + dt.timedelta(days=3))
        by_day = {day.date.weekday(): [a.subject for a in day.activities] for day in week.days}
        assert by_day == {0: ["회의"], 1: [], 2: ["지방 출장"], 3: ["지방 출장"], 4: ["보고서"], 5: [], 6: ["밤 통화"]}
        assert meeting and trip and task and late_night
        assert calendar_week_for(UserFactory(), monday).days[0].activities == []

    def test_feed_holds_the_users_scheduled_activities_only(self):
        rep = UserFactory()
        account = AccountFactory(owner=rep)
        soon = timezone.now() + dt.timedelta(days=2)
        meeting = log_activity(actor=rep, kind=ActivityKind.MEETING, subject="m", account=account, starts_at=soon)
        log_activity(actor=rep, kind=ActivityKind.TASK, subject="t", account=account, due_at=soon)
        log_activity(
            actor=rep, kind=ActivityKind.MEETING, subject="old", account=account, starts_at=soon - dt.timedelta(days=90)
        )
        ActivityFactory(owner=UserFactory(), account=account, kind=ActivityKind.MEETING, starts_at=soon)
        assert calendar_feed_for(rep) == [meeting]
