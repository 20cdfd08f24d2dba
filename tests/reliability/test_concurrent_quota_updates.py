"""50 managers' writes to one quota at once on PostgreSQL: each wins or gets a ConflictError, none is lost; and
50 writers filling the same empty cell create exactly one quota."""

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Quota
from forgecrm.sales.operations.planning import set_quota

WRITERS = 50
QUARTER = dt.date(2026, 4, 1)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def run_writers(write, jitter: float) -> tuple[list[int], list[int], list[str]]:
    barrier = threading.Barrier(WRITERS, timeout=30)
    winners: list[int] = []
    conflicts: list[int] = []
    unexpected: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            barrier.wait()
            time.sleep(random.random() * jitter)
            try:
                write(number)
            except ConflictError:
                with lock:
                    conflicts.append(number)
            else:
                with lock:
                    winners.append(number)
        except Exception as error:  # any other outcome fails the test
            with lock:
                unexpected.append(f"{number}: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return winners, conflicts, unexpected


@pytest.fixture
def line():
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory(manager=manager)
    return manager, rep


@pytest.mark.parametrize("jitter", [0.0, 0.05], ids=["all-at-once", "spread"])
def test_fifty_concurrent_quota_updates_each_win_or_conflict(line, jitter):
    manager, rep = line
    quota = set_quota(
        actor=manager, user=rep, period_kind="quarter", period_start=QUARTER, amount=Decimal(1), expected_version=None
    )

    def write(number: int) -> None:
        current = Quota.objects.get(pk=quota.pk) if jitter else quota  # spread: some re-read after others won
        set_quota(
            actor=manager,
            user=rep,
            period_kind="quarter",
            period_start=QUARTER,
            amount=Decimal(1_000_000 + number),
            expected_version=current.version,
        )

    winners, conflicts, unexpected = run_writers(write, jitter)
    assert unexpected == []
    assert len(winners) + len(conflicts) == WRITERS and len(winners) >= 1
    quota.refresh_from_db()
    assert quota.version == 1 + len(winners)
    history = list(quota.history.order_by("history_date", "history_id").values_list("version", "amount"))
    assert [version for version, _ in history] == list(range(1, 2 + len(winners)))
    assert {int(amount) - 1_000_000 for _, amount in history[1:]} == set(winners)
    assert quota.amount.amount == history[-1][1]


def test_fifty_writers_filling_one_empty_cell_make_one_quota(line):
    manager, rep = line

    def write(number: int) -> None:
        set_quota(
            actor=manager,
            user=rep,
            period_kind="quarter",
            period_start=QUARTER,
            amount=Decimal(2_000_000 + number),
            expected_version=None,
        )

    winners, conflicts, unexpected = run_writers(write, 0.0)
    assert unexpected == []
    assert len(winners) == 1 and len(conflicts) == WRITERS - 1
    quotas = list(Quota.objects.filter(user=rep))
    assert len(quotas) == 1 and quotas[0].version == 1
    assert int(quotas[0].amount.amount) - 2_000_000 == winners[0]
