"""One pass over a file: clean each row, drop in-file duplicates, then stage and merge chunk by chunk.

The same pass serves the preview (`dry_run=True`: matched against existing rows, then rolled back) and
the import itself, so the preview's counts are the import's counts.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Job, Territory, User
from forgecrm.platform.operations import match_territory, step_job
from forgecrm.platform.search import index_objects
from forgecrm.platform.search.registry import search_sources

from .access import assignable_owner_ids, changeable_q
from .addresses import canonical_sido
from .cleaning import AccountRecord, ContactRecord, RowCleaner, stable_id
from .mapping import Target
from .reading import Table
from .specs import ACCOUNT_LOOKUPS, ACCOUNTS, CONTACTS
from .staging import Stage

CHUNK_ROWS = 5000
PREVIEW_ROWS = 20
PREVIEW_CHARS = 200  # a preview cell shows the start of a long text; the job's JSON stays small
INDEX_BATCH = CHUNK_ROWS
MAX_REPORTED_ISSUES = 100_000


@dataclass
class Issue:
    line: int
    result: str  # "error", "duplicate", "skipped"
    column: str
    reason: str
    cells: list[str]


@dataclass
class Options:
    target: str
    mapping: dict[str, str]
    mode: str = "fill"  # "fill" empty fields of matches, "overwrite" them, or "skip" matches
    account_kind: str = "prospect"
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)  # kinds: reference -> file value -> value
    extra: dict = field(default_factory=dict)  # kinds: their own options


def _counts() -> dict[str, int]:
    return dict.fromkeys(("new", "updated", "unchanged", "skipped", "locked", "duplicates", "errors"), 0)


@dataclass
class Outcome:
    rows: int = 0
    rows_with_errors: int = 0
    accounts: dict[str, int] = field(default_factory=_counts)
    contacts: dict[str, int] = field(default_factory=_counts)
    issues: list[Issue] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    first_cells: list[str] = field(default_factory=list)
    entities: dict[str, dict[str, int]] = field(default_factory=dict)  # kinds: their counters
    unknown: dict[str, list[dict]] = field(default_factory=dict)  # kinds: reference values to map


MATCH_LABELS = {
    "external_id": _lazy("external ID"),
    "brn": _lazy("business registration number"),
    "email": _lazy("email"),
    "phone": _lazy("phone"),
    "mobile": _lazy("mobile"),
    "name": _lazy("name"),
}
ACTION_COUNTER = {"new": "new", "update": "updated", "same": "unchanged", "skip": "skipped", "locked": "locked"}


class FilePass:
    """The loop of every import pass: take each row, merge a chunk every CHUNK_ROWS pending records.

    The preview runs the same loop in a transaction that is rolled back, so its counts are the import's."""

    dry_run: bool
    table: Table
    outcome: Outcome
    preview_by_line: dict[int, dict]
    unflushed_rows: int

    def run(self) -> Outcome:
        if self.dry_run:
            with transaction.atomic():
                self._read_all()
                transaction.set_rollback(True)
        else:
            self._read_all()
        self.outcome.preview = [self.preview_by_line[line] for line in sorted(self.preview_by_line)]
        return self.outcome

    def _read_all(self) -> None:
        for line, cells in self.table.rows:
            self.outcome.rows += 1
            if self.outcome.rows == 1:
                self.outcome.first_cells = [cell[:60] for cell in cells]
            self.unflushed_rows += 1
            self._take(line, cells)
            if self._pending() >= CHUNK_ROWS:
                self._flush()
        self._flush()

    def _pending(self) -> int:
        raise NotImplementedError

    def _take(self, line: int, cells: list[str]) -> None:
        raise NotImplementedError

    def _flush(self) -> None:
        raise NotImplementedError


class ImportPass(FilePass):
    def __init__(self, *, actor: User, job: Job, table: Table, options: Options, dry_run: bool) -> None:
        self.actor, self.job, self.table, self.options, self.dry_run = actor, job, table, options, dry_run
        self.cleaner = RowCleaner(table.headers, options.mapping, options.target)
        self.outcome = Outcome()
        self.now = timezone.now()
        self.account_seen: dict[tuple, int] = {}
        self.contact_seen: dict[tuple, int] = {}
        self.account_ext_by_line: dict[int, str] = {}
        self.account_id_by_line: dict[int, int | None] = {}
        self.pending_accounts: list[AccountRecord] = []
        self.pending_contacts: list[ContactRecord] = []
        self.preview_by_line: dict[int, dict] = {}
        self.owner_ids: dict[str, int] = {}
        self.territory_cache: dict[tuple, int | None] = {}
        self.territories: list[Territory] | None = None
        self.unflushed_rows = 0
        self.chunk_cells: dict[int, list[str]] = {}  # original cells of the staged rows, for the report

    # --- the pass ---------------------------------------------------------------------------------------------

    def _pending(self) -> int:
        return len(self.pending_accounts) + len(self.pending_contacts)

    def _take(self, line: int, cells: list[str]) -> None:
        row = self.cleaner.clean(line, cells)
        preview = None
        if len(self.preview_by_line) < PREVIEW_ROWS:
            values = {key: value[:PREVIEW_CHARS] for key, value in row.values.items()}
            preview = {"line": line, "values": values, "error": "", "account": None, "contact": None}
            self.preview_by_line[line] = preview
        if row.errors:
            self.outcome.rows_with_errors += 1
            counter = self.outcome.contacts if self.options.target == Target.CONTACTS else self.outcome.accounts
            counter["errors"] += 1
            for column, reason in row.errors:
                self._issue(line, "error", column, reason, cells)
            if preview:
                preview["error"] = "; ".join(f"{column}: {reason}" for column, reason in row.errors)
            return
        self.chunk_cells[line] = cells
        account_line = None
        if row.account is not None:
            account_line = self._take_account(row.account, cells, preview)
        if row.contact is not None:
            if self.options.target == Target.BOTH and account_line is not None:
                self._assign_account(row.contact, self.account_ext_by_line[account_line])
                row.contact.account_line = account_line
            self._take_contact(row.contact, cells, preview)

    @staticmethod
    def _assign_account(contact: ContactRecord, account_ref: str) -> None:
        contact.account_ref = account_ref
        if not contact.file_id:
            contact.ext_id = stable_id("contact", account_ref, contact.name_key, contact.email.lower(), contact.mobile)

    @staticmethod
    def _first_seen(seen: dict[tuple, int], keys: list[tuple]) -> int | None:
        lines = [seen[key] for key in keys if key in seen]
        return min(lines) if lines else None

    def _take_account(self, record: AccountRecord, cells: list[str], preview: dict | None) -> int:
        first = self._first_seen(self.account_seen, record.match_keys())
        if first is None:
            first = record.line
            self.account_ext_by_line[first] = record.ext_id
            self.pending_accounts.append(record)
        elif self.options.target == Target.ACCOUNTS:
            self.outcome.accounts["duplicates"] += 1
            reason = _("Duplicate of line %(line)s in this file.") % {"line": first}
            self._issue(record.line, "duplicate", "", reason, cells)
            if preview:
                preview["account"] = {"status": "duplicate", "reason": reason}
        elif preview:
            # Several contacts of one company: the company is written once, on its first line.
            reason = _("The same account as line %(line)s.") % {"line": first}
            preview["account"] = {"status": "same_account", "reason": reason}
        for key in record.register_keys():
            self.account_seen.setdefault(key, first)
        return first

    def _take_contact(self, record: ContactRecord, cells: list[str], preview: dict | None) -> None:
        first = self._first_seen(self.contact_seen, record.match_keys())
        if first is None:
            self.pending_contacts.append(record)
            first = record.line
        else:
            self.outcome.contacts["duplicates"] += 1
            reason = _("Duplicate of line %(line)s in this file.") % {"line": first}
            self._issue(record.line, "duplicate", "", reason, cells)
            if preview:
                preview["contact"] = {"status": "duplicate", "reason": reason}
        for key in record.register_keys():
            self.contact_seen.setdefault(key, first)

    def _issue(self, line: int, result: str, column: str, reason: str, cells: list[str]) -> None:
        if len(self.outcome.issues) < MAX_REPORTED_ISSUES:
            self.outcome.issues.append(Issue(line, result, column, str(reason), cells))

    # --- owners and territories, computed once per distinct value ------------------------------------------------

    def _resolve_owners(self, emails: Iterable[str]) -> None:
        wanted = {email for email in emails if email and email not in self.owner_ids}
        if not wanted:
            return
        allowed = assignable_owner_ids(self.actor)
        users = User.objects.filter(email__in=wanted, is_active=True).only("pk", "email", "role")
        for user in users:
            if user.is_internal and (allowed is None or user.pk in allowed):
                self.owner_ids[user.email.lower()] = user.pk
        for email in wanted - set(self.owner_ids):
            self.owner_ids[email] = 0  # not assignable: the importer owns the row

    def _owner(self, email: str, line: int) -> int:
        owner = self.owner_ids.get(email, 0) if email else 0
        if email and not owner:
            self._issue(
                line,
                "warning",
                self.cleaner.header("owner_email"),
                _("No user you may assign has this email; you own the row."),
                self.chunk_cells.get(line, []),
            )
        return owner or self.actor.pk

    def _territory(self, record: AccountRecord) -> int | None:
        combo = (record.sido, record.sigungu, record.industry, record.employees)
        if combo in self.territory_cache:
            return self.territory_cache[combo]
        if self.territories is None:
            self.territories = []
            for territory in Territory.objects.all():
                spelled = copy.copy(territory)
                spelled.sido = canonical_sido(territory.sido)
                self.territories.append(spelled)
        found = None
        # "수원시 영통구": a rule may name the district or only the city.
        for sigungu in dict.fromkeys((record.sigungu, record.sigungu.split(" ")[0])):
            candidate = match_territory(
                sido=record.sido,
                sigungu=sigungu,
                industry=record.industry,
                employees=record.employees,
                territories=self.territories,
            )
            if candidate is not None and (found is None or candidate.specificity > found.specificity):
                found = candidate
        self.territory_cache[combo] = found.pk if found else None
        return self.territory_cache[combo]

    # --- a chunk: stage, match, merge ------------------------------------------------------------------------------

    def _flush(self) -> None:
        accounts, contacts = self.pending_accounts, self.pending_contacts
        self.pending_accounts, self.pending_contacts = [], []
        if accounts or contacts:
            self._resolve_owners([r.owner_email for r in accounts] + [r.owner_email for r in contacts])
            with transaction.atomic():
                if accounts:
                    self._merge_accounts(accounts)
                if contacts:
                    self._merge_contacts(contacts)
        if not self.dry_run and self.unflushed_rows:
            step_job(job=self.job, done=self.unflushed_rows)
        self.unflushed_rows = 0
        self.chunk_cells = {}

    def _allowed_sql(self, model) -> tuple[str, list] | None:
        """The rows of `model` this import may change, as SQL for a NOT IN, or None for all rows."""
        principal_scope = scope_for(self.actor, model).filter(changeable_q(self.actor))
        if not principal_scope.query.where:
            return None
        sql, params = principal_scope.values("pk").query.sql_with_params()
        return sql, list(params)

    def _visible_sql(self, model) -> tuple[str, list] | None:
        queryset = scope_for(self.actor, model)
        if not queryset.query.where:
            return None
        sql, params = queryset.values("pk").query.sql_with_params()
        return sql, list(params)

    def _merge_accounts(self, records: list[AccountRecord]) -> None:
        rows = []
        for record in records:
            rows.append(
                (
                    record.line, record.ext_id, self._owner(record.owner_email, record.line), None, "", None,
                    "new", None,
                    record.name, record.brn, record.corporate_number, record.phone, record.email, record.website,
                    record.road_address, record.address_detail, record.sido, record.sigungu, record.postal_code,
                    record.industry, record.description,
                    record.name_key, record.email.lower(),
                    record.employees, record.annual_revenue, self._territory(record),
                )
            )  # fmt: skip
        stage = Stage("forge_import_accounts", ACCOUNTS)
        stage.create()
        stage.load(rows)
        for rule in ACCOUNTS.match_rules:
            stage.match(rule)
        self._classify(stage, Account)
        if not self.dry_run:
            self._write(stage, "account", extra_insert={"kind": self.options.account_kind})
        outcomes = stage.fetch("SELECT line, action, result_id, dup_line, matched_by FROM {stage}")
        stage.drop()
        for line, action, result_id, dup_line, matched_by in outcomes:
            usable = action not in ("locked",)
            self.account_id_by_line[line] = result_id if usable else None
            self._count(self.outcome.accounts, line, action, dup_line, matched_by, "account")

    def _merge_contacts(self, records: list[ContactRecord]) -> None:
        rows = []
        for record in records:
            account_id = None
            if self.options.target == Target.BOTH:
                account_id = self.account_id_by_line.get(record.account_line)
            rows.append(
                (
                    record.line, record.ext_id, self._owner(record.owner_email, record.line), None, "", None,
                    "new", None,
                    record.full_name, record.title, record.department, record.email, record.phone, record.mobile,
                    record.name_key, record.email.lower(), record.account_file_id, record.account_brn,
                    record.account_name_key, record.account_sido,
                    account_id,
                )
            )  # fmt: skip
        stage = Stage("forge_import_contacts", CONTACTS)
        stage.create()
        stage.load(rows)
        if self.options.target == Target.CONTACTS:
            visible = self._visible_sql(Account)
            for rule in ACCOUNT_LOOKUPS:
                stage.match(rule, into="account_id", within=visible)
            stage.execute("UPDATE {stage} SET action = 'noaccount' WHERE account_id IS NULL")
            if connection.vendor == "postgresql":
                # The stage was analysed when account_id was still empty; the name match is driven by account_id.
                stage.execute("ANALYZE {stage}")
        elif not self.dry_run:
            # The account row was refused or is not the importer's to change: its people are not added.
            stage.execute("UPDATE {stage} SET action = 'noaccount' WHERE account_id IS NULL")
        for rule in CONTACTS.match_rules:
            stage.match(rule)
        self._classify(stage, Contact)
        if not self.dry_run:
            self._write(stage, "contact", extra_insert={})
        outcomes = stage.fetch("SELECT line, action, result_id, dup_line, matched_by FROM {stage}")
        stage.drop()
        for line, action, _result_id, dup_line, matched_by in outcomes:
            self._count(self.outcome.contacts, line, action, dup_line, matched_by, "contact")

    def _classify(self, stage: Stage, model) -> None:
        stage.mark_shared_matches()
        allowed = self._allowed_sql(model)
        if allowed is not None:
            stage.lock_outside(*allowed)
        stage.classify_matches(self.options.mode)

    def _write(self, stage: Stage, entity: str, extra_insert: dict) -> None:
        spec = stage.spec
        now = connection.ops.adapt_datetimefield_value(self.now)
        constants = {
            "created_at": now,
            "updated_at": now,
            "created_by_id": self.actor.pk,
            "updated_by_id": self.actor.pk,
            "version": 1,
            "source": "import",
            **extra_insert,
        }
        from_stage = {column: column for column in spec.data_columns}
        from_stage.update(name_key="name_key", owner_id="owner_id", external_id="ext_id")
        for column in spec.key_int_columns:
            from_stage[column] = column
        stage.insert_new(constants, from_stage)
        stage.collect_new_ids()
        extra_sets = ["updated_at = %s", "updated_by_id = %s"]
        params: list = [now, self.actor.pk]
        if entity == "account":
            extra_sets.append(self._territory_update_sql())
        stage.update_matched(self.options.mode, extra_sets, params)
        reason = _("Import #%(job)s") % {"job": self.job.pk}
        stage.write_history(action="new", history_type="+", when=now, user_id=self.actor.pk, reason=reason)
        stage.write_history(action="update", history_type="~", when=now, user_id=self.actor.pk, reason=reason)
        written = [row[0] for row in stage.fetch("SELECT result_id FROM {stage} WHERE action IN ('new', 'update')")]
        self._index(entity, written)

    def _territory_update_sql(self) -> str:
        table = ACCOUNTS.table
        if self.options.mode == "overwrite":
            return (
                f"territory_id = CASE WHEN s.sido <> '' AND s.sido <> {table}.sido THEN s.territory_id "
                f"ELSE COALESCE({table}.territory_id, s.territory_id) END"
            )
        return (
            f"territory_id = CASE WHEN {table}.territory_id IS NULL AND ({table}.sido = '' OR {table}.sido = s.sido) "
            f"THEN s.territory_id ELSE {table}.territory_id END"
        )

    def _index(self, entity: str, ids: list[int]) -> None:
        source = search_sources().get(entity)
        if source is None:
            return
        queryset = source.model._default_manager.select_related(*source.select_related).order_by("pk")
        for start in range(0, len(ids), INDEX_BATCH):
            index_objects(entity, queryset.filter(pk__in=ids[start : start + INDEX_BATCH]))

    def _count(self, counter: dict, line: int, action: str, dup_line, matched_by: str, entity: str) -> None:
        key = str(MATCH_LABELS.get(matched_by, matched_by))
        cells = self.chunk_cells.get(line, [])
        if action == "dup":
            counter["duplicates"] += 1
            reason = _("Matches the same existing record as line %(line)s.") % {"line": dup_line}
            self._issue(line, "duplicate", "", reason, cells)
        elif action == "noaccount":
            counter["errors"] += 1
            reason = (
                _("No account you can see matches the account columns of this row.")
                if self.options.target == Target.CONTACTS
                else _("The account of this row was not imported, so the contact was not either.")
            )
            self._issue(line, "error", "", reason, cells)
        elif action == "locked":
            counter["locked"] += 1
            reason = _("Matches an existing record (by %(key)s) that you may not change; skipped.") % {"key": key}
            self._issue(line, "skipped", "", reason, cells)
        else:
            counter[ACTION_COUNTER[action]] += 1
            reason = _("Matches an existing record by %(key)s.") % {"key": key} if matched_by else ""
        preview = self.preview_by_line.get(line)
        if preview is not None:
            preview[entity] = {"status": action, "reason": reason}
