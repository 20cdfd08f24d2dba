"""Scenario 5's data set: 200,000 opportunities (and their open stage stay), with a sales manager whose subtree
is 50 people, written in bulk by the demo's table writer (COPY on PostgreSQL) into the scenario's own database.

The demo generator of the sales area (`forgecrm/demo`, "demo: sales opportunities generator") did not exist when
this scenario was written; this one reuses the demo's pieces (the bulk `TableWriter`, the account generator, the
published demo password) and makes only what the dashboard reads: users in a hierarchy, accounts, product
lines, opportunities over four years (open ones closing from last month to nine months ahead; closed ones won or
lost 10 to 180 days after they were opened), one open StageHistory row each, quarterly quotas and forecasts.

    manager (sales.manager@demo.forgecrm.kr)
      └ 5 team leads (sales managers), each with 9 reps: 50 people below the manager
    director.other (another line) with 30 reps: 40 % of the deals, outside the manager's subtree
"""

import datetime as dt
import math
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money

from . import config

MANAGER = f"sales.manager@{config.DEMO_DOMAIN}"
OTHER_DIRECTOR = f"sales.director.other@{config.DEMO_DOMAIN}"
TEAM_LEADS = 5
REPS_PER_LEAD = 9
OTHER_REPS = 30
OPPORTUNITIES = 200_000
ACCOUNTS = 20_000
SUBTREE_SHARE = 0.6
YEARS = 4
CURRENCIES = (("KRW", 0.95, Decimal(1)), ("USD", 0.04, Decimal(1350)), ("JPY", 0.01, Decimal("9.2")))
OPEN_STAGES = (("prospecting", 0.35), ("qualification", 0.25), ("proposal", 0.25), ("negotiation", 0.15))
LINES = (("RAC", "룸에어컨", "Room air conditioners"), ("SAC", "시스템 에어컨", "System air conditioners"),
         ("CHL", "칠러", "Chillers"), ("AHU", "공조기", "Air handling units"), ("PUR", "공기청정기", "Air purifiers"))  # fmt: skip


def _users(password: str) -> tuple[list, list]:
    """(the manager's subtree including the manager, the other line's reps)."""
    from forgecrm.platform.models import Role, User

    def add(email: str, name: str, role: str, manager=None):
        path = f"{manager.hierarchy_path}{manager.pk}/" if manager else "/"
        return User.objects.create(
            email=email, full_name=name, role=role, manager=manager, hierarchy_path=path, password=password
        )

    manager = add(MANAGER, "한영업 본부장", Role.SALES_MANAGER)
    subtree = [manager]
    for lead_number in range(1, TEAM_LEADS + 1):
        lead = add(f"sales.lead{lead_number}@{config.DEMO_DOMAIN}", f"{lead_number}팀장", Role.SALES_MANAGER, manager)
        subtree.append(lead)
        for rep_number in range(1, REPS_PER_LEAD + 1):
            email = f"sales.rep{lead_number}.{rep_number}@{config.DEMO_DOMAIN}"
            subtree.append(add(email, f"영업{lead_number}-{rep_number}", Role.SALES_REP, lead))
    director = add(OTHER_DIRECTOR, "다른 본부장", Role.SALES_MANAGER)
    others = [
        add(f"sales.other{number}@{config.DEMO_DOMAIN}", f"타부서 영업{number}", Role.SALES_REP, director)
        for number in range(1, OTHER_REPS + 1)
    ]
    return subtree, others


def _amount(rng: random.Random) -> tuple[Decimal, str]:
    krw = Decimal(round(math.exp(rng.gauss(math.log(40_000_000), 1.0)), -4))
    roll, code, rate = rng.random(), "KRW", Decimal(1)
    for code, share, rate in CURRENCIES:  # noqa: B007  (the last one is kept)
        if roll < share:
            break
        roll -= share
    return (krw / rate).quantize(Decimal("0.01")), code


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for value, weight in weighted:
        if roll < weight:
            return value
        roll -= weight
    return weighted[-1][0]


def seed_sales_bench(
    *, seed: int = 5, opportunities: int = OPPORTUNITIES, accounts: int = ACCOUNTS, today: dt.date | None = None
) -> dict:
    """Write the data set into the current (empty, migrated) database; returns counts."""
    from forgecrm.catalog.models import ProductLine
    from forgecrm.customers.models import Account
    from forgecrm.demo.generators.accounts import customer_accounts
    from forgecrm.demo.seeding.bulk import TableWriter
    from forgecrm.sales.models import (
        ForecastStatus,
        ForecastSubmission,
        Opportunity,
        PeriodKind,
        Quota,
        Stage,
        StageHistory,
        period_start_for,
    )

    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        subtree, others = _users(make_password(config.DEMO_PASSWORD))
        lines = [ProductLine.objects.create(code=code, name=name, name_en=en) for code, name, en in LINES]
        stages = {stage.code: stage for stage in Stage.objects.all()}

        writer = TableWriter(Account)
        account_rows = []
        owners = [user.pk for user in subtree[1:]] + [user.pk for user in others]
        for row in customer_accounts(rng, accounts, set()):
            if row.get("kind") in {"partner", "competitor"}:
                continue
            row = {key: value for key, value in row.items() if not key.startswith("_")}
            row.update(id=writer.next_id(), kind="customer", owner_id=rng.choice(owners), created_at=now)
            row["updated_at"] = now
            account_rows.append(row)
        writer.write(account_rows)
        account_ids = [row["id"] for row in account_rows]

        deals, stays = TableWriter(Opportunity), TableWriter(StageHistory)
        first_day = today - dt.timedelta(days=365 * YEARS)
        span = (today - first_day).days
        subtree_reps = [user.pk for user in subtree[1:]]
        other_reps = [user.pk for user in others]
        opp_rows, stay_rows = [], []
        for number in range(opportunities):
            created = first_day + dt.timedelta(days=int(span * math.sqrt(rng.random())))  # more recent deals
            age = (today - created).days
            open_ = rng.random() < (0.85 if age < 90 else 0.55 if age < 270 else 0.04)
            amount, currency = _amount(rng)
            created_at = timezone.make_aware(dt.datetime.combine(created, dt.time(9 + number % 9, number % 60)))
            if open_:
                stage = stages[_pick(rng, OPEN_STAGES)]
                close_date = today + dt.timedelta(days=rng.randint(-30, 270))
                closed_at = None
                entered = created_at + dt.timedelta(days=rng.randint(0, max(age // 2, 0)))
            else:
                stage = stages["won" if rng.random() < 0.4 else "lost"]
                closed_at = min(created_at + dt.timedelta(days=rng.randint(10, 180), hours=rng.randint(0, 8)), now)
                close_date = timezone.localtime(closed_at).date()
                entered = closed_at
            owner = rng.choice(subtree_reps if rng.random() < SUBTREE_SHARE else other_reps)
            probability = 100 if stage.is_won else 0 if stage.is_lost else stage.default_probability
            deal_id = deals.next_id()
            opp_rows.append({
                "id": deal_id, "name": f"냉난방 교체 {number + 1}", "account_id": rng.choice(account_ids),
                "owner_id": owner, "stage_id": stage.pk, "probability": probability, "amount": amount,
                "amount_currency": currency, "forecast_category": stage.default_forecast_category,
                "close_date": close_date, "closed_at": closed_at, "stage_entered_at": entered,
                "product_line_id": rng.choice(lines).pk if rng.random() < 0.9 else None,
                "created_at": created_at, "updated_at": closed_at or entered, "version": 1, "source": "bench",
            })  # fmt: skip
            stay_rows.append({
                "id": stays.next_id(), "opportunity_id": deal_id, "stage_id": stage.pk, "entered_at": entered,
                "amount": amount, "amount_currency": currency, "probability": probability,
            })  # fmt: skip
        deals.write(opp_rows)
        stays.write(stay_rows)

        quarter = period_start_for(PeriodKind.QUARTER, today)
        quotas, forecasts = [], []
        for user in subtree[1:] + others:
            for back in range(4):
                start = quarter
                for _ in range(back):
                    start = period_start_for(PeriodKind.QUARTER, start - dt.timedelta(days=1))
                quotas.append(Quota(user=user, period_kind=PeriodKind.QUARTER, period_start=start,
                                    amount=Money(rng.randint(8, 20) * 100_000_000, "KRW")))  # fmt: skip
            if rng.random() < 0.8:
                forecasts.append(ForecastSubmission(
                    owner=user, period_kind=PeriodKind.QUARTER, period_start=quarter, status=ForecastStatus.SUBMITTED,
                    submitted_at=now, commit=Money(rng.randint(5, 15) * 100_000_000, "KRW"),
                    best_case=Money(rng.randint(10, 25) * 100_000_000, "KRW"),
                ))  # fmt: skip
        Quota.objects.bulk_create(quotas)
        ForecastSubmission.objects.bulk_create(forecasts)
    return {
        "users": len(subtree) + len(others) + 1,
        "subtree (below the manager)": len(subtree) - 1,
        "accounts": len(account_rows),
        "opportunities": len(opp_rows),
        "in the subtree": sum(1 for row in opp_rows if row["owner_id"] in set(subtree_reps)),
        "quotas": len(quotas),
    }
