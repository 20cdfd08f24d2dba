"""Discount approvals (manager then director, thresholds by product line, reset on change), revisions,
sending by email with the PDF, accept → one sales order, expiry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.platform.models import OutboxEvent
from forgecrm.sales.models import ApprovalStatus, QuoteStatus, SalesOrder, SalesOrderStatus
from forgecrm.sales.operations.quote_approvals import (
    approve_quote,
    reject_quote,
    required_approvals,
    submit_quote_for_approval,
)
from forgecrm.sales.operations.quote_lines import update_quote_line
from forgecrm.sales.operations.quoting import (
    accept_quote,
    create_quote,
    decline_quote,
    expire_quotes,
    new_quote_revision,
    send_quote,
)
from forgecrm.sales.tasks import expire_quotes_task

from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_quoting_world()


def quote_with_discount(world, percent):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    update_quote_line(actor=world.rep, line=quote.lines.get(), discount_percent=percent)
    quote.refresh_from_db()
    return quote


def test_the_product_line_threshold_overrides_the_default(world):
    assert required_approvals(quote_with_discount(world, "12")) == []  # line threshold 15 %, not the default 10 %
    needed = required_approvals(quote_with_discount(world, "16"))
    assert [n.level for n in needed] == ["manager"]
    assert "16 %" in needed[0].reason and "15 %" in needed[0].reason and "SAC-OU-23K" in needed[0].reason
    assert [n.level for n in required_approvals(quote_with_discount(world, "25"))] == ["manager", "director"]


def test_a_discount_above_the_threshold_waits_for_approval_instead_of_failing(world):
    quote = quote_with_discount(world, "16")
    sent = send_quote(actor=world.rep, quote=quote)
    assert sent.status == QuoteStatus.PENDING_APPROVAL
    assert mail.outbox == []
    approval = sent.approvals.get()
    assert approval.level == "manager" and approval.approver == world.manager and approval.status == "pending"


def test_manager_then_director_and_never_the_owner(world):
    quote = submit_quote_for_approval(actor=world.rep, quote=quote_with_discount(world, "25"))
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    with pytest.raises(PermissionDenied):
        approve_quote(actor=world.rep, quote=quote)
    with pytest.raises(PermissionDenied):
        approve_quote(actor=world.outsider, quote=quote)
    quote = approve_quote(actor=world.manager, quote=quote, comment="확인")
    assert quote.status == QuoteStatus.PENDING_APPROVAL  # the director is next
    director_level = quote.approvals.get(status="pending")
    assert director_level.level == "director" and director_level.approver == world.director
    with pytest.raises(PermissionDenied):
        approve_quote(actor=world.manager, quote=quote)  # the same person does not approve two levels
    quote = approve_quote(actor=world.director, quote=quote)
    assert quote.status == QuoteStatus.APPROVED
    assert list(quote.approvals.values_list("level", "status")) == [("manager", "approved"), ("director", "approved")]
    assert OutboxEvent.objects.filter(event_type="QuoteApproved", payload__quote_id=quote.pk).exists()


def test_a_change_after_approval_resets_it(world):
    quote = submit_quote_for_approval(actor=world.rep, quote=quote_with_discount(world, "16"))
    quote = approve_quote(actor=world.manager, quote=quote)
    assert quote.status == QuoteStatus.APPROVED
    update_quote_line(actor=world.rep, line=quote.lines.get(), quantity=5)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    quote = submit_quote_for_approval(actor=world.rep, quote=quote)
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert quote.approvals.filter(status=ApprovalStatus.PENDING).count() == 1


def test_a_change_while_waiting_withdraws_the_pending_approval(world):
    quote = submit_quote_for_approval(actor=world.rep, quote=quote_with_discount(world, "16"))
    update_quote_line(actor=world.rep, line=quote.lines.get(), discount_percent="5")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    assert not quote.approvals.filter(status="pending").exists()
    assert submit_quote_for_approval(actor=world.rep, quote=quote).status == QuoteStatus.APPROVED  # 5 %: none needed


def test_reject_needs_a_reason_and_returns_the_quote_to_the_rep(world):
    quote = submit_quote_for_approval(actor=world.rep, quote=quote_with_discount(world, "16"))
    with pytest.raises(ValidationError):
        reject_quote(actor=world.manager, quote=quote, comment=" ")
    quote = reject_quote(actor=world.manager, quote=quote, comment="마진 부족")
    assert quote.status == QuoteStatus.REJECTED and quote.is_editable
    assert quote.approvals.get().comment == "마진 부족"


def test_send_emails_the_pdf_and_marks_the_quote_sent(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    quote = send_quote(actor=world.rep, quote=quote, message="검토 부탁드립니다.")
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    (email,) = mail.outbox
    assert email.to == ["buyer@hanbit.example"]
    assert quote.number in email.subject
    assert "검토 부탁드립니다." in email.body and "5,340,000" not in email.body
    (name, content, mimetype) = email.attachments[0]
    assert name == f"{quote.number}.pdf" and mimetype == "application/pdf" and content[:4] == b"%PDF"


def test_send_refuses_a_bad_address_and_a_past_validity(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    with pytest.raises(ValidationError) as bad:
        send_quote(actor=world.rep, quote=quote, to="not-an-address")
    assert "to" in bad.value.message_dict
    quote.valid_until = timezone.localdate() - dt.timedelta(days=1)
    quote.save()
    with pytest.raises(ValidationError):
        send_quote(actor=world.rep, quote=quote)
    assert mail.outbox == []


def test_a_new_revision_copies_the_quote_and_supersedes_the_old_one(world):
    first = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    second = new_quote_revision(actor=world.rep, quote=first)
    first.refresh_from_db()
    assert first.status == QuoteStatus.SUPERSEDED
    assert second.family == first.family and second.revision == 2 and second.previous_revision == first
    assert second.number == f"{first.family}-2" and second.status == QuoteStatus.DRAFT
    assert second.total == first.total
    copied = second.lines.get()
    assert copied.unit_cost == first.lines.get().unit_cost
    assert [o.option_sku for o in copied.options.all()] == ["OPT-PIPE5"]
    with pytest.raises(ValidationError):
        new_quote_revision(actor=world.rep, quote=first)  # only the newest revision
    third = new_quote_revision(actor=world.rep, quote=second)
    assert third.revision == 3


def test_accept_creates_one_sales_order_with_the_lines(world):
    quote = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    order = accept_quote(actor=world.rep, quote=quote, customer_reference="PO-7788")
    again = accept_quote(actor=world.rep, quote=quote)
    assert again.pk == order.pk and SalesOrder.objects.filter(quote=quote).count() == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.accepted_at is not None
    assert order.number.startswith("SO-") and order.status == SalesOrderStatus.SUBMITTED
    assert order.total == quote.total and order.customer_reference == "PO-7788"
    line = order.lines.get()
    assert line.quantity == 4 and line.unit_price.amount == Decimal("8217500") and line.line_total.amount == 32_870_000
    assert list(order.status_changes.values_list("status", "source")) == [("submitted", "user")]
    kinds = set(OutboxEvent.objects.values_list("event_type", flat=True))
    assert {"QuoteAccepted", "SalesOrderCreated"} <= kinds
    created = OutboxEvent.objects.get(event_type="SalesOrderCreated")
    assert "unit_cost" not in str(created.payload) and "5340000" not in str(created.payload)


def test_a_draft_cannot_be_accepted_and_a_declined_quote_stays_declined(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    with pytest.raises(ValidationError):
        accept_quote(actor=world.rep, quote=quote)
    quote = send_quote(actor=world.rep, quote=quote)
    quote = decline_quote(actor=world.rep, quote=quote, reason="예산 삭감")
    assert quote.status == QuoteStatus.DECLINED
    with pytest.raises(ValidationError):
        accept_quote(actor=world.rep, quote=quote)


def test_quotes_out_past_their_validity_expire(world):
    quote = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    draft = create_quote(actor=world.rep, opportunity=world.opportunity)
    assert expire_quotes(today=quote.valid_until) == 0
    assert expire_quotes(today=quote.valid_until + dt.timedelta(days=1)) == 1
    quote.refresh_from_db()
    draft.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED and draft.status == QuoteStatus.DRAFT
    assert expire_quotes_task() == 0


def test_a_sent_quote_cannot_be_edited(world):
    quote = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    with pytest.raises(ValidationError):
        update_quote_line(actor=world.rep, line=quote.lines.get(), quantity=9)
