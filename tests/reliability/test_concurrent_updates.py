"""50 writers update one account at once on PostgreSQL: each wins or gets a ConflictError, none is lost."""

import random
import threading
import time

import pytest
from django.db import connection, connections

from forgecrm.customers.models import Account
from forgecrm.customers.operations import create_account, update_account
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

WRITERS = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def run_writers(account_id: int, actor, rounds_of_jitter: float) -> tuple[list[int], list[int], list[str]]:
    """Each writer reads the account, waits for the others, then writes with the version it read."""
    barrier = threading.Barrier(WRITERS, timeout=30)
    winners: list[int] = []
    conflicts: list[int] = []
    unexpected: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            account = Account.objects.get(pk=account_id)
            barrier.wait()
            time.sleep(random.random() * rounds_of_jitter)  # spread some writers after others committed
            if rounds_of_jitter:
                account = Account.objects.get(pk=account_id)
            try:
                update_account(
                    actor=actor,
                    account=account,
                    expected_version=account.version,
                    changes={"industry": f"writer-{number}"},
                )
            except ConflictError:
                with lock:
                    conflicts.append(number)
            else:
                with lock:
                    winners.append(number)
        except Exception as error:  # any other outcome is a failure of the test
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


@pytest.mark.parametrize("jitter", [0.0, 0.05], ids=["all-at-once", "spread"])
def test_fifty_concurrent_writers_each_win_or_conflict(jitter):
    admin = UserFactory(role=Role.ADMIN)
    account = create_account(actor=admin, name="(주)동시성검증", kind="customer")
    assert account.version == 1

    winners, conflicts, unexpected = run_writers(account.pk, admin, jitter)

    assert unexpected == []
    assert len(winners) + len(conflicts) == WRITERS
    assert len(winners) >= 1
    account.refresh_from_db()
    # Every successful write is one version; no write was applied on top of a version it did not read.
    assert account.version == 1 + len(winners)
    history = list(account.history.order_by("history_date", "history_id").values_list("version", "industry"))
    assert [version for version, _ in history] == list(range(1, 2 + len(winners)))
    assert {industry for _, industry in history[1:]} == {f"writer-{n}" for n in winners}
    assert account.industry == history[-1][1]
