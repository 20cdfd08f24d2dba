"""Activities on the 360° timeline of an account or a contact (one query per call, access layer applied)."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from forgecrm.platform.timeline import SubjectAction, TimelineEntry, register_subject_actions, register_timeline_source

from .policies import may_log_activities
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


def activity_quick_actions(actor, subject_kind: str, subject_id: int) -> list[SubjectAction]:
    """Two clicks from a 360° page: the form opens prefilled with the account or contact and the kind."""
    if not may_log_activities.test(actor):
        return []
    base = f"{reverse('activities:create')}?{subject_kind}={subject_id}"
    return [
        SubjectAction(_("Log a call"), f"{base}&kind=call", "phone-call"),
        SubjectAction(_("New meeting"), f"{base}&kind=meeting", "calendar-plus"),
        SubjectAction(_("Add a note"), f"{base}&kind=note", "note"),
        SubjectAction(_("New task"), f"{base}&kind=task", "checkbox"),
    ]


register_subject_actions("activities", activity_quick_actions)
