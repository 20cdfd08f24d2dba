"""Writes on an opportunity's product lines: add, change, remove.

A line is priced like a quote line: the price list that fits the deal best (the partner working it: its own list,
then its tier's; else the default list; or a list the user chose), the volume tier the quantity reaches, plus the
chosen options' price differences; the options must make a valid configuration (catalog rules: an excluded
combination is refused naming the rule). An opportunity with lines has their sum as its amount.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from djmoney.money import Money

from forgecrm.catalog.configuration import validate_configuration
from forgecrm.catalog.models import Option, PriceList, Product, money_of
from forgecrm.catalog.pricing import NoPriceError, price_for
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.versioning import ConflictError, save_versioned

from ..models import Opportunity, OpportunityLine

HUNDRED = Decimal(100)
CENTS = Decimal("0.01")
WHOLE = Decimal(1)


def _round(value: Decimal, currency: str) -> Decimal:
    # KRW has no minor unit; other currencies keep cents.
    return value.quantize(WHOLE if currency == "KRW" else CENTS, rounding=ROUND_HALF_UP)


def _error(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: [ValidationError(message, code=code)]})


def _check_change(actor: User | None, opportunity: Opportunity) -> None:
    if actor is not None and not actor.has_perm("sales.change_opportunity", opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if opportunity.stage.is_closed:
        raise _error("product", _("A won or lost deal's lines cannot change; reopen it first."), "closed")


def _priced(
    *,
    opportunity: Opportunity,
    product: Product,
    quantity: int,
    options: list[Option],
    price_list: PriceList | None,
    discount_percent: Decimal,
) -> dict[str, Any]:
    errors: dict[str, list] = {}
    if not product.is_sellable:
        errors.setdefault("product", []).append(ValidationError(_("This product is no longer sold."), code="inactive"))
    if quantity is None or int(quantity) < 1:
        errors.setdefault("quantity", []).append(
            ValidationError(_("The quantity must be at least 1."), code="min_value")
        )
    if discount_percent is None or not Decimal(0) <= Decimal(discount_percent) <= HUNDRED:
        errors.setdefault("discount_percent", []).append(
            ValidationError(_("Enter a discount between 0 and 100 %."), code="out_of_range")
        )
    if errors:
        raise ValidationError(errors)
    problems = validate_configuration(product, [option.pk for option in options])
    if problems:
        raise ValidationError({"selected_options": [ValidationError(p, code="configuration") for p in problems]})
    partner = opportunity.partner
    try:
        quote = price_for(
            product=product,
            quantity=int(quantity),
            price_list=price_list,
            partner=partner,
            tier=getattr(partner, "tier", "") or "",
        )
    except NoPriceError as error:
        raise _error("price_list", str(error), "no_price") from error
    unit = money_of(quote.unit_price)
    currency = unit.currency.code
    deltas = sum((money_of(option.price_delta) for option in options), Money(0, "KRW"))
    if deltas.amount and currency != deltas.currency.code:
        raise _error("selected_options", _("Option prices are in KRW; choose a KRW price list."), "currency")
    unit_amount = unit.amount + deltas.amount
    if unit_amount < 0:
        unit_amount = Decimal(0)
    gross = unit_amount * int(quantity)
    net = _round(gross * (HUNDRED - Decimal(discount_percent)) / HUNDRED, currency)
    return {
        "quantity": int(quantity),
        "price_list": quote.price_list,
        "unit_price": Money(unit_amount, currency),
        "discount_percent": Decimal(discount_percent),
        "amount": Money(net, currency),
    }


def _check_currency(opportunity: Opportunity, currency: str, exclude_line: int | None = None) -> None:
    lines = opportunity.lines.exclude(pk=exclude_line) if exclude_line is not None else opportunity.lines.all()
    others = lines.values_list("amount_currency", flat=True).distinct()
    if any(code != currency for code in others):
        raise _error(
            "price_list",
            _("Every line of a deal is in one currency (%(currency)s).") % {"currency": others[0]},
            "currency",
        )


def _recalculate(actor: User | None, opportunity: Opportunity) -> Opportunity:
    """The opportunity's amount is the sum of its lines (kept when the last line goes)."""
    rows = list(opportunity.lines.values_list("amount", "amount_currency"))
    if not rows:
        return Opportunity.objects.get(pk=opportunity.pk)
    currency = rows[0][1]
    total = Money(sum((Decimal(amount) for amount, _c in rows), Decimal(0)), currency)
    current = Opportunity.objects.get(pk=opportunity.pk)
    if current.amount == total:
        return current
    return save_versioned(current, actor=actor, expected_version=None, changes={"amount": total})


def _options(product: Product, options: Iterable[Any]) -> list[Option]:
    ids = [getattr(option, "pk", option) for option in options]
    found = list(Option.objects.filter(pk__in=ids, group__product=product))
    missing = set(ids) - {option.pk for option in found}
    if missing:
        # validate_configuration names options that are not the product's
        problems = validate_configuration(product, ids)
        raise ValidationError({"selected_options": [ValidationError(p, code="configuration") for p in problems]})
    return found


def add_opportunity_line(
    *,
    actor: User | None,
    opportunity: Opportunity,
    product: Product,
    quantity: int = 1,
    options: Iterable[Any] = (),
    price_list: PriceList | None = None,
    discount_percent: Decimal = Decimal(0),
) -> OpportunityLine:
    """Add a catalog product, priced from the best price list for the deal (or `price_list`) with its volume tier
    and options; the opportunity's amount becomes the sum of its lines."""
    _check_change(actor, opportunity)
    chosen = _options(product, options)
    values = _priced(
        opportunity=opportunity,
        product=product,
        quantity=quantity,
        options=chosen,
        price_list=price_list,
        discount_percent=discount_percent,
    )
    _check_currency(opportunity, values["amount"].currency.code)
    with transaction.atomic():
        # the deal's row lock orders concurrent line changes (positions, the amount)
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        position = (locked.lines.aggregate(top=Max("position"))["top"] or 0) + 1
        line = OpportunityLine(
            opportunity=locked, product=product, position=position, created_by=actor, updated_by=actor, **values
        )
        line.full_clean()
        line._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        line.save()
        line.selected_options.set(chosen)
        _recalculate(actor, locked)
        events.emit(
            "OpportunityUpdated",
            {"opportunity_id": locked.pk, "actor_id": getattr(actor, "pk", None), "fields": ["lines"]},
        )
    return line


def update_opportunity_line(
    *,
    actor: User | None,
    line: OpportunityLine,
    expected_version: int | None,
    quantity: int | None = None,
    options: Iterable[Any] | None = None,
    price_list: Any = ...,
    discount_percent: Decimal | None = None,
) -> OpportunityLine:
    """Change a line's quantity, options, price list or discount; it is priced again (a new quantity may reach
    another volume tier). A stale `expected_version` raises ConflictError."""
    opportunity = line.opportunity
    _check_change(actor, opportunity)
    chosen = _options(line.product, options) if options is not None else list(line.selected_options.all())
    values = _priced(
        opportunity=opportunity,
        product=line.product,
        quantity=quantity if quantity is not None else line.quantity,
        options=chosen,
        price_list=line.price_list if price_list is ... else price_list,
        discount_percent=discount_percent if discount_percent is not None else line.discount_percent,
    )
    _check_currency(opportunity, values["amount"].currency.code, exclude_line=line.pk)
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        updated = save_versioned(line, actor=actor, expected_version=expected_version, changes=values)
        updated.selected_options.set(chosen)
        _recalculate(actor, locked)
        events.emit(
            "OpportunityUpdated",
            {"opportunity_id": locked.pk, "actor_id": getattr(actor, "pk", None), "fields": ["lines"]},
        )
    return updated


def remove_opportunity_line(*, actor: User | None, line: OpportunityLine, expected_version: int | None = None) -> None:
    """Remove a line; the amount is the sum of the remaining lines (the last line's amount stays as typed)."""
    opportunity = line.opportunity
    _check_change(actor, opportunity)
    with transaction.atomic():
        locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        current = OpportunityLine.objects.select_for_update().filter(pk=line.pk).first()
        if current is None:
            return
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        current._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        current.delete()
        _recalculate(actor, locked)
        events.emit(
            "OpportunityUpdated",
            {"opportunity_id": locked.pk, "actor_id": getattr(actor, "pk", None), "fields": ["lines"]},
        )
