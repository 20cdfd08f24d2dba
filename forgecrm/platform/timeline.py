"""The timeline registry: every app contributes events to the 360° view of an account or contact.

Apps above platform register a source function; the customers app renders the merged stream without
importing them.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # e.g. "activity.call"
    title: str
    summary: str = ""
    url: str = ""
    icon: str = "circle"
    actor: str = ""


# source(actor, subject_kind, subject_id, limit) -> list[TimelineEntry]; subject_kind is "account" or "contact".
TimelineSource = Callable[[Any, str, int, int], list[TimelineEntry]]
_sources: dict[str, TimelineSource] = {}


def register_timeline_source(name: str, source: TimelineSource) -> None:
    _sources[name] = source


def timeline_for(actor: Any, subject_kind: str, subject_id: int, limit: int = 50) -> list[TimelineEntry]:
    """The latest `limit` entries from every source, newest first; each source applies the access layer."""
    entries: list[TimelineEntry] = []
    for source in _sources.values():
        entries.extend(source(actor, subject_kind, subject_id, limit))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class SubjectAction:
    """A quick action offered on a 360° page by another app (e.g. "Log a call" from activities)."""

    label: str
    url: str
    icon: str = "plus"


# source(actor, subject_kind, subject_id) -> the actions this actor may take on that account or contact.
SubjectActionSource = Callable[[Any, str, int], list[SubjectAction]]
_action_sources: dict[str, SubjectActionSource] = {}


def register_subject_actions(name: str, source: SubjectActionSource) -> None:
    _action_sources[name] = source


def subject_actions_for(actor: Any, subject_kind: str, subject_id: int) -> list[SubjectAction]:
    actions: list[SubjectAction] = []
    for source in _action_sources.values():
        actions.extend(source(actor, subject_kind, subject_id))
    return actions
