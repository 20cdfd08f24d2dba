"""Scenario 2: the contacts list page (HTML) of a sales rep, filtered (decision makers) and sorted (latest
change first), at page 1 and at random depths reached by keyset cursors; beside a hand-written view that runs
the same first-page SQL with one join, and the same SQL at the same depths by keyset and, for contrast, OFFSET."""

import random
from urllib.parse import urlencode

from .. import config, database, inprocess
from ..harness import at_least, at_most, info

ID = "2"
TITLE = "Contacts list page (HTML, sales rep, filtered and sorted): page 1 and deep pages"
TARGET = "≥ 0.3x the floor at page 1 and at depth; p95 ≤ 100 ms at 32 connections"
FLOOR = (
    "a hand-written view (bench/floor_views.py `contact_page`) running the same page SQL with one join, "
    "served by the same gunicorn (seen ~976 req/s page 1, ~812 req/s keyset at depth; OFFSET ~23 req/s)"
)
LIMIT_SECONDS = 420
NEEDS_DATA = True

REP = f"rep@{config.DEMO_DOMAIN}"
FILTERS = {"key_person_role": "decision_maker"}
SORT = "-updated"
DEPTHS = 40


def _plan(ctx):
    """The rep's scope, the real page-1 SQL, and cursors at random depths of the filtered, sorted set."""
    database.django_setup()
    from forgecrm.customers import queries
    from forgecrm.customers.views import ContactListView
    from forgecrm.platform.access import principal_for
    from forgecrm.platform.models import User
    from forgecrm.platform.ui.lists import encode_cursor

    rep = User.objects.get(email=REP)
    principal = principal_for(rep)
    queryset = queries.contact_list_for(rep, dict(FILTERS)).order_by("-updated_at", "-pk")
    total = queryset.count()
    rng = random.Random(f"bench-2-{total}")
    depths = sorted(rng.randint(total // 2, max(total // 2, total - 60)) for _ in range(DEPTHS))
    positions = []
    for depth in depths:
        row = queryset.values_list("updated_at", "pk")[depth]
        positions.append((depth, row))
    assert ContactListView.sorts["updated"] == "updated_at"
    cursors = [(depth, encode_cursor([str(value), pk]), value, pk) for depth, (value, pk) in positions]
    return principal, total, cursors


def run(ctx) -> None:
    ctx.step("planning: the rep's scope and cursors at depth")
    principal, total, cursors = _plan(ctx)
    users = ",".join(map(str, sorted(principal.visible_user_ids)))
    territories = ",".join(map(str, sorted(principal.territory_ids))) or "0"
    ctx.note(
        f"{REP} sees {len(principal.visible_user_ids)} users' records and {len(principal.territory_ids)} territories;"
        f" {total:,} active decision makers in scope; deep pages start at rows {cursors[0][0]:,}–{cursors[-1][0]:,}"
    )
    page1 = "/contacts/?" + urlencode({**FILTERS, "sort": SORT})
    deep = ["/contacts/?" + urlencode({**FILTERS, "sort": SORT, "cursor": cursor}) for _, cursor, _, _ in cursors]
    floor_base = {"users": users, "territories": territories, "role": FILTERS["key_person_role"]}
    floor1 = "/_floor/contacts/?" + urlencode(floor_base)
    floor_deep = [
        "/_floor/contacts/?" + urlencode({**floor_base, "after": f"{value.isoformat()},{pk}"})
        for _, _, value, pk in cursors
    ]
    floor_offset = ["/_floor/contacts/?" + urlencode({**floor_base, "offset": depth}) for depth, _, _, _ in cursors]

    ctx.step("capturing the queries of page 1 and of a deep page")
    first = inprocess.capture(REP, page1)
    ctx.write_file(config.EXPLAIN_DIR, "2-page1-queries.txt", inprocess.queries_text(first))
    ctx.explain("page1", inprocess.slowest_query(first), header="-- the slowest query of page 1")
    deep_page = inprocess.capture(REP, deep[len(deep) // 2])
    ctx.write_file(config.EXPLAIN_DIR, "2-deep-queries.txt", inprocess.queries_text(deep_page))
    ctx.explain("deep", inprocess.slowest_query(deep_page), header="-- the slowest query of a deep page")
    ctx.note(f"page 1 runs {len(first.queries)} SQL statements, a deep page {len(deep_page.queries)}")
    database.close_django()

    with ctx.server() as base:
        cookies = ctx.login(base, REP)
        headers = ctx.cookie_header(cookies)
        ctx.expect_ok(base, page1, headers, marker="<table")
        ctx.expect_ok(base, deep[0], headers, marker="<table")
        ctx.expect_ok(base, floor1, {}, marker="<tr>")

        def get(paths, with_cookie=True):
            return [("GET", path, headers if with_cookie else {}, "") for path in paths]

        ours1 = ctx.wrk("ours page 1", base, get([page1]))
        floor1_run = ctx.wrk("floor page 1", base, get([floor1], False))
        ours_deep = ctx.wrk("ours deep pages", base, get(deep))
        floor_deep_run = ctx.wrk("floor deep pages (keyset)", base, get(floor_deep, False))
        offset_run = ctx.wrk("floor deep pages (OFFSET)", base, get(floor_offset, False), seconds=10)

    ctx.result.measures += [
        at_least("page 1", "req/s", ours1.rps, floor1_run.rps, 0.3, p95_ms=ours1.p95_ms, floor_p95_ms=floor1_run.p95_ms),
        at_least("deep pages (keyset)", "req/s", ours_deep.rps, floor_deep_run.rps, 0.3,
                 p95_ms=ours_deep.p95_ms, floor_p95_ms=floor_deep_run.p95_ms, pages=len(deep)),
        at_most("page 1 p95 at 32 connections", "ms", ours1.p95_ms, 100, p50_ms=ours1.p50_ms, p99_ms=ours1.p99_ms),
        at_most("deep pages p95 at 32 connections", "ms", ours_deep.p95_ms, 100,
                p50_ms=ours_deep.p50_ms, p99_ms=ours_deep.p99_ms),
        info("floor at the same depths by OFFSET (why lists never use it)", "req/s", offset_run.rps,
             p95_ms=offset_run.p95_ms),
        at_most("non-2xx responses and socket errors", "", sum(
            r.bad_status + r.socket_errors for r in (ours1, floor1_run, ours_deep, floor_deep_run, offset_run)), 0),
    ]  # fmt: skip
