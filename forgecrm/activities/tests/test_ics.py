import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from forgecrm.activities.ics import feed_token
from forgecrm.activities.models import ActivityKind
from forgecrm.activities.operations import cancel_activity, log_activity, update_activity
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return Calendar.from_ical(response.content)


def test_one_meeting_as_ics_parses_back_with_seoul_times(rep, client_for):
    contact = ContactFactory(account=AccountFactory(owner=rep, name="(주)대한공조"), full_name="박지훈")
    starts = dt.datetime(2026, 4, 14, 10, 0, tzinfo=SEOUL)
    meeting = log_activity(
        actor=rep,
        kind=ActivityKind.MEETING,
        subject="냉동기 교체 제안 미팅",
        contact=contact,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        location="대한공조 본사 3층 회의실",
        body="<p>안건: 견적 검토</p>",
    )
    meeting = update_activity(actor=rep, activity=meeting, expected_version=1, location="대한공조 본사 5층")

    calendar = parse(client_for(rep).get(f"/activities/{meeting.pk}/ics/"))

    assert str(calendar["VERSION"]) == "2.0" and "Forge CRM" in str(calendar["PRODID"])
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Seoul"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"activity-{meeting.pk}@testserver"
    assert str(event["SUMMARY"]) == "냉동기 교체 제안 미팅"
    assert str(event["LOCATION"]) == "대한공조 본사 5층"
    start = event.decoded("DTSTART")
    assert start == starts and str(start.tzinfo) == "Asia/Seoul"
    assert event.decoded("DTEND") == starts + dt.timedelta(minutes=90)
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == dt.timedelta(0)  # DTSTAMP is UTC
    assert abs(stamp - meeting.updated_at) < dt.timedelta(seconds=1)
    assert int(event["SEQUENCE"]) == 1  # one revision after creation
    assert str(event["STATUS"]) == "CONFIRMED"
    description = str(event["DESCRIPTION"])
    assert "(주)대한공조" in description and "박지훈" in description and "안건: 견적 검토" in description
    assert "<p>" not in description
    assert str(event["URL"]).endswith(f"/activities/{meeting.pk}/")


def test_all_day_events_use_dates_with_an_exclusive_end(rep, client_for):
    visit = log_activity(
        actor=rep,
        kind=ActivityKind.VISIT,
        subject="창원 공장 방문",
        account=AccountFactory(owner=rep),
        starts_at=dt.datetime(2026, 5, 20, 9, tzinfo=SEOUL),
        ends_at=dt.datetime(2026, 5, 21, 18, tzinfo=SEOUL),
        all_day=True,
    )
    (event,) = parse(client_for(rep).get(f"/activities/{visit.pk}/ics/")).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.date(2026, 5, 20)
    assert event.decoded("DTEND") == dt.date(2026, 5, 22)


def test_ics_is_404_outside_scope_and_for_unscheduled_activities(rep, client_for):
    meeting = log_activity(
        actor=rep, kind=ActivityKind.MEETING, subject="m", account=AccountFactory(owner=rep), starts_at=timezone.now()
    )
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="t")
    assert client_for(UserFactory()).get(f"/activities/{meeting.pk}/ics/").status_code == 404
    assert client_for(rep).get(f"/activities/{task.pk}/ics/").status_code == 404


def test_feed_lists_upcoming_meetings_and_marks_cancelled_ones(rep, client_for):
    account = AccountFactory(owner=rep)
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    kept = log_activity(actor=rep, kind=ActivityKind.DEMO, subject="시연", account=account, starts_at=soon)
    dropped = log_activity(actor=rep, kind=ActivityKind.MEETING, subject="취소된 회의", account=account, starts_at=soon)
    cancel_activity(actor=rep, activity=dropped)
    log_activity(actor=UserFactory(), kind=ActivityKind.TASK, subject="남의 할 일")

    calendar = parse(client_for(rep).get("/activities/calendar.ics"))
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"activity-{kept.pk}@testserver", f"activity-{dropped.pk}@testserver"}
    assert str(events[f"activity-{dropped.pk}@testserver"]["STATUS"]) == "CANCELLED"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Seoul"


def test_feed_subscription_by_token_without_a_session(rep):
    log_activity(
        actor=rep,
        kind=ActivityKind.MEETING,
        subject="구독 확인",
        account=AccountFactory(owner=rep),
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    anonymous = Client()
    token = feed_token(rep)
    calendar = parse(anonymous.get(f"/activities/calendar.ics?token={token}"))
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["구독 확인"]

    assert anonymous.get("/activities/calendar.ics").status_code == 404
    tampered = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert anonymous.get(f"/activities/calendar.ics?token={tampered}").status_code == 404
    other = UserFactory()
    assert anonymous.get(f"/activities/calendar.ics?token={other.pk}.{token.split('.')[1]}").status_code == 404

    rep.set_password(PASSWORD + "-changed")
    rep.save()
    assert anonymous.get(f"/activities/calendar.ics?token={token}").status_code == 404  # revoked
