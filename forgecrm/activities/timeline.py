"""Activities on the 360° timeline of an account or a contact (one query per call, access layer applied)."""

from django.urls import reverse
from django.utils.text import Truncator

from forgecrm.platform.timeline import TimelineEntry, register_timeline_source

from .queries import timeline_activities_for
from .rich_text import body_text


def activity_timeline(actor, subject_kind: str, subject_id: int, limit: int) -> list[TimelineEntry]:
    rows = timeline_activities_for(actor, subject_kind, subject_id, limit)
    return [
        TimelineEntry(
            at=row.timeline_at,
            kind=f"activity.{row.kind}",
            title=row.subject,
            summary=Truncator(body_text(row.body) or row.outcome).chars(160),
            url=reverse("activities:detail", args=[row.pk]),
            icon=row.icon,
            actor=str(row.owner),
        )
        for row in rows
    ]


register_timeline_source("activities", activity_timeline)
