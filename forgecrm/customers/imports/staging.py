# ruff: noqa: S608  -- SQL here is assembled from model metadata and constants only; values always go as parameters.
"""Set-based writes: rows go into a TEMP staging table in one load, then a handful of statements merge them.

PostgreSQL loads the staging table with COPY, SQLite with one executemany; both then run the same
UPDATE ... FROM / INSERT ... SELECT statements (SQLite has UPDATE ... FROM since 3.33). No statement
runs once per row, so an import of N rows costs a fixed number of queries.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, models

STAGE_STATUS_COLUMNS = (
    ("line", "integer"),
    ("ext_id", "text"),
    ("owner_id", "bigint"),
    ("matched_id", "bigint"),
    ("matched_by", "text"),
    ("result_id", "bigint"),
    ("action", "text"),
    ("dup_line", "integer"),
)


@dataclass(frozen=True)
class MatchRule:
    """Stage rows whose `stage_columns` equal the model's `model_columns` match that (lowest-id) row."""

    label: str
    stage_columns: tuple[str, ...]
    model_expressions: tuple[str, ...]  # SQL on the model's rows, alias t
    stage_filter: str  # which stage rows carry this key, e.g. "{stage}.brn <> ''"
    condition: str = ""  # extra SQL on the model's rows
    table: str = ""  # another table than the spec's (a contact's account)
    unique: bool = False  # only when exactly one row has the key (a name is not an identifier)


@dataclass(frozen=True)
class EntitySpec:
    """How one model is staged and merged."""

    model: type[models.Model]
    text_columns: tuple[str, ...]  # staged and copied into the model under the same column name
    int_columns: tuple[str, ...]
    key_columns: tuple[str, ...]  # text staged for matching only
    key_int_columns: tuple[str, ...]  # integers staged for matching and inserting (account_id, territory_id)
    match_rules: tuple[MatchRule, ...]
    overwrite_only: tuple[str, ...] = ()  # changed only in overwrite mode (the name)
    # Staged with their own SQL type, e.g. ("close_date", "date"); merged by the spec's own SQL, not compared here.
    typed_columns: tuple[tuple[str, str], ...] = ()

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def data_columns(self) -> tuple[str, ...]:
        return self.text_columns + self.int_columns


class Stage:
    """A TEMP table on the current connection; call inside a transaction."""

    def __init__(self, name: str, spec: EntitySpec) -> None:
        self.name = name
        self.spec = spec
        self.columns = [
            *STAGE_STATUS_COLUMNS,
            *((column, "text") for column in spec.text_columns + spec.key_columns),
            *((column, "bigint") for column in spec.int_columns + spec.key_int_columns),
            *spec.typed_columns,
        ]
        self.postgres = connection.vendor == "postgresql"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _type in self.columns]

    def create(self) -> None:
        definition = ", ".join(f"{name} {sql_type}" for name, sql_type in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            suffix = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(f"CREATE TEMP TABLE {self.name} ({definition}){suffix}")

    def load(self, rows: Iterable[Sequence]) -> None:
        """Rows in `column_names` order, in one COPY (PostgreSQL) or one executemany (SQLite)."""
        names = ", ".join(self.column_names)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(f"ANALYZE {self.name}")  # a TEMP table has no statistics until analysed
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.name} ({names}) VALUES ({marks})", list(rows))  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")

    def execute(self, sql: str, params: Sequence = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{stage}", self.name), list(params))
            return cursor.rowcount

    def fetch(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{stage}", self.name), list(params))
            return cursor.fetchall()

    # --- matching -------------------------------------------------------------------------------------------

    def match(self, rule: MatchRule, *, into: str = "matched_id", within: tuple[str, Sequence] | None = None) -> None:
        """One statement per rule: still-unresolved stage rows take the id of the existing row with equal keys.

        `into` "matched_id" finds the existing twin of a row; "account_id" finds the account a contact names.
        `within` (SQL, params) restricts the candidates, e.g. to the accounts the actor may see.
        """
        table = rule.table or self.spec.table
        keys = ", ".join(f"{expression} AS k{i}" for i, expression in enumerate(rule.model_expressions))
        group = ", ".join(rule.model_expressions)
        first_stage, first_model = rule.stage_columns[0], rule.model_expressions[0]
        conditions = [f"{first_model} IN (SELECT {first_stage} FROM {{stage}} WHERE {into} IS NULL)"]  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
        params: list = []
        if rule.condition:
            conditions.append(rule.condition)
        if within is not None:
            conditions.append(f"t.id IN ({within[0]})")
            params += list(within[1])
        having = " HAVING COUNT(*) = 1" if rule.unique else ""
        joins = " AND ".join(f"m.k{i} = {{stage}}.{column}" for i, column in enumerate(rule.stage_columns))
        sets = f"{into} = m.id"
        if into == "matched_id":
            sets += ", matched_by = %s, action = 'match'"
            params = [rule.label, *params]
        self.execute(
            f"UPDATE {{stage}} SET {sets} FROM ("  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"SELECT {keys}, MIN(t.id) AS id FROM {table} t WHERE {' AND '.join(conditions)} "
            f"GROUP BY {group}{having}) m "
            f"WHERE {joins} AND {{stage}}.{into} IS NULL AND {{stage}}.action = 'new' AND {rule.stage_filter}",
            params,
        )

    def mark_shared_matches(self) -> None:
        """Two file rows that match one existing row (by different keys): the later is a duplicate of the first."""
        first = "(SELECT MIN(s2.line) FROM {stage} s2 WHERE s2.matched_id = {stage}.matched_id)"
        self.execute(
            f"UPDATE {{stage}} SET action = 'dup', dup_line = {first} WHERE matched_id IS NOT NULL AND line > {first}"  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
        )

    def lock_outside(self, allowed_sql: str, allowed_params: Sequence) -> None:
        """Matches the actor may not change stay untouched (reported as skipped)."""
        # NOT EXISTS, not NOT IN: against a large scope, NOT IN's subquery outgrows work_mem, is not hashed, and is
        # searched row by row (105 s for 1,000 staged rows against 1M contacts; NOT EXISTS: 15 ms).
        # `allowed_sql` selects the scope's ids as "pk" (QuerySet.values("pk")).
        self.execute(
            f"UPDATE {{stage}} SET action = 'locked' WHERE action = 'match' AND NOT EXISTS "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"(SELECT 1 FROM ({allowed_sql}) allowed WHERE allowed.pk = {{stage}}.matched_id)",
            allowed_params,
        )

    # --- merging --------------------------------------------------------------------------------------------

    def _change_condition(self, column: str, overwrite: bool, target: str, source: str) -> str:
        integer = column in self.spec.int_columns
        if overwrite:
            if integer:
                return f"({source}.{column} IS NOT NULL AND ({target}.{column} IS NULL OR {target}.{column} <> {source}.{column}))"
            return f"({source}.{column} <> '' AND {source}.{column} <> {target}.{column})"
        if integer:
            return f"({target}.{column} IS NULL AND {source}.{column} IS NOT NULL)"
        return f"({target}.{column} = '' AND {source}.{column} <> '')"

    def _merge_columns(self, overwrite: bool) -> list[str]:
        return [c for c in self.spec.data_columns if overwrite or c not in self.spec.overwrite_only]

    def classify_matches(self, mode: str) -> None:
        """'match' rows become 'skip' (skip mode), 'update' (something to fill or overwrite) or 'same'."""
        self.execute("UPDATE {stage} SET result_id = matched_id WHERE matched_id IS NOT NULL")
        if mode == "skip":
            self.execute("UPDATE {stage} SET action = 'skip' WHERE action = 'match'")
            return
        overwrite = mode == "overwrite"
        changes = " OR ".join(
            self._change_condition(column, overwrite, "t", "{stage}") for column in self._merge_columns(overwrite)
        )
        self.execute(
            f"UPDATE {{stage}} SET action = 'update' WHERE action = 'match' AND EXISTS "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"(SELECT 1 FROM {self.spec.table} t WHERE t.id = {{stage}}.matched_id AND ({changes}))"
        )
        self.execute("UPDATE {stage} SET action = 'same' WHERE action = 'match'")

    def insert_new(
        self,
        constants: dict[str, object],
        from_stage: dict[str, str],
        *,
        model: type[models.Model] | None = None,
        where: str = "",
    ) -> int:
        """INSERT ... SELECT of the 'new' rows; every other column of the model gets its default as a constant.

        `model` writes rows of another model from the same stage (an opportunity's line), `where` narrows them."""
        target = model or self.spec.model
        model = target
        columns: list[str] = []
        expressions: list[str] = []
        params: list = []
        cast = connection.vendor == "postgresql"
        for field in model._meta.concrete_fields:
            if field.primary_key or getattr(field, "generated", False):
                continue
            column = str(field.column)
            columns.append(column)
            if column in from_stage:
                expressions.append(from_stage[column])
                continue
            if column in constants:
                value = constants[column]
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            if isinstance(value, enum.Enum):  # TextChoices defaults: the plain value for the driver
                value = value.value
            # PostgreSQL cannot infer a bare parameter's type in a SELECT list; SQLite's CAST would change values.
            expressions.append(f"CAST(%s AS {field.db_type(connection) or 'text'})" if cast else "%s")
            params.append(value)
        written = self.execute(
            f"INSERT INTO {target._meta.db_table} ({', '.join(columns)}) "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"SELECT {', '.join(expressions)} FROM {{stage}} WHERE action = 'new'{f' AND ({where})' if where else ''} "
            "ORDER BY line",
            params,
        )
        if written and self.postgres and target is self.spec.model:
            # The next chunk matches external ids among the rows written here: without fresh statistics the planner
            # still believes no row has source 'import' and scans the whole stage per imported row (over 60 s per
            # chunk after 50,000 rows; 0.16 s with them; the ANALYZE of two columns takes ~0.4 s).
            self.execute(f"ANALYZE {self.spec.table} (source, external_id)")
        return written

    def collect_new_ids(self) -> None:
        table = self.spec.table
        self.execute(
            f"UPDATE {{stage}} SET result_id = t.id FROM {table} t WHERE t.source = 'import' "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"AND NOT (t.external_id = '') AND t.external_id = {{stage}}.ext_id AND {{stage}}.action = 'new'"
        )

    def update_matched(self, mode: str, extra_sets: Sequence[str], params: Sequence) -> int:
        """One UPDATE ... FROM for every 'update' row: empty fields filled, or every given field overwritten."""
        overwrite = mode == "overwrite"
        table = self.spec.table
        sets = []
        for column in self._merge_columns(overwrite):
            condition = self._change_condition(column, overwrite, table, "s")
            sets.append(f"{column} = CASE WHEN {condition} THEN s.{column} ELSE {table}.{column} END")
        if overwrite and "name" in self.spec.overwrite_only:
            sets.append(f"name_key = CASE WHEN s.name <> '' THEN s.name_key ELSE {table}.name_key END")
        if overwrite and "full_name" in self.spec.overwrite_only:
            sets.append(f"name_key = CASE WHEN s.full_name <> '' THEN s.name_key ELSE {table}.name_key END")
        sets += [f"version = {table}.version + 1", *extra_sets]
        return self.execute(
            f"UPDATE {table} SET {', '.join(sets)} FROM {{stage}} s "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"WHERE s.matched_id = {table}.id AND s.action = 'update'",
            params,
        )

    def write_history(
        self,
        *,
        action: str,
        history_type: str,
        when: object,
        user_id: int,
        reason: str,
        model: type[models.Model] | None = None,
        parent_column: str = "id",
    ) -> int:
        """simple_history rows for the written rows, copied from the rows themselves in one INSERT ... SELECT.

        `model` and `parent_column` copy the rows of another model whose `parent_column` is a written row's id."""
        target = model or self.spec.model
        history = target.history.model  # type: ignore[attr-defined]
        base_columns = {field.column for field in target._meta.concrete_fields}
        columns = [
            field.column
            for field in history._meta.concrete_fields
            if field.column in base_columns and not field.column.startswith("history_")
        ]
        copied = ", ".join(f"t.{column}" for column in columns)
        return self.execute(
            f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}, history_date, history_type, "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"history_user_id, history_change_reason) SELECT {copied}, %s, %s, %s, %s FROM {target._meta.db_table} t "
            f"WHERE t.{parent_column} IN (SELECT result_id FROM {{stage}} WHERE action = %s)",
            [when, history_type, user_id, reason, action],
        )
