"""Writes on a quote's content: lines (product, options, quantity, line discount) and the header.

Every change re-prices the line from the catalog (the applicable price list and volume tier, `price_for`),
checks the configuration against the catalog's requires/excludes rules (`validate_configuration`, which names
the rule), recomputes the quote's totals, and sends an approved or waiting quote back to draft: a changed offer
needs its discount approved again.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.configuration import validate_configuration
from forgecrm.catalog.models import Option, PriceList, Product, money_of
from forgecrm.catalog.policies import SELLABLE_STATUSES
from forgecrm.catalog.pricing import NoPriceError, price_for
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import ApprovalStatus, Quote, QuoteLine, QuoteLineOption, QuoteStatus
from ..quote_amounts import price_line, quote_totals
from .partner_pricing import fill_partner_line

# A quote's content may change in these statuses; an approved or waiting quote goes back to draft when it does.
CHANGEABLE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED)
HEADER_FIELDS = frozenset(
    {"contact", "valid_until", "language", "header_discount_percent", "terms", "internal_note", "price_list"}
)
MAX_QUANTITY = 1_000_000


def check_can_change(actor: User | None, quote: Quote) -> None:
    if actor is not None and not actor.has_perm("sales.change_quote", quote):
        raise PermissionDenied(_("You cannot change this quote."))
    if quote.status not in CHANGEABLE_STATUSES:
        raise ValidationError(
            _("A quote that is %(status)s cannot change; make a new revision.")
            % {"status": quote.get_status_display().lower()},
            code="not_editable",
        )


def lock_quote(quote: Quote, expected_version: int | None = None) -> Quote:
    current = Quote.objects.select_for_update().select_related("opportunity").get(pk=quote.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return current


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency)


def parse_percent(value: Any, field: str) -> Decimal:
    try:
        percent = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({field: _("Enter a percentage between 0 and 100.")}) from error
    if not percent.is_finite() or percent < 0 or percent > 100:
        raise ValidationError({field: _("Enter a percentage between 0 and 100.")})
    return percent.quantize(Decimal("0.01"))


def _parse_quantity(value: Any) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError) as error:
        raise ValidationError({"quantity": _("Enter a whole number of at least 1.")}) from error
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _("Enter a whole number of at least 1.")})
    return quantity


def _visible_product(actor: User | None, product: Product | int) -> Product:
    pk: Any = getattr(product, "pk", product)
    products = scope_for(actor, Product) if actor is not None else Product.objects.all()
    found = products.select_related("product_line").filter(pk=pk).first()
    if found is None:
        raise ValidationError({"product": _("No such product.")}, code="does_not_exist")
    if found.status not in SELLABLE_STATUSES:
        raise ValidationError({"product": _("%(product)s is not for sale.") % {"product": found.name}})
    return found


def _options_for(product: Product, option_ids: Iterable[Any]) -> list[Option]:
    try:
        ids = sorted({int(getattr(pk, "pk", pk)) for pk in option_ids})
    except (TypeError, ValueError) as error:
        raise ValidationError({"options": _("Choose options from the list.")}) from error
    options = list(Option.objects.filter(pk__in=ids, group__product=product, is_active=True).order_by("pk"))
    return options


def _check_configuration(product: Product, option_ids: list[int], other_product_ids: list[int]) -> None:
    errors = validate_configuration(product, option_ids, quote_product_ids=other_product_ids)
    if errors:
        raise ValidationError({"options": errors}, code="configuration")


def _price(quote: Quote, product: Product, quantity: int):
    """The catalog's price for the buyer: the quote's list if it has one, else the best list for its partner."""
    partner = quote.opportunity.partner if quote.opportunity_id else None
    try:
        if quote.price_list_id:
            one = price_for(product=product, quantity=1, price_list=quote.price_list)
            many = price_for(product=product, quantity=quantity, price_list=quote.price_list)
        else:
            one = price_for(product=product, quantity=1, partner=partner)
            many = price_for(product=product, quantity=quantity, partner=partner)
    except NoPriceError as error:
        raise ValidationError({"product": str(error)}, code="no_price") from error
    for priced in (one, many):
        if money_of(priced.unit_price).currency.code != quote.currency:
            raise ValidationError(
                {
                    "product": _("%(sku)s has no price in %(currency)s.")
                    % {"sku": product.sku, "currency": quote.currency}
                }
            )
    tier = money_of(many.unit_price).amount if many.tier_applied is not None else None
    return money_of(one.unit_price).amount, tier


def _fill_line(line: QuoteLine, quote: Quote, options: list[Option], selling_unit_price: Any = None) -> None:
    currency = quote.currency
    if quote.partner_id:
        fill_partner_line(line, quote, options, selling_unit_price=selling_unit_price)
    else:
        list_price, tier_price = _price(quote, line.product, line.quantity)
        priced = price_line(
            list_unit_price=list_price,
            tier_unit_price=tier_price,
            option_deltas=[money_of(option.price_delta).amount for option in options],
            quantity=line.quantity,
            discount_percent=line.discount_percent,
            currency=currency,
        )
        line.list_unit_price = _money(priced.list_unit_price, currency)
        line.tier_unit_price = None if priced.tier_unit_price is None else _money(priced.tier_unit_price, currency)
        line.net_unit_price = _money(priced.net_unit_price, currency)
        line.line_total = _money(priced.line_total, currency)
    cost = line.product.standard_cost
    if cost is not None and money_of(cost).currency.code == currency:
        line.unit_cost = cost
    else:
        line.unit_cost = None


def _save_options(line: QuoteLine, options: list[Option]) -> None:
    line.options.all().delete()
    QuoteLineOption.objects.bulk_create(
        QuoteLineOption(
            line=line,
            option=option,
            option_sku=option.sku,
            option_name=option.name,
            price_delta=Money(money_of(option.price_delta).amount, line.quote.currency),
        )
        for option in options
    )


def _withdraw_pending_approvals(quote: Quote, actor: User | None) -> None:
    now = timezone.now()
    for approval in quote.approvals.filter(status=ApprovalStatus.PENDING):
        approval.status = ApprovalStatus.REJECTED
        approval.comment = _("Withdrawn: the quote changed before the decision.")
        approval.decided_at = now
        approval.updated_by = actor
        approval._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        approval.save()


def recalculate_quote(quote: Quote, *, actor: User | None, changes: dict[str, Any] | None = None) -> Quote:
    """Totals from the lines (and `changes` to the header); a changed approved/waiting quote returns to draft."""
    values = dict(changes or {})
    header = values.get("header_discount_percent", quote.header_discount_percent)
    totals = quote_totals(
        [Decimal(getattr(amount, "amount", amount)) for amount in quote.lines.values_list("line_total", flat=True)],
        header_discount_percent=header,
        vat_rate=quote.vat_rate,
        currency=quote.currency,
    )
    for name in ("subtotal", "discount", "net", "vat", "total"):
        values[name] = _money(getattr(totals, name), quote.currency)
    if quote.status in (QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED):
        _withdraw_pending_approvals(quote, actor)
        values["status"] = QuoteStatus.DRAFT
    return save_versioned(quote, actor=actor, expected_version=None, changes=values)


def _other_product_ids(quote: Quote, exclude_line: QuoteLine | None = None) -> list[int]:
    lines = quote.lines.all()
    if exclude_line is not None:
        lines = lines.exclude(pk=exclude_line.pk)
    return list(lines.values_list("product_id", flat=True))


def add_quote_line(
    *,
    actor: User | None,
    quote: Quote,
    product: Product | int,
    quantity: Any = 1,
    option_ids: Iterable[Any] = (),
    discount_percent: Any = 0,
    description: str = "",
    expected_version: int | None = None,
    selling_unit_price: Any = None,
) -> QuoteLine:
    """Add a product with its options; refused with the catalog rule named when the combination is not allowed.

    On a partner's quote the line is priced for the partner (partner_pricing.py): `selling_unit_price` is its
    price to its customer (default: the list price) and the discount does not apply."""
    check_can_change(actor, quote)
    chosen = _visible_product(actor, product)
    count = _parse_quantity(quantity)
    percent = parse_percent(discount_percent, "discount_percent")
    options = _options_for(chosen, option_ids)
    with transaction.atomic():
        quote = lock_quote(quote, expected_version)
        check_can_change(None, quote)
        requested = [int(getattr(pk, "pk", pk)) for pk in option_ids]
        _check_configuration(chosen, requested, [*_other_product_ids(quote), chosen.pk])
        position = (quote.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        line = QuoteLine(
            quote=quote,
            position=position,
            product=chosen,
            description=(description or "").strip()[:300] or chosen.name,
            quantity=count,
            discount_percent=percent,
            created_by=actor,
            updated_by=actor,
        )
        _fill_line(line, quote, options, selling_unit_price)
        line.full_clean()
        line._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        line.save()
        _save_options(line, options)
        recalculate_quote(quote, actor=actor)
    return line


def update_quote_line(
    *,
    actor: User | None,
    line: QuoteLine,
    expected_version: int | None = None,
    quantity: Any = None,
    option_ids: Iterable[Any] | None = None,
    discount_percent: Any = None,
    description: str | None = None,
    selling_unit_price: Any = None,
) -> QuoteLine:
    """Change a line's quantity, options, discount or text; it is re-priced (a new quantity may reach a tier).
    On a partner's quote, `selling_unit_price` changes the partner's price to its customer."""
    quote = line.quote
    check_can_change(actor, quote)
    changes: dict[str, Any] = {}
    if quantity is not None:
        changes["quantity"] = _parse_quantity(quantity)
    if discount_percent is not None:
        changes["discount_percent"] = parse_percent(discount_percent, "discount_percent")
    if description is not None:
        changes["description"] = description.strip()[:300] or line.product.name
    with transaction.atomic():
        quote = lock_quote(quote)
        check_can_change(None, quote)
        current = QuoteLine.objects.select_for_update().select_related("product").get(pk=line.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        if option_ids is None:
            options = list(Option.objects.filter(pk__in=current.options.values("option_id"), is_active=True))
            requested = [option.pk for option in options]
        else:
            requested = [int(getattr(pk, "pk", pk)) for pk in option_ids]
            options = _options_for(current.product, requested)
        _check_configuration(current.product, requested, [*_other_product_ids(quote, current), current.product_id])
        for name, value in changes.items():
            setattr(current, name, value)
        current.quote = quote
        _fill_line(current, quote, options, selling_unit_price)
        price_fields = [
            "list_unit_price",
            "tier_unit_price",
            "discount_percent",
            "net_unit_price",
            "line_total",
            "unit_cost",
            "partner_unit_price",
            "partner_product_number",
        ]
        updated = save_versioned(
            current,
            actor=actor,
            expected_version=None,
            changes={**changes, **{name: getattr(current, name) for name in price_fields}},
        )
        updated.quote = quote
        if option_ids is not None:
            _save_options(updated, options)
        recalculate_quote(quote, actor=actor)
    return updated


def remove_quote_line(*, actor: User | None, line: QuoteLine, expected_version: int | None = None) -> Quote:
    quote = line.quote
    check_can_change(actor, quote)
    with transaction.atomic():
        quote = lock_quote(quote)
        check_can_change(None, quote)
        current = QuoteLine.objects.select_for_update().get(pk=line.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        current._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        current.delete()
        return recalculate_quote(quote, actor=actor)


def update_quote(*, actor: User | None, quote: Quote, expected_version: int | None, changes: dict[str, Any]) -> Quote:
    """The header: contact, validity, language, header discount, terms (sanitised), internal note, price list.

    A new price list re-prices every line."""
    unknown = sorted(set(changes) - HEADER_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    check_can_change(actor, quote)
    values = dict(changes)
    if "header_discount_percent" in values:
        values["header_discount_percent"] = parse_percent(values["header_discount_percent"], "header_discount_percent")
    if "terms" in values:
        from ..quote_terms import sanitize_terms

        values["terms"] = sanitize_terms(values["terms"] or "")
    if "internal_note" in values:
        values["internal_note"] = (values["internal_note"] or "").strip()
    contact = values.get("contact")
    if contact is not None and getattr(contact, "account_id", None) != quote.account_id:
        raise ValidationError({"contact": _("Choose a contact of the quote's account.")})
    price_list = values.get("price_list")
    if price_list is not None and (not isinstance(price_list, PriceList) or price_list.currency != quote.currency):
        raise ValidationError({"price_list": _("Choose a price list in the quote's currency.")})
    with transaction.atomic():
        quote = lock_quote(quote, expected_version)
        check_can_change(None, quote)
        repricing = "price_list" in values and getattr(price_list, "pk", None) != quote.price_list_id
        if repricing:
            quote.price_list = price_list
            for line in quote.lines.select_related("product").prefetch_related("options__option"):
                options = [opt.option for opt in line.options.all() if opt.option is not None]
                _fill_line(line, quote, options)
                line.save()
        return recalculate_quote(quote, actor=actor, changes=values)
