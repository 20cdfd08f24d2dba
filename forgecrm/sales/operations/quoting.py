"""A quote's life: create from an opportunity, revise, send by email, accept (→ sales order), decline, expire.

Content changes (lines, header) are in quote_lines.py, the discount approvals in quote_approvals.py.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from djmoney.money import Money

from forgecrm.catalog.models import PriceList
from forgecrm.customers.models import Contact
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.versioning import save_versioned

from ..models import Opportunity, Quote, QuoteLine, QuoteLineOption, QuoteStatus, SalesOrder
from ..numbering import QUOTE_PREFIX, create_numbered
from ..quote_terms import sanitize_terms
from .opportunities import win_opportunity_for_accepted_quote
from .orders import create_sales_order_from_quote
from .quote_approvals import quote_problems, required_approvals, submit_quote_for_approval
from .quote_lines import add_quote_line, lock_quote, parse_percent, recalculate_quote

DEFAULT_VALIDITY_DAYS = 30
OPEN_OFFER_STATUSES = (QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SENT)
SENDABLE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED, QuoteStatus.SENT)
ACCEPTABLE_STATUSES = (QuoteStatus.SENT, QuoteStatus.APPROVED)
REVISABLE_STATUSES = (
    QuoteStatus.DRAFT,
    QuoteStatus.PENDING_APPROVAL,
    QuoteStatus.APPROVED,
    QuoteStatus.REJECTED,
    QuoteStatus.SENT,
    QuoteStatus.DECLINED,
    QuoteStatus.EXPIRED,
)


def _payload(quote: Quote, actor: User | None, **extra: Any) -> dict:
    return {
        "quote_id": quote.pk,
        "number": quote.number,
        "family": quote.family,
        "revision": quote.revision,
        "status": quote.status,
        "opportunity_id": quote.opportunity_id,
        "account_id": quote.account_id,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }


def check_status(quote: Quote, allowed: tuple, message: str) -> None:
    """`message` names the quote's status ("A quote that is sent cannot be ...") when it is not in `allowed`."""
    if quote.status not in allowed:
        raise ValidationError(message % {"status": quote.get_status_display().lower()}, code="status")


def _currency_of(opportunity: Opportunity, price_list: PriceList | None) -> str:
    if price_list is not None:
        return price_list.currency
    amount = opportunity.amount
    return getattr(getattr(amount, "currency", None), "code", None) or "KRW"


def create_quote(
    *,
    actor: User | None,
    opportunity: Opportunity,
    contact: Contact | None = None,
    price_list: PriceList | None = None,
    valid_until: dt.date | None = None,
    language: str = "ko",
    header_discount_percent: Any = 0,
    terms: str = "",
    internal_note: str = "",
    copy_lines: bool = True,
) -> Quote:
    """A draft quote for the opportunity's account, owned by the opportunity's owner, with the opportunity's
    lines (products, options, quantities, discounts) re-priced from the catalog today. A line the catalog now
    refuses (a rule, no price) stops the creation with the line named: nothing is left out silently."""
    if actor is not None and not actor.has_perm("sales.add_quote", opportunity):
        raise PermissionDenied(_("You cannot make quotes for this opportunity."))
    if contact is not None and contact.account_id != opportunity.account_id:
        raise ValidationError({"contact": _("Choose a contact of the quote's account.")})
    if language not in ("ko", "en"):
        raise ValidationError({"language": _("Choose Korean or English.")})
    currency = _currency_of(opportunity, price_list)
    zero = Money(0, currency)
    values = {
        "opportunity": opportunity,
        "account_id": opportunity.account_id,
        "contact": contact or opportunity.primary_contact,
        "owner_id": opportunity.owner_id,
        "price_list": price_list,
        "currency": currency,
        "valid_until": valid_until or timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS),
        "language": language,
        "header_discount_percent": parse_percent(header_discount_percent, "header_discount_percent"),
        "terms": sanitize_terms(terms),
        "internal_note": (internal_note or "").strip(),
        **{name: zero for name in ("subtotal", "discount", "net", "vat", "total")},
    }

    def make(number: str) -> Quote:
        quote = Quote(number=number, family=number, revision=1, created_by=actor, updated_by=actor, **values)
        quote.full_clean()
        quote._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        quote.save()
        return quote

    with transaction.atomic():
        quote = create_numbered(Quote, QUOTE_PREFIX, make)
        if copy_lines:
            copy_opportunity_lines(quote, opportunity)
        events.emit("QuoteCreated", _payload(quote, actor))
    return quote


def copy_opportunity_lines(quote: Quote, opportunity: Opportunity) -> None:
    """The opportunity's lines onto a new quote, re-priced today; a line the catalog now refuses (a rule, no
    price) stops the creation with the line named: nothing is left out silently."""
    for source in opportunity.lines.select_related("product").prefetch_related("selected_options"):
        try:
            add_quote_line(
                actor=None,
                quote=quote,
                product=source.product,
                quantity=source.quantity,
                option_ids=[option.pk for option in source.selected_options.all()],
                discount_percent=source.discount_percent,
            )
        except ValidationError as error:
            messages = "; ".join(error.messages)
            raise ValidationError(
                _("Opportunity line %(position)s (%(sku)s): %(error)s")
                % {"position": source.position or source.pk, "sku": source.product.sku, "error": messages}
            ) from error
    quote.refresh_from_db()


def new_quote_revision(*, actor: User | None, quote: Quote, expected_version: int | None = None) -> Quote:
    """Copy the quote into its family as revision + 1 (a draft with the same lines and prices); the copied
    revision is superseded. Only the newest revision of a family can be revised."""
    if actor is not None and not actor.has_perm("sales.change_quote", quote):
        raise PermissionDenied(_("You cannot change this quote."))
    with transaction.atomic():
        source = lock_quote(quote, expected_version)
        check_status(source, REVISABLE_STATUSES, _("A quote that is %(status)s cannot be revised."))
        if Quote.objects.filter(previous_revision=source).exists():
            raise ValidationError(_("A newer revision of this quote exists."), code="not_latest")
        latest = Quote.objects.filter(family=source.family).order_by("-revision").values_list("revision", flat=True)
        revision = (latest.first() or source.revision) + 1
        copy = Quote(
            number=f"{source.family}-{revision}",
            family=source.family,
            revision=revision,
            previous_revision=source,
            opportunity_id=source.opportunity_id,
            account_id=source.account_id,
            contact_id=source.contact_id,
            owner_id=source.owner_id,
            partner_id=source.partner_id,
            status=QuoteStatus.DRAFT,
            price_list_id=source.price_list_id,
            currency=source.currency,
            valid_until=max(
                source.valid_until or timezone.localdate(),
                timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS),
            ),
            language=source.language,
            header_discount_percent=source.header_discount_percent,
            vat_rate=source.vat_rate,
            terms=source.terms,
            internal_note=source.internal_note,
            created_by=actor,
            updated_by=actor,
            **{name: getattr(source, name) for name in ("subtotal", "discount", "net", "vat", "total")},
        )
        copy.full_clean()
        copy._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        copy.save()
        for line in source.lines.prefetch_related("options"):
            options = list(line.options.all())
            line_copy = QuoteLine.objects.create(
                quote=copy,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                list_unit_price=line.list_unit_price,
                tier_unit_price=line.tier_unit_price,
                discount_percent=line.discount_percent,
                net_unit_price=line.net_unit_price,
                line_total=line.line_total,
                unit_cost=line.unit_cost,
                partner_unit_price=line.partner_unit_price,
                partner_product_number=line.partner_product_number,
                created_by=actor,
                updated_by=actor,
            )
            QuoteLineOption.objects.bulk_create(
                QuoteLineOption(
                    line=line_copy,
                    option_id=option.option_id,
                    option_sku=option.option_sku,
                    option_name=option.option_name,
                    price_delta=option.price_delta,
                )
                for option in options
            )
        save_versioned(source, actor=actor, expected_version=None, changes={"status": QuoteStatus.SUPERSEDED})
        events.emit("QuoteRevised", _payload(copy, actor, previous_quote_id=source.pk))
    return copy


def _recipient(quote: Quote, to: str) -> str:
    address = (to or "").strip() or (quote.contact.email if quote.contact_id and quote.contact else "")
    if not address:
        raise ValidationError({"to": _("Enter the recipient's email address (the quote has no contact email).")})
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError({"to": _("Enter a valid email address.")}) from error
    return address


def send_quote(
    *,
    actor: User | None,
    quote: Quote,
    expected_version: int | None = None,
    to: str = "",
    message: str = "",
    base_url: str | None = None,
) -> Quote:
    """Email the quote's PDF to the customer; status sent.

    A draft whose discount needs approval is not sent: it is submitted for approval instead (the returned quote
    is then `pending_approval`), and goes out once approved."""
    from ..quote_documents import quote_email, render_quote_pdf

    if actor is not None and not actor.has_perm("sales.send_quote", quote):
        raise PermissionDenied(_("You cannot send this quote."))
    check_status(quote, SENDABLE_STATUSES, _("A quote that is %(status)s cannot be sent."))
    address = _recipient(quote, to)
    if quote.status in (QuoteStatus.DRAFT, QuoteStatus.REJECTED):
        problems = quote_problems(quote)
        if problems:
            raise ValidationError(problems, code="incomplete")
        if required_approvals(quote):
            return submit_quote_for_approval(actor=actor, quote=quote, expected_version=expected_version)
    with transaction.atomic():
        current = lock_quote(quote, expected_version)
        if current.valid_until is not None and current.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": _("The validity date has passed; set a new one.")})
        updated = save_versioned(
            current, actor=actor, expected_version=None, changes={"status": QuoteStatus.SENT, "sent_at": timezone.now()}
        )
        pdf = render_quote_pdf(updated, base_url=base_url)
        with override(updated.language):
            subject, body = quote_email(updated, sender=actor, message=message)
        email = EmailMessage(subject=subject, body=body, to=[address], reply_to=[actor.email] if actor else None)
        email.attach(f"{updated.number}.pdf", pdf, "application/pdf")
        events.emit("QuoteSent", _payload(updated, actor))
        # Last: a failing mail server rolls the status back, so "sent" always means it went out.
        email.send(fail_silently=False)
    return updated


def accept_quote(
    *,
    actor: User | None,
    quote: Quote,
    customer_reference: str = "",
    requested_delivery_date: dt.date | None = None,
) -> SalesOrder:
    """The customer accepted: the quote becomes accepted, its sales order (submitted) is created with its
    lines and a still open opportunity is won (`win_opportunity_for_accepted_quote`), in one transaction.
    Accepting again returns the same order (one order per quote)."""
    if actor is not None and not actor.has_perm("sales.accept_quote", quote):
        raise PermissionDenied(_("You cannot accept this quote."))
    with transaction.atomic():
        current = lock_quote(quote)
        existing = SalesOrder.objects.filter(quote=current).first()
        if existing is not None:
            return existing
        check_status(current, ACCEPTABLE_STATUSES, _("A quote that is %(status)s cannot be accepted."))
        updated = save_versioned(
            current,
            actor=actor,
            expected_version=None,
            changes={"status": QuoteStatus.ACCEPTED, "accepted_at": timezone.now()},
        )
        order = create_sales_order_from_quote(
            actor=actor,
            quote=updated,
            customer_reference=customer_reference,
            requested_delivery_date=requested_delivery_date,
        )
        win_opportunity_for_accepted_quote(actor=actor, opportunity=updated.opportunity)
        events.emit("QuoteAccepted", _payload(updated, actor, sales_order_id=order.pk))
    return order


def decline_quote(*, actor: User | None, quote: Quote, expected_version: int | None = None, reason: str = "") -> Quote:
    if actor is not None and not actor.has_perm("sales.accept_quote", quote):
        raise PermissionDenied(_("You cannot decline this quote."))
    with transaction.atomic():
        current = lock_quote(quote, expected_version)
        check_status(current, ACCEPTABLE_STATUSES, _("A quote that is %(status)s cannot be declined."))
        note = current.internal_note
        if reason.strip():
            note = f"{note}\n{_('Declined')}: {reason.strip()}".strip()
        updated = save_versioned(
            current, actor=actor, expected_version=None, changes={"status": QuoteStatus.DECLINED, "internal_note": note}
        )
        events.emit("QuoteDeclined", _payload(updated, actor))
    return updated


def expire_quotes(*, today: dt.date | None = None) -> int:
    """Offers out past their validity date become expired (beat, daily); returns how many."""
    day = today or timezone.localdate()
    count = 0
    due = Quote.objects.filter(status__in=OPEN_OFFER_STATUSES, valid_until__lt=day).values_list("pk", flat=True)
    for pk in list(due[:10_000]):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().get(pk=pk)
            if quote.status not in OPEN_OFFER_STATUSES:
                continue
            updated = save_versioned(quote, actor=None, expected_version=None, changes={"status": QuoteStatus.EXPIRED})
            events.emit("QuoteExpired", _payload(updated, None))
            count += 1
    return count


__all__ = [
    "accept_quote",
    "copy_opportunity_lines",
    "create_quote",
    "decline_quote",
    "expire_quotes",
    "new_quote_revision",
    "recalculate_quote",
    "send_quote",
]
