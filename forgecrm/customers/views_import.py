"""Pages of the account and contact import: upload, preview with mapping, progress, outcome and report."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.korea.brn import format_brn
from forgecrm.platform.korea.phone import display_phone
from forgecrm.platform.models import Job, User

from .imports import (
    IMPORT_JOB_KIND,
    UploadRejected,
    create_import_job,
    may_import,
    queue_import,
    update_import_options,
)
from .imports.forms import ImportMappingForm, ImportUploadForm
from .imports.kinds import kind_for
from .imports.mapping import FIELDS_BY_KEY, Target
from .imports.reading import DELIMITER_LABELS


def _guard(request: HttpRequest) -> None:
    """Portal users do not learn that the page exists; internal users without the right are refused."""
    if not principal_for(request.user).is_internal:
        raise Http404
    if not may_import(request.user):
        raise PermissionDenied(_("You may not import accounts or contacts."))


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required ran first


def _job(request: HttpRequest, pk: int) -> Job:
    return get_for_or_404(request.user, Job, pk=pk, kind=IMPORT_JOB_KIND)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        actor=request.user,
        initial={"target": request.GET.get("target", Target.ACCOUNTS)},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = create_import_job(
                actor=_actor(request),
                filename=upload.name,
                data=upload.read(),
                target=form.cleaned_data["target"],
                mode=form.cleaned_data["mode"],
                account_kind=form.cleaned_data["account_kind"],
            )
        except UploadRejected as error:
            form.add_error("file", str(error))
        else:
            return redirect("customers:account-import-job", pk=job.pk)
    recent = scope_for(request.user, Job).filter(kind=IMPORT_JOB_KIND).order_by("-id")[:10]
    return render(
        request,
        "customers/import_upload.html",
        {"form": form, "recent": recent, "title": _("Import data")},
    )


def _preview_columns(job: Job) -> list[dict]:
    """The mapped fields in file-column order, as the preview table's columns."""
    headers = job.params.get("headers", [])
    kind = kind_for(job.params.get("target", ""))
    fields = kind.fields_by_key if kind is not None else FIELDS_BY_KEY
    columns = []
    for index, key in sorted(job.params.get("mapping", {}).items(), key=lambda item: int(item[0])):
        field = fields.get(key)
        if kind is not None and key in kind.multiple_fields:
            continue
        if field is not None and int(index) < len(headers):
            columns.append({"key": key, "label": field.label, "header": headers[int(index)]})
    return columns


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    job = _job(request, pk)
    params = job.params
    kind = kind_for(params.get("target", ""))
    form = None
    if job.status == Job.Status.PREVIEW:
        initial = {f"col_{index}": key for index, key in params.get("mapping", {}).items()}
        initial.update(mode=params.get("mode", "fill"), account_kind=params.get("account_kind", "prospect"))
        initial["options"] = params.get("options", {})
        unknown = job.result.get("unknown", {})
        suggestions = (
            {key: list(kind.suggestions(_actor(request), key))[:500] for key in unknown} if kind is not None else {}
        )
        form = ImportMappingForm(
            request.POST or None,
            headers=params.get("headers", []),
            target=params["target"],
            initial=initial,
            unknown=unknown,
            suggestions=suggestions,
        )
        if request.method == "POST" and form.is_valid():
            update_import_options(
                actor=_actor(request),
                job=job,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                account_kind=form.cleaned_data.get("account_kind") or params.get("account_kind", "prospect"),
                value_map=_merged_value_map(params.get("value_map", {}), form) if kind is not None else None,
                options=form.options() if kind is not None else None,
            )
            messages.success(request, _("The preview now uses your mapping."))
            return redirect("customers:account-import-job", pk=job.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("This import has already run."))
    columns = _preview_columns(job)
    preview = [
        {
            "line": row["line"],
            "error": row.get("error", ""),
            "account": _status(row.get("account")),
            "contact": _status(row.get("contact")),
            "record": _status(row.get("record")),
            "note": (row.get("account") or {}).get("reason")
            or (row.get("contact") or {}).get("reason")
            or (row.get("record") or {}).get("reason", ""),
            "cells": [_display(column["key"], row.get("values", {}).get(column["key"], "")) for column in columns],
        }
        for row in job.result.get("preview", [])
    ]
    counts = job.result.get("counts", {})
    done = job.status == Job.Status.DONE
    summaries = []
    if kind is not None:
        summaries = [
            {"label": label, "tiles": _summary(counts, entity, done)}
            for entity, label in kind.entities
            if any(counts.get(entity, {}).values()) or entity == kind.entities[0][0]
        ]
    elif params.get("target") != Target.CONTACTS:
        summaries.append({"label": _("Accounts"), "tiles": _summary(counts, "accounts", done)})
    if kind is None and params.get("target") != Target.ACCOUNTS:
        summaries.append({"label": _("Contacts"), "tiles": _summary(counts, "contacts", done)})
    return render(
        request,
        "customers/import_job.html",
        {
            "job": job,
            "form": form,
            "columns": columns,
            "preview": preview,
            "target_label": kind.label if kind is not None else dict(Target.CHOICES).get(params.get("target"), ""),
            "counts": counts,
            "summaries": summaries,
            "fields": _mapping_fields(job, form),
            "file": _file_facts(job),
            "issues": job.result.get("issues", []),
            "shows_accounts": kind is None and params.get("target") != Target.CONTACTS,
            "shows_contacts": kind is None and params.get("target") != Target.ACCOUNTS,
            "is_kind": kind is not None,
            "value_groups": form.value_fields() if form is not None else [],
            "option_fields": form.option_fields() if form is not None else [],
            "title": _("Import: %(name)s") % {"name": params.get("filename", "")},
        },
    )


def _merged_value_map(current: dict, form: ImportMappingForm) -> dict:
    """The values shown on the form replace their earlier mapping; mappings of values not shown stay."""
    merged = {key: dict(values) for key, values in current.items()}
    for group in form.value_groups:
        shown = merged.setdefault(group["key"], {})
        for row in group["rows"]:
            shown.pop(row["entry"]["value"], None)
    for key, values in form.value_map().items():
        merged.setdefault(key, {}).update(values)
    return {key: values for key, values in merged.items() if values}


STATUS_LABELS = {
    "new": (_lazy("New"), "green"),
    "update": (_lazy("Updates existing"), "blue"),
    "same": (_lazy("Matches existing, nothing to change"), "secondary"),
    "skip": (_lazy("Matches existing, skipped"), "secondary"),
    "locked": (_lazy("Matches a record you may not change"), "orange"),
    "dup": (_lazy("Duplicate"), "yellow"),
    "duplicate": (_lazy("Duplicate in file"), "yellow"),
    "noaccount": (_lazy("No account"), "red"),
    "same_account": (_lazy("Same account as an earlier line"), "secondary"),
}


def _status(entry: dict | None) -> dict | None:
    if not entry:
        return None
    label, color = STATUS_LABELS.get(entry["status"], (entry["status"], "secondary"))
    return {"label": label, "color": color, "reason": entry.get("reason", "")}


def _summary(counts: dict, entity: str, done: bool) -> list[dict]:
    """The count tiles of one entity: new, matching existing, duplicates in the file, errors."""
    numbers = counts.get(entity, {})
    matching = sum(numbers.get(key, 0) for key in ("updated", "unchanged", "skipped", "locked"))
    tiles = [
        {"label": _("Imported as new") if done else _("New"), "value": numbers.get("new", 0), "color": "green"},
        {"label": _("Matching existing"), "value": matching, "color": "blue"},
        {"label": _("Updated") if done else _("Will be updated"), "value": numbers.get("updated", 0), "color": "azure"},
        {"label": _("Duplicates in the file"), "value": numbers.get("duplicates", 0), "color": "yellow"},
        {"label": _("Errors"), "value": numbers.get("errors", 0), "color": "red"},
    ]
    if numbers.get("locked"):
        tiles.append({"label": _("Not yours to change"), "value": numbers["locked"], "color": "orange"})
    return tiles


def _display(key: str, value: str) -> str:
    if key.endswith((".phone", ".mobile")) and value.startswith("+"):
        return display_phone(value)
    if key.endswith(".brn"):
        return format_brn(value)
    return value


def _file_facts(job: Job) -> dict:
    facts = dict(job.result.get("file", {}))
    facts["delimiter"] = DELIMITER_LABELS.get(facts.get("delimiter", ""), facts.get("delimiter", ""))
    return facts


def _mapping_fields(job: Job, form: ImportMappingForm | None) -> list[dict]:
    """Each column's choice with the first row's cell as an example."""
    if form is None:
        return []
    cells = job.result.get("first_cells", [])
    return [
        {"field": field, "sample": cells[index] if index < len(cells) else ""}
        for index, field in enumerate(form.column_fields())
    ]


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _guard(request)
    job = _job(request, pk)
    queue_import(actor=_actor(request), job=job)
    return redirect("customers:account-import-job", pk=job.pk)


@login_required
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    _guard(request)
    job = _job(request, pk)
    if not job.report_file:
        raise Http404
    return FileResponse(
        job.report_file.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-report.csv",
        content_type="text/csv; charset=utf-8",
    )
