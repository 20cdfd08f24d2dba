"""A partner quotes its own customer and places the order with us.

The partner's quote is a `Quote` with `partner` set: lines priced for the partner (partner_pricing.py: list
price, its own price from its price list, its selling price), the catalog's configuration rules checked by
the same `quote_lines` operations as headquarters' quotes. Placing the order accepts the quote and creates the
partner's sales order with us at its own prices, sold through the partner (`orders.create_sales_order_from_quote`).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.models import PartnerProductNumber, Product
from forgecrm.customers.models import Contact
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Opportunity, Quote, QuoteLine, QuoteStatus, SalesOrder
from ..numbering import QUOTE_PREFIX, create_numbered
from ..quote_terms import sanitize_terms
from .opportunities import win_opportunity_for_accepted_quote
from .orders import create_sales_order_from_quote
from .quote_lines import add_quote_line, lock_quote, update_quote
from .quoting import DEFAULT_VALIDITY_DAYS, check_status, copy_opportunity_lines

PLACEABLE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED, QuoteStatus.SENT)


def _payload(quote: Quote, actor: User | None, **extra: Any) -> dict:
    return {
        "quote_id": quote.pk,
        "number": quote.number,
        "family": quote.family,
        "revision": quote.revision,
        "status": quote.status,
        "opportunity_id": quote.opportunity_id,
        "account_id": quote.account_id,
        "partner_id": quote.partner_id,
        "actor_id": getattr(actor, "pk", None),
        **extra,
    }


def create_partner_quote(
    *,
    actor: User,
    opportunity: Opportunity,
    contact: Contact | None = None,
    valid_until: dt.date | None = None,
    language: str = "ko",
    terms: str = "",
    copy_lines: bool = True,
) -> Quote:
    """A draft quote of the deal's partner to the deal's customer, owned by the partner user who makes it; the
    opportunity's lines are copied and priced for the partner. Only the deal's partner's own users (a
    distributor's admin also for its dealers' deals) quote this way."""
    principal = principal_for(actor)
    if (
        not principal.is_partner
        or opportunity.partner_id is None
        or opportunity.partner_id not in principal.organization_ids
        or not actor.has_perm("sales.add_quote", opportunity)
    ):
        raise PermissionDenied(_("You cannot make quotes for this opportunity."))
    if contact is not None and contact.account_id != opportunity.account_id:
        raise ValidationError({"contact": _("Choose a contact of the quote's account.")})
    if language not in ("ko", "en"):
        raise ValidationError({"language": _("Choose Korean or English.")})
    today = timezone.localdate()
    if valid_until is not None and valid_until < today:
        raise ValidationError({"valid_until": _("The validity date has passed; set a new one.")})
    currency = getattr(getattr(opportunity.amount, "currency", None), "code", None) or "KRW"
    zero = Money(0, currency)
    values = {
        "opportunity": opportunity,
        "account_id": opportunity.account_id,
        "contact": contact or opportunity.primary_contact,
        "owner": actor,
        "partner_id": opportunity.partner_id,
        "currency": currency,
        "valid_until": valid_until or today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS),
        "language": language,
        "terms": sanitize_terms(terms),
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


def product_for_partner_number(quote: Quote, number: str) -> Product:
    """The product the quote's partner calls `number` (its own product number, case and spaces ignored)."""
    text = (number or "").strip()
    found = (
        PartnerProductNumber.objects.filter(partner_id=quote.partner_id, partner_sku__iexact=text)
        .select_related("product")
        .first()
        if text
        else None
    )
    if found is None:
        raise ValidationError(
            {"partner_product_number": _("None of your product numbers is “%(number)s”.") % {"number": text[:60]}},
            code="does_not_exist",
        )
    return found.product


def add_partner_quote_line(
    *,
    actor: User,
    quote: Quote,
    product: Product | int | None = None,
    partner_product_number: str = "",
    quantity: Any = 1,
    option_ids: Iterable[Any] = (),
    selling_unit_price: Any = None,
    expected_version: int | None = None,
) -> QuoteLine:
    """A line by our product or by the partner's own product number; the catalog's requires/excludes rules are
    checked as on every quote (a refused combination names the rule)."""
    if not quote.partner_id:
        raise ValidationError(_("This is not a partner's quote."), code="not_partner_quote")
    if product is None and not (partner_product_number or "").strip():
        raise ValidationError({"product": _("Choose a product or enter your product number.")})
    if product is None:
        product = product_for_partner_number(quote, partner_product_number)
    return add_quote_line(
        actor=actor,
        quote=quote,
        product=product,
        quantity=quantity,
        option_ids=option_ids,
        selling_unit_price=selling_unit_price,
        expected_version=expected_version,
    )


def place_partner_order(
    *,
    actor: User | None,
    quote: Quote,
    expected_version: int | None = None,
    customer_reference: str = "",
    requested_delivery_date: dt.date | None = None,
) -> SalesOrder:
    """The partner's customer said yes: the quote becomes accepted and the partner's sales order with us is
    created at the partner's own prices, sold through the partner; a still open deal is won. One transaction;
    placing again returns the same order (one order per quote)."""
    if actor is not None and not actor.has_perm("sales.accept_quote", quote):
        raise PermissionDenied(_("You cannot place an order for this quote."))
    if not quote.partner_id:
        raise ValidationError(_("This is not a partner's quote."), code="not_partner_quote")
    if requested_delivery_date is not None and requested_delivery_date < timezone.localdate():
        raise ValidationError({"requested_delivery_date": _("Choose a delivery date from today on.")})
    with transaction.atomic():
        current = lock_quote(quote)
        existing = SalesOrder.objects.filter(quote=current).first()
        if existing is not None:
            return existing
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        check_status(current, PLACEABLE_STATUSES, _("A quote that is %(status)s cannot be ordered."))
        if not current.lines.exists():
            raise ValidationError(_("Add at least one line before placing the order."), code="no_lines")
        unpriced = list(current.lines.filter(partner_unit_price__isnull=True).values_list("position", flat=True))
        if unpriced:
            raise ValidationError(
                _("Line %(positions)s has no price for you yet; change it once to price it.")
                % {"positions": ", ".join(map(str, unpriced))},
                code="unpriced",
            )
        if current.valid_until is not None and current.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": _("The validity date has passed; set a new one.")})
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


def update_partner_quote(*, actor: User, quote: Quote, expected_version: int | None, changes: dict[str, Any]) -> Quote:
    """The header a partner may change on its quote: contact, validity, language, terms."""
    allowed = {"contact", "valid_until", "language", "terms"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if not quote.partner_id:
        raise ValidationError(_("This is not a partner's quote."), code="not_partner_quote")
    valid_until = changes.get("valid_until")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The validity date has passed; set a new one.")})
    return update_quote(actor=actor, quote=quote, expected_version=expected_version, changes=changes)
