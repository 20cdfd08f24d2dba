"""MDF operations: budget maths, the refusals (over budget, claim above approval, stale versions), history and
outbox events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import MdfAllocation, MdfProof, MdfRequestStatus
from forgecrm.partners.operations import funds as ops
from forgecrm.partners.queries.funds import mdf_budget_for, mdf_roi_for
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.queries.planning import Period

pytestmark = pytest.mark.django_db
QUARTER = dt.date(2026, 10, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def fund(tmp_path, settings):
    settings.FORGE_PRIVATE_MEDIA_ROOT = str(tmp_path)
    partner = PartnerAccountFactory(partner_type="dealer")
    people = {
        "partner": partner,
        "admin": UserFactory(role=Role.PARTNER_ADMIN, organization=partner),
        "rep": UserFactory(role=Role.PARTNER_REP, organization=partner),
        "channel": UserFactory(role=Role.CHANNEL_MANAGER),
        "finance": UserFactory(role=Role.ADMIN),
        "sales": UserFactory(role=Role.SALES_REP),
    }
    people["allocation"] = ops.allocate_mdf(
        actor=people["channel"], partner=partner, period_kind="quarter", period_start=QUARTER, amount=10_000_000
    )
    return people


def draft(fund, requested=4_000_000, cost=8_000_000):
    return ops.create_mdf_request(
        actor=fund["admin"],
        allocation=fund["allocation"],
        campaign_name="부산 HVAC 전시회",
        activity_type="exhibition",
        planned_start=dt.date(2026, 11, 10),
        planned_end=dt.date(2026, 11, 12),
        planned_cost=cost,
        requested_amount=requested,
        expected_leads=30,
    )


def submitted(fund, requested=4_000_000):
    request = draft(fund, requested=requested)
    return ops.submit_mdf_request(actor=fund["admin"], request=request)


def proof(name="booth.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def allocation(fund) -> MdfAllocation:
    return MdfAllocation.objects.get(pk=fund["allocation"].pk)


def test_the_whole_flow_commits_releases_and_pays(fund):
    request = submitted(fund)
    assert request.number.startswith("MDF-")
    request = ops.approve_mdf_request(actor=fund["channel"], request=request, amount=3_500_000, note="부스 규모 축소")
    assert request.status == MdfRequestStatus.APPROVED
    assert allocation(fund).committed.amount == Decimal(3_500_000)
    request = ops.claim_mdf(
        actor=fund["admin"],
        request=request,
        actual_cost=7_000_000,
        claimed_amount=3_000_000,
        actual_leads=41,
        proofs=[proof()],
    )
    assert request.status == MdfRequestStatus.CLAIMED
    assert MdfProof.objects.filter(claim__request=request).count() == 1
    request = ops.approve_mdf_claim(actor=fund["channel"], request=request)
    assert allocation(fund).committed.amount == Decimal(3_000_000)  # the unclaimed 500,000 went back
    request = ops.mark_mdf_paid(actor=fund["finance"], request=request, payment_reference="PAY-1")
    budget = allocation(fund)
    assert (request.status, budget.paid.amount, budget.committed.amount) == (
        "paid",
        Decimal(3_000_000),
        Decimal(3_000_000),
    )
    assert request.history.count() >= 5
    kinds = set(OutboxEvent.objects.values_list("event_type", flat=True))
    assert {"MdfAllocated", "MdfRequestApproved", "MdfClaimSubmitted", "MdfClaimApproved", "MdfPaid"} <= kinds
    rows = mdf_budget_for(fund["channel"], Period("quarter", QUARTER))
    assert [(row.allocation.pk, row.remaining) for row in rows] == [(budget.pk, Decimal(7_000_000))]
    roi = mdf_roi_for(fund["channel"], [fund["partner"].pk], Period("quarter", QUARTER))
    assert (roi[0].spent, roi[0].leads, roi[0].leads_per_million) == (Decimal(3_000_000), 41, Decimal("13.67"))


def test_an_approval_above_the_remaining_budget_is_refused_with_a_field_error(fund):
    first, second = submitted(fund, 6_000_000), submitted(fund, 5_000_000)
    ops.approve_mdf_request(actor=fund["channel"], request=first)
    with pytest.raises(ValidationError) as refused:
        ops.approve_mdf_request(actor=fund["channel"], request=second)
    assert "approved_amount" in refused.value.message_dict
    assert "4,000,000" in refused.value.message_dict["approved_amount"][0]
    ops.approve_mdf_request(actor=fund["channel"], request=second, amount=4_000_000)  # a lower amount fits
    assert allocation(fund).committed.amount == Decimal(10_000_000)
    with pytest.raises(ValidationError) as late:
        submitted(fund, 1_000_000)
    assert "requested_amount" in late.value.message_dict


def test_an_approval_never_exceeds_the_request_and_needs_a_submitted_request(fund):
    request = draft(fund)
    with pytest.raises(ValidationError):
        ops.approve_mdf_request(actor=fund["channel"], request=request)  # a draft
    request = ops.submit_mdf_request(actor=fund["admin"], request=request)
    with pytest.raises(ValidationError) as refused:
        ops.approve_mdf_request(actor=fund["channel"], request=request, amount=4_000_001)
    assert "approved_amount" in refused.value.message_dict


def test_the_allocation_never_goes_below_what_is_committed(fund):
    ops.approve_mdf_request(actor=fund["channel"], request=submitted(fund, 6_000_000))
    with pytest.raises(ValidationError) as refused:
        ops.change_mdf_allocation(
            actor=fund["channel"], allocation=fund["allocation"], amount=5_000_000, expected_version=None
        )
    assert "amount" in refused.value.message_dict
    raised = ops.allocate_mdf(
        actor=fund["channel"],
        partner=fund["partner"],
        period_kind="quarter",
        period_start=dt.date(2026, 11, 5),
        amount=12_000_000,
    )  # any day of the quarter names the same allocation
    assert raised.pk == fund["allocation"].pk and raised.amount.amount == Decimal(12_000_000)


def test_the_database_refuses_an_overspent_allocation(fund):
    row = allocation(fund)
    row.committed = row.amount + row.amount
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_cancelling_an_approved_request_releases_its_commitment(fund):
    request = ops.approve_mdf_request(actor=fund["channel"], request=submitted(fund))
    ops.cancel_mdf_request(actor=fund["admin"], request=request)
    assert allocation(fund).committed.amount == 0


def test_a_claim_is_at_most_the_approved_amount_and_the_actual_cost_and_has_proof(fund):
    request = ops.approve_mdf_request(actor=fund["channel"], request=submitted(fund), amount=3_000_000)
    for cost, claimed, field in [(9_000_000, 3_000_001, "claimed_amount"), (2_000_000, 2_500_000, "claimed_amount")]:
        with pytest.raises(ValidationError) as refused:
            ops.claim_mdf(
                actor=fund["admin"], request=request, actual_cost=cost, claimed_amount=claimed, proofs=[proof()]
            )
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as no_proof:
        ops.claim_mdf(actor=fund["admin"], request=request, actual_cost=5_000_000, claimed_amount=2_000_000)
    assert "proofs" in no_proof.value.message_dict
    with pytest.raises(ValidationError) as disguised:
        ops.claim_mdf(
            actor=fund["admin"],
            request=request,
            actual_cost=5_000_000,
            claimed_amount=2_000_000,
            proofs=[proof("invoice.pdf", b"MZ\x90\x00 not a pdf")],
        )
    assert "proofs" in disguised.value.message_dict
    assert MdfProof.objects.count() == 0


def test_a_rejected_claim_may_be_claimed_again_and_payment_needs_an_approved_claim(fund):
    request = ops.approve_mdf_request(actor=fund["channel"], request=submitted(fund))
    request = ops.claim_mdf(
        actor=fund["admin"], request=request, actual_cost=8_000_000, claimed_amount=4_000_000, proofs=[proof()]
    )
    with pytest.raises(ValidationError):
        ops.mark_mdf_paid(actor=fund["finance"], request=request)
    with pytest.raises(ValidationError):
        ops.reject_mdf_claim(actor=fund["channel"], request=request, reason="")
    request = ops.reject_mdf_claim(actor=fund["channel"], request=request, reason="영수증 누락")
    request = ops.claim_mdf(
        actor=fund["admin"],
        request=request,
        actual_cost=8_000_000,
        claimed_amount=4_000_000,
        proofs=[proof("receipt.pdf")],
    )
    assert request.status == MdfRequestStatus.CLAIMED
    assert MdfProof.objects.filter(claim__request=request).count() == 2


def test_paid_never_exceeds_committed(fund):
    request = ops.approve_mdf_request(actor=fund["channel"], request=submitted(fund))
    request = ops.claim_mdf(
        actor=fund["admin"], request=request, actual_cost=8_000_000, claimed_amount=4_000_000, proofs=[proof()]
    )
    request = ops.approve_mdf_claim(actor=fund["channel"], request=request)
    MdfAllocation.objects.filter(pk=fund["allocation"].pk).update(committed=Decimal(1_000_000))  # a broken row
    with pytest.raises(ValidationError):
        ops.mark_mdf_paid(actor=fund["finance"], request=request)
    assert allocation(fund).paid.amount == 0


def test_who_may_do_what(fund):
    with pytest.raises(PermissionDenied):
        draft({**fund, "admin": fund["rep"]})  # a partner rep does not request money
    with pytest.raises(PermissionDenied):
        ops.allocate_mdf(
            actor=fund["sales"], partner=fund["partner"], period_kind="quarter", period_start=QUARTER, amount=1
        )
    request = submitted(fund)
    with pytest.raises(PermissionDenied):
        ops.approve_mdf_request(actor=fund["admin"], request=request)  # a partner never approves its own
    with pytest.raises(PermissionDenied):
        ops.update_mdf_request(actor=fund["admin"], request=request, expected_version=None, campaign_name="x")
    rival = UserFactory(role=Role.PARTNER_ADMIN, organization=PartnerAccountFactory())
    with pytest.raises(PermissionDenied):
        ops.cancel_mdf_request(actor=rival, request=request)


def test_a_stale_version_is_a_conflict(fund):
    request = draft(fund)
    ops.update_mdf_request(actor=fund["admin"], request=request, expected_version=request.version, expected_leads=50)
    with pytest.raises(ConflictError):
        ops.submit_mdf_request(actor=fund["admin"], request=request, expected_version=request.version)


def test_bad_input_is_a_field_error(fund):
    with pytest.raises(ValidationError) as refused:
        draft(fund, requested=9_000_000, cost=8_000_000)
    assert "requested_amount" in refused.value.message_dict
    with pytest.raises(ValidationError) as negative:
        draft(fund, requested=-5)
    assert "requested_amount" in negative.value.message_dict
    with pytest.raises(ValidationError) as dates:
        ops.create_mdf_request(
            actor=fund["admin"],
            allocation=fund["allocation"],
            campaign_name="x",
            activity_type="event",
            planned_start=dt.date(2026, 11, 12),
            planned_end=dt.date(2026, 11, 10),
            planned_cost=10,
            requested_amount=5,
        )
    assert "planned_end" in dates.value.message_dict


def test_factories_still_build(fund):
    assert f.MdfRequestFactory().status == MdfRequestStatus.DRAFT
