"""Celery entry points of customers: they take ids and call operations."""

from celery import shared_task

from forgecrm.platform.models import Job

from .imports import IMPORT_JOB_KIND, run_import


@shared_task(acks_late=True, bind=True)
def run_import_job_task(self, job_id: int) -> None:
    """Run a queued import once: the job is claimed atomically, so a second delivery while it runs does nothing.

    A worker killed mid-import leaves the job running and its message unacknowledged; the broker redelivers
    it (acks_late) marked as redelivered, and that delivery resumes the job: the chunks already committed match
    their records and are not imported twice."""
    statuses = [Job.Status.PENDING]
    if (self.request.delivery_info or {}).get("redelivered"):
        statuses.append(Job.Status.RUNNING)
    claimed = Job.objects.filter(pk=job_id, kind=IMPORT_JOB_KIND, status__in=statuses).update(status=Job.Status.RUNNING)
    if not claimed:
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    run_import(actor=job.created_by, job=job)


@shared_task
def purge_expired_personal_data_task() -> int:
    """PIPA retention: contacts without consent and without activity for PERSONAL_DATA_RETENTION_YEARS are
    anonymised (daily, from beat)."""
    from .operations.privacy import purge_expired_personal_data

    return purge_expired_personal_data()
