"""Scenario 8: 50 concurrent users for 2 minutes with locust (bench/locustfile.py): sales reps, sales managers
and partner users, each logged in, going through dashboards, lists, 360° pages, type-ahead and the API with
1-4 s between clicks; a Celery worker runs beside the web processes as in production."""

import csv
import json

from .. import config, database
from ..harness import at_most, info

ID = "8"
TITLE = "50 concurrent users for 2 minutes (locust): reps, managers, partner users; pages and API"
TARGET = "0 errors; p95 per page reported"
FLOOR = ""
LIMIT_SECONDS = 360
NEEDS_DATA = True

USERS = 50
DURATION = "2m"


def _plan() -> dict:
    """Logins by kind, and for each: accounts, contacts and search terms inside that user's own scope."""
    database.django_setup(config.DB_NAME)
    from django.db.models import F
    from django.db.models.functions import Mod

    from forgecrm.customers.models import Account, Contact
    from forgecrm.platform.access import scope_for
    from forgecrm.platform.models import Role, User

    shuffle = Mod(F("pk") * 7919, 10007)
    kinds = {
        "rep": User.objects.filter(role=Role.SALES_REP, is_active=True),
        "manager": User.objects.filter(role=Role.SALES_MANAGER, is_active=True),
        "partner": User.objects.filter(role__in=[Role.PARTNER_ADMIN, Role.PARTNER_REP], is_active=True),
    }
    users: dict[str, list[dict]] = {}
    for kind, queryset in kinds.items():
        people = []
        for user in queryset.filter(email__endswith=f"@{config.DEMO_DOMAIN}").order_by("pk")[:20]:
            accounts = list(
                scope_for(user, Account).annotate(h=shuffle).order_by("h", "pk").values_list("pk", flat=True)[:20]
            )
            contacts = list(
                scope_for(user, Contact)
                .annotate(h=shuffle)
                .order_by("h", "pk")
                .values_list("pk", "full_name", "mobile")[:20]
            )
            if not accounts or not contacts:
                continue
            terms = [name[1:] for _pk, name, _m in contacts[:5]] + [m[-4:] for _pk, _n, m in contacts[5:8] if m]
            people.append(
                {"email": user.email, "accounts": accounts, "contacts": [c[0] for c in contacts], "terms": terms}
            )
        users[kind] = people
    database.close_django()
    return {"password": config.DEMO_PASSWORD, "users": users}


def _worker(ctx):
    command = [
        str(config.VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING", "--pool=prefork",
        "--concurrency=1", "-n", f"bench-mixed@{config.HOST}", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    log = (config.WORK_DIR / "celery-mixed.log").open("w")
    return ctx.popen(command, env=config.server_env(), stdout=log, stderr=log)


def run(ctx) -> None:
    from ..harness import MemoryWatch

    ctx.step("planning the users and what each may open")
    plan = _plan()
    plan_path = config.WORK_DIR / "locust-plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    ctx.note("logins: " + ", ".join(f"{len(people)} {kind}s" for kind, people in plan["users"].items())
             + f"; {USERS} users (30 rep : 8 manager : 12 partner weights), 1-4 s between clicks")  # fmt: skip
    worker = _worker(ctx)
    watch = MemoryWatch("worker (celery, prefork 1)", worker.pid).start()
    prefix = config.WORK_DIR / "locust"
    try:
        with ctx.server() as base:
            ctx.step(f"locust: {USERS} users for {DURATION}")
            env = {**config.server_env(), "BENCH_LOCUST_PLAN": str(plan_path)}
            ctx.run(
                [str(config.VENV_BIN / "locust"), "-f", str(config.BENCH_DIR / "locustfile.py"), "--headless",
                 "-u", str(USERS), "-r", "10", "-t", DURATION, "--host", base, "--csv", str(prefix),
                 "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                env=env, timeout=300, check=False,
            )  # fmt: skip
    finally:
        ctx.result.memory.setdefault("worker", []).append(watch.stop())
        ctx.stop(worker)

    with open(f"{prefix}_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    failures_path = f"{prefix}_failures.csv"
    with open(failures_path) as handle:
        failures = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    ctx.result.measures.append(
        at_most(
            "errors (any status outside 2xx, redirects, socket errors)",
            "",
            errors,
            0,
            requests=int(total["Request Count"]),
            rps=round(float(total["Requests/s"]), 1),
            p95_ms=float(total["95%"]),
        )
    )
    for row in sorted(rows, key=lambda r: -float(r["95%"] or 0)):
        if row["Name"] == "Aggregated":
            continue
        ctx.result.measures.append(
            info(
                f"p95 {row['Name']}",
                "ms",
                float(row["95%"]),
                requests=int(row["Request Count"]),
                median_ms=float(row["50%"]),
                p99_ms=float(row["99%"]),
                failures=int(row["Failure Count"]),
            )
        )
    for failure in failures[:10]:
        ctx.note(f"failure: {failure['Method']} {failure['Name']}: {failure['Error'][:200]} ×{failure['Occurrences']}")
