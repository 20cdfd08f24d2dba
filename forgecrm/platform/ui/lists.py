"""Keyset (seek) pagination and sorting for HTML lists: constant cost at any depth, never OFFSET."""

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    sort: str
    next_cursor: str
    page_size: int

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def resolve_sort(requested: str, allowed: dict[str, str], default: str) -> str:
    """A user-supplied sort key, checked against the allowed list (anything else falls back to the default)."""
    key = (requested or "").strip()
    name = key.lstrip("-")
    return key if name in allowed else default


def keyset_page(
    queryset: QuerySet, *, sort: str, allowed: dict[str, str], cursor: str = "", size: int = 50
) -> KeysetPage:
    """One page of `queryset` sorted by `sort` (a key of `allowed`, "-" for descending), after `cursor`.

    `allowed` maps sort keys to non-null model fields; the primary key breaks ties so pages never overlap.
    """
    descending = sort.startswith("-")
    field = allowed[sort.lstrip("-")]
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    queryset = queryset.order_by(*order)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        value, last_pk = position
        if descending:
            queryset = queryset.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": last_pk}))
        else:
            queryset = queryset.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": last_pk}))
    rows = list(queryset[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        value = last
        for part in field.split("__"):
            value = getattr(value, part)
        next_cursor = encode_cursor([value, last.pk])
    return KeysetPage(rows=rows, sort=sort, next_cursor=next_cursor, page_size=size)
