"""Imports under faults: the same file twice, and a worker killed in the middle of a chunked import."""

import csv
import io

import pytest

from forgecrm.customers.imports import create_import_job, pipeline, queue_import
from forgecrm.customers.models import Account
from forgecrm.customers.tasks import run_import_job_task
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The file twice: forgecrm/customers/tests/test_import_jobs.py::test_importing_the_same_file_twice_imports_nothing_
# the_second_time (no new rows, no new versions, no new history rows); here the same over several chunks.


class WorkerKilled(BaseException):
    """Like SIGKILL: no `except Exception` runs, the job is left as the dying worker had it."""


def make_csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


NAMES = [f"장애시험{n:02d}" for n in range(7)]
DATA = make_csv([["회사명", "주소"], *([name, "서울 강남구 테헤란로 1"] for name in NAMES)])


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)


def queued_job(admin, django_capture_on_commit_callbacks) -> Job:
    job = create_import_job(actor=admin, filename="accounts.csv", data=DATA, target="accounts")
    with django_capture_on_commit_callbacks(execute=False):
        queue_import(actor=admin, job=job)  # the message is "in the broker"; nothing ran yet
    return job


def kill_on_chunk(monkeypatch, number: int) -> None:
    real = pipeline.ImportPass._merge_accounts
    calls = {"n": 0}

    def merge(self, records):
        calls["n"] += 1
        if calls["n"] == number:
            raise WorkerKilled()
        return real(self, records)

    monkeypatch.setattr(pipeline.ImportPass, "_merge_accounts", merge)


def redeliver(job_id: int, redelivered: bool) -> None:
    run_import_job_task.push_request(delivery_info={"redelivered": redelivered})
    try:
        run_import_job_task.run(job_id)
    finally:
        run_import_job_task.pop_request()


def test_a_worker_killed_mid_import_is_resumed_by_the_redelivery_without_duplicates(
    admin, small_chunks, monkeypatch, django_capture_on_commit_callbacks
):
    job = queued_job(admin, django_capture_on_commit_callbacks)
    kill_on_chunk(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        redeliver(job.pk, redelivered=False)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # the dead worker never finished it
    assert Account.objects.count() == 4  # two chunks of two committed, the third rolled back whole
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)

    redeliver(job.pk, redelivered=False)  # a duplicate delivery while it "runs" does nothing
    assert Account.objects.count() == 4

    redeliver(job.pk, redelivered=True)  # the broker's redelivery after the crash resumes it
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert sorted(Account.objects.values_list("name", flat=True)) == NAMES
    counts = job.result["counts"]["accounts"]
    assert counts["new"] == 3 and counts["unchanged"] == 4

    redeliver(job.pk, redelivered=True)  # a finished job is never run again
    assert Account.objects.count() == len(NAMES)


def test_a_failed_chunk_rolls_back_whole_and_a_rerun_completes(
    admin, small_chunks, monkeypatch, django_capture_on_commit_callbacks
):
    job = queued_job(admin, django_capture_on_commit_callbacks)
    real = pipeline.ImportPass._merge_accounts
    calls = {"n": 0}

    def merge(self, records):
        calls["n"] += 1
        real(self, records)  # the chunk's rows are written ...
        if calls["n"] == 2:
            raise RuntimeError("connection lost")  # ... and then the chunk fails before its commit

    monkeypatch.setattr(pipeline.ImportPass, "_merge_accounts", merge)
    with pytest.raises(RuntimeError):
        redeliver(job.pk, redelivered=False)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert Account.objects.count() == 2  # only the first chunk: no half chunk
    monkeypatch.setattr(pipeline.ImportPass, "_merge_accounts", real)
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert sorted(Account.objects.values_list("name", flat=True)) == NAMES


def test_the_same_multi_chunk_file_twice_changes_nothing_the_second_time(
    admin, small_chunks, django_capture_on_commit_callbacks
):
    for _ in range(2):
        job = queued_job(admin, django_capture_on_commit_callbacks)
        redeliver(job.pk, redelivered=False)
    job.refresh_from_db()
    assert job.result["counts"]["accounts"]["new"] == 0
    assert job.result["counts"]["accounts"]["unchanged"] == len(NAMES)
    assert Account.objects.count() == len(NAMES)
    assert set(Account.objects.values_list("version", flat=True)) == {1}
