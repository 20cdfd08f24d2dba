"""Demo partner quotes: for the first partners with portal users and open deals, quotes to their customers on
their own price lists (catalog pricing: own list > tier list > default), with their own product numbers and a
selling price a little under the list price; one of them accepted and placed with headquarters as a sales
order at the partner's prices, sold through the partner.

Written set-based into the caller's sink (one insert per table, like the rest of the demo); the prices come
from `catalog.pricing.price_for`, the arithmetic from `sales.quote_amounts`, as the operations do them. The
placed order leaves its deal's stage alone: the demo writes no pipeline moves outside the sales seeder."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from forgecrm.catalog.models import PartnerProductNumber, money_of
from forgecrm.catalog.pricing import price_for
from forgecrm.customers.models import Account
from forgecrm.sales.models import (
    Opportunity,
    OpportunityLine,
    Quote,
    QuoteLine,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
)
from forgecrm.sales.models.quotes import DEFAULT_VAT_RATE
from forgecrm.sales.quote_amounts import quote_totals, round_price

from .sales import Sink, _stamp

PARTNERS = 3
QUOTES_PER_PARTNER = 3


def _won(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(Decimal(1))


def seed_partner_quotes(*, book, sink: Sink, rng: random.Random, today: dt.date) -> int:
    """Queues the partners' quotes (and one placed order) in `sink`; returns how many quotes."""
    with_users = {pk for pk, users in book.portal_user_ids.items() if users}
    numbered = set(PartnerProductNumber.objects.values_list("partner_id", flat=True))
    deals = list(
        Opportunity.objects.filter(partner_id__in=with_users, stage__is_won=False, stage__is_lost=False)
        .select_related("partner")
        .order_by("pk")
    )
    partner_ids = sorted({deal.partner_id for deal in deals}, key=lambda pk: (pk not in numbered, pk))[:PARTNERS]
    if not partner_ids:
        return 0
    partners = {partner.pk: partner for partner in Account.objects.filter(pk__in=partner_ids)}
    numbers = {
        (row.partner_id, row.product_id): row.partner_sku
        for row in PartnerProductNumber.objects.filter(partner_id__in=partner_ids)
    }
    lines_of: dict[int, list[OpportunityLine]] = {}
    chosen = [deal for deal in deals if deal.partner_id in partners]
    for line in OpportunityLine.objects.filter(opportunity__in=chosen).select_related("product").order_by("position"):
        lines_of.setdefault(line.opportunity_id, []).append(line)
    year = timezone.localdate().year
    taken = set(Quote.objects.filter(number__startswith=f"Q-{year}-P").values_list("number", flat=True))
    now = timezone.now()
    made = 0
    placed = False
    for partner_id in partner_ids:
        partner = partners[partner_id]
        user_id = book.portal_user_ids[partner_id][0]
        for deal in [d for d in chosen if d.partner_id == partner_id and lines_of.get(d.pk)][:QUOTES_PER_PARTNER]:
            made += 1
            number = f"Q-{year}-P{partner_id:04d}{made:03d}"
            if number in taken:
                continue
            created = now - dt.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 9))
            status = "accepted" if not placed else rng.choice(["draft", "sent"])
            placed = placed or status == "accepted"
            _quote(sink, deal, partner, user_id, number, status, created, lines_of[deal.pk], numbers, rng, today)
    return made


def _quote(sink, deal, partner, user_id, number, status, created, lines, numbers, rng, today) -> None:
    quote_id = sink.next_id(Quote)
    rows = []
    for line in lines:
        listed = money_of(price_for(product=line.product, quantity=1, tier="", on_date=today).unit_price).amount
        own = money_of(
            price_for(product=line.product, quantity=line.quantity, partner=partner, on_date=today).unit_price
        ).amount
        selling = round_price(listed * Decimal(rng.choice([100, 98, 97, 95])) / 100, "KRW")
        rows.append((line, _won(listed), _won(own), selling))
    totals = quote_totals(
        [selling * line.quantity for line, _l, _o, selling in rows],
        header_discount_percent=Decimal(0),
        vat_rate=DEFAULT_VAT_RATE,
        currency="KRW",
    )
    accepted_at = created + dt.timedelta(days=1) if status == "accepted" else None
    sink.add(
        Quote,
        _stamp(
            {
                "id": quote_id,
                "number": number,
                "family": number,
                "revision": 1,
                "opportunity_id": deal.pk,
                "account_id": deal.account_id,
                "contact_id": deal.primary_contact_id,
                "owner_id": user_id,
                "partner_id": partner.pk,
                "status": status,
                "currency": "KRW",
                "valid_until": today + dt.timedelta(days=30),
                "language": "ko",
                "header_discount_percent": Decimal(0),
                "subtotal": totals.subtotal,
                "discount": totals.discount,
                "net": totals.net,
                "vat_rate": DEFAULT_VAT_RATE,
                "vat": totals.vat,
                "total": totals.total,
                "sent_at": created if status != "draft" else None,
                "accepted_at": accepted_at,
            },
            user_id,
            created,
            accepted_at or created,
        ),
    )
    line_ids = []
    for position, (line, listed, own, selling) in enumerate(rows, start=1):
        line_ids.append(sink.next_id(QuoteLine))
        sink.add(
            QuoteLine,
            _stamp(
                {
                    "id": line_ids[-1],
                    "quote_id": quote_id,
                    "position": position,
                    "product_id": line.product_id,
                    "description": line.product.name,
                    "quantity": line.quantity,
                    "list_unit_price": listed,
                    "tier_unit_price": None,
                    "tier_unit_price_currency": "KRW",
                    "discount_percent": Decimal(0),
                    "net_unit_price": selling,
                    "line_total": selling * line.quantity,
                    "unit_cost": _won(money_of(line.product.standard_cost).amount)
                    if line.product.standard_cost is not None
                    else None,
                    "unit_cost_currency": "KRW",
                    "partner_unit_price": own,
                    "partner_unit_price_currency": "KRW",
                    "partner_product_number": numbers.get((partner.pk, line.product_id), ""),
                },
                user_id,
                created,
            ),
        )
    if status == "accepted":
        _order(sink, deal, partner, user_id, quote_id, number, rows, line_ids, accepted_at)


def _order(sink, deal, partner, user_id, quote_id, number, rows, line_ids, ordered_at) -> None:
    """The partner's order with us: at its own prices, sold through it, owned by the deal's owner."""
    totals = quote_totals(
        [own * line.quantity for line, _l, own, _s in rows],
        header_discount_percent=Decimal(0),
        vat_rate=DEFAULT_VAT_RATE,
        currency="KRW",
    )
    order_id = sink.next_id(SalesOrder)
    sink.add(
        SalesOrder,
        _stamp(
            {
                "id": order_id,
                "number": f"SO-{ordered_at.year}-P{quote_id:06d}",
                "quote_id": quote_id,
                "opportunity_id": deal.pk,
                "account_id": deal.account_id,
                "owner_id": deal.owner_id,
                "sold_through_id": partner.pk,
                "status": "submitted",
                "ordered_at": ordered_at,
                "currency": "KRW",
                "net": totals.net,
                "vat": totals.vat,
                "total": totals.total,
                "customer_reference": f"{partner.pk}-{number[-6:]}",
            },
            user_id,
            ordered_at,
        ),
    )
    for position, ((line, _l, own, _s), line_id) in enumerate(zip(rows, line_ids, strict=True), start=1):
        sink.add(
            SalesOrderLine,
            _stamp(
                {
                    "order_id": order_id,
                    "position": position,
                    "quote_line_id": line_id,
                    "product_id": line.product_id,
                    "description": line.product.name,
                    "quantity": line.quantity,
                    "unit_price": own,
                    "discount_percent": Decimal(0),
                    "line_total": own * line.quantity,
                },
                user_id,
                ordered_at,
            ),
        )
    sink.add(
        SalesOrderStatusChange,
        {
            "order_id": order_id,
            "status": "submitted",
            "at": ordered_at,
            "source": "user",
            "changed_by_id": user_id,
            "note": "",
        },
    )
