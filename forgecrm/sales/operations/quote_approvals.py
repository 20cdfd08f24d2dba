"""The discount approval workflow: manager, then director, from the thresholds by product line (or default).

A discount at or above a level's threshold (`DiscountApprovalThreshold.from_discount_percent`) needs that
level's approval. Submitting such a quote puts it in `pending_approval` with one pending `QuoteApproval` for
the first level; each approval opens the next level, the last one approves the quote; a rejection sends it
back to the rep (`rejected`, editable). Changing the quote afterwards sends it back to draft
(quote_lines.recalculate_quote), so an approval only ever covers the figures it was given.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.catalog.configuration import validate_configuration
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Role, User
from forgecrm.platform.versioning import save_versioned

from ..models import ApprovalLevel, ApprovalStatus, DiscountApprovalThreshold, Quote, QuoteApproval, QuoteStatus
from ..quote_amounts import effective_discount_percent
from .quote_lines import lock_quote

LEVEL_ORDER: list[str] = [ApprovalLevel.MANAGER, ApprovalLevel.DIRECTOR]


@dataclass(frozen=True)
class RequiredApproval:
    level: str
    reason: str


def required_approvals(quote: Quote) -> list[RequiredApproval]:
    """The levels whose threshold a line's discount (its own with the header's) reaches, in order, with why."""
    thresholds = {
        (row.level, row.product_line_id): row.from_discount_percent
        for row in DiscountApprovalThreshold.objects.filter(is_active=True)
    }
    reasons: dict[str, list[str]] = {}
    lines = quote.lines.select_related("product").order_by("position", "pk")
    for line in lines:
        discount = effective_discount_percent(line.discount_percent, quote.header_discount_percent)
        if discount <= 0:
            continue
        for level in LEVEL_ORDER:
            limit = thresholds.get((level, line.product.product_line_id), thresholds.get((level, None)))
            if limit is not None and discount >= limit:
                reasons.setdefault(level, []).append(
                    _("Line %(position)s (%(sku)s): discount %(discount)s %% ≥ %(level)s threshold %(limit)s %%")
                    % {
                        "position": line.position,
                        "sku": line.product.sku,
                        "discount": _percent(discount),
                        "level": ApprovalLevel(level).label.lower(),
                        "limit": _percent(limit),
                    }
                )
    return [RequiredApproval(level, "\n".join(reasons[level])) for level in LEVEL_ORDER if level in reasons]


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def quote_problems(quote: Quote) -> list[str]:
    """What stops a quote from going out: no lines, a configuration the catalog refuses, a past validity."""
    problems: list[str] = []
    lines = list(quote.lines.select_related("product").prefetch_related("options"))
    if not lines:
        problems.append(_("Add at least one product."))
    product_ids = [line.product_id for line in lines]
    for line in lines:
        selected = [option.option_id for option in line.options.all() if option.option_id is not None]
        for error in validate_configuration(line.product, selected, quote_product_ids=product_ids):
            problems.append(_("Line %(position)s: %(error)s") % {"position": line.position, "error": error})
    if quote.valid_until is not None and quote.valid_until < timezone.localdate():
        problems.append(_("The validity date has passed; set a new one."))
    return problems


def _approver_for(quote: Quote, level: str) -> User | None:
    manager = quote.owner.manager
    if level == ApprovalLevel.MANAGER or manager is None:
        return manager
    return manager.manager or manager


def _open_approval(quote: Quote, requirement: RequiredApproval, actor: User | None) -> QuoteApproval:
    approval = QuoteApproval(
        quote=quote,
        level=requirement.level,
        approver=_approver_for(quote, requirement.level),
        reason=requirement.reason,
        created_by=actor,
        updated_by=actor,
    )
    approval._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    approval.save()
    return approval


def submit_quote_for_approval(*, actor: User | None, quote: Quote, expected_version: int | None = None) -> Quote:
    """Draft → pending_approval when a discount needs approval (first level asked), else → approved."""
    if actor is not None and not actor.has_perm("sales.change_quote", quote):
        raise PermissionDenied(_("You cannot change this quote."))
    with transaction.atomic():
        quote = lock_quote(quote, expected_version)
        if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.REJECTED):
            raise ValidationError(_("Only a draft or rejected quote can be submitted."), code="status")
        problems = quote_problems(quote)
        if problems:
            raise ValidationError(problems, code="incomplete")
        needed = required_approvals(quote)
        if needed:
            _open_approval(quote, needed[0], actor)
            status, event = QuoteStatus.PENDING_APPROVAL, "QuoteSubmitted"
        else:
            status, event = QuoteStatus.APPROVED, "QuoteApproved"
        updated = save_versioned(quote, actor=actor, expected_version=None, changes={"status": status})
        events.emit(event, _payload(updated, actor))
    return updated


def _payload(quote: Quote, actor: User | None) -> dict:
    return {
        "quote_id": quote.pk,
        "number": quote.number,
        "status": quote.status,
        "actor_id": getattr(actor, "pk", None),
    }


def _pending(quote: Quote) -> QuoteApproval:
    pending = quote.approvals.filter(status=ApprovalStatus.PENDING).order_by("created_at", "pk").first()
    if quote.status != QuoteStatus.PENDING_APPROVAL or pending is None:
        raise ValidationError(_("This quote is not waiting for approval."), code="status")
    return pending


def _check_approver(actor: User | None, quote: Quote, pending: QuoteApproval) -> None:
    if actor is None:
        return
    if not actor.has_perm("sales.approve_quote", quote):
        raise PermissionDenied(_("You cannot approve this quote."))
    # Two levels are two people: whoever approved the manager level does not also approve the director level
    # (administrators excepted).
    if principal_for(actor).role == Role.ADMIN or actor.is_superuser:
        return
    earlier = quote.approvals.filter(
        status=ApprovalStatus.APPROVED, approver=actor, created_at__gte=_round_start(quote)
    ).exclude(pk=pending.pk)
    if earlier.exists():
        raise PermissionDenied(_("You approved the previous level; another approver decides this one."))


def _round_start(quote: Quote):
    """When the current approval round began: the first approval opened after the last draft."""
    first_level = quote.approvals.filter(level=LEVEL_ORDER[0]).order_by("-created_at").first()
    return first_level.created_at if first_level else quote.created_at


def _decide(approval: QuoteApproval, actor: User | None, status: str, comment: str) -> None:
    approval.status = status
    approval.comment = comment
    approval.decided_at = timezone.now()
    if actor is not None:
        approval.approver = actor
    approval.updated_by = actor
    approval.version += 1
    approval._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    approval.full_clean()
    approval.save()


def approve_quote(*, actor: User | None, quote: Quote, expected_version: int | None = None, comment: str = "") -> Quote:
    """Approve the pending level; the next required level is asked next, after the last the quote is approved."""
    if actor is not None and not actor.has_perm("sales.approve_quote", quote):
        raise PermissionDenied(_("You cannot approve this quote."))
    with transaction.atomic():
        quote = lock_quote(quote, expected_version)
        pending = _pending(quote)
        _check_approver(actor, quote, pending)
        _decide(pending, actor, ApprovalStatus.APPROVED, (comment or "").strip())
        later = [
            requirement
            for requirement in required_approvals(quote)
            if LEVEL_ORDER.index(requirement.level) > LEVEL_ORDER.index(pending.level)
        ]
        if later:
            _open_approval(quote, later[0], actor)
            return save_versioned(quote, actor=actor, expected_version=None, changes={})
        updated = save_versioned(quote, actor=actor, expected_version=None, changes={"status": QuoteStatus.APPROVED})
        events.emit("QuoteApproved", _payload(updated, actor))
    return updated


def reject_quote(*, actor: User | None, quote: Quote, expected_version: int | None = None, comment: str = "") -> Quote:
    """Reject the pending level: the quote goes back to its owner (rejected, editable), with the reason."""
    if actor is not None and not actor.has_perm("sales.approve_quote", quote):
        raise PermissionDenied(_("You cannot approve this quote."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the discount is rejected.")})
    with transaction.atomic():
        quote = lock_quote(quote, expected_version)
        pending = _pending(quote)
        _check_approver(actor, quote, pending)
        _decide(pending, actor, ApprovalStatus.REJECTED, comment.strip())
        updated = save_versioned(quote, actor=actor, expected_version=None, changes={"status": QuoteStatus.REJECTED})
        events.emit("QuoteRejected", _payload(updated, actor))
    return updated
