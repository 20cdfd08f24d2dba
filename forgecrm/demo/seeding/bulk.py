"""Set-based inserts for generated rows: COPY on PostgreSQL, executemany in one transaction elsewhere.

Rows come as dicts keyed by field attname (`owner_id`, not `owner`); fields a row leaves out take the field's
default. Ids are assigned here, in one block above the table's current maximum, so that generators can point
foreign keys at rows not written yet and the database never has to hand ids back.

This bypasses model `save()` on purpose (the ARCHITECTURE speed rule for bulk writes): no signals, no
django-simple-history rows (see `history_rows`), no `auto_now`; callers fill `created_at`/`updated_at`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

BATCH = 5000

_NEEDS_PREP_SQLITE = (models.DateTimeField, models.DateField, models.TimeField, models.DecimalField, models.JSONField)


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for a datetime with USE_TZ (naive UTC as text), without its per-value
    overhead, which is most of the time of a million-row load."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def _preparer(field: models.Field) -> Callable | None:
    if connection.vendor == "postgresql":
        return (
            (lambda value: field.get_db_prep_save(value, connection)) if isinstance(field, models.JSONField) else None
        )
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return str
    if isinstance(field, _NEEDS_PREP_SQLITE):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class TableWriter:
    """Writes rows of one model; `next_id()` hands out the ids the rows must carry.

    Ids come from a counter started above the table's maximum: nothing else may insert into the table between
    handing out ids and writing them (the seeding runs in one transaction, table by table)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        # Generated columns (e.g. Account.name_block) are computed by the database and cannot be inserted.
        self.fields = [field for field in model._meta.concrete_fields if not getattr(field, "generated", False)]
        self.columns = [field.column for field in self.fields]
        self._next = (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.written = 0
        now = timezone.now()
        self._defaults = [self._default(field, now) for field in self.fields]
        self.defaults = {field.attname: default for field, default in zip(self.fields, self._defaults, strict=True)}
        self._preps: list[Callable | None] = [_preparer(field) for field in self.fields]

    @staticmethod
    def _default(field: models.Field, now: dt.datetime):
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            return now
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            return now.date()
        return (
            field.get_default() if field.has_default() or field.null else ("" if field.empty_strings_allowed else None)
        )

    def next_id(self) -> int:
        value = self._next
        self._next += 1
        return value

    def _tuples(self, rows: Iterable[dict]) -> Iterator[tuple]:
        attnames = [field.attname for field in self.fields]
        pairs = list(zip(attnames, self._defaults, self._preps, strict=True))
        for row in rows:
            values = []
            for attname, default, prep in pairs:
                value = row.get(attname, default)
                values.append(prep(value) if prep is not None and value is not None else value)
            yield tuple(values)

    def write(self, rows: Iterable[dict]) -> int:
        """Insert the rows (each with its "id"); returns how many. Call inside a transaction."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        column_list = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        tuples = self._tuples(rows)
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                    for values in tuples:
                        copy.write_row(values)
                        count += 1
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608  # nosec B608  # names from _meta
                while batch := list(islice(tuples, BATCH)):
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.written += count
        self._move_sequence()
        return count

    def _move_sequence(self) -> None:
        """Move the id sequence past the ids written here, so that ordinary inserts that follow (operations,
        the ORM) do not collide with them (PostgreSQL identity columns; SQLite's AUTOINCREMENT follows itself)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)


def history_rows(model: type[models.Model], rows: Iterable[dict], user_field: str = "created_by_id") -> Iterator[dict]:
    """A "created" django-simple-history row for each generated row (history_user = who created it)."""
    for row in rows:
        yield {
            **row,
            "history_date": row.get("created_at"),
            "history_type": "+",
            "history_change_reason": None,
            "history_user_id": row.get(user_field),
        }
