"""`python -m bench.import_job FILE EMAIL`: one import through the real path, as the web process and the worker
do it: `create_import_job` (upload check, decoding, mapping, the full preview pass), then `queue_import`, which
hands `run_import` to the Celery worker; this process polls the job as the progress page does. Prints one JSON
line: the timings, the job's counts and this process's memory peak. DATABASE_URL says which database."""

import json
import resource
import sys
import time
from pathlib import Path


def main() -> int:
    path, email = Path(sys.argv[1]), sys.argv[2]
    target = sys.argv[3] if len(sys.argv) > 3 else "contacts"
    import django

    django.setup()
    from forgecrm.customers.imports import create_import_job, queue_import
    from forgecrm.platform.models import Job, User

    actor = User.objects.get(email=email)
    data = path.read_bytes()
    started = time.monotonic()
    job = create_import_job(actor=actor, filename=path.name, data=data, target=target, mode="fill")
    preview_s = time.monotonic() - started
    if job.status != Job.Status.PREVIEW:
        print(json.dumps({"error": f"preview ended as {job.status}: {job.error}"}))
        return 1
    queued = time.monotonic()
    queue_import(actor=actor, job=job)
    running_at = None
    while True:
        job.refresh_from_db()
        if job.status == Job.Status.RUNNING and running_at is None:
            running_at = time.monotonic()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.2)
    finished = time.monotonic()
    result = {
        "job": job.pk,
        "status": job.status,
        "error": job.error,
        "bytes": len(data),
        "preview_s": round(preview_s, 2),
        "import_s": round(finished - queued, 2),
        "queue_wait_s": round((running_at or finished) - queued, 2),
        "file": job.result.get("file", {}),
        "counts": job.result.get("counts", {}),
        "issue_count": job.result.get("issue_count", 0),
        "report_file": job.report_file.name if job.report_file else "",
        "web_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print("IMPORT_JSON " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
