"""The catalogue through the catalog operations (validation, history, search and outbox included), except the
price-list items and their volume tiers: about 1,300 plain rows whose prices are computed here to fit the rules
(whole won, tiers from 2 units), which the bulk writer puts in at once instead of 7 seconds of per-row checks."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from forgecrm.catalog import operations as catalog
from forgecrm.catalog.models import Option, PriceListItem, PriceTier, Product

from ..generators import catalog as spec
from .bulk import TableWriter, history_rows
from .organisation import Organisation

SELLABLE = ("active", "phase_out")


def seed_catalog(
    *, org: Organisation, rng: random.Random, today: dt.date, distributors: list, history: bool
) -> dict[str, int]:
    """Product lines, products, options and rules, price lists with volume tiers, partner product numbers.

    `distributors` are partner Accounts; the first two get their own price list, all get product numbers.
    """
    actor = org.admin
    lines = {
        code: catalog.create_product_line(actor=actor, code=code, name=name, name_en=name_en, description=text)
        for code, name, name_en, text in spec.PRODUCT_LINES
    }
    products: dict[str, Product] = {}
    for item in spec.PRODUCTS:
        products[item.sku] = catalog.create_product(
            actor=actor,
            sku=item.sku,
            name=item.name,
            name_en=item.name_en,
            product_line=lines[item.line],
            list_price=item.price,
            standard_cost=spec.discounted(item.price, rng.uniform(0.38, 0.48)),
            unit=item.unit,
            status=item.status,
            specs=[{"key": key, "value": value} for key, value in item.specs],
            description=f"<p>{spec.LINE_BLURBS[item.line]}</p>",
        )
    counts = {"products": len(products), "options": 0, "rules": 0}
    for item in spec.PRODUCTS:
        if item.options:
            added = _options(actor, products[item.sku], spec.OPTION_SETS[item.options], products)
            counts["options"] += added[0]
            counts["rules"] += added[1]
    counts["price list items"] = _price_lists(actor, products, today, distributors, history)
    counts["partner product numbers"] = _partner_numbers(actor, rng, products, distributors)
    return counts


def _options(actor, product: Product, option_set: spec.OptionSet, products: dict[str, Product]) -> tuple[int, int]:
    by_sku: dict[str, Option] = {}
    for position, group_spec in enumerate(option_set.groups):
        group = catalog.create_option_group(
            actor=actor,
            product=product,
            name=group_spec.name,
            name_en=group_spec.name_en,
            required=group_spec.required,
            min_selections=group_spec.min_selections,
            max_selections=group_spec.max_selections,
            position=position,
        )
        for number, option in enumerate(group_spec.options):
            by_sku[option.sku] = catalog.create_option(
                actor=actor,
                group=group,
                sku=option.sku,
                name=option.name,
                name_en=option.name_en,
                price_delta=option.price_delta,
                is_default=option.is_default,
                position=number,
            )
    for rule in option_set.rules:
        target_product = products[rule.target.removeprefix("product:")] if rule.target.startswith("product:") else None
        catalog.create_option_rule(
            actor=actor,
            product=product,
            option=by_sku[rule.when] if rule.when else None,
            kind=rule.kind,
            target_option=None if target_product else by_sku[rule.target],
            target_product=target_product,
        )
    return len(by_sku), len(option_set.rules)


def _price_lists(actor, products: dict[str, Product], today: dt.date, distributors: list, history: bool) -> int:
    year = today.year
    sellable = [item for item in spec.PRODUCTS if item.status in SELLABLE]
    items = TableWriter(PriceListItem)
    tiers = TableWriter(PriceTier)
    item_rows: list[dict] = []
    tier_rows: list[dict] = []
    stamp = {"created_at": timezone.now(), "created_by_id": actor.pk, "updated_by_id": actor.pk}
    stamp["updated_at"] = stamp["created_at"]

    def fill(price_list, chosen, discount: float, with_tiers: bool) -> None:
        for item in chosen:
            price = spec.discounted(item.price, discount) if discount else item.price
            row = {
                "id": items.next_id(),
                "price_list_id": price_list.pk,
                "product_id": products[item.sku].pk,
                "unit_price": Decimal(price),
                "unit_price_currency": price_list.currency,
                **stamp,
            }
            item_rows.append(row)
            for quantity, tier_price in spec.volume_tiers(item.line, price) if with_tiers else ():
                tier_rows.append(
                    {
                        "id": tiers.next_id(),
                        "item_id": row["id"],
                        "min_quantity": quantity,
                        "unit_price": Decimal(tier_price),
                        "unit_price_currency": price_list.currency,
                        **stamp,
                    }
                )

    # Two years of sales history are priced from the list of their year (a little cheaper each year back).
    for years_back, discount, description in (
        (2, 0.09, "2년 전 가격표 (견적·수주 이력 확인용)."),
        (1, 0.05, "전년도 가격표 (견적 이력 확인용)."),
    ):
        past = catalog.create_price_list(
            actor=actor,
            name=f"{year - years_back}년 표준 소비자가",
            valid_from=dt.date(year - years_back, 1, 1),
            valid_to=dt.date(year - years_back, 12, 31),
            is_default=True,
            description=description,
        )
        fill(past, sellable, discount, with_tiers=False)
    current = catalog.create_price_list(
        actor=actor,
        name=f"{year}년 표준 소비자가",
        valid_from=dt.date(year, 1, 1),
        is_default=True,
        description="모든 고객에게 적용되는 기본 가격표.",
    )
    fill(current, sellable, 0, with_tiers=False)
    for tier, discount in spec.TIER_DISCOUNTS.items():
        price_list = catalog.create_price_list(
            actor=actor,
            name=f"{year}년 {spec.TIER_NAMES[tier]} 파트너 공급가",
            valid_from=dt.date(year, 1, 1),
            partner_tier=tier,
            description=f"{spec.TIER_NAMES[tier]} 등급 파트너 공급가: 소비자가 대비 {round(discount * 100)}% 할인, 수량 할인 포함.",
        )
        fill(price_list, sellable, discount, with_tiers=True)
    for segment, discount in spec.SEGMENT_DISCOUNTS.items():
        price_list = catalog.create_price_list(
            actor=actor,
            name=f"{year}년 {segment} 조달가",
            valid_from=dt.date(year, 1, 1),
            segment=segment,
            description="조달청 나라장터 등록 단가 기준.",
        )
        lines = ("SAC", "APU", "HPB", "SVC")
        fill(price_list, [item for item in sellable if item.line in lines], discount, with_tiers=True)
    system = [item for item in sellable if item.line == "SAC"]
    for partner in distributors[:2]:
        price_list = catalog.create_price_list(
            actor=actor,
            name=f"{partner.name} {year}년 특별 공급가",
            valid_from=dt.date(year, 3, 1),
            valid_to=dt.date(year, 12, 31),
            partner=partner,
            description="연간 물량 약정에 따른 시스템에어컨 특별 단가.",
        )
        fill(price_list, system, spec.PARTNER_SPECIAL_DISCOUNT, with_tiers=True)
    for writer, rows, model in ((items, item_rows, PriceListItem), (tiers, tier_rows, PriceTier)):
        writer.write(rows)
        if history:
            log = TableWriter(model.history.model)
            log.write(dict(row, history_id=log.next_id()) for row in history_rows(model, rows))
    return len(item_rows)


def _partner_numbers(actor, rng: random.Random, products: dict[str, Product], distributors: list) -> int:
    """Distributors order by their own item codes: a numeric ERP code or a mnemonic, per distributor."""
    count = 0
    candidates = [item for item in spec.PRODUCTS if item.status in SELLABLE and item.line in ("SAC", "RAC", "CRF")]
    for partner in distributors:
        numeric = rng.random() < 0.5
        taken: set[str] = set()
        for item in rng.sample(candidates, k=min(18, len(candidates))):
            code = (
                f"{rng.randint(1_000_000, 9_999_999)}" if numeric else f"HB{item.sku.split('-', 1)[1].replace('-', '')}"
            )
            if code in taken:
                continue
            taken.add(code)
            catalog.create_partner_product_number(
                actor=actor,
                partner=partner,
                product=products[item.sku],
                partner_sku=code,
                partner_name=f"한빛 {item.name}",
            )
            count += 1
    return count
