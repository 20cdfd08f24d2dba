"""Market development funds: allocate a budget per partner and period; the partner admin drafts and submits a
request; the channel approves it (committing budget) or rejects it; the partner claims the approved money with
proof of performance; the channel approves or rejects the claim; finance marks it paid.

Budget maths, on the allocation row: `committed` is the sum of what approved requests may still draw (the
approved amount, or once a claim is approved the claimed amount); `paid` what was paid out. Every operation that
changes them locks the allocation row first (`select_for_update`), then the request, so concurrent approvals
queue on the allocation and the last one to fit wins; the database refuses `committed > allocated` and
`paid > committed` in any case (CheckConstraints).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.activities.upload_checks import check_size, check_upload
from forgecrm.catalog.models import money_of
from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned
from forgecrm.sales.models.planning import PeriodKind, period_start_for

from ..models import MdfActivityType, MdfAllocation, MdfClaim, MdfProof, MdfRequest, MdfRequestStatus
from ..numbering import create_partner_document

MDF_PREFIX = "MDF"
MAX_PROOFS = 10
MAX_TEXT = 2000
S = MdfRequestStatus
CANCELLABLE = (S.DRAFT, S.SUBMITTED, S.APPROVED, S.CLAIM_REJECTED)
# Statuses in which the request holds budget on its allocation.
COMMITTING = (S.APPROVED, S.CLAIMED, S.CLAIM_APPROVED, S.CLAIM_REJECTED)


def _require(actor, permission: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(permission, obj):
        raise PermissionDenied(_("You may not do this with market development funds."))


def _require_partner(actor, permission: str, obj=None) -> None:
    """Partner-side steps (drafting, submitting, claiming) are the partner's own: headquarters, superusers
    included, decide and pay but never write the partner's request for it."""
    if actor is not None and not principal_for(actor).is_partner:
        raise PermissionDenied(_("Only the partner's admins draft, submit and claim MDF requests."))
    _require(actor, permission, obj)


def _amount(value: Any, field: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(getattr(value, "amount", value))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ValidationError({field: _("Enter an amount.")}) from error
    if amount < 0 or (positive and amount == 0) or amount >= Decimal("1e15"):
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    return amount


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency)


def remaining_of(allocation: MdfAllocation) -> Decimal:
    """What may still be committed from the allocation."""
    return money_of(allocation.amount).amount - money_of(allocation.committed).amount


def _payload(request: MdfRequest, actor, **extra) -> dict[str, Any]:
    return {
        "mdf_request_id": request.pk,
        "number": request.number,
        "partner_id": request.partner_id,
        "allocation_id": request.allocation_id,
        "status": request.status,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }


def _locked(request: MdfRequest, expected_version: int | None) -> tuple[MdfAllocation, MdfRequest]:
    """Lock the allocation, then the request (always in that order: no deadlock between two operations)."""
    allocation = MdfAllocation.objects.select_for_update().get(pk=request.allocation_id)
    current = MdfRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return allocation, current


def _state(current: MdfRequest, allowed: tuple[str, ...], message: str) -> None:
    if current.status not in allowed:
        raise ValidationError({"status": message}, code="transition")


def _move_budget(allocation: MdfAllocation, actor, *, committed: Decimal = Decimal(0), paid: Decimal = Decimal(0)):
    currency = allocation.currency
    new_committed = money_of(allocation.committed).amount + committed
    new_paid = money_of(allocation.paid).amount + paid
    return save_versioned(
        allocation,
        actor=actor,
        expected_version=None,
        changes={"committed": _money(new_committed, currency), "paid": _money(new_paid, currency)},
    )


# --- allocations -----------------------------------------------------------------------------------------------


def allocate_mdf(
    *,
    actor: User | None,
    partner: Account,
    period_kind: str,
    period_start: dt.date,
    amount: Any,
    currency: str = "KRW",
    note: str = "",
    expected_version: int | None = None,
) -> MdfAllocation:
    """Set the partner's budget for the period (creating its allocation, or raising or lowering it). An
    allocation is never lowered below what approved requests have committed from it."""
    _require(actor, "partners.allocate_mdf")
    if partner.kind != AccountKind.PARTNER:
        raise ValidationError({"partner": _("Choose a partner.")})
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a period.")})
    start = period_start_for(period_kind, period_start)
    value = _amount(amount, "amount")
    with transaction.atomic():
        allocation = (
            MdfAllocation.objects.select_for_update()
            .filter(partner=partner, period_kind=period_kind, period_start=start)
            .first()
        )
        if allocation is None:
            allocation = MdfAllocation(
                partner=partner,
                period_kind=period_kind,
                period_start=start,
                currency=currency,
                amount=_money(value, currency),
                committed=_money(Decimal(0), currency),
                paid=_money(Decimal(0), currency),
                note=(note or "").strip()[:MAX_TEXT],
                created_by=actor,
                updated_by=actor,
            )
            allocation.full_clean()
            allocation._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
            allocation.save()
            events.emit("MdfAllocated", _allocation_payload(allocation, actor))
            return allocation
        return _change_allocation(allocation, actor, value, note, expected_version)


def change_mdf_allocation(
    *, actor: User | None, allocation: MdfAllocation, amount: Any, note: str | None = None, expected_version: int | None
) -> MdfAllocation:
    """Raise or lower an existing allocation (never below its committed amount)."""
    _require(actor, "partners.allocate_mdf")
    value = _amount(amount, "amount")
    with transaction.atomic():
        current = MdfAllocation.objects.select_for_update().get(pk=allocation.pk)
        return _change_allocation(current, actor, value, note, expected_version)


def _change_allocation(current: MdfAllocation, actor, value: Decimal, note, expected_version) -> MdfAllocation:
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    committed = money_of(current.committed).amount
    if value < committed:
        raise ValidationError(
            {
                "amount": _("%(committed)s is already committed to approved requests; the budget cannot go below it.")
                % {"committed": f"{committed:,.0f} {current.currency}"}
            },
            code="below_committed",
        )
    changes: dict[str, Any] = {"amount": _money(value, current.currency)}
    if note is not None:
        changes["note"] = (note or "").strip()[:MAX_TEXT]
    updated = save_versioned(current, actor=actor, expected_version=None, changes=changes)
    events.emit("MdfAllocationChanged", _allocation_payload(updated, actor))
    return updated


def _allocation_payload(allocation: MdfAllocation, actor) -> dict[str, Any]:
    return {
        "mdf_allocation_id": allocation.pk,
        "partner_id": allocation.partner_id,
        "period_kind": allocation.period_kind,
        "period_start": allocation.period_start.isoformat(),
        "amount": str(money_of(allocation.amount).amount),
        "currency": allocation.currency,
        "actor_id": getattr(actor, "pk", None),
    }


# --- requests --------------------------------------------------------------------------------------------------

REQUEST_FIELDS = (
    "campaign_name",
    "activity_type",
    "description",
    "planned_start",
    "planned_end",
    "planned_cost",
    "requested_amount",
    "expected_leads",
)


def _request_changes(data: dict[str, Any], currency: str, current: MdfRequest | None = None) -> dict[str, Any]:
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name in {"planned_cost", "requested_amount"}:
            changes[name] = _money(_amount(value, name, positive=True), currency)
        elif name in {"campaign_name", "description"}:
            changes[name] = (value or "").strip()[: 200 if name == "campaign_name" else MAX_TEXT]
        elif name == "activity_type":
            if value not in MdfActivityType.values:
                raise ValidationError({name: _("Choose an activity type.")})
            changes[name] = value
        elif name == "expected_leads":
            try:
                changes[name] = max(0, min(int(value or 0), 1_000_000))
            except (TypeError, ValueError) as error:
                raise ValidationError({name: _("Enter a whole number.")}) from error
        else:
            changes[name] = value
    merged = {name: getattr(current, name, None) for name in REQUEST_FIELDS} if current else {}
    merged.update(changes)
    if current is None and not merged.get("campaign_name"):
        raise ValidationError({"campaign_name": _("Name the marketing activity.")})
    start, end = merged.get("planned_start"), merged.get("planned_end")
    if start and end and end < start:
        raise ValidationError({"planned_end": _("The activity cannot end before it starts.")})
    cost, requested = merged.get("planned_cost"), merged.get("requested_amount")
    if cost is not None and requested is not None and money_of(requested).amount > money_of(cost).amount:
        raise ValidationError({"requested_amount": _("The requested amount cannot exceed the planned cost.")})
    return changes


def create_mdf_request(*, actor: User, allocation: MdfAllocation, **data: Any) -> MdfRequest:
    """A draft request against the partner's allocation, by a partner admin of that partner."""
    _require_partner(actor, "partners.request_mdf", allocation)
    for name in ("planned_start", "planned_end", "planned_cost", "requested_amount", "activity_type"):
        if data.get(name) in (None, ""):
            raise ValidationError({name: _("This field is required.")})
    changes = _request_changes(data, allocation.currency)

    def make(number: str) -> MdfRequest:
        request = MdfRequest(
            number=number,
            allocation=allocation,
            partner_id=allocation.partner_id,
            requested_by=actor,
            currency=allocation.currency,
            approved_amount=_money(Decimal(0), allocation.currency),
            created_by=actor,
            updated_by=actor,
            **changes,
        )
        request.full_clean(exclude=["number"])
        request._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        request.save()
        return request

    with transaction.atomic():
        request = create_partner_document(MdfRequest, MDF_PREFIX, make)
        events.emit("MdfRequestCreated", _payload(request, actor))
    return request


def update_mdf_request(*, actor: User, request: MdfRequest, expected_version: int | None, **data: Any) -> MdfRequest:
    """Change a draft request (its partner's admins)."""
    _require_partner(actor, "partners.change_mdfrequest", request)
    with transaction.atomic():
        current = MdfRequest.objects.select_for_update().get(pk=request.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        _require(actor, "partners.change_mdfrequest", current)
        changes = _request_changes(data, current.currency, current)
        return save_versioned(current, actor=actor, expected_version=None, changes=changes)


def submit_mdf_request(*, actor: User, request: MdfRequest, expected_version: int | None = None) -> MdfRequest:
    """Send a draft to headquarters. A request above what is left of the budget is refused already here."""
    _require_partner(actor, "partners.change_mdfrequest", request)
    with transaction.atomic():
        allocation, current = _locked(request, expected_version)
        _state(current, (S.DRAFT,), _("Only a draft can be submitted."))
        if money_of(current.requested_amount).amount > remaining_of(allocation):
            raise ValidationError({"requested_amount": _over_budget(allocation)}, code="over_budget")
        updated = save_versioned(
            current, actor=actor, expected_version=None, changes={"status": S.SUBMITTED, "submitted_at": timezone.now()}
        )
        events.emit("MdfRequestSubmitted", _payload(updated, actor))
    return updated


def _over_budget(allocation: MdfAllocation) -> str:
    return _("Only %(remaining)s is left of this partner's budget for the period.") % {
        "remaining": f"{remaining_of(allocation):,.0f} {allocation.currency}"
    }


def approve_mdf_request(
    *,
    actor: User | None,
    request: MdfRequest,
    amount: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> MdfRequest:
    """Approve a submitted request for its requested amount or less, committing that much of the budget (under
    the allocation's row lock: two approvals at once can never overspend it)."""
    _require(actor, "partners.decide_mdf", request)
    with transaction.atomic():
        allocation, current = _locked(request, expected_version)
        _state(current, (S.SUBMITTED,), _("Only a submitted request can be approved."))
        requested = money_of(current.requested_amount).amount
        value = requested if amount in (None, "") else _amount(amount, "approved_amount", positive=True)
        if value > requested:
            raise ValidationError({"approved_amount": _("The approved amount cannot exceed the requested amount.")})
        if value > remaining_of(allocation):
            raise ValidationError({"approved_amount": _over_budget(allocation)}, code="over_budget")
        _move_budget(allocation, actor, committed=value)
        updated = save_versioned(
            current,
            actor=actor,
            expected_version=None,
            changes={
                "status": S.APPROVED,
                "approved_amount": _money(value, current.currency),
                "decided_by": actor if getattr(actor, "pk", None) else None,
                "decided_at": timezone.now(),
                "decision_note": (note or "").strip()[:MAX_TEXT],
            },
        )
        events.emit("MdfRequestApproved", _payload(updated, actor, approved_amount=str(value)))
    return updated


def reject_mdf_request(
    *, actor: User | None, request: MdfRequest, reason: str, expected_version: int | None = None
) -> MdfRequest:
    """Refuse a submitted request, saying why (the partner sees the reason)."""
    _require(actor, "partners.decide_mdf", request)
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    with transaction.atomic():
        _allocation, current = _locked(request, expected_version)
        _state(current, (S.SUBMITTED,), _("Only a submitted request can be rejected."))
        updated = save_versioned(
            current,
            actor=actor,
            expected_version=None,
            changes={
                "status": S.REJECTED,
                "decided_by": actor if getattr(actor, "pk", None) else None,
                "decided_at": timezone.now(),
                "decision_note": reason,
            },
        )
        events.emit("MdfRequestRejected", _payload(updated, actor))
    return updated


def _may_withdraw(actor, request: MdfRequest) -> bool:
    if actor.has_perm("partners.decide_mdf", request):
        return True
    return principal_for(actor).is_partner and actor.has_perm("partners.request_mdf", request)


def may_cancel(actor, request: MdfRequest) -> bool:
    return request.status in CANCELLABLE and _may_withdraw(actor, request)


def cancel_mdf_request(
    *, actor: User, request: MdfRequest, note: str = "", expected_version: int | None = None
) -> MdfRequest:
    """Withdraw a request before it is claimed (its partner's admins or the channel); what it had committed goes
    back to the budget."""
    if not _may_withdraw(actor, request):
        raise PermissionDenied(_("You may not do this with market development funds."))
    with transaction.atomic():
        allocation, current = _locked(request, expected_version)
        _state(current, CANCELLABLE, _("A request that is claimed or paid cannot be cancelled."))
        if current.status in COMMITTING:
            _move_budget(allocation, actor, committed=-money_of(current.approved_amount).amount)
        changes: dict[str, Any] = {"status": S.CANCELLED}
        if note:
            changes["decision_note"] = note.strip()[:MAX_TEXT]
        updated = save_versioned(current, actor=actor, expected_version=None, changes=changes)
        events.emit("MdfRequestCancelled", _payload(updated, actor))
    return updated


# --- claims and payment ----------------------------------------------------------------------------------------


def _checked_files(files: list[Any]) -> list[tuple[Any, bytes]]:
    if len(files) > MAX_PROOFS:
        raise ValidationError({"proofs": _("Attach at most %(count)d files.") % {"count": MAX_PROOFS}})
    checked = []
    for upload in files:
        try:
            check_size(getattr(upload, "size", 0) or 0)  # refuse before reading a huge upload
            upload.seek(0)
            data = upload.read()
            checked.append((check_upload(getattr(upload, "name", "") or "", data), data))
        except ValidationError as error:
            raise ValidationError({"proofs": error.messages}) from error
    return checked


def claim_mdf(
    *,
    actor: User,
    request: MdfRequest,
    actual_cost: Any,
    claimed_amount: Any,
    actual_leads: int = 0,
    note: str = "",
    proofs: list[Any] | None = None,
    expected_version: int | None = None,
) -> MdfRequest:
    """The partner admin claims an approved request after the activity: what it cost, what it claims (at most
    the approved amount and the actual cost), the leads it brought, and proof files (checked like activity
    attachments). A rejected claim may be claimed again with better proof."""
    _require_partner(actor, "partners.request_mdf", request)
    cost = _amount(actual_cost, "actual_cost", positive=True)
    claimed = _amount(claimed_amount, "claimed_amount", positive=True)
    try:
        leads = max(0, min(int(actual_leads or 0), 1_000_000))
    except (TypeError, ValueError) as error:
        raise ValidationError({"actual_leads": _("Enter a whole number.")}) from error
    files = _checked_files(list(proofs or []))
    written: list[str] = []
    try:
        with transaction.atomic():
            _allocation, current = _locked(request, expected_version)
            _state(current, (S.APPROVED, S.CLAIM_REJECTED), _("Only an approved request can be claimed."))
            if claimed > money_of(current.approved_amount).amount:
                raise ValidationError({"claimed_amount": _("The claim cannot exceed the approved amount.")})
            if claimed > cost:
                raise ValidationError({"claimed_amount": _("The claim cannot exceed the actual cost.")})
            claim = MdfClaim.objects.filter(request=current).first()
            if not files and (claim is None or not claim.proofs.exists()):
                raise ValidationError({"proofs": _("Attach proof of performance (photos, invoices, attendee lists).")})
            values = {
                "submitted_by": actor,
                "submitted_at": timezone.now(),
                "currency": current.currency,
                "actual_cost": _money(cost, current.currency),
                "claimed_amount": _money(claimed, current.currency),
                "actual_leads": leads,
                "note": (note or "").strip()[:MAX_TEXT],
            }
            if claim is None:
                claim = MdfClaim(request=current, created_by=actor, updated_by=actor, **values)
                claim._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
                claim.save()
            else:
                claim = save_versioned(claim, actor=actor, expected_version=None, changes=values)
            for checked, data in files:
                proof = MdfProof(
                    claim=claim,
                    original_name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    uploaded_by=actor,
                )
                proof.file.save(f"proof.{checked.extension}", ContentFile(data), save=False)
                written.append(proof.file.name or "")
                proof.save()
            updated = save_versioned(current, actor=actor, expected_version=None, changes={"status": S.CLAIMED})
            events.emit("MdfClaimSubmitted", _payload(updated, actor, claimed_amount=str(claimed), leads=leads))
    except Exception:
        storage = MdfProof._meta.get_field("file").storage  # type: ignore[attr-defined]  # a FileField
        for name in written:
            storage.delete(name)
        raise
    return updated


def approve_mdf_claim(
    *, actor: User | None, request: MdfRequest, note: str = "", expected_version: int | None = None
) -> MdfRequest:
    """Accept the claim; what the approval committed beyond the claimed amount goes back to the budget."""
    _require(actor, "partners.decide_mdf", request)
    with transaction.atomic():
        allocation, current = _locked(request, expected_version)
        _state(current, (S.CLAIMED,), _("Only a claimed request can have its claim approved."))
        claim = MdfClaim.objects.get(request=current)
        released = money_of(current.approved_amount).amount - money_of(claim.claimed_amount).amount
        if released:
            _move_budget(allocation, actor, committed=-released)
        changes: dict[str, Any] = {"status": S.CLAIM_APPROVED}
        if note:
            changes["decision_note"] = note.strip()[:MAX_TEXT]
        updated = save_versioned(current, actor=actor, expected_version=None, changes=changes)
        events.emit("MdfClaimApproved", _payload(updated, actor, released=str(released)))
    return updated


def reject_mdf_claim(
    *, actor: User | None, request: MdfRequest, reason: str, expected_version: int | None = None
) -> MdfRequest:
    """Send the claim back (missing or unconvincing proof); the partner may claim again or cancel."""
    _require(actor, "partners.decide_mdf", request)
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    with transaction.atomic():
        _allocation, current = _locked(request, expected_version)
        _state(current, (S.CLAIMED,), _("Only a claimed request can have its claim rejected."))
        updated = save_versioned(
            current, actor=actor, expected_version=None, changes={"status": S.CLAIM_REJECTED, "decision_note": reason}
        )
        events.emit("MdfClaimRejected", _payload(updated, actor))
    return updated


def mark_mdf_paid(
    *,
    actor: User | None,
    request: MdfRequest,
    payment_reference: str = "",
    expected_version: int | None = None,
) -> MdfRequest:
    """Record the payment of an approved claim; the allocation's paid amount grows by the claim (never past
    what is committed)."""
    _require(actor, "partners.pay_mdf", request)
    with transaction.atomic():
        allocation, current = _locked(request, expected_version)
        _state(current, (S.CLAIM_APPROVED,), _("Only an approved claim can be paid."))
        claim = MdfClaim.objects.select_for_update().get(request=current)
        amount = money_of(claim.claimed_amount).amount
        paid = money_of(allocation.paid).amount
        if paid + amount > money_of(allocation.committed).amount:
            raise ValidationError({"status": _("The payment would exceed what is committed from the budget.")})
        _move_budget(allocation, actor, paid=amount)
        save_versioned(
            claim,
            actor=actor,
            expected_version=None,
            changes={"paid_at": timezone.now(), "payment_reference": (payment_reference or "").strip()[:64]},
        )
        updated = save_versioned(current, actor=actor, expected_version=None, changes={"status": S.PAID})
        events.emit("MdfPaid", _payload(updated, actor, amount=str(amount), currency=current.currency))
    return updated
