"""Scenario 4: the 360° account page (header, people, hierarchy, counts and the latest 50 timeline events) of
accounts with a full timeline, as a sales rep; beside a primary-key view of the same accounts and the timeline
query alone."""

from .. import config, database, inprocess
from ..harness import at_least, at_most, info

ID = "4"
TITLE = "360° account page (header + latest 50 timeline events), sales rep"
TARGET = "≥ 0.3x the primary-key floor"
FLOOR = (
    "a primary-key view of the same accounts (bench/floor_views.py `account_by_pk`, seen ~1,729 req/s) and the "
    "timeline query timed alone (seen ~0.3 ms)"
)
LIMIT_SECONDS = 300
NEEDS_DATA = True

REP = f"rep@{config.DEMO_DOMAIN}"
ACCOUNTS = 40
TIMELINE_SQL = """
SELECT a.id, a.kind, a.subject, a.status, a.timeline_at, a.owner_id, u.full_name
FROM activities_activity a JOIN platform_user u ON u.id = a.owner_id
WHERE a.account_id = %s AND a.status <> 'cancelled'
ORDER BY a.timeline_at DESC, a.id DESC LIMIT 50
"""


def _accounts() -> list[int]:
    """The rep's accounts with the most activities (a full timeline of 50), a fixed choice."""
    database.django_setup(config.DB_NAME)
    from django.db.models import Count

    from forgecrm.customers.models import Account
    from forgecrm.platform.access import scope_for
    from forgecrm.platform.models import User

    rep = User.objects.get(email=REP)
    rows = (
        scope_for(rep, Account)
        .filter(is_active=True)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")
        .values_list("pk", "n")[:ACCOUNTS]
    )
    return [pk for pk, _n in rows]


def run(ctx) -> None:
    ctx.step("choosing the rep's busiest accounts")
    ids = _accounts()
    from forgecrm.activities.models import Activity

    events = Activity.objects.filter(account_id__in=ids).count()
    ctx.note(f"{len(ids)} accounts of {REP} with {events:,} activities between them")
    ctx.step("floor: the timeline query alone")
    timeline = [database.time_query(TIMELINE_SQL, [pk], loops=40, seconds=3, check=ctx.check_time) for pk in ids]
    timeline_median = sorted(t["median_ms"] for t in timeline)[len(timeline) // 2]
    ctx.explain("timeline-floor", TIMELINE_SQL, [ids[0]], header="-- the timeline query alone (the floor)")

    ctx.step("capturing the queries of one 360° page")
    page = inprocess.capture(REP, f"/accounts/{ids[0]}/")
    ctx.write_file(config.EXPLAIN_DIR, "4-page-queries.txt", inprocess.queries_text(page))
    ctx.explain("page", inprocess.slowest_query(page), header="-- the slowest query of a 360° page")
    ctx.note(
        f"a 360° page runs {len(page.queries)} SQL statements ({sum(q['ms'] for q in page.queries):.1f} ms of SQL)"
    )
    database.close_django()

    with ctx.server() as base:
        headers = ctx.cookie_header(ctx.login(base, REP))
        ctx.expect_ok(base, f"/accounts/{ids[0]}/", headers, marker="<html")
        ctx.expect_ok(base, f"/_floor/accounts/{ids[0]}/", {})
        ours = ctx.wrk("ours 360° pages", base, [("GET", f"/accounts/{pk}/", headers, "") for pk in ids])
        floor = ctx.wrk("floor primary-key view", base, [("GET", f"/_floor/accounts/{pk}/", {}, "") for pk in ids])

    ctx.result.measures += [
        at_least("360° page", "req/s", ours.rps, floor.rps, 0.3, p50_ms=ours.p50_ms, p95_ms=ours.p95_ms),
        info("timeline query alone (median of the accounts' medians)", "ms", timeline_median),
        info("360° page p95 at 32 connections", "ms", ours.p95_ms, floor.p95_ms),
        at_most("non-2xx responses and socket errors", "", ours.bad_status + ours.socket_errors + floor.bad_status
                + floor.socket_errors, 0),
    ]  # fmt: skip
