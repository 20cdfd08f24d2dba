"""50 writers move one opportunity between stages or edit it at once on PostgreSQL: each wins or gets a
ConflictError, no write is lost, and the stage history keeps exactly one open stay, stays chained end to start."""

import itertools
import random
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Opportunity, Stage, StageHistory
from forgecrm.sales.operations.opportunities import create_opportunity, move_opportunity_to_stage, update_opportunity

WRITERS = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def ensure_default_stages() -> None:
    """A transactional test flushes the tables afterwards, the migration's stages with them."""
    from forgecrm.sales.tests.factories import StageFactory

    for code, probability, order in [
        ("prospecting", 10, 10),
        ("qualification", 25, 20),
        ("proposal", 50, 30),
        ("negotiation", 75, 40),
    ]:
        StageFactory(code=code, order=order, default_probability=probability)


def run_writers(opportunity_id: int, actor, jitter: float) -> tuple[list[int], list[int], list[int], list[str]]:
    """Even writers move the deal to another open stage than the one they read, odd ones change its next step."""
    open_stages = list(Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order"))
    barrier = threading.Barrier(WRITERS, timeout=30)
    moves: list[int] = []
    edits: list[int] = []
    conflicts: list[int] = []
    unexpected: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            opportunity = Opportunity.objects.select_related("stage").get(pk=opportunity_id)
            barrier.wait()
            time.sleep(random.random() * jitter)
            if jitter:
                opportunity = Opportunity.objects.select_related("stage").get(pk=opportunity_id)
            try:
                if number % 2 == 0:
                    target = [stage for stage in open_stages if stage.pk != opportunity.stage_id][number % 3]
                    move_opportunity_to_stage(
                        actor=actor, opportunity=opportunity, stage=target, expected_version=opportunity.version
                    )
                    outcome = moves
                else:
                    update_opportunity(
                        actor=actor,
                        opportunity=opportunity,
                        expected_version=opportunity.version,
                        next_step=f"writer-{number}",
                    )
                    outcome = edits
            except ConflictError:
                outcome = conflicts
            with lock:
                outcome.append(number)
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
    return moves, edits, conflicts, unexpected


@pytest.mark.parametrize("jitter", [0.0, 0.05], ids=["all-at-once", "spread"])
def test_fifty_concurrent_moves_and_edits_each_win_or_conflict(jitter):
    ensure_default_stages()
    admin = UserFactory(role=Role.ADMIN)
    opportunity = create_opportunity(
        actor=admin, account=AccountFactory(owner=admin), name="동시 이동 검증", close_date=timezone.localdate()
    )
    assert opportunity.version == 1

    moves, edits, conflicts, unexpected = run_writers(opportunity.pk, admin, jitter)

    assert unexpected == []
    assert len(moves) + len(edits) + len(conflicts) == WRITERS
    assert moves or edits
    opportunity.refresh_from_db()
    assert opportunity.version == 1 + len(moves) + len(edits)
    stays = list(StageHistory.objects.filter(opportunity=opportunity).order_by("entered_at", "id"))
    assert len(stays) == 1 + len(moves)
    assert [stay.left_at is None for stay in stays].count(True) == 1
    assert stays[-1].left_at is None and stays[-1].stage_id == opportunity.stage_id
    assert stays[-1].entered_at == opportunity.stage_entered_at
    for before, after in itertools.pairwise(stays):
        assert before.left_at == after.entered_at
        assert before.seconds_in_stage == int((before.left_at - before.entered_at).total_seconds())
    if edits:
        assert opportunity.next_step in {f"writer-{n}" for n in edits}
