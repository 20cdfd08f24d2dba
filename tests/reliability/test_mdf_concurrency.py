"""50 approvals at once against one MDF allocation on PostgreSQL: the allocation row lock queues them, so the
committed amount never exceeds the budget; each approval either wins or is refused with a field error naming
what is left, and nothing is lost (the committed amount is exactly the sum of the approved requests). A second
run mixes approvals, partners' new submissions, cancellations and a budget cut."""

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import MdfAllocation, MdfRequest, MdfRequestStatus
from forgecrm.partners.operations import funds as ops
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

WRITERS = 50
BUDGET = 10_000_000
EACH = 300_000  # 33 of 50 fit
QUARTER = dt.date(2026, 10, 1)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"),
]


def run_writers(write, jitter: float = 0.01):
    barrier = threading.Barrier(WRITERS, timeout=30)
    outcomes: dict[int, str] = {}
    unexpected: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        try:
            barrier.wait()
            time.sleep(random.random() * jitter)  # nosec B311  # test jitter, not security
            try:
                result = write(number)
            except ValidationError as error:
                with lock:
                    outcomes[number] = "refused:" + ",".join(sorted(error.message_dict))
            else:
                with lock:
                    outcomes[number] = result or "won"
        except Exception as error:  # any other outcome fails the test
            with lock:
                unexpected.append(f"{number}: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, unexpected


@pytest.fixture
def channel():
    partner = PartnerAccountFactory(partner_type="dealer")
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=partner)
    manager = UserFactory(role=Role.CHANNEL_MANAGER)
    allocation = ops.allocate_mdf(
        actor=manager, partner=partner, period_kind="quarter", period_start=QUARTER, amount=BUDGET
    )

    def submitted(count: int) -> list[MdfRequest]:
        requests = []
        for number in range(count):
            request = ops.create_mdf_request(
                actor=admin,
                allocation=allocation,
                campaign_name=f"지역 세미나 {number}",
                activity_type="event",
                planned_start=dt.date(2026, 11, 2),
                planned_end=dt.date(2026, 11, 2),
                planned_cost=EACH * 2,
                requested_amount=EACH,
            )
            requests.append(ops.submit_mdf_request(actor=admin, request=request))
        return requests

    return {"partner": partner, "admin": admin, "manager": manager, "allocation": allocation, "submitted": submitted}


def committed_from_requests(allocation) -> Decimal:
    holding = MdfRequest.objects.filter(allocation=allocation, status__in=ops.COMMITTING)
    return holding.aggregate(total=Sum("approved_amount"))["total"] or Decimal(0)


def test_fifty_concurrent_approvals_never_overspend(channel):
    requests = channel["submitted"](WRITERS)

    def approve(number: int):
        ops.approve_mdf_request(actor=channel["manager"], request=requests[number])

    outcomes, unexpected = run_writers(approve)
    assert unexpected == []
    assert len(outcomes) == WRITERS  # every writer has an answer
    won = [n for n, outcome in outcomes.items() if outcome == "won"]
    refused = [n for n, outcome in outcomes.items() if outcome.startswith("refused")]
    assert len(won) == BUDGET // EACH and len(refused) == WRITERS - BUDGET // EACH
    assert {outcomes[n] for n in refused} == {"refused:approved_amount"}  # the clear field error, nothing else
    allocation = MdfAllocation.objects.get(pk=channel["allocation"].pk)
    assert allocation.committed.amount == Decimal(len(won) * EACH) <= allocation.amount.amount
    assert allocation.committed.amount == committed_from_requests(allocation)
    statuses = dict(MdfRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list("pk", "status"))
    assert sorted(requests[n].pk for n in won) == sorted(pk for pk, s in statuses.items() if s == "approved")
    assert all(statuses[requests[n].pk] == MdfRequestStatus.SUBMITTED for n in refused)


def test_mixed_writers_keep_the_budget_consistent(channel):
    """Approvals, new submissions, cancellations of approved requests and a cut of the budget, all at once."""
    pending = channel["submitted"](30)
    approved = channel["submitted"](10)
    for request in approved:
        ops.approve_mdf_request(actor=channel["manager"], request=request)  # 3,000,000 committed

    def write(number: int):
        if number < 30:
            ops.approve_mdf_request(actor=channel["manager"], request=pending[number])
        elif number < 40:
            ops.cancel_mdf_request(actor=channel["admin"], request=approved[number - 30])
        elif number < 49:
            channel["submitted"](1)
        else:
            ops.change_mdf_allocation(
                actor=channel["manager"], allocation=channel["allocation"], amount=8_000_000, expected_version=None
            )
            return "cut"

    outcomes, unexpected = run_writers(write, jitter=0.05)
    assert unexpected == []
    assert len(outcomes) == WRITERS
    allocation = MdfAllocation.objects.get(pk=channel["allocation"].pk)
    assert allocation.committed.amount <= allocation.amount.amount
    assert allocation.committed.amount == committed_from_requests(allocation)
    if outcomes[49] == "cut":
        assert allocation.amount.amount == Decimal(8_000_000)
    else:
        assert outcomes[49] == "refused:amount"  # the approvals had committed more than 8,000,000 first
    assert all(outcomes[n] == "won" for n in range(30, 40))  # a cancellation never fails
    # A submission finding the budget already taken is refused with its field error (its draft stays).
    assert {outcomes[n] for n in range(40, 49)} <= {"won", "refused:requested_amount"}
    assert {outcomes[n] for n in range(30)} <= {"won", "refused:approved_amount"}
    assert MdfRequest.objects.filter(allocation=allocation).count() == 30 + 10 + 9
