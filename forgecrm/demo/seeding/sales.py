"""Opportunities with their lines, competitors and stage history, and the quotes and sales orders of the deals
that got that far, written in bulk.

`seed_opportunities` is the entry point the benchmark reuses (bench scenario 5: 200,000 opportunities under a
manager's 50-person subtree); `seeding.sales_history` builds leads, quotas, forecasts, commissions and sales
activities on what it returns.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from simple_history.utils import bulk_create_with_history

from forgecrm.catalog.models import Option, OptionRule, PriceList, PriceListItem, PriceTier, Product, ProductLine
from forgecrm.customers.models import Account, Contact
from forgecrm.platform.models import Role, Team, Territory, User
from forgecrm.sales.models import (
    DEFAULT_VAT_RATE,
    DiscountApprovalThreshold,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Quote,
    QuoteApproval,
    QuoteLine,
    QuoteLineOption,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    Stage,
    StageHistory,
    StageProbability,
)

from ..generators import sales as gen
from ..generators.contacts import SEOUL
from ..generators.draws import between, cumulative, pick, weighted
from ..scales import Scale
from .bulk import TableWriter, history_rows
from .customers import TICK, AccountFacts, CustomerBook
from .organisation import DEMO_DOMAIN, Organisation
from .progress import Progress

SELLABLE = ("active", "phase_out")
MAIN_LINES = ("SAC", "RAC", "APU", "HPB", "CRF")
FROM_LEAD_SHARE = 0.35  # deals that came from a converted lead (`seeding.sales_history` makes those leads)
QUOTED_SHARE = 0.8  # deals that reached the proposal stage and have a quote (every won deal has one)
REVISED_SHARE = 0.3  # quoted deals that reached negotiation with a second revision
PARTNER_LED_SHARE = 0.6  # deals on a partner-served account that the partner works (priced from its list)
# How much each kind of account buys, relative to a prospect company.
ACCOUNT_WEIGHT = {("customer", "company"): 3.0, ("prospect", "company"): 1.5}
HOUSEHOLD_WEIGHT = 0.6


class Sink:
    """Buffers generated rows per model and writes each table in large set-based chunks (COPY / executemany):
    the number of INSERT statements grows with the number of chunks, never with the number of rows."""

    CHUNK = 20_000

    def __init__(self, *, history: bool):
        self.history = history
        self.writers: dict[type[models.Model], TableWriter] = {}
        self.history_writers: dict[type[models.Model], TableWriter] = {}
        self.buffers: dict[type[models.Model], list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def writer(self, model: type[models.Model]) -> TableWriter:
        if model not in self.writers:
            self.writers[model] = TableWriter(model)
        return self.writers[model]

    def next_id(self, model: type[models.Model]) -> int:
        return self.writer(model).next_id()

    def add(self, model: type[models.Model], row: dict) -> dict:
        """Queue one row; it gets its id here unless it has one."""
        if "id" not in row:
            row["id"] = self.next_id(model)
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= self.CHUNK:
            self._flush(model)
        return row

    def _flush(self, model: type[models.Model]) -> None:
        rows = self.buffers.pop(model, [])
        if not rows:
            return
        self.writer(model).write(rows)
        self.counts[model._meta.label] += len(rows)
        if self.history and hasattr(model, "history"):
            log_model = model.history.model  # type: ignore[attr-defined]
            if log_model not in self.history_writers:
                self.history_writers[log_model] = TableWriter(log_model)
            log = self.history_writers[log_model]
            log.write(dict(row, history_id=log.next_id()) for row in history_rows(model, rows))

    def flush(self) -> None:
        for model in list(self.buffers):
            self._flush(model)


def _stamp(row: dict, user_id: int | None, created: dt.datetime, updated: dt.datetime | None = None) -> dict:
    row.update(created_at=created, updated_at=updated or created, created_by_id=user_id, updated_by_id=user_id)
    return row


def _won(amount: int) -> Decimal:
    return Decimal(amount)


# ---- what the generator needs to know about the catalogue, read once ----------------------------------------


@dataclass(frozen=True, slots=True)
class ProductFacts:
    id: int
    sku: str
    name: str
    line: str
    unit: str
    price: int
    cost: int


@dataclass(frozen=True, slots=True)
class OptionFacts:
    id: int
    sku: str
    name: str
    delta: int
    is_default: bool


@dataclass
class PriceBook:
    """The catalog's price lists in memory, chosen the way `catalog.pricing.price_for` chooses them (the
    partner's own list, then its tier's, then the segment's, then the default; the newest list within one kind;
    then the highest volume tier the quantity reaches), so that a million lines need no query each."""

    lists: list[tuple[int, dt.date, dt.date | None, int | None, str, bool]]  # id, from, to, partner, tier, default
    items: dict[tuple[int, int], tuple[int, int]]  # (list, product) -> (item id, unit price)
    tiers: dict[int, list[tuple[int, int]]]  # item -> [(min quantity, unit price)], highest first
    cache: dict[tuple, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "PriceBook":
        lists: list[tuple[int, dt.date, dt.date | None, int | None, str, bool]] = [
            (pk, start, end, partner, tier, default)
            for pk, start, end, partner, tier, segment, default in PriceList.objects.values_list(
                "pk", "valid_from", "valid_to", "partner_id", "partner_tier", "segment", "is_default"
            )
            if not segment  # no segment lists for the demo's buyers
        ]
        items = {
            (price_list, product): (pk, int(price))
            for pk, price_list, product, price in PriceListItem.objects.values_list(
                "pk", "price_list_id", "product_id", "unit_price"
            )
        }
        tiers: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for item, quantity, price in PriceTier.objects.values_list("item_id", "min_quantity", "unit_price"):
            tiers[item].append((quantity, int(price)))
        for rows in tiers.values():
            rows.sort(reverse=True)
        return cls(lists, items, dict(tiers))

    def _candidates(self, day: dt.date, partner_id: int | None, tier: str) -> list[int]:
        key = (day, partner_id, tier)
        if key not in self.cache:
            ranked = []
            for pk, start, end, partner, list_tier, default in self.lists:
                if start > day or (end is not None and end < day):
                    continue
                if partner_id and partner == partner_id:
                    priority = 0
                elif tier and partner is None and list_tier == tier:
                    priority = 1
                elif default:
                    priority = 3
                else:
                    continue
                ranked.append((priority, -start.toordinal(), -pk, pk))
            self.cache[key] = [row[-1] for row in sorted(ranked)]
        return self.cache[key]

    def price(
        self, product: ProductFacts, quantity: int, day: dt.date, partner_id: int | None, tier: str
    ) -> tuple[int | None, int, int | None]:
        """(price list, list unit price, volume-tier unit price or None) for `quantity` of `product` on `day`."""
        for price_list in self._candidates(day, partner_id, tier):
            found = self.items.get((price_list, product.id))
            if found:
                item, price = found
                for minimum, tier_price in self.tiers.get(item, ()):
                    if quantity >= minimum:
                        return price_list, price, tier_price
                return price_list, price, None
        return None, product.price, None


@dataclass
class CatalogFacts:
    lines: dict[str, int]  # product line code -> id
    line_names: dict[str, str]
    products: dict[str, list[ProductFacts]]  # sellable products per line code
    by_id: dict[int, ProductFacts]
    requires: dict[int, list[int]]  # product -> products it needs in the same quote
    # product -> option groups as (required, [options a demo deal may pick]): options named in a rule are left
    # out, so a seeded configuration never breaks a requires/excludes rule.
    groups: dict[int, list[tuple[bool, list[OptionFacts]]]]
    prices: PriceBook

    @classmethod
    def load(cls) -> "CatalogFacts":
        lines = dict(ProductLine.objects.values_list("code", "pk"))
        line_names = dict(ProductLine.objects.values_list("code", "name"))
        code_of = {pk: code for code, pk in lines.items()}
        products: dict[str, list[ProductFacts]] = defaultdict(list)
        by_id = {}
        for pk, sku, name, line, unit, price, cost in (
            Product.objects.filter(status__in=SELLABLE)
            .order_by("pk")
            .values_list("pk", "sku", "name", "product_line_id", "unit", "list_price", "standard_cost")
        ):
            facts = ProductFacts(pk, sku, name, code_of.get(line, ""), unit, int(price), int(cost or 0))
            products[facts.line].append(facts)
            by_id[pk] = facts
        requires: dict[int, list[int]] = defaultdict(list)
        in_rules: set[int] = set()
        for product, option, kind, target_option, target_product in OptionRule.objects.values_list(
            "product_id", "option_id", "kind", "target_option_id", "target_product_id"
        ):
            in_rules.update(pk for pk in (option, target_option) if pk)
            if option is None and kind == "requires" and target_product in by_id:
                requires[product].append(target_product)
        grouped: dict[tuple[int, int], tuple[bool, list[OptionFacts]]] = {}
        for pk, sku, name, delta, default, group, product, required in (
            Option.objects.filter(is_active=True)
            .order_by("group__position", "group_id", "position", "pk")
            .values_list(
                "pk", "sku", "name", "price_delta", "is_default", "group_id", "group__product_id", "group__required"
            )
        ):
            _required, options = grouped.setdefault((product, group), (required, []))
            if pk not in in_rules:
                options.append(OptionFacts(pk, sku, name, int(delta), default))
        groups: dict[int, list[tuple[bool, list[OptionFacts]]]] = defaultdict(list)
        for (product, _group), value in grouped.items():
            groups[product].append(value)
        return cls(lines, line_names, dict(products), by_id, dict(requires), dict(groups), PriceBook.load())


# ---- the seeded deals, as later stages need them ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DealFacts:
    id: int
    account_id: int
    contact_id: int | None
    owner_id: int
    line: str
    amount: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    close_date: dt.date
    outcome: str
    forecast_category: str
    from_lead: bool
    household: bool


@dataclass(frozen=True, slots=True)
class OrderFacts:
    id: int
    owner_id: int
    ordered_at: dt.datetime
    cancelled: bool
    net: int
    bases: tuple[tuple[str, int], ...]  # (product line code, base) summing to `net`


@dataclass
class SalesBook:
    deals: list[DealFacts] = field(default_factory=list)
    orders: list[OrderFacts] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def first_team_of_users() -> dict[int, int]:
    """user -> the first team (by id) they are a member of: the team a rep's records carry."""
    team_of: dict[int, int] = {}
    for team, user in Team.members.through.objects.order_by("team_id").values_list("team_id", "user_id"):
        team_of.setdefault(user, team)
    return team_of


@dataclass
class _People:
    """Owner -> team and manager, read once."""

    team_of: dict[int, int]
    manager_of: dict[int, int | None]

    @classmethod
    def load(cls) -> "_People":
        return cls(first_team_of_users(), dict(User.objects.values_list("pk", "manager_id")))


@dataclass(frozen=True, slots=True)
class _Stages:
    ids: dict[str, int]
    probability: dict[tuple[str, str], int]  # (stage code, line code or "") -> %
    category: dict[str, str]

    @classmethod
    def load(cls) -> "_Stages":
        ids, probability, category = {}, {}, {}
        for pk, code, default, forecast in Stage.objects.values_list(
            "pk", "code", "default_probability", "default_forecast_category"
        ):
            ids[code] = pk
            probability[(code, "")] = default
            category[code] = forecast
        for code, line, value in StageProbability.objects.values_list(
            "stage__code", "product_line__code", "probability"
        ):
            probability[(code, line)] = value
        return cls(ids, probability, category)

    def probability_of(self, code: str, line: str) -> int:
        return self.probability.get((code, line), self.probability.get((code, ""), 0))


def _thresholds() -> dict[str, list[tuple[str, int]]]:
    """line code ("" = default) -> [(level, from %)], lowest first."""
    result: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for level, percent, line in DiscountApprovalThreshold.objects.filter(is_active=True).values_list(
        "level", "from_discount_percent", "product_line__code"
    ):
        result[line or ""].append((level, int(percent)))
    for rows in result.values():
        rows.sort(key=lambda row: row[1])
    return dict(result)


LEVEL_NAMES = {"manager": "팀장", "director": "본부장"}


# ---- the generator ------------------------------------------------------------------------------------------


class _DealWriter:
    """Turns one planned deal into its rows (opportunity, lines, options, competitors, stage history, quotes,
    approvals, order, order lines, status changes)."""

    def __init__(self, *, sink, rng, catalog, stages, people, org, today, partner_tiers, competitors, documents):
        self.sink: Sink = sink
        self.rng: random.Random = rng
        self.catalog: CatalogFacts = catalog
        self.stages: _Stages = stages
        self.people: _People = people
        self.org: Organisation = org
        self.today: dt.date = today
        self.now = dt.datetime.combine(today, dt.time(0), SEOUL)
        self.partner_tiers: dict[int, str] = partner_tiers
        self.competitors: list[int] = competitors
        self.documents = documents
        self.thresholds = _thresholds()
        # Numbers continue after the documents already there (a benchmark may add deals to a loaded data set).
        self.quote_seq = Quote.objects.count()
        self.order_seq = SalesOrder.objects.count()
        self.orders: list[OrderFacts] = []

    # lines --------------------------------------------------------------------------------------------------

    def _options(self, product: ProductFacts) -> list[OptionFacts]:
        chosen = []
        for required, options in self.catalog.groups.get(product.id, ()):
            if not options:
                continue
            if required:
                defaults = [option for option in options if option.is_default]
                chosen.append(defaults[0] if defaults and self.rng.random() < 0.6 else pick(self.rng, options))
            elif self.rng.random() < 0.3:
                chosen.append(pick(self.rng, options))
        return chosen

    def lines(self, *, line: str, household: bool, size: str, day: dt.date, partner_id, tier: str) -> list[dict]:
        rng, catalog = self.rng, self.catalog
        main = catalog.products.get(line) or catalog.products["SAC"]
        picks: dict[int, int] = {}
        for _ in range(1 if household else between(rng, 1, 3)):
            product = pick(rng, main)
            picks[product.id] = picks.get(product.id, 0) + quantity_of(rng, product, household, size)
        units = sum(picks.values())
        for product_id in list(picks):
            for needed in catalog.requires.get(product_id, ()):
                picks.setdefault(needed, max(1, picks[product_id]))
        if rng.random() < 0.45 and catalog.products.get("SVC"):
            service = pick(rng, catalog.products["SVC"])
            picks.setdefault(service.id, units if service.unit == "SET" else quantity_of(rng, service, household, size))
        if not household and line in ("SAC", "RAC") and rng.random() < 0.3 and catalog.products.get("ACC"):
            accessory = pick(rng, catalog.products["ACC"])
            picks.setdefault(accessory.id, quantity_of(rng, accessory, household, size))
        rows = []
        for position, (product_id, quantity) in enumerate(picks.items(), start=1):
            product = catalog.by_id[product_id]
            price_list, list_price, tier_price = catalog.prices.price(product, quantity, day, partner_id, tier)
            options = self._options(product)
            unit = max(0, (tier_price or list_price) + sum(option.delta for option in options))
            discount = gen.line_discount(rng)
            net = gen.net_unit(unit, discount)
            rows.append(
                {
                    "position": position,
                    "product": product,
                    "quantity": quantity,
                    "price_list_id": price_list,
                    "list_price": list_price,
                    "tier_price": tier_price,
                    "options": options,
                    "unit_price": unit,
                    "discount": discount,
                    "net_unit": net,
                    "amount": net * quantity,
                }
            )
        return rows

    # one deal -----------------------------------------------------------------------------------------------

    def deal(self, account: AccountFacts, owner_id: int) -> DealFacts:
        rng, sink = self.rng, self.sink
        household = account.form == "household"
        line = gen.line_for(rng, industry=account.industry, household=household)
        plan = gen.plan_deal(rng, line=line, household=household, today=self.today, earliest=account.created)
        partner_id = account.partner_id if account.partner_id and rng.random() < PARTNER_LED_SHARE else None
        tier = self.partner_tiers.get(partner_id or 0, "")
        lines = self.lines(
            line=line,
            household=household,
            size=account.size,
            day=plan.opened_at.date(),
            partner_id=partner_id,
            tier=tier,
        )
        amount = sum(row["amount"] for row in lines)
        stage = plan.stage
        probability = 100 if stage == "won" else 0 if stage == "lost" else self.stages.probability_of(stage, line)
        category = self.stages.category.get(stage, "pipeline")
        if plan.outcome == "open":
            draw = rng.random()
            if stage == "proposal" and draw < 0.2:
                category = "commit"
            elif stage == "negotiation" and draw < 0.15:
                category = "best_case"
            elif plan.stale and draw < 0.3:
                category = "omitted"
        contact_id = account.first_contact_id + int(rng.random() * account.contacts) if account.contacts else None
        opp_id = sink.next_id(Opportunity)
        last_change = plan.stage_entered_at
        row = _stamp(
            {
                "id": opp_id,
                "name": gen.deal_name(rng, account.name, line),
                "account_id": account.id,
                "primary_contact_id": contact_id,
                "owner_id": owner_id,
                "team_id": self.people.team_of.get(owner_id),
                "territory_id": account.territory_id,
                "partner_id": partner_id,
                "product_line_id": self.catalog.lines.get(line),
                "stage_id": self.stages.ids[stage],
                "probability": probability,
                "amount": _won(amount),
                "forecast_category": category,
                "close_date": plan.close_date,
                "win_loss_reason": plan.reason,
                "win_loss_note": plan.reason_note,
                "closed_at": plan.closed_at,
                "stage_entered_at": plan.stage_entered_at,
            },
            owner_id,
            plan.opened_at,
            last_change,
        )
        if plan.outcome == "open":
            if plan.stale:
                if rng.random() < 0.5:
                    row["next_step"] = pick(rng, gen.NEXT_STEPS)
                    row["next_step_date"] = plan.close_date - dt.timedelta(days=between(rng, 0, 20))
            elif rng.random() < 0.85:
                row["next_step"] = pick(rng, gen.NEXT_STEPS)
                row["next_step_date"] = self.today + dt.timedelta(days=between(rng, 0, 14))
        sink.add(Opportunity, row)
        for line_row in lines:
            line_id = sink.next_id(OpportunityLine)
            sink.add(
                OpportunityLine,
                _stamp(
                    {
                        "id": line_id,
                        "opportunity_id": opp_id,
                        "position": line_row["position"],
                        "product_id": line_row["product"].id,
                        "quantity": line_row["quantity"],
                        "price_list_id": line_row["price_list_id"],
                        "unit_price": _won(line_row["unit_price"]),
                        "discount_percent": Decimal(line_row["discount"]),
                        "amount": _won(line_row["amount"]),
                    },
                    owner_id,
                    plan.opened_at,
                ),
            )
            for option in line_row["options"]:
                sink.add(
                    OpportunityLine.selected_options.through, {"opportunityline_id": line_id, "option_id": option.id}
                )
        self._competitors(opp_id, owner_id, plan, household)
        self._stage_history(opp_id, owner_id, plan, amount, line)
        if self.documents:
            self._quotes(opp_id, account, owner_id, plan, lines, line)
        return DealFacts(
            id=opp_id,
            account_id=account.id,
            contact_id=contact_id,
            owner_id=owner_id,
            line=line,
            amount=amount,
            opened_at=plan.opened_at,
            closed_at=plan.closed_at,
            close_date=plan.close_date,
            outcome=plan.outcome,
            forecast_category=category,
            from_lead=rng.random() < FROM_LEAD_SHARE,
            household=household,
        )

    def _competitors(self, opp_id: int, owner_id: int, plan: gen.DealPlan, household: bool) -> None:
        rng = self.rng
        if household or not self.competitors or rng.random() >= 0.55:
            return
        chosen = {pick(rng, self.competitors) for _ in range(between(rng, 1, 2))}
        winner = plan.outcome == "lost" and plan.reason in ("competitor", "price")
        for number, competitor in enumerate(sorted(chosen)):
            self.sink.add(
                OpportunityCompetitor,
                _stamp(
                    {
                        "opportunity_id": opp_id,
                        "competitor_id": competitor,
                        "notes": pick(rng, gen.COMPETITOR_NOTES),
                        "won_by": winner and number == 0,
                    },
                    owner_id,
                    plan.opened_at + dt.timedelta(days=between(rng, 0, 7)),
                ),
            )

    def _stage_history(self, opp_id: int, owner_id: int, plan: gen.DealPlan, amount: int, line: str) -> None:
        stays = plan.stays
        for index, (code, entered) in enumerate(stays):
            left = stays[index + 1][1] if index + 1 < len(stays) else None
            probability = 100 if code == "won" else 0 if code == "lost" else self.stages.probability_of(code, line)
            self.sink.add(
                StageHistory,
                {
                    "opportunity_id": opp_id,
                    "stage_id": self.stages.ids[code],
                    "entered_at": entered,
                    "left_at": left,
                    "seconds_in_stage": int((left - entered).total_seconds()) if left else None,
                    "changed_by_id": owner_id,
                    "amount": _won(amount),
                    "probability": probability,
                },
            )

    # quotes and orders --------------------------------------------------------------------------------------

    def _approvals_needed(self, discount: int, line: str) -> list[tuple[str, int]]:
        levels = self.thresholds.get(line) or self.thresholds.get("", [])
        return [(level, percent) for level, percent in levels if discount >= percent]

    def _quotes(self, opp_id, account: AccountFacts, owner_id, plan: gen.DealPlan, lines, line) -> None:
        rng = self.rng
        proposal = plan.reached("proposal")
        if proposal is None or (plan.outcome != "won" and rng.random() >= QUOTED_SHARE):
            return
        negotiation = plan.reached("negotiation")
        end = plan.closed_at or self.now
        moments = [proposal]
        if negotiation is not None and rng.random() < REVISED_SHARE:
            moments.append(negotiation)
        discount = gen.header_discount(rng)
        previous = None
        family = ""
        contact_id = account.first_contact_id if account.contacts else None
        for revision, started in enumerate(moments, start=1):
            stay_end = moments[revision] if revision < len(moments) else end
            created = started + (stay_end - started) * (0.05 + 0.25 * rng.random())
            if revision > 1:
                discount = min(25, discount + between(rng, 2, 6))
            last = revision == len(moments)
            self.quote_seq += 1
            number = f"Q-{created.year}-{self.quote_seq:06d}"
            family = family or number
            if revision > 1:
                number = f"{family}-R{revision}"
            totals = gen.quote_totals([row["amount"] for row in lines], discount, DEFAULT_VAT_RATE)
            needed = self._approvals_needed(discount, line)
            approved_at = created + (stay_end - created) * 0.3 if needed else created
            sent_at: dt.datetime | None = approved_at + (stay_end - approved_at) * 0.2
            status, accepted_at = "superseded", None
            pending_level = None
            if last:
                if plan.outcome == "won":
                    status, accepted_at = "accepted", plan.closed_at
                elif plan.outcome == "lost":
                    status = (
                        "expired"
                        if plan.closed_at and (plan.closed_at.date() - created.date()).days > 30
                        else "declined"
                    )
                elif needed and rng.random() < 0.35:
                    status, sent_at = "pending_approval", None
                    pending_level = needed[-1][0] if len(needed) > 1 and rng.random() < 0.5 else needed[0][0]
                elif rng.random() < 0.1:
                    status, sent_at = "draft", None
                    needed = []
                else:
                    status = "sent"
            quote_id = self.sink.next_id(Quote)
            self.sink.add(
                Quote,
                _stamp(
                    {
                        "id": quote_id,
                        "number": number,
                        "family": family,
                        "revision": revision,
                        "previous_revision_id": previous,
                        "opportunity_id": opp_id,
                        "account_id": account.id,
                        "contact_id": contact_id,
                        "owner_id": owner_id,
                        "status": status,
                        "price_list_id": lines[0]["price_list_id"],
                        "currency": "KRW",
                        "valid_until": created.date() + dt.timedelta(days=30),
                        "language": "ko",
                        "header_discount_percent": Decimal(discount),
                        "subtotal": _won(totals.subtotal),
                        "discount": _won(totals.discount),
                        "net": _won(totals.net),
                        "vat_rate": DEFAULT_VAT_RATE,
                        "vat": _won(totals.vat),
                        "total": _won(totals.total),
                        "terms": "<p>납품: 발주 후 4주 이내 · 결제: 납품 후 30일 현금 · 설치비 별도 표기분 제외</p>",
                        "internal_note": "본부장 승인 건" if len(needed) > 1 else "",
                        "sent_at": sent_at,
                        "accepted_at": accepted_at,
                    },
                    owner_id,
                    created,
                    accepted_at or sent_at or created,
                ),
            )
            quote_lines = self._quote_lines(quote_id, owner_id, lines, created)
            self._approvals(quote_id, owner_id, discount, needed, created, approved_at, pending_level)
            previous = quote_id
            if status == "accepted":
                self._order(opp_id, account, owner_id, quote_id, plan, lines, quote_lines, totals, line)

    def _quote_lines(self, quote_id: int, owner_id: int, lines, created) -> list[int]:
        ids = []
        for row in lines:
            line_id = self.sink.next_id(QuoteLine)
            product: ProductFacts = row["product"]
            self.sink.add(
                QuoteLine,
                _stamp(
                    {
                        "id": line_id,
                        "quote_id": quote_id,
                        "position": row["position"],
                        "product_id": product.id,
                        "description": product.name,
                        "quantity": row["quantity"],
                        "list_unit_price": _won(row["list_price"]),
                        "tier_unit_price": _won(row["tier_price"]) if row["tier_price"] is not None else None,
                        "tier_unit_price_currency": "KRW",
                        "discount_percent": Decimal(row["discount"]),
                        "net_unit_price": _won(row["net_unit"]),
                        "line_total": _won(row["amount"]),
                        "unit_cost": _won(product.cost),
                        "unit_cost_currency": "KRW",
                    },
                    owner_id,
                    created,
                ),
            )
            for option in row["options"]:
                self.sink.add(
                    QuoteLineOption,
                    {
                        "line_id": line_id,
                        "option_id": option.id,
                        "option_sku": option.sku,
                        "option_name": option.name,
                        "price_delta": _won(option.delta),
                    },
                )
            ids.append(line_id)
        return ids

    def _approvals(self, quote_id, owner_id, discount, needed, created, decided, pending_level) -> None:
        """Manager first, then director: a pending director's approval means the manager has approved."""
        for level, percent in needed:
            if pending_level == "manager" and level == "director":
                break  # the director is asked once the manager has approved
            pending = level == pending_level
            approver = self.people.manager_of.get(owner_id) if level == "manager" else None
            self.sink.add(
                QuoteApproval,
                _stamp(
                    {
                        "quote_id": quote_id,
                        "level": level,
                        "approver_id": approver or self.org.director.pk,
                        "status": "pending" if pending else "approved",
                        "reason": f"머리 할인 {discount}% ≥ {LEVEL_NAMES[level]} 승인 기준 {percent}%",
                        "comment": ""
                        if pending
                        else pick(self.rng, ("승인합니다.", "전략 고객, 승인.", "물량 감안 승인")),
                        "decided_at": None if pending else decided,
                    },
                    owner_id,
                    created,
                    None if pending else decided,
                ),
            )

    def _order(self, opp_id, account, owner_id, quote_id, plan, lines, quote_lines, totals, line) -> None:
        rng, sink = self.rng, self.sink
        ordered_at = plan.closed_at
        path = gen.order_path(rng, ordered_at, self.now)
        self.order_seq += 1
        order_id = sink.next_id(SalesOrder)
        status, last_at = path[-1]
        erp = [at for status_, at in path if status_ != "submitted"]
        sink.add(
            SalesOrder,
            _stamp(
                {
                    "id": order_id,
                    "number": f"SO-{ordered_at.year}-{self.order_seq:06d}",
                    "quote_id": quote_id,
                    "opportunity_id": opp_id,
                    "account_id": account.id,
                    "owner_id": owner_id,
                    "status": status,
                    "ordered_at": ordered_at,
                    "currency": "KRW",
                    "net": _won(totals.net),
                    "vat": _won(totals.vat),
                    "total": _won(totals.total),
                    "customer_reference": f"PO-{ordered_at:%y%m}-{between(rng, 1000, 9999)}"
                    if rng.random() < 0.6
                    else "",
                    "requested_delivery_date": ordered_at.date() + dt.timedelta(days=between(rng, 14, 60)),
                    "erp_number": f"45{self.order_seq:08d}" if erp else "",
                    "erp_synced_at": erp[-1] if erp else None,
                },
                owner_id,
                ordered_at,
                last_at,
            ),
        )
        for row, quote_line in zip(lines, quote_lines, strict=True):
            sink.add(
                SalesOrderLine,
                _stamp(
                    {
                        "order_id": order_id,
                        "position": row["position"],
                        "quote_line_id": quote_line,
                        "product_id": row["product"].id,
                        "description": row["product"].name,
                        "quantity": row["quantity"],
                        "unit_price": _won(row["net_unit"]),
                        "discount_percent": Decimal(row["discount"]),
                        "line_total": _won(row["amount"]),
                    },
                    owner_id,
                    ordered_at,
                ),
            )
        for status_, at in path:
            by_user = status_ == "submitted"
            sink.add(
                SalesOrderStatusChange,
                {
                    "order_id": order_id,
                    "status": status_,
                    "at": at,
                    "source": "user" if by_user else "erp",
                    "changed_by_id": owner_id if by_user else None,
                    "note": "" if by_user else "ERP 동기화",
                },
            )
        # What the order earns its owner commission on: its net split over the product lines of its lines
        # (the header discount shared in proportion, the remainder on the largest), summing to the net exactly.
        per_line: dict[str, int] = defaultdict(int)
        for row in lines:
            per_line[row["product"].line] += row["amount"]
        subtotal = sum(per_line.values())
        bases = {code: value * totals.net // subtotal if subtotal else 0 for code, value in per_line.items()}
        if bases:
            largest = max(bases, key=lambda code: (per_line[code], code))
            bases[largest] += totals.net - sum(bases.values())
        self.orders.append(
            OrderFacts(order_id, owner_id, ordered_at, status == "cancelled", totals.net, tuple(sorted(bases.items())))
        )


# Product lines whose deals convert differently from the stage defaults (chillers and VRF take longer to close).
STAGE_PROBABILITIES = {"SAC": {"proposal": 40, "negotiation": 70}, "CRF": {"proposal": 55, "negotiation": 80}}
# Discount approval thresholds: (level, from %, product line or "" for the default).
THRESHOLDS = (("manager", 10, ""), ("director", 20, ""), ("manager", 12, "CRF"), ("director", 25, "CRF"))


def seed_pipeline_settings(*, org: Organisation) -> None:
    """Per-product-line stage probabilities and the discount approval thresholds (manager from 10 %, director
    from 20 %; commercial refrigeration from 12 % and 25 %), with their history rows."""
    lines = dict(ProductLine.objects.values_list("code", "pk"))
    stages = dict(Stage.objects.values_list("code", "pk"))
    stamp = {"created_by_id": org.admin.pk, "updated_by_id": org.admin.pk}
    bulk_create_with_history(
        [
            StageProbability(stage_id=stages[stage], product_line_id=lines[line], probability=value, **stamp)
            for line, values in STAGE_PROBABILITIES.items()
            if line in lines
            for stage, value in values.items()
        ],
        StageProbability,
        default_user=org.admin,
    )
    bulk_create_with_history(
        [
            DiscountApprovalThreshold(
                level=level, from_discount_percent=Decimal(percent), product_line_id=lines.get(line), **stamp
            )
            for level, percent, line in THRESHOLDS
            if not line or line in lines
        ],
        DiscountApprovalThreshold,
        default_user=org.admin,
    )


def quantity_of(rng: random.Random, product: ProductFacts, household: bool, size: str) -> int:
    return gen.quantity_for(rng, unit=product.unit, price=product.price, household=household, size=size)


def book_from_database() -> CustomerBook:
    """The accounts of an already loaded data set, as `seed_customers` would have returned them: lets the
    benchmark (or a test) add opportunities to a database seeded earlier. Two queries."""
    contacts = {
        row["account_id"]: (row["first"], row["count"])
        for row in Contact.objects.order_by()
        .values("account_id")
        .annotate(first=models.Min("pk"), count=models.Count("pk"))
    }
    book = CustomerBook()
    for pk, owner, partner, form, kind, industry, created, name, territory, size in Account.objects.order_by(
        "pk"
    ).values_list(
        "pk", "owner_id", "partner_id", "form", "kind", "industry", "created_at", "name", "territory_id", "size"
    ):
        first, count = contacts.get(pk, (0, 0))
        book.accounts.append(
            AccountFacts(pk, owner, partner, form, kind, industry, created.date(), first, count, name, territory, size)
        )
        if kind == "partner":
            book.partner_ids.append(pk)
    return book


def organisation_from_database() -> Organisation:
    """The headquarters of a loaded demo as `seed_headquarters` returned it, as far as the sales seeding needs
    it: the fixed logins, the reps of the tele-sales and 특판 teams, and which reps cover which territory."""
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    director = User.objects.get(email=f"manager@{DEMO_DOMAIN}")
    org = Organisation(admin=admin, director=director, territories=list(Territory.objects.all()), password_hash="")  # nosec B106  # not a password: the loaded users keep theirs
    members: dict[str, list[int]] = defaultdict(list)
    for name, user in Team.members.through.objects.order_by("user_id").values_list("team__name", "user_id"):
        members[name].append(user)
    org.tele_rep_ids = members.get("텔레세일즈팀", [])
    org.key_account_rep_ids = members.get("특판팀", [])
    reps = User.objects.filter(role=Role.SALES_REP, organization__isnull=True)
    covering: dict[int, list[int]] = defaultdict(list)
    for user, territory in (
        User.territories.through.objects.filter(user__in=reps)
        .order_by("user_id")
        .values_list("user_id", "territory_id")
    ):
        covering[territory].append(user)
    org.reps_by_territory = dict(covering)
    org.channel_manager_ids = list(
        User.objects.filter(role=Role.CHANNEL_MANAGER).order_by("pk").values_list("pk", flat=True)
    )
    return org


def deal_accounts(book: CustomerBook) -> tuple[list[AccountFacts], list[float]]:
    """The accounts deals are made with (customers and prospects; not partners or competitors), and the
    cumulative weights that make customers buy more often than prospects and companies more than households."""
    accounts, weights = [], []
    for account in book.accounts:
        if account.kind in ("partner", "competitor"):
            continue
        accounts.append(account)
        weights.append(
            HOUSEHOLD_WEIGHT if account.form == "household" else ACCOUNT_WEIGHT.get((account.kind, account.form), 1.0)
        )
    return accounts, cumulative(weights)


def seed_opportunities(
    *,
    org: Organisation,
    book: CustomerBook,
    rng: random.Random,
    scale: Scale,
    today: dt.date,
    progress: Progress,
    count: int | None = None,
    owner_ids: Sequence[int] | None = None,
    documents: bool = True,
    sink: Sink | None = None,
) -> SalesBook:
    """`count` (default `scale.opportunities`) opportunities opened over the 24 months before `today`, written
    set-based, with everything that makes them consistent:

    - lines priced from the catalog's price lists (the list valid on the day the deal opened; the partner's
      own or tier list for partner-led deals; volume tiers; options that keep the catalog's rules), amount =
      Σ line amounts; competitors (competitor accounts of the customer seed) on half the company deals;
    - stage history: one row per stay, the current stage's row open (`left_at` empty) and equal to
      `stage_entered_at`; earlier rows with `seconds_in_stage`; closed deals (about a third won) have
      `closed_at`, a win/loss reason and note, and their won/lost row as the open one; open deals have a
      future close date and next step, except the ~6 % stale ones left past their close date;
    - with `documents` (default): quotes for most deals that reached the proposal stage (all won ones),
      revisions, discount approvals above the thresholds, and for won deals the accepted quote's sales
      order with its ERP status history. The benchmark may pass `documents=False` for deals only.

    Owners are the accounts' owners (the seeded reps); with `owner_ids` (e.g. a manager's 50-person subtree for
    bench scenario 5) every deal whose account owner is not among them goes to one of them instead. Accounts
    come from `book` (as `seed_customers` returns it; competitor and partner accounts are not sold to).

    Deterministic for a given `rng` seed and `today`. Rows are buffered per table and written with COPY
    (PostgreSQL) or executemany (SQLite) in chunks of `Sink.CHUNK` rows: no query per deal. Progress is
    reported on the "opportunities" stage, which the caller announces with `progress.stage`."""
    total = scale.opportunities if count is None else count
    own_sink = sink is None
    sink = sink or Sink(history=scale.history)
    catalog = CatalogFacts.load()
    allowed = set(owner_ids or ())
    owners = sorted(allowed)
    competitors = [account.id for account in book.accounts if account.kind == "competitor"]
    writer = _DealWriter(
        sink=sink,
        rng=rng,
        catalog=catalog,
        stages=_Stages.load(),
        people=_People.load(),
        org=org,
        today=today,
        partner_tiers=dict(Account.objects.filter(kind="partner").values_list("pk", "tier")),
        competitors=competitors,
        documents=documents,
    )
    accounts, cum = deal_accounts(book)
    sales = SalesBook()
    progress.begin("opportunities")
    for number in range(total):
        account = accounts[weighted(rng, range(len(accounts)), cum)]
        owner = account.owner_id
        if allowed and owner not in allowed:
            owner = pick(rng, owners)
        sales.deals.append(writer.deal(account, owner))
        if (number + 1) % TICK == 0:
            progress.advance("opportunities", TICK)
    if own_sink:
        sink.flush()
    progress.advance("opportunities", total % TICK)
    sales.orders = writer.orders
    sales.counts = dict(sink.counts)
    return sales
