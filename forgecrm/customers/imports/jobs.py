"""The import operations: upload and preview a file, choose its mapping, run it as a job.

State lives in `platform.Job`: `params` holds what the user chose (target, mapping, mode), `result` the
preview and then the outcome, `input_file` the upload and `report_file` the row-level report.
`run_import` commits chunk by chunk (not in one transaction) so that the progress bar moves and a
failure keeps whole chunks; running the job again finishes it, since every row has a stable external id.
"""

import csv
import io
import logging
from collections.abc import Callable
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from forgecrm.customers.models import AccountKind
from forgecrm.platform.exports import neutralize
from forgecrm.platform.models import Job, User
from forgecrm.platform.operations import finish_job, start_job

from .access import may_import
from .kinds import ImportKind, clean_kind_mapping, guess_kind_mapping, kind_for, option_value
from .mapping import Target, clean_mapping, guess_mapping
from .pipeline import ImportPass, Options, Outcome
from .reading import Table, UploadRejected, read_table

logger = logging.getLogger(__name__)

IMPORT_JOB_KIND = "customers.import"
MODES = ("fill", "overwrite", "skip")
ISSUE_SAMPLE = 50
REPORT_CELL_CHARS = 1000


def _check_actor(actor: User, job: Job | None = None, target: str = "") -> None:
    if not may_import(actor):
        raise PermissionDenied(_("You may not import accounts or contacts."))
    if job is not None and (job.created_by_id != actor.pk or job.kind != IMPORT_JOB_KIND):
        raise PermissionDenied(_("This import belongs to someone else."))
    kind = kind_for(target or (job.params.get("target", "") if job is not None else ""))
    if kind is not None and not kind.may_import(actor):
        raise PermissionDenied(_("You may not import %(what)s.") % {"what": kind.label})


def _options(job: Job) -> Options:
    params = job.params
    return Options(
        target=params["target"],
        mapping=params.get("mapping", {}),
        mode=params.get("mode", "fill"),
        account_kind=params.get("account_kind", AccountKind.PROSPECT),
        value_map=params.get("value_map", {}),
        extra=params.get("options", {}),
    )


def _pass_class(job: Job):
    kind = kind_for(job.params["target"])
    return kind.pass_class if kind is not None else ImportPass


def _kind_options(kind: ImportKind, raw: dict | None, current: dict | None = None) -> dict:
    values = {**kind.default_options(), **(current or {})}
    for option in kind.options:
        if raw is not None and option.name in raw:
            values[option.name] = option_value(option, raw[option.name])
    return values


def _value_map(kind: ImportKind, raw: dict | None) -> dict[str, dict[str, str]]:
    """Only the kind's references, as text; an empty replacement removes the mapping."""
    keys = {reference.key for reference in kind.references}
    cleaned: dict[str, dict[str, str]] = {}
    for key, values in (raw or {}).items():
        if key in keys and isinstance(values, dict):
            pairs = {str(a)[:200]: str(b).strip()[:200] for a, b in values.items() if str(b).strip()}
            if pairs:
                cleaned[key] = pairs
    return cleaned


def _open(job: Job) -> Table:
    with job.input_file.open("rb") as handle:
        data = handle.read()
    return read_table(job.params.get("filename", job.input_file.name), data)


def _file_facts(table: Table, job: Job, rows: int) -> dict:
    return {
        "name": job.params.get("filename", ""),
        "type": table.file_type,
        "encoding": table.encoding,
        "delimiter": table.delimiter_name if table.file_type == "csv" else "",
        "sheet": table.sheet,
        "rows": rows,
    }


def _counts(outcome: Outcome) -> dict:
    counts = {
        "rows": outcome.rows,
        "rows_with_errors": outcome.rows_with_errors,
        "accounts": outcome.accounts,
        "contacts": outcome.contacts,
    }
    counts.update(outcome.entities)
    return counts


def _issue_sample(outcome: Outcome) -> list[dict]:
    return [
        {"line": issue.line, "result": issue.result, "column": issue.column, "reason": issue.reason}
        for issue in outcome.issues[:ISSUE_SAMPLE]
    ]


def create_import_job(
    *,
    actor: User,
    filename: str,
    data: bytes,
    target: str,
    mode: str = "fill",
    account_kind: str = "prospect",
    mapping: dict[str, str] | None = None,
    value_map: dict | None = None,
    options: dict | None = None,
) -> Job:
    """Check and store an upload, guess its column mapping and compute the preview (nothing is imported yet).

    A registered kind (`kinds.py`) takes its own `options`; `mapping` and `value_map`, when given, replace the
    guessed column mapping and map a reference's file values (a script's documented mapping).
    Raises UploadRejected (with the reason) for a file that may not be read, PermissionDenied for a user
    who may not import.
    """
    kind = kind_for(target)
    _check_actor(actor, target=target)
    if kind is not None and mode not in kind.modes:
        mode = kind.modes[0]
    if (kind is None and target not in dict(Target.CHOICES)) or mode not in MODES:
        raise ValueError("unknown import option")
    if account_kind not in AccountKind.values:
        raise ValueError("unknown import option")
    table = read_table(filename, data)
    name = PurePath(filename).name[:120]
    if kind is not None:
        guessed = (
            clean_kind_mapping(mapping, table.headers, kind) if mapping else guess_kind_mapping(table.headers, kind)
        )
    else:
        guessed = clean_mapping(mapping, table.headers, target) if mapping else guess_mapping(table.headers, target)
    extra = {
        "value_map": _value_map(kind, value_map) if kind else {},
        "options": _kind_options(kind, options) if kind else {},
    }
    with transaction.atomic():
        job = Job.objects.create(
            kind=IMPORT_JOB_KIND,
            created_by=actor,
            status=Job.Status.PENDING,
            params={
                "target": target,
                "mode": mode,
                "account_kind": account_kind,
                "filename": name,
                "headers": table.headers,
                "mapping": guessed,
                **extra,
            },
        )
        job.input_file.save(get_valid_filename(name) or "import.csv", ContentFile(data), save=True)
    try:
        analyse_import(actor=actor, job=job)
    except Exception:
        # A job left pending would make its page poll for ever.
        logger.exception("preview of import job %s failed", job.pk)
        finish_job(job=job, error=_("The preview could not be computed because of an internal error."))
        raise
    return job


def analyse_import(*, actor: User, job: Job) -> dict:
    """The preview: every row cleaned and matched against existing records in a rolled-back transaction."""
    _check_actor(actor, job)
    table = _open(job)
    outcome = _pass_class(job)(actor=actor, job=job, table=table, options=_options(job), dry_run=True).run()
    result = {
        "file": _file_facts(table, job, outcome.rows),
        "counts": _counts(outcome),
        "preview": outcome.preview,
        "first_cells": outcome.first_cells,
        "issues": _issue_sample(outcome),
        "unknown": outcome.unknown,
    }
    Job.objects.filter(pk=job.pk).update(status=Job.Status.PREVIEW, total=outcome.rows, done=0, result=result)
    job.status, job.total, job.result = Job.Status.PREVIEW, outcome.rows, result
    return result


def update_import_options(
    *,
    actor: User,
    job: Job,
    mapping: dict[str, str],
    mode: str,
    account_kind: str,
    value_map: dict | None = None,
    options: dict | None = None,
) -> dict:
    """Change the column mapping, the handling of matches, a kind's value mapping or options, and preview again."""
    _check_actor(actor, job)
    if job.status != Job.Status.PREVIEW:
        raise PermissionDenied(_("This import has already run."))
    kind = kind_for(job.params["target"])
    if mode not in MODES or account_kind not in AccountKind.values or (kind is not None and mode not in kind.modes):
        raise ValueError("unknown import option")
    params = dict(job.params)
    headers = params.get("headers", [])
    params.update(
        mapping=clean_kind_mapping(mapping, headers, kind)
        if kind
        else clean_mapping(mapping, headers, params["target"]),
        mode=mode,
        account_kind=account_kind,
    )
    if kind is not None:
        if value_map is not None:
            params["value_map"] = _value_map(kind, value_map)
        params["options"] = _kind_options(kind, options, params.get("options"))
    Job.objects.filter(pk=job.pk).update(params=params)
    job.params = params
    return analyse_import(actor=actor, job=job)


def queue_import(*, actor: User, job: Job) -> None:
    """Hand a previewed import to a worker; the page then polls its progress."""
    _check_actor(actor, job)
    from forgecrm.customers.tasks import run_import_job_task  # the task module imports this one

    with transaction.atomic():
        claimed = Job.objects.filter(pk=job.pk, status__in=[Job.Status.PREVIEW, Job.Status.FAILED]).update(
            status=Job.Status.PENDING, done=0, error=""
        )
        if not claimed:
            raise PermissionDenied(_("This import is already running or done."))
        job.status = Job.Status.PENDING
        transaction.on_commit(lambda: run_import_job_task.delay(job.pk))


def run_import(*, actor: User, job: Job, progress: Callable[[int], None] | None = None) -> dict:
    """Import the file of a job: stage, match and merge set-based, then write the report. Synchronous.

    `progress(rows)` is called after each chunk with the rows it took (a terminal's progress bar)."""
    _check_actor(actor, job)
    with translation.override(getattr(actor, "language", None) or translation.get_language()):
        try:
            table = _open(job)
            start_job(job=job, total=job.total)
            pass_class = _pass_class(job)
            arguments = {"progress": progress} if pass_class is not ImportPass else {}
            outcome = pass_class(
                actor=actor, job=job, table=table, options=_options(job), dry_run=False, **arguments
            ).run()
            if progress is not None and pass_class is ImportPass:
                progress(outcome.rows)
            result = {
                "file": _file_facts(table, job, outcome.rows),
                "counts": _counts(outcome),
                "issues": _issue_sample(outcome),
                "issue_count": len({issue.line for issue in outcome.issues}),
                "next_url": reverse("customers:account-import-job", args=[job.pk]),
            }
            if outcome.issues:
                job.report_file.save(f"import-{job.pk}-report.csv", ContentFile(_report(table, outcome)), save=False)
                Job.objects.filter(pk=job.pk).update(report_file=job.report_file.name)
        except UploadRejected as error:
            finish_job(job=job, error=str(error))
            return job.result
        except Exception:
            logger.exception("import job %s failed", job.pk)
            finish_job(job=job, error=_("The import stopped because of an internal error; run it again."))
            raise
        finish_job(job=job, result=result)
    return result


def _report_cell(value: str) -> str:
    text = value if len(value) <= REPORT_CELL_CHARS else value[:REPORT_CELL_CHARS] + "…"
    return neutralize(text)


def _report(table: Table, outcome: Outcome) -> bytes:
    """Every refused, duplicate or skipped row with its line, reason and original cells (formulas neutralised)."""
    labels = {
        "error": _("Error"),
        "duplicate": _("Duplicate"),
        "skipped": _("Skipped"),
        "warning": _("Warning"),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [_("Line"), _("Result"), _("Column"), _("Reason"), *table.headers]
    writer.writerow([_report_cell(str(cell)) for cell in header])
    for issue in sorted(outcome.issues, key=lambda item: item.line):
        writer.writerow(
            [
                issue.line,
                labels.get(issue.result, issue.result),
                _report_cell(issue.column),
                _report_cell(issue.reason),
                *(_report_cell(cell) for cell in issue.cells),
            ]
        )
    # With a BOM, Korean Excel opens UTF-8 CSV correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
