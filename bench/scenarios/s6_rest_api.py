"""Scenario 6: the REST API on /api/v1/contacts/ under wrk, 40 sales reps with their own tokens: GET detail,
GET a list of 50, POST create; beside a minimal primary-key read view, a single-row insert transaction
(pgbench, the same table) and, for information, a minimal list view and a minimal insert view."""

import json
import re

from .. import config, database
from ..harness import at_least, at_most, info

ID = "6"
TITLE = "REST API /api/v1/contacts/: GET detail, GET list of 50, POST create (token auth, 40 sales reps)"
TARGET = "GET detail ≥ 0.5x, list ≥ 0.3x the primary-key floor; create ≥ 0.1x the insert floor"
FLOOR = (
    "a minimal Django view reading the same contacts by primary key as JSON (seen ~1,729 req/s) and a single-row "
    "insert transaction into customers_contact with pgbench, 32 clients (seen ~8.4k/s)"
)
LIMIT_SECONDS = 420
NEEDS_DATA = True

USERS = 40
PER_USER = 5
PGBENCH_SCRIPT = """\\set n random(1, 1000000000)
BEGIN;
INSERT INTO customers_contact (created_at, updated_at, created_by_id, updated_by_id, version, account_id, full_name,
  name_key, title, department, email, phone, mobile, key_person_role, preferred_channel, owner_id, notes, source,
  external_id, is_active)
VALUES (now(), now(), :owner, :owner, 1, :account, '벤치 ' || :n, '벤치' || :n, '', '', 'bench' || :n || '@bench.example',
  '', '', '', '', :owner, '', 'bench-pgbench', '', true);
COMMIT;
"""


def _setup():
    """Tokens for 40 sales reps, and per rep: contacts and an account in their scope."""
    database.django_setup(config.DB_NAME)
    from knox.models import AuthToken

    from forgecrm.customers.models import Account, Contact
    from forgecrm.platform.access import scope_for
    from forgecrm.platform.models import Role, User

    reps = list(User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("pk")[:USERS])
    people = []
    for rep in reps:
        _instance, token = AuthToken.objects.create(rep)
        contacts = list(scope_for(rep, Contact).order_by("pk").values_list("pk", flat=True)[::997][:PER_USER])
        if len(contacts) < PER_USER:
            contacts = list(scope_for(rep, Contact).order_by("pk").values_list("pk", flat=True)[:PER_USER])
        account = scope_for(rep, Account).filter(kind__in=["customer", "prospect"]).order_by("pk").first()
        people.append({"user": rep.pk, "token": token, "contacts": contacts, "account": account.pk})
    top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first()
    return people, top


def _cleanup(top: int, users: list[int]) -> None:
    """Remove the contacts the run created (API, floor view, pgbench), their history, search documents, events
    and personal-data access log rows, and the tokens."""
    with database.connect() as connection:
        connection.execute("DELETE FROM platform_searchdocument WHERE entity = 'contact' AND object_id > %s", [top])
        connection.execute("DELETE FROM customers_historicalcontact WHERE id > %s", [top])
        connection.execute("DELETE FROM customers_contact WHERE id > %s", [top])
        connection.execute("DELETE FROM platform_outboxevent WHERE event_type = 'ContactCreated' AND "
                           "(payload->>'contact_id')::bigint > %s", [top])  # fmt: skip
        connection.execute("DELETE FROM knox_authtoken WHERE user_id = ANY(%s)", [users])


def _pgbench(ctx, people: list[dict]) -> dict:
    script = config.WORK_DIR / "insert.pgbench"
    script.write_text(PGBENCH_SCRIPT)
    person = people[0]
    command = [
        "pgbench", "-h", config.PG_HOST, "-p", str(config.PG_PORT), "-U", config.PG_USER, "-n", "-c", "32",
        "-j", "2", "-T", "15", "-f", str(script), "-D", f"owner={person['user']}", "-D",
        f"account={person['account']}", config.DB_NAME,
    ]  # fmt: skip
    _code, out, _err = ctx.run(command, timeout=90)
    tps = re.search(r"tps = ([\d.]+)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": float(tps.group(1)) if tps else 0.0, "latency_ms": float(latency.group(1)) if latency else None}


def run(ctx) -> None:
    ctx.step("tokens and records for 40 sales reps")
    people, top = _setup()
    users = [person["user"] for person in people]
    database.close_django()
    try:
        _measure(ctx, people)
    finally:
        ctx.step("removing the rows the run created")
        _cleanup(top, users)


def _measure(ctx, people: list[dict]) -> None:
    def auth(person):
        return {"Authorization": f"Token {person['token']}", "Accept": "application/json"}

    detail = [("GET", f"/api/v1/contacts/{pk}/", auth(p), "") for p in people for pk in p["contacts"]]
    listing = [("GET", "/api/v1/contacts/?page_size=50", auth(p), "") for p in people]
    creates = []
    for number, person in enumerate(people):
        for k in range(5):
            body = {"account": person["account"], "full_name": f"벤치 고객{number}-{k}", "email": f"b{number}x{k}@bench.example",
                    "mobile": f"010-5{number:03d}-{k:04d}", "title": "과장"}  # fmt: skip
            headers = {**auth(person), "Content-Type": "application/json"}
            creates.append(("POST", "/api/v1/contacts/", headers, json.dumps(body, ensure_ascii=False)))
    floor_detail = [("GET", f"/_floor/api/contacts/{pk}/", {}, "") for p in people for pk in p["contacts"]]
    floor_list = []
    database.django_setup(config.DB_NAME)
    from forgecrm.platform.access import principal_for
    from forgecrm.platform.models import User

    for person in people:
        principal = principal_for(User.objects.get(pk=person["user"]))
        users = ",".join(map(str, principal.visible_user_ids))
        territories = ",".join(map(str, principal.territory_ids)) or "0"
        floor_list.append(("GET", f"/_floor/api/contacts/?users={users}&territories={territories}", {}, ""))
    database.close_django()
    floor_insert = [
        ("POST", "/_floor/api/contacts/new/", {"Content-Type": "application/json"},
         json.dumps({"owner": p["user"], "account": p["account"], "full_name": f"벤치 {n}", "email": f"f{n}@bench.example"},
                    ensure_ascii=False))
        for n, p in enumerate(people)
    ]  # fmt: skip

    with ctx.server() as base:
        ctx.expect_ok(base, detail[0][1], detail[0][2], marker='"full_name"')
        ctx.expect_ok(base, listing[0][1], listing[0][2], marker='"results"')
        ctx.expect_ok(base, floor_detail[0][1], {}, marker='"full_name"')
        ours_detail = ctx.wrk("ours GET detail", base, detail)
        floor_pk = ctx.wrk("floor primary-key view", base, floor_detail)
        ours_list = ctx.wrk("ours GET list of 50", base, listing)
        floor_list_run = ctx.wrk("floor list view (information)", base, floor_list)
        ours_create = ctx.wrk("ours POST create", base, creates, seconds=10)
        floor_view_insert = ctx.wrk("floor insert view (information)", base, floor_insert, seconds=10)
    ctx.step("floor: single-row insert transactions with pgbench (32 clients, 15 s)")
    insert = _pgbench(ctx, people)

    runs = (ours_detail, floor_pk, ours_list, floor_list_run, ours_create, floor_view_insert)
    ctx.result.measures += [
        at_least("GET detail", "req/s", ours_detail.rps, floor_pk.rps, 0.5, p95_ms=ours_detail.p95_ms,
                 floor_p95_ms=floor_pk.p95_ms),
        at_least("GET list of 50", "req/s", ours_list.rps, floor_pk.rps, 0.3, p95_ms=ours_list.p95_ms),
        info("GET list of 50 beside a minimal list view", "req/s", ours_list.rps, floor_list_run.rps,
             floor_p95_ms=floor_list_run.p95_ms),
        at_least("POST create", "req/s", ours_create.rps, insert["tps"], 0.1, p95_ms=ours_create.p95_ms,
                 pgbench_latency_ms=insert["latency_ms"]),
        info("POST create beside a minimal insert view", "req/s", ours_create.rps, floor_view_insert.rps,
             floor_p95_ms=floor_view_insert.p95_ms),
        at_most("non-2xx responses and socket errors", "", sum(r.bad_status + r.socket_errors for r in runs), 0),
    ]  # fmt: skip
