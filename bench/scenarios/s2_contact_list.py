"""Scenario 2: the contacts list page (HTML) of a sales rep, filtered (decision makers) and sorted (latest change
first, and by name, the default), at page 1 and at random depths reached by keyset cursors; beside a hand-written
view that runs the same page SQL with one join (bench/floor_views.py `contact_page`), the keyset position written
as a row comparison, and, for contrast, the same depths by OFFSET."""

import random
from urllib.parse import urlencode

from .. import config, database, inprocess
from ..harness import at_least, at_most, info

ID = "2"
TITLE = "Contacts list page (HTML, sales rep, filtered and sorted): page 1 and deep pages"
TARGET = "≥ 0.3x the floor at page 1 and at depth; p95 ≤ 100 ms at 32 connections"
FLOOR = (
    "a hand-written view (bench/floor_views.py `contact_page`) running the same page SQL with one join, the "
    "keyset position as a row comparison, served by the same gunicorn (seen ~976 req/s page 1, ~812 req/s keyset "
    "at depth; OFFSET ~23 req/s)"
)
LIMIT_SECONDS = 600
NEEDS_DATA = True

REP = f"rep@{config.DEMO_DOMAIN}"
FILTERS = {"key_person_role": "decision_maker"}
# sort key of the page -> (model field, label)
SORTS = {"-updated": ("updated_at", "latest change first"), "name": ("full_name", "by name")}
DEPTHS = 40


def _plan(sort: str, filters: dict | None = None):
    """The rep's scope and cursors at random depths (second half) of the filtered set in `sort` order (scenario 9
    passes no filter: the rep's whole list)."""
    database.django_setup(config.DB_NAME)
    from forgecrm.customers import queries
    from forgecrm.customers.views import ContactListView
    from forgecrm.platform.access import principal_for
    from forgecrm.platform.models import User
    from forgecrm.platform.ui.lists import encode_cursor

    field = SORTS[sort][0]
    assert ContactListView.sorts[sort.lstrip("-")] == field
    rep = User.objects.get(email=REP)
    principal = principal_for(rep)
    descending = sort.startswith("-")
    queryset = queries.contact_list_for(rep, dict(FILTERS if filters is None else filters)).order_by(
        f"-{field}" if descending else field, "-pk" if descending else "pk"
    )
    total = queryset.count()
    rng = random.Random(f"bench-2-{sort}-{total}")
    depths = sorted(rng.randint(total // 2, max(total // 2, total - 60)) for _ in range(DEPTHS))
    cursors = []
    for depth in depths:
        value, pk = queryset.values_list(field, "pk")[depth]
        floor_value = value.isoformat() if hasattr(value, "isoformat") else value
        cursors.append(
            (depth, encode_cursor([str(value) if hasattr(value, "isoformat") else value, pk]), floor_value, pk)
        )
    return principal, total, cursors


def run(ctx) -> None:
    plans = {}
    for sort in SORTS:
        ctx.step(f"planning: the rep's scope and cursors at depth ({sort})")
        plans[sort] = _plan(sort)
    principal, total, _cursors = plans["-updated"]
    users = ",".join(map(str, sorted(principal.visible_user_ids)))
    territories = ",".join(map(str, sorted(principal.territory_ids))) or "0"
    ctx.note(
        f"{REP} sees the records of {len(principal.visible_user_ids)} users (own, team, hierarchy) and of "
        f"{len(principal.territory_ids)} territories: {total:,} active decision makers; deep pages are cursors at "
        f"random rows of the second half ({DEPTHS} of them per sort)"
    )
    floor_base = {"users": users, "territories": territories, "role": FILTERS["key_person_role"]}
    urls = {}
    for sort, (_principal, _total, cursors) in plans.items():
        page1 = "/contacts/?" + urlencode({**FILTERS, "sort": sort})
        urls[sort] = {
            "page1": page1,
            "deep": ["/contacts/?" + urlencode({**FILTERS, "sort": sort, "cursor": c}) for _, c, _, _ in cursors],
            "floor1": "/_floor/contacts/?" + urlencode({**floor_base, "sort": sort}),
            "floor_deep": [
                "/_floor/contacts/?" + urlencode({**floor_base, "sort": sort, "after": f"{value},{pk}"})
                for _, _, value, pk in cursors
            ],
            "offset": [
                "/_floor/contacts/?" + urlencode({**floor_base, "sort": sort, "offset": depth})
                for depth, _, _, _ in cursors
            ],
        }
        name = sort.strip("-")
        ctx.step(f"capturing the queries of page 1 and of a deep page ({sort})")
        first = inprocess.capture(REP, page1)
        ctx.write_file(config.EXPLAIN_DIR, f"2-{name}-page1-queries.txt", inprocess.queries_text(first))
        ctx.explain(f"{name}-page1", inprocess.slowest_query(first), header=f"-- the slowest query of page 1, {sort}")
        deep_page = inprocess.capture(REP, urls[sort]["deep"][len(cursors) // 2])
        ctx.write_file(config.EXPLAIN_DIR, f"2-{name}-deep-queries.txt", inprocess.queries_text(deep_page))
        ctx.explain(
            f"{name}-deep", inprocess.slowest_query(deep_page), header=f"-- the slowest query of a deep page, {sort}"
        )
        ctx.note(
            f"{sort}: page 1 runs {len(first.queries)} SQL statements ({first.milliseconds:.0f} ms in process), "
            f"a deep page {len(deep_page.queries)} ({deep_page.milliseconds:.0f} ms)"
        )
    database.close_django()

    runs = []
    with ctx.server() as base:
        headers = ctx.cookie_header(ctx.login(base, REP))

        def get(paths, with_cookie=True):
            return [("GET", path, headers if with_cookie else {}, "") for path in paths]

        for sort, (_field, label) in SORTS.items():
            u = urls[sort]
            ctx.expect_ok(base, u["page1"], headers, marker="<table")
            ctx.expect_ok(base, u["deep"][0], headers, marker="<table")
            ctx.expect_ok(base, u["floor1"], {}, marker="<tr>")
            ctx.expect_ok(base, u["floor_deep"][0], {}, marker="<tr>")
            ours1 = ctx.wrk(f"ours page 1, {label}", base, get([u["page1"]]))
            floor1 = ctx.wrk(f"floor page 1, {label}", base, get([u["floor1"]], False))
            ours_deep = ctx.wrk(f"ours deep pages, {label}", base, get(u["deep"]))
            floor_deep = ctx.wrk(f"floor deep pages, {label}", base, get(u["floor_deep"], False))
            runs += [ours1, floor1, ours_deep, floor_deep]
            ctx.result.measures += [
                at_least(f"page 1, {label}", "req/s", ours1.rps, floor1.rps, 0.3, p95_ms=ours1.p95_ms,
                         floor_p95_ms=floor1.p95_ms),
                at_least(f"deep pages, {label}", "req/s", ours_deep.rps, floor_deep.rps, 0.3, p95_ms=ours_deep.p95_ms,
                         floor_p95_ms=floor_deep.p95_ms),
                at_most(f"page 1 p95, {label}", "ms", ours1.p95_ms, 100, p50_ms=ours1.p50_ms, p99_ms=ours1.p99_ms),
                at_most(f"deep pages p95, {label}", "ms", ours_deep.p95_ms, 100, p50_ms=ours_deep.p50_ms,
                        p99_ms=ours_deep.p99_ms),
            ]  # fmt: skip
        offset_run = ctx.wrk(
            "floor deep pages by OFFSET, by name", base, get(urls["name"]["offset"], False), seconds=10
        )
        runs.append(offset_run)
    ctx.result.measures += [
        info("floor at the same depths by OFFSET, by name (why lists never use it)", "req/s", offset_run.rps,
             p95_ms=offset_run.p95_ms),
        at_most("non-2xx responses and socket errors", "", sum(r.bad_status + r.socket_errors for r in runs), 0),
    ]  # fmt: skip
