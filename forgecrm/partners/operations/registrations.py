"""Deal registration: a partner claims a deal (draft → submitted), headquarters checks it for channel conflicts
and approves it with a period of exclusivity or rejects it with a reason; the partner reports it won or lost; an
approval that runs out expires (the beat task, after reminding the registrant once).

Every write takes the version the actor read (`expected_version`; a newer one raises
`platform.versioning.ConflictError`), runs in one transaction under the registration's row lock, records
history and emits its outbox event.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.models import Product, ProductLine
from forgecrm.customers.models import Account, AccountKind
from forgecrm.customers.normalization import SIDO_NAMES, company_name_key, email_key
from forgecrm.customers.operations.accounts import create_account
from forgecrm.platform import events
from forgecrm.platform.access import is_in_scope, principal_for
from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.korea.phone import normalize_phone
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Opportunity
from forgecrm.sales.numbering import create_numbered
from forgecrm.sales.operations.opportunities import create_opportunity, update_opportunity

from ..models import ChannelConflict, ConflictStatus, DealRegistration, DealRegistrationLine, RegistrationStatus
from .conflicts import Claim, find_channel_conflicts, open_conflicts

PREFIX = "DR"
CURRENCY = "KRW"
DEFAULT_EXCLUSIVE_DAYS = 90
DEFAULT_REMINDER_DAYS = 14
FIELDS = (
    "customer_name",
    "customer_brn",
    "contact_name",
    "contact_email",
    "contact_phone",
    "sido",
    "sigungu",
    "product_line",
    "description",
    "expected_amount",
    "expected_close_date",
)
Lines = Sequence[tuple[Product, int]]


def exclusive_days() -> int:
    return int(getattr(settings, "FORGE_DEAL_REGISTRATION_EXCLUSIVE_DAYS", DEFAULT_EXCLUSIVE_DAYS))


def reminder_days() -> int:
    return int(getattr(settings, "FORGE_DEAL_REGISTRATION_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def _require(actor, permission: str, obj=None) -> None:
    if actor is None or not actor.has_perm(permission, obj):
        raise PermissionDenied(permission)


def _add(errors: dict, name: str, message: str, code: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code=code))


def clean_registration_values(actor, values: dict[str, Any], lines: Lines | None) -> dict[str, Any]:
    """Field errors for everything a partner may type; BRN as its 10 digits, phone as E.164, email folded."""
    errors: dict[str, list] = {}
    cleaned = {name: values[name] for name in FIELDS if name in values}
    for name in ("customer_name", "customer_brn", "contact_name", "contact_email", "contact_phone", "sido"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    for name in ("sigungu", "description"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "customer_name" in cleaned and not cleaned["customer_name"]:
        _add(errors, "customer_name", _("Enter the customer's name."), "required")
    if cleaned.get("customer_brn"):
        try:
            cleaned["customer_brn"] = validate_brn(cleaned["customer_brn"])
        except ValidationError as error:
            errors.setdefault("customer_brn", []).extend(error.error_list)
    if cleaned.get("contact_email"):
        try:
            validate_email(cleaned["contact_email"])
            cleaned["contact_email"] = email_key(cleaned["contact_email"])
        except ValidationError:
            _add(errors, "contact_email", _("Enter a valid email address."), "invalid")
    if cleaned.get("contact_phone"):
        try:
            cleaned["contact_phone"] = normalize_phone(cleaned["contact_phone"])
        except ValidationError as error:
            errors.setdefault("contact_phone", []).extend(error.error_list)
    if cleaned.get("sido") and cleaned["sido"] not in SIDO_NAMES:
        _add(errors, "sido", _("Choose a 시/도 from the list."), "invalid_choice")
    line = cleaned.get("product_line")
    if line is not None and (not isinstance(line, ProductLine) or not is_in_scope(actor, line)):
        _add(errors, "product_line", _("No such product line."), "does_not_exist")
    if "expected_amount" in cleaned:
        amount = cleaned["expected_amount"]
        if amount is None:
            _add(errors, "expected_amount", _("Enter the expected amount."), "required")
        else:
            value = amount.amount if isinstance(amount, Money) else amount
            if value < 0:
                _add(errors, "expected_amount", _("The amount cannot be negative."), "negative")
            cleaned["expected_amount"] = Money(value, CURRENCY)
    if "expected_close_date" in cleaned:
        close = cleaned["expected_close_date"]
        if close is None:
            _add(errors, "expected_close_date", _("Enter the expected close date."), "required")
        elif close < timezone.localdate():
            _add(errors, "expected_close_date", _("The expected close date cannot be in the past."), "past")
    for product, quantity in lines or []:
        if not is_in_scope(actor, product):
            _add(errors, "lines", _("No such product."), "does_not_exist")
        if not isinstance(quantity, int) or not 1 <= quantity <= 1_000_000:
            _add(errors, "lines", _("Enter a quantity between 1 and 1,000,000."), "quantity")
    if errors:
        raise ValidationError(errors)
    if "customer_name" in cleaned:
        cleaned["customer_name_key"] = company_name_key(cleaned["customer_name"])
    return cleaned


def _replace_lines(registration: DealRegistration, lines: Lines) -> None:
    registration.lines.all().delete()
    DealRegistrationLine.objects.bulk_create(
        DealRegistrationLine(registration=registration, product=product, quantity=quantity)
        for product, quantity in lines
    )


def _emit(event_type: str, registration: DealRegistration, actor, **extra: Any) -> None:
    events.emit(
        event_type,
        {
            "registration_id": registration.pk,
            "number": registration.number,
            "partner_id": registration.partner_id,
            "status": registration.status,
            "actor_id": getattr(actor, "pk", None),
            **extra,
        },
    )


def create_deal_registration(
    *, actor, values: dict[str, Any], lines: Lines = (), partner: Account | None = None
) -> DealRegistration:
    """A partner user's draft for its own organisation (a distributor's admin may name one of its dealers as
    `partner`). Nothing is checked against other channels until it is submitted."""
    _require(actor, "partners.add_dealregistration")
    principal = principal_for(actor)
    partner_id = partner.pk if partner is not None else principal.organization_id
    if partner_id is None or partner_id not in principal.organization_ids:
        raise ValidationError({"partner": _("Choose your own organisation.")}, code="not_own")
    cleaned = clean_registration_values(actor, {"customer_name": "", **values}, lines)
    cleaned.setdefault("expected_amount", Money(0, CURRENCY))
    if cleaned.get("expected_close_date") is None:
        raise ValidationError({"expected_close_date": _("Enter the expected close date.")}, code="required")
    with transaction.atomic():

        def make(number: str) -> DealRegistration:
            registration = DealRegistration(
                number=number, partner_id=partner_id, submitted_by=actor, created_by=actor, updated_by=actor, **cleaned
            )
            registration._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
            registration.save()
            return registration

        registration = create_numbered(DealRegistration, PREFIX, make)
        _replace_lines(registration, lines)
        _emit("DealRegistrationCreated", registration, actor)
    return registration


def _locked(registration: DealRegistration, expected_version: int | None) -> DealRegistration:
    current = DealRegistration.objects.select_for_update().get(pk=registration.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return current


def _save(current: DealRegistration, actor, fields: Iterable[str]) -> None:
    current.version += 1
    current.updated_by = actor if getattr(actor, "pk", None) else None
    current._history_user = current.updated_by  # type: ignore[attr-defined]  # read by django-simple-history
    current.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def update_deal_registration(
    *,
    actor,
    registration: DealRegistration,
    expected_version: int | None,
    values: dict[str, Any],
    lines: Lines | None = None,
) -> DealRegistration:
    """Change a draft (its own partner's users only); `lines` given replaces the registered products."""
    _require(actor, "partners.change_dealregistration", registration)
    cleaned = clean_registration_values(actor, values, lines)
    with transaction.atomic():
        current = _locked(registration, expected_version)
        if current.status != RegistrationStatus.DRAFT:
            raise ValidationError(_("Only a draft can be changed."), code="not_draft")
        for name, value in cleaned.items():
            setattr(current, name, value)
        _save(
            current,
            actor,
            [name for name in cleaned if name != "expected_amount"]
            + (["expected_amount", "expected_amount_currency"] if "expected_amount" in cleaned else []),
        )
        if lines is not None:
            _replace_lines(current, lines)
        _emit("DealRegistrationUpdated", current, actor)
    return current


def submit_deal_registration(
    *, actor, registration: DealRegistration, expected_version: int | None
) -> DealRegistration:
    """Send a draft to headquarters: it is checked against open opportunities, customers served directly and other
    partners' registrations (each match a ChannelConflict), and matched to the surest existing account."""
    _require(actor, "partners.change_dealregistration", registration)
    with transaction.atomic():
        current = _locked(registration, expected_version)
        if current.status != RegistrationStatus.DRAFT:
            raise ValidationError(_("This registration was already submitted."), code="not_draft")
        if not current.lines.exists() and current.product_line_id is None:
            raise ValidationError({"lines": _("Name the product line or at least one product.")}, code="required")
        matches = find_channel_conflicts(
            Claim(
                partner_id=current.partner_id,
                name=current.customer_name,
                brn=current.customer_brn,
                email=current.contact_email,
                phone=current.contact_phone,
                registration_id=current.pk,
            )
        )
        current.status = RegistrationStatus.SUBMITTED
        current.submitted_at = timezone.now()
        fields = ["status", "submitted_at"]
        if current.account_id is None:
            accounts = [match for match in matches if match.other_account_id]
            if accounts:
                current.account_id = accounts[0].other_account_id
                fields.append("account")
        _save(current, actor, fields)
        conflicts = open_conflicts(actor=actor, matches=matches, registration=current)
        _emit("DealRegistrationSubmitted", current, actor, conflicts=len(conflicts))
    return current


def _link_opportunity(actor, current: DealRegistration, opportunity: Opportunity | None, create: bool) -> None:
    if opportunity is not None:
        if not is_in_scope(actor, opportunity):
            raise ValidationError({"opportunity": _("No such opportunity.")}, code="does_not_exist")
        if opportunity.stage.is_closed:
            raise ValidationError({"opportunity": _("Choose an open opportunity.")}, code="closed")
        if DealRegistration.objects.filter(opportunity=opportunity).exclude(pk=current.pk).exists():
            raise ValidationError({"opportunity": _("This opportunity belongs to another registration.")}, code="taken")
        # The deal is now the registrant's: the system gives it the partner (an approval is the assignment).
        update_opportunity(actor=None, opportunity=opportunity, expected_version=None, partner=current.partner)
        current.opportunity = opportunity
        return
    if not create:
        return
    account = current.account
    if account is None:
        account = create_account(
            actor=None,
            name=current.customer_name,
            kind=AccountKind.PROSPECT,
            owner=actor,
            brn=current.customer_brn,
            sido=current.sido,
            sigungu=current.sigungu,
            partner=current.partner,
            source="deal_registration",
        )
        current.account = account
    current.opportunity = create_opportunity(
        actor=None,
        account=account,
        name=f"{current.customer_name} ({current.number})"[:200],
        close_date=current.expected_close_date,
        amount=current.expected_amount,
        owner=actor,
        product_line=current.product_line,
        partner=current.partner,
        source="deal_registration",
        external_id=current.number,
    )


def approve_deal_registration(
    *,
    actor,
    registration: DealRegistration,
    expected_version: int | None,
    note: str = "",
    days: int | None = None,
    opportunity: Opportunity | None = None,
    create_opportunity: bool = False,
) -> DealRegistration:
    """The channel manager approves a submitted registration: exclusive for `days` (setting, default 90) from
    the decision; optionally links an open opportunity or opens one with the registrant as its partner. Its open
    conflicts must be decided first, and none may have been decided for the other channel."""
    _require(actor, "partners.decide_dealregistration", registration)
    days = exclusive_days() if days is None else days
    if not 1 <= days <= 730:
        raise ValidationError({"days": _("Enter between 1 and 730 days.")}, code="out_of_range")
    with transaction.atomic():
        current = _locked(registration, expected_version)
        if current.status != RegistrationStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted registration can be decided."), code="not_submitted")
        statuses = set(ChannelConflict.objects.filter(registration=current).values_list("status", flat=True))
        if ConflictStatus.OPEN in statuses:
            raise ValidationError(_("Decide this registration's channel conflicts first."), code="open_conflicts")
        if ConflictStatus.RESOLVED_FOR_OTHER in statuses:
            raise ValidationError(
                _("A channel conflict was decided for the other channel: reject this registration."),
                code="conflict_lost",
            )
        now = timezone.now()
        current.status = RegistrationStatus.APPROVED
        current.decided_at, current.decided_by = now, actor
        current.decision_note = (note or "").strip()
        current.exclusive_until = timezone.localdate(now) + dt.timedelta(days=days)
        _link_opportunity(actor, current, opportunity, create_opportunity)
        _save(
            current,
            actor,
            ["status", "decided_at", "decided_by", "decision_note", "exclusive_until", "opportunity", "account"],
        )
        _emit(
            "DealRegistrationApproved",
            current,
            actor,
            exclusive_until=current.exclusive_until.isoformat(),
            opportunity_id=current.opportunity_id,
        )
    return current


def reject_deal_registration(
    *, actor, registration: DealRegistration, expected_version: int | None, reason: str
) -> DealRegistration:
    """The channel manager rejects a submitted registration; the reason is shown to the partner."""
    _require(actor, "partners.decide_dealregistration", registration)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the registration is rejected.")}, code="required")
    with transaction.atomic():
        current = _locked(registration, expected_version)
        if current.status != RegistrationStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted registration can be decided."), code="not_submitted")
        current.status = RegistrationStatus.REJECTED
        current.decided_at, current.decided_by, current.decision_note = timezone.now(), actor, reason
        _save(current, actor, ["status", "decided_at", "decided_by", "decision_note"])
        _emit("DealRegistrationRejected", current, actor)
    return current


def close_deal_registration(
    *, actor, registration: DealRegistration, expected_version: int | None, won: bool, note: str = ""
) -> DealRegistration:
    """The partner (or the channel manager) reports an approved registration won or lost."""
    _require(actor, "partners.close_dealregistration", registration)
    with transaction.atomic():
        current = _locked(registration, expected_version)
        if current.status != RegistrationStatus.APPROVED:
            raise ValidationError(_("Only an approved registration can be won or lost."), code="not_approved")
        current.status = RegistrationStatus.WON if won else RegistrationStatus.LOST
        fields = ["status"]
        if note:
            current.description = f"{current.description}\n{note}".strip()
            fields.append("description")
        _save(current, actor, fields)
        _emit("DealRegistrationWon" if won else "DealRegistrationLost", current, actor)
    return current


def mark_deal_registration_won(*, actor, registration, expected_version, note: str = "") -> DealRegistration:
    return close_deal_registration(
        actor=actor, registration=registration, expected_version=expected_version, won=True, note=note
    )


def mark_deal_registration_lost(*, actor, registration, expected_version, note: str = "") -> DealRegistration:
    return close_deal_registration(
        actor=actor, registration=registration, expected_version=expected_version, won=False, note=note
    )


# --- the beat task's work --------------------------------------------------------------------------------------


def expire_deal_registrations(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Approved registrations past their exclusivity become expired (each under its own lock; `skip_locked`
    leaves one being closed at this moment to that close). Safe to run twice."""
    today = today or timezone.localdate()
    due = list(
        DealRegistration.objects.filter(status=RegistrationStatus.APPROVED, exclusive_until__lt=today)
        .order_by("exclusive_until", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for registration_id in due:
        with transaction.atomic():
            current = (
                DealRegistration.objects.select_for_update(skip_locked=True)
                .filter(pk=registration_id, status=RegistrationStatus.APPROVED, exclusive_until__lt=today)
                .first()
            )
            if current is None:
                continue
            current.status = RegistrationStatus.EXPIRED
            _save(current, None, ["status"])
            _emit("DealRegistrationExpired", current, None)
            expired += 1
    return expired


def _reminder(registration: DealRegistration) -> EmailMessage:
    subject = _("Deal registration %(number)s: exclusivity ends on %(date)s") % {
        "number": registration.number,
        "date": registration.exclusive_until,
    }
    body = _(
        "Your registration %(number)s for %(customer)s is exclusive until %(date)s. Report it won or lost before "
        "then, or ask your channel manager for more time."
    ) % {"number": registration.number, "customer": registration.customer_name, "date": registration.exclusive_until}
    return EmailMessage(subject=subject, body=body, to=[registration.submitted_by.email])


def remind_expiring_deal_registrations(*, today: dt.date | None = None, days: int | None = None) -> int:
    """Email each registrant once, `days` (setting, default 14) before its exclusivity ends. The mark is set with a
    conditional UPDATE before the mail is queued after commit: a second run, or two at once, remind nobody twice."""
    today = today or timezone.localdate()
    days = reminder_days() if days is None else days
    due = list(
        DealRegistration.objects.filter(
            status=RegistrationStatus.APPROVED,
            reminded_at__isnull=True,
            exclusive_until__gte=today,
            exclusive_until__lte=today + dt.timedelta(days=days),
        )
        .select_related("submitted_by")
        .order_by("exclusive_until", "pk")[:500]
    )
    sent = 0
    now = timezone.now()
    for registration in due:
        with transaction.atomic():
            claimed = DealRegistration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed or not registration.submitted_by.email:
                continue
            with translation.override(registration.submitted_by.language or "ko"):
                message = _reminder(registration)
            transaction.on_commit(message.send, robust=True)
            _emit("DealRegistrationReminderSent", registration, None)
            sent += 1
    return sent
