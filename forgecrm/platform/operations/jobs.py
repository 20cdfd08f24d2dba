from django.db.models import F
from django.utils import timezone

from ..models import Job


def start_job(*, job: Job, total: int) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=total, done=0)
    job.status, job.total, job.done = Job.Status.RUNNING, total, 0


def step_job(*, job: Job, done: int) -> None:
    """Advance progress; written outside the job's own transaction so a polling page sees it."""
    Job.objects.filter(pk=job.pk).update(done=F("done") + done)


def finish_job(*, job: Job, result: dict | None = None, error: str = "") -> None:
    status = Job.Status.FAILED if error else Job.Status.DONE
    Job.objects.filter(pk=job.pk).update(status=status, result=result or {}, error=error, finished_at=timezone.now())
    job.status, job.result, job.error = status, result or {}, error
