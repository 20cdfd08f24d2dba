"""iCalendar (RFC 5545) for scheduled activities: one event per activity, times in Asia/Seoul."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from .models import Activity, ActivityStatus
from .rich_text import body_text

PRODID = "-//Forge CRM//Activities//KO"
FEED_SALT = "forgecrm.activities.calendar-feed"


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE or "Asia/Seoul")


def activity_uid(activity: Activity, domain: str) -> str:
    """Stable across edits and exports, unique across installations (the site's host names it)."""
    return f"activity-{activity.pk}@{domain or 'forgecrm.local'}"


def _event(activity: Activity, *, domain: str, url: str = "") -> Event:
    zone = _zone()
    event = Event()
    event.add("uid", activity_uid(activity, domain))
    # Without METHOD, DTSTAMP is when the event was last revised in the store (RFC 5545 3.8.7.2), in UTC.
    event.add("dtstamp", activity.updated_at.astimezone(dt.UTC))
    event.add("created", activity.created_at.astimezone(dt.UTC))
    event.add("last-modified", activity.updated_at.astimezone(dt.UTC))
    event.add("sequence", max(activity.version - 1, 0))
    event.add("summary", activity.subject)
    starts = activity.starts_at or activity.due_at or activity.timeline_at
    if activity.all_day:
        first = timezone.localtime(starts, zone).date()
        last = timezone.localtime(activity.ends_at, zone).date() if activity.ends_at else first
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
    else:
        event.add("dtstart", starts.astimezone(zone))
        ends = activity.ends_at or starts + dt.timedelta(minutes=activity.duration_minutes or 60)
        event.add("dtend", ends.astimezone(zone))
    if activity.location:
        event.add("location", activity.location)
    description = body_text(activity.body)
    regarding = ", ".join(str(obj) for obj in (activity.account, activity.contact) if obj is not None)
    if regarding:
        description = f"{regarding}\n\n{description}".strip()
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("categories", [activity.get_kind_display()])
    event.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if activity.all_day else "OPAQUE")
    return event


def calendar_for(activities: Iterable[Activity], *, domain: str, name: str = "", url_for=None) -> bytes:
    """A VCALENDAR with a VTIMEZONE for Asia/Seoul and one VEVENT per activity."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(_zone()))
    for activity in activities:
        calendar.add_component(_event(activity, domain=domain, url=url_for(activity) if url_for else ""))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_token(user) -> str:
    """A secret for the user's calendar subscription URL; changing the password revokes it."""
    signature = salted_hmac(FEED_SALT, f"{user.pk}:{user.password}:{user.is_active}", algorithm="sha256")
    return f"{user.pk}.{signature.hexdigest()[:40]}"


def user_for_feed_token(token: str, users) -> object | None:
    """The active user a feed token belongs to, or None (a wrong, stale or foreign token)."""
    user_id, _sep, _signature = (token or "").partition(".")
    if not user_id.isdigit():
        return None
    user = users.filter(pk=int(user_id), is_active=True).first()
    if user is None or not constant_time_compare(feed_token(user), token):
        return None
    return user
