"""Import of accounts and contacts from CSV and XLSX files, as a job with preview, report and progress.

reading (checks, encoding, dialect, XLSX) -> mapping (headers to fields) -> cleaning (one row, its errors)
-> pipeline (in-file duplicates, chunks) -> staging (TEMP table, set-based match and merge) -> jobs (the
operations the views and the Celery task call).
"""

from .access import may_import
from .jobs import (
    IMPORT_JOB_KIND,
    analyse_import,
    create_import_job,
    queue_import,
    run_import,
    update_import_options,
)
from .reading import UploadRejected

__all__ = [
    "IMPORT_JOB_KIND",
    "UploadRejected",
    "analyse_import",
    "create_import_job",
    "may_import",
    "queue_import",
    "run_import",
    "update_import_options",
]
