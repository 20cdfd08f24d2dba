"""More kinds of import on the same job, pages and report: apps above customers register their own.

An `ImportKind` names its fields (the mapping step), its counters, the references a row names (a product, an
account, a user, a stage) whose unknown values are reported per row and can be mapped to known ones on the
preview, extra options, and a `KindPass` subclass that cleans a row into a record and merges a chunk of records.
The upload, preview, mapping, job with progress bar and report are the account import's own (`jobs.py`,
`views_import.py`); sales registers products, its sales team and opportunities (`forgecrm.sales.imports`),
because customers may not import the catalog or sales.
"""

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from forgecrm.platform.models import Job, User
from forgecrm.platform.operations import step_job

from .mapping import TargetField, clean_mapping, header_key
from .pipeline import PREVIEW_CHARS, PREVIEW_ROWS, FilePass, Issue, Options, Outcome
from .reading import MAX_CELL_CHARS, Table

EMPTY = ""  # an empty cell is a value of its own for a reference that may be mapped (no account)
UNKNOWN_LINES = 5  # lines shown per unknown value on the preview (the report lists every row)


@dataclass(frozen=True)
class Reference:
    """A field naming another record; its unknown values are reported per row and mappable on the preview."""

    key: str  # the field key, e.g. "opportunity.product"
    label: object
    list_all: bool = False  # every distinct value is listed for mapping (a handful of stage names), not the unknown
    empty_is_value: bool = False  # an empty cell is reported and mappable too (an opportunity without account)


@dataclass(frozen=True)
class KindOption:
    """An extra choice of the kind on the upload and preview pages (a currency, an email domain…)."""

    name: str
    label: object
    default: Any
    choices: tuple[tuple[str, object], ...] = ()  # empty: free text (or a whole number when default is an int)
    help_text: object = ""


@dataclass(frozen=True)
class ImportKind:
    key: str  # the job's "target"
    label: object
    fields: tuple[TargetField, ...]
    entities: tuple[tuple[str, object], ...]  # counters shown as tiles, in order
    pass_class: type["KindPass"]
    may_import: Callable[[User], bool]
    references: tuple[Reference, ...] = ()
    options: tuple[KindOption, ...] = ()
    modes: tuple[str, ...] = ("fill", "overwrite", "skip")
    # Known values of a reference, as suggestions for the mapping step: (actor, reference key) -> names.
    suggestions: Callable[[User, str], Sequence[str]] = lambda actor, key: ()
    multiple_fields: frozenset[str] = frozenset()  # fields several columns may feed (a product's specifications)

    @property
    def fields_by_key(self) -> dict[str, TargetField]:
        return {item.key: item for item in self.fields}

    def default_options(self) -> dict[str, Any]:
        return {option.name: option.default for option in self.options}


_KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    _KINDS[kind.key] = kind


def kind_for(target: str) -> ImportKind | None:
    return _KINDS.get(target)


def registered_kinds() -> list[ImportKind]:
    return list(_KINDS.values())


def guess_kind_mapping(headers: list[str], kind: ImportKind) -> dict[str, str]:
    """Each header by its folded name against the fields' synonyms (and the field keys themselves), once each."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = header_key(header)
        for item in kind.fields:
            names = {*item.synonyms, header_key(item.key.split(".")[-1])}
            if key and key in names and item.key not in taken:
                mapping[str(index)] = item.key
                if item.key not in kind.multiple_fields:
                    taken.add(item.key)
                break
    return mapping


def clean_kind_mapping(raw: dict[str, str], headers: list[str], kind: ImportKind) -> dict[str, str]:
    return clean_mapping(raw, headers, kind.key, allowed=set(kind.fields_by_key), multiple=kind.multiple_fields)


def _counts() -> dict[str, int]:
    return dict.fromkeys(("new", "updated", "unchanged", "skipped", "locked", "duplicates", "errors"), 0)


@dataclass
class Row:
    line: int
    cells: list[str]
    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


class KindPass(FilePass):
    """One pass over a file of a registered kind; the same for the preview (rolled back) and the import.

    Subclasses implement `build(row) -> record | None` (add to `row.errors` for a refused row),
    `key_of(record)` (in-file duplicates) and `merge(records)` (write one chunk, then `count` each line).
    """

    kind: ImportKind
    entity = ""  # the counter a refused or duplicate row counts against

    def __init__(
        self,
        *,
        actor: User,
        job: Job,
        table: Table,
        options: Options,
        dry_run: bool,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.actor, self.job, self.table, self.options, self.dry_run = actor, job, table, options, dry_run
        self.progress = progress
        self.outcome = Outcome()
        self.outcome.entities = {name: _counts() for name, _label in self.kind.entities}
        self.columns = {field_key: int(index) for index, field_key in options.mapping.items()}
        self.spec_columns = [
            int(index) for index, field_key in options.mapping.items() if field_key in self.kind.multiple_fields
        ]
        self.settings = {**self.kind.default_options(), **options.extra}
        self.preview_by_line: dict[int, dict] = {}
        self.seen: dict[tuple, int] = {}
        self.pending: list[Any] = []
        self.cells_by_line: dict[int, list[str]] = {}
        self.unflushed_rows = 0
        # reference key -> raw value -> {"count", "lines", "known"}
        self.values_seen: dict[str, dict[str, dict]] = {ref.key: {} for ref in self.kind.references}

    # --- hooks -------------------------------------------------------------------------------------------------

    def build(self, row: Row) -> Any:
        raise NotImplementedError

    def key_of(self, record: Any) -> tuple | None:
        return None

    def merge(self, records: list[Any]) -> None:
        raise NotImplementedError

    # --- the pass ----------------------------------------------------------------------------------------------

    def run(self) -> Outcome:
        outcome = super().run()
        outcome.unknown = self._unknown_summary()
        return outcome

    def _pending(self) -> int:
        return len(self.pending)

    def _take(self, line: int, cells: list[str]) -> None:
        row = Row(line=line, cells=cells)
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                row.errors.append(
                    (
                        self.column_name(index),
                        _("The cell holds %(count)s characters; at most 32,767 are read.")
                        % {"count": f"{len(cell):,}"},
                    )
                )
        record = None
        if not row.errors:
            row.values = {key: self._text(cells, index) for key, index in self.columns.items()}
            record = self.build(row)
        preview = None
        if len(self.preview_by_line) < PREVIEW_ROWS:
            values = {key: value[:PREVIEW_CHARS] for key, value in row.values.items()}
            preview = {"line": line, "values": values, "error": "", "record": None}
            self.preview_by_line[line] = preview
        if row.errors or record is None:
            self.outcome.rows_with_errors += 1
            self.outcome.entities[self.entity]["errors"] += 1
            for column, reason in row.errors:
                self.issue(line, "error", column, reason, cells)
            if preview:
                preview["error"] = "; ".join(f"{column}: {reason}" for column, reason in row.errors)
            return
        key = self.key_of(record)
        if key is not None and key in self.seen:
            self.outcome.entities[self.entity]["duplicates"] += 1
            reason = _("Duplicate of line %(line)s in this file.") % {"line": self.seen[key]}
            self.issue(line, "duplicate", "", reason, cells)
            if preview:
                preview["record"] = {"status": "duplicate", "reason": reason}
            return
        if key is not None:
            self.seen[key] = line
        self.cells_by_line[line] = cells
        self.pending.append(record)

    def _flush(self) -> None:
        records, self.pending = self.pending, []
        if records:
            with transaction.atomic():
                self.merge(records)
        if not self.dry_run and self.unflushed_rows:
            step_job(job=self.job, done=self.unflushed_rows)
            if self.progress is not None:
                self.progress(self.unflushed_rows)
        self.unflushed_rows = 0
        self.cells_by_line = {}

    # --- helpers for the subclasses ----------------------------------------------------------------------------

    @staticmethod
    def _text(cells: list[str], index: int) -> str:
        value = cells[index] if index < len(cells) else ""
        return " ".join(unicodedata.normalize("NFKC", value).split()) if "\n" not in value else value.strip()

    def column_name(self, index: int) -> str:
        headers = self.table.headers
        return headers[index] if index < len(headers) and headers[index] else f"#{index + 1}"

    def header(self, key: str) -> str:
        index = self.columns.get(key)
        if index is not None:
            return self.column_name(index)
        item = self.kind.fields_by_key.get(key)
        return str(item.label) if item else key

    def spec_values(self, row: Row) -> list[tuple[str, str]]:
        """(header, value) of the columns mapped to a multiple field, in file order."""
        pairs = []
        for index in sorted(self.spec_columns):
            value = self._text(row.cells, index)
            if value:
                pairs.append((self.column_name(index), value))
        return pairs

    def too_long(self, row: Row, key: str, value: str, limit: int) -> bool:
        if len(value) <= limit:
            return False
        row.errors.append(
            (
                self.header(key),
                _("Too long: at most %(limit)s characters (this has %(count)s).")
                % {"limit": limit, "count": len(value)},
            )
        )
        return True

    def mapped(self, key: str, raw: str) -> str:
        """The value to look up: the user's mapping of the file's value, else the value itself."""
        return self.options.value_map.get(key, {}).get(raw, raw)

    def remember(self, line: int, key: str, raw: str, known: bool) -> None:
        """Count a reference's file value for the mapping step."""
        seen = self.values_seen[key].setdefault(raw, {"count": 0, "lines": [], "known": True})
        seen["count"] += 1
        if len(seen["lines"]) < UNKNOWN_LINES:
            seen["lines"].append(line)
        if not known:
            seen["known"] = False

    def resolve(
        self,
        line: int,
        errors: list[tuple[str, str]],
        key: str,
        raw: str,
        known: dict[str, Any],
        fold: Callable[[str], str],
    ) -> Any:
        """A reference's target by its (mapped) value; an unknown value is an error of the row, and remembered.

        An empty cell of a reference that does not treat it as a value resolves to None without an error."""
        reference = next(ref for ref in self.kind.references if ref.key == key)
        value = self.mapped(key, raw)
        found = known.get(fold(value)) if value else None
        if not raw and not reference.empty_is_value and raw == value:
            return None
        self.remember(line, key, raw, found is not None)
        if found is not None:
            return found
        label = raw or _("(empty)")
        if raw != value:
            reason = _("“%(value)s” (mapped from “%(raw)s”) is not a known %(what)s.") % {
                "value": value,
                "raw": label,
                "what": reference.label,
            }
        elif not raw:
            reason = _("No %(what)s given: map the empty value on the preview.") % {"what": reference.label}
        else:
            reason = _("Unknown %(what)s “%(value)s”: map it to a known one on the preview.") % {
                "what": reference.label,
                "value": raw,
            }
        errors.append((self.header(key), reason))
        return None

    def refuse(self, line: int, errors: list[tuple[str, str]]) -> None:
        """A row found wrong while merging its chunk (an unknown reference): counted and reported like any error."""
        self.outcome.rows_with_errors += 1
        self.outcome.entities[self.entity]["errors"] += 1
        for column, reason in errors:
            self.issue(line, "error", column, reason)
        preview = self.preview_by_line.get(line)
        if preview is not None:
            preview["error"] = "; ".join(f"{column}: {reason}" for column, reason in errors)

    def _unknown_summary(self) -> dict[str, list[dict]]:
        """Per reference: the values to show in the mapping step (unknown, already mapped, or all)."""
        summary: dict[str, list[dict]] = {}
        for reference in self.kind.references:
            values = self.values_seen[reference.key]
            current = self.options.value_map.get(reference.key, {})
            listed = []
            for raw, facts in sorted(values.items(), key=lambda item: (-item[1]["count"], item[0])):
                if reference.list_all or not facts["known"] or raw in current:
                    listed.append(
                        {
                            "value": raw,
                            "count": facts["count"],
                            "lines": facts["lines"],
                            "known": facts["known"],
                            "mapped": current.get(raw, ""),
                        }
                    )
            if listed:
                summary[reference.key] = listed
        return summary

    def issue(self, line: int, result: str, column: str, reason: str, cells: list[str] | None = None) -> None:
        self.outcome.issues.append(
            Issue(line, result, column, str(reason), cells if cells is not None else self.cells_by_line.get(line, []))
        )

    def count(self, line: int, action: str, reason: str = "", entity: str = "") -> None:
        """One merged line: new, update, same, skip or locked (reported), with the preview's status."""
        counter = self.outcome.entities[entity or self.entity]
        names = {"new": "new", "update": "updated", "same": "unchanged", "skip": "skipped", "locked": "locked"}
        counter[names[action]] += 1
        if action == "locked":
            self.issue(line, "skipped", "", reason)
        preview = self.preview_by_line.get(line)
        if preview is not None and not entity:
            preview["record"] = {"status": action, "reason": reason}

    def bump(self, entity: str, action: str, amount: int = 1) -> None:
        """Count records the rows imply (the product line of a product, the team of a person)."""
        self.outcome.entities[entity][action] += amount


def option_value(option: KindOption, raw: Any) -> Any:
    """A submitted option value, checked: one of the choices, a whole number, or text."""
    if option.choices:
        allowed = [value for value, _label in option.choices]
        return raw if raw in allowed else option.default
    if isinstance(option.default, bool):
        return bool(raw) and raw not in ("0", "false", "False", "off")
    if isinstance(option.default, int):
        try:
            return max(0, min(int(raw), 3650))
        except (TypeError, ValueError):
            return option.default
    return str(raw if raw is not None else option.default).strip()[:200]
