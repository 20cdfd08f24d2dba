"""Scenario 7: route a burst of 10,000 leads to 500 partners with every rule on, beside an update-plus-log
transaction rate measured with pgbench.

The data set is the scenario's own (`forge_bench_routing`, re-created each run, like scenario 5's): 500 partners
(dealers, distributors, agencies over the 17 시/도, tiers platinum to bronze) with profiles, one to three areas,
authorisations for three of five product lines, certifications; four tier rules; six routing rules (product
line, 시/도 and source criteria, minimum tier, coverage and authorisation required, distributors on one rule);
10,000 open leads nobody holds. Ours is `route_leads_in_bulk` (what the routing console's job runs) over all of
them, in batches of 500, each batch its own transaction: leads routed per second, overall and for the slowest
batch ("sustained"). The floor is pgbench running, per transaction, what routing a lead must at least write: one
UPDATE of the lead (its holder and version) and one INSERT of a log row (the offer) — 8 clients, 15 s.
"""

import datetime as dt
import random
import re
import time
from decimal import Decimal

from .. import config, database
from ..harness import at_least, info

ID = "7"
TITLE = "Route a burst of 10,000 leads to 500 partners, all rules on"
TARGET = "≥ 0.2x the floor, sustained"
FLOOR = "update-plus-log transactions per second with pgbench (seen ~4.5k/s)"
LIMIT_SECONDS = 1200
NEEDS_DATA = False
DB = "forge_bench_routing"
PARTNERS = 500
LEADS = 10_000
BATCH = 500
SIDO = (
    "서울특별시",
    "부산광역시",
    "대구광역시",
    "인천광역시",
    "광주광역시",
    "대전광역시",
    "울산광역시",
    "세종특별자치시",
    "경기도",
    "강원특별자치도",
    "충청북도",
    "충청남도",
    "전북특별자치도",
    "전라남도",
    "경상북도",
    "경상남도",
    "제주특별자치도",
)
SIGUNGU = ("중구", "동구", "서구", "남구", "북구")
LINES = (("RAC", "룸에어컨"), ("SAC", "시스템 에어컨"), ("CHL", "칠러"), ("AHU", "공조기"), ("PUR", "공기청정기"))
PGBENCH_SCRIPT = """\\set lead random(:first, :last)
\\set partner random(:pfirst, :plast)
BEGIN;
UPDATE sales_lead SET partner_id = :partner, version = version + 1, updated_at = now() WHERE id = :lead;
INSERT INTO platform_outboxevent (event_type, payload, created_at, attempts, last_error)
VALUES ('BenchLeadOffered', '{}', now(), 0, '');
COMMIT;
"""


def seed_routing_bench(*, partners: int = PARTNERS, leads: int = LEADS, seed: int = 7) -> dict:
    """Write the data set into the current (migrated) database; returns counts and the channel manager's id."""
    from django.db import transaction
    from django.utils import timezone

    from forgecrm.catalog.models import ProductLine
    from forgecrm.customers.models import Account, AccountKind
    from forgecrm.partners.models import (
        LeadRoutingRule,
        PartnerAuthorization,
        PartnerCertification,
        PartnerCoverage,
        PartnerProfile,
        TierRule,
    )
    from forgecrm.platform.models import Role, User
    from forgecrm.sales.models import Lead

    rng = random.Random(seed)  # nosec B311  # reproducible bench data, not security
    today = timezone.localdate()
    with transaction.atomic():
        manager = User.objects.create_user(
            email=f"bench.channel@{config.DEMO_DOMAIN}",
            password=config.DEMO_PASSWORD,
            full_name="채널 매니저",
            role=Role.CHANNEL_MANAGER,
        )
        lines = [ProductLine.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in LINES]
        for rank, (tier, priority) in enumerate((("platinum", 10), ("gold", 20), ("silver", 30), ("bronze", 40)), 1):
            TierRule.objects.update_or_create(tier=tier, defaults={"rank": rank, "lead_priority": priority})
        tiers = ("platinum",) * 1 + ("gold",) * 3 + ("silver",) * 4 + ("bronze",) * 2
        kinds = ("dealer",) * 7 + ("distributor",) * 1 + ("agency",) * 2
        accounts = Account.objects.bulk_create(
            [
                Account(
                    name=f"벤치파트너{number:04d}",
                    kind=AccountKind.PARTNER,
                    owner=manager,
                    partner_type=rng.choice(kinds),
                    tier=rng.choice(tiers),
                    sido=SIDO[number % len(SIDO)],
                )
                for number in range(partners)
            ]
        )
        PartnerProfile.objects.bulk_create(
            [
                PartnerProfile(
                    account=account,
                    channel_manager=manager,
                    lead_capacity=rng.randint(20, 45),
                    response_hours=rng.choice((24, 48, 72)),
                    performance_score=Decimal(rng.randint(20, 95)),
                )
                for account in accounts
            ]
        )
        areas, authorisations, certificates = [], [], []
        for index, account in enumerate(accounts):
            home = SIDO[index % len(SIDO)]
            chosen = {(home, "")} if rng.random() < 0.5 else {(home, rng.choice(SIGUNGU))}
            while len(chosen) < rng.randint(1, 3):
                chosen.add((rng.choice(SIDO), rng.choice(("", *SIGUNGU))))
            areas += [PartnerCoverage(partner=account, sido=sido, sigungu=sigungu) for sido, sigungu in chosen]
            authorisations += [
                PartnerAuthorization(partner=account, product_line=line, valid_from=dt.date(2020, 1, 1))
                for line in rng.sample(lines, 3)
            ]
            certificates.append(
                PartnerCertification(
                    partner=account,
                    name="설치 기사",
                    issued_on=today - dt.timedelta(days=200),
                    expires_on=today + dt.timedelta(days=rng.randint(-30, 400)),
                )
            )
        PartnerCoverage.objects.bulk_create(areas)
        PartnerAuthorization.objects.bulk_create(authorisations)
        PartnerCertification.objects.bulk_create(certificates)
        rules = [
            LeadRoutingRule(
                name="칠러는 골드 이상", priority=10, product_line=lines[2], min_tier="gold", response_hours=24
            ),
            LeadRoutingRule(name="서울 플래티넘 우선", priority=20, sido="서울특별시", min_tier="silver", max_offers=2),
            LeadRoutingRule(name="경기 총판 경유", priority=30, sido="경기도", offer_to_distributors=True),
            LeadRoutingRule(name="웹 문의", priority=40, lead_source="web_form", response_hours=12),
            LeadRoutingRule(name="제주 전체", priority=50, sido="제주특별자치도", require_authorization=False),
            LeadRoutingRule(name="기본", priority=100),
        ]
        LeadRoutingRule.objects.bulk_create(rules)
        sources = ("web_form", "campaign", "phone", "trade_show", "import")
        Lead.objects.bulk_create(
            [
                Lead(
                    person_name=f"벤치리드{number}",
                    company_name=f"벤치고객{number}",
                    sido=rng.choice(SIDO),
                    sigungu=rng.choice(SIGUNGU),
                    product_line=rng.choice(lines),
                    source=rng.choice(sources),
                )
                for number in range(leads)
            ],
            batch_size=2000,
        )
    return {"partners": partners, "leads": leads, "areas": len(areas), "rules": len(rules), "manager": manager.pk}


def route_burst(*, manager_id: int, batch: int = BATCH) -> dict:
    """Route every unheld lead in batches; returns the counts and per-batch seconds."""
    from forgecrm.partners.operations.routing import route_leads_in_bulk
    from forgecrm.platform.models import User
    from forgecrm.sales.models import Lead

    actor = User.objects.get(pk=manager_id)
    ids = list(Lead.objects.filter(partner__isnull=True).order_by("pk").values_list("pk", flat=True))
    seconds: list[float] = []
    started = [time.perf_counter()]

    def tick(_rows: int) -> None:
        now = time.perf_counter()
        seconds.append(now - started[0])
        started[0] = now

    began = time.perf_counter()
    outcome = route_leads_in_bulk(actor=actor, lead_ids=ids, batch_size=batch, progress=tick)
    total = time.perf_counter() - began
    return {"leads": len(ids), "seconds": total, "batches": seconds, **outcome.as_dict()}


def _pgbench(ctx) -> dict:
    with database.connect(DB) as connection:
        first, last = connection.execute("SELECT min(id), max(id) FROM sales_lead").fetchone()
        pfirst, plast = connection.execute("SELECT min(id), max(id) FROM customers_account").fetchone()
    script = config.WORK_DIR / "update_log.pgbench"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(PGBENCH_SCRIPT)
    command = [
        "pgbench",
        "-h",
        config.PG_HOST,
        "-p",
        str(config.PG_PORT),
        "-U",
        config.PG_USER,
        "-n",
        "-c",
        "8",
        "-j",
        "2",
        "-T",
        "15",
        "-f",
        str(script),
        "-D",
        f"first={first}",
        "-D",
        f"last={last}",
        "-D",
        f"pfirst={pfirst}",
        "-D",
        f"plast={plast}",
        DB,
    ]
    _code, out, _err = ctx.run(command, timeout=90)
    tps = re.search(r"tps = ([\d.]+)", out)
    return {"tps": float(tps.group(1)) if tps else 0.0}


def run(ctx) -> None:
    env = config.server_env(DB)
    database.close_django()
    ctx.step(f"dropping and creating {DB}")
    database.drop(DB)
    database.create(DB)
    ctx.step("migrate")
    ctx.run([config.PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    database.django_setup(DB)
    ctx.step(f"writing {PARTNERS} partners and {LEADS:,} leads")
    counts = seed_routing_bench()
    database.close_django()
    with database.connect(DB) as connection:
        connection.execute("VACUUM ANALYZE")
    database.django_setup(DB)
    ctx.step("routing the burst (batches of 500)")
    burst = route_burst(manager_id=counts["manager"])
    database.close_django()
    ctx.step("floor: update-plus-log transactions with pgbench (8 clients, 15 s)")
    floor = _pgbench(ctx)
    rate = burst["leads"] / burst["seconds"] if burst["seconds"] else 0.0
    slowest = max(burst["batches"]) if burst["batches"] else burst["seconds"]
    sustained = BATCH / slowest if slowest else 0.0
    ctx.note(f"routed {burst['routed']:,}, left with headquarters {burst['returned']:,} of {burst['leads']:,}")
    ctx.result.measures += [
        at_least(
            "leads routed per second (whole burst)",
            "leads/s",
            rate,
            floor["tps"],
            0.2,
            seconds=round(burst["seconds"], 2),
            routed=burst["routed"],
            returned=burst["returned"],
        ),
        at_least(
            "leads routed per second (slowest batch of 500)",
            "leads/s",
            sustained,
            floor["tps"],
            0.2,
            slowest_batch_s=round(slowest, 3),
        ),
        info(
            "data set",
            "rows",
            counts["leads"],
            None,
            partners=counts["partners"],
            areas=counts["areas"],
            rules=counts["rules"],
        ),
    ]
