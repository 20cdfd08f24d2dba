"""Round robin under real concurrency (PostgreSQL): 30 leads captured at once by 30 threads go to the team's
3 reps 10 each; with a capacity of 8 nobody gets a ninth (the rest wait in the queue)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import TeamFactory, UserFactory
from forgecrm.sales.operations.leads import create_lead
from forgecrm.sales.tests.factories import LeadAssignmentRuleFactory

WRITERS = 30

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def capture_at_once() -> tuple[list[int | None], list[str]]:
    barrier = threading.Barrier(WRITERS, timeout=30)
    owners: list[int | None] = []
    errors: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            barrier.wait()
            lead = create_lead(actor=None, person_name=f"동시리드{number}")
            with lock:
                owners.append(lead.owner_id)
        except Exception as error:  # any other outcome fails the test
            with lock:
                errors.append(f"{number}: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return owners, errors


@pytest.mark.parametrize("capacity", [None, 8])
def test_concurrent_captures_share_the_team_evenly(capacity):
    reps = [UserFactory(role=Role.SALES_REP) for _ in range(3)]
    team = TeamFactory(members=reps)
    LeadAssignmentRuleFactory(name="팀 순환", sido="", assign_to_user=None, assign_to_team=team, capacity=capacity)

    owners, errors = capture_at_once()

    assert errors == []
    counts = Counter(owners)
    if capacity is None:
        assert counts == {rep.pk: 10 for rep in reps}
    else:
        assert {rep.pk: counts[rep.pk] for rep in reps} == {rep.pk: 8 for rep in reps}
        assert counts[None] == WRITERS - 24
