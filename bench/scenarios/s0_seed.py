"""Scenario 0: generate the benchmark data set with the demo generator (`seed_demo --scale large`) into a fresh
`forge_bench`, timed, with the seeding process's memory peak; then VACUUM ANALYZE (timed apart) so that the
planner has statistics, and collectstatic for the served pages."""

import re

from .. import config, database
from ..harness import info

ID = "0"
TITLE = "Generate the data set: seed_demo --scale large (1M contacts, 200k accounts, 300 partners, 2M activities)"
TARGET = "— (timed; every other scenario runs on it)"
FLOOR = ""
LIMIT_SECONDS = 5400
NEEDS_DATA = False

COUNTS_SQL = """
SELECT 'accounts', count(*) FROM customers_account
UNION ALL SELECT 'partners', count(*) FROM customers_account WHERE kind = 'partner'
UNION ALL SELECT 'contacts', count(*) FROM customers_contact
UNION ALL SELECT 'consents', count(*) FROM customers_consent
UNION ALL SELECT 'activities', count(*) FROM activities_activity
UNION ALL SELECT 'search documents', count(*) FROM platform_searchdocument
UNION ALL SELECT 'users', count(*) FROM platform_user
"""


def _time_v(stderr: str) -> dict:
    found = {}
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if peak:
        found["peak_mb"] = round(int(peak.group(1)) / 1024, 1)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", stderr)
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        found["wall_s"] = seconds
    return found


def run(ctx) -> None:
    env = config.server_env()
    database.close_django()
    ctx.step(f"dropping and creating {config.DB_NAME}")
    database.drop(config.DB_NAME)
    database.create(config.DB_NAME)
    ctx.step("migrate")
    ctx.run([config.PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    ctx.step("seed_demo --scale large (the longest step of a run)")
    _code, out, err = ctx.run(
        ["/usr/bin/time", "-v", config.PYTHON, "manage.py", "seed_demo", "--scale", "large"], env=env
    )
    measured = _time_v(err)
    (config.WORK_DIR / "seed_demo.out").write_text(out + "\n" + err)
    ctx.step("VACUUM ANALYZE")
    import time

    started = time.monotonic()
    with database.connect() as connection:
        connection.execute("VACUUM ANALYZE")
    vacuum = time.monotonic() - started
    ctx.step("collectstatic")
    ctx.run([config.PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
    with database.connect() as connection:
        counts = dict(connection.execute(COUNTS_SQL).fetchall())
    size = database.server_facts()["database_size"]
    rows = (
        counts["accounts"] + counts["contacts"] + counts["consents"] + counts["activities"] + counts["search documents"]
    )
    wall = measured.get("wall_s")
    ctx.result.measures += [
        info("seed_demo --scale large", "s", wall, **{k: f"{v:,}" for k, v in counts.items()}),
        info("rows written per second (accounts, contacts, consents, activities, search documents)", "rows/s",
             rows / wall if wall else None, rows=f"{rows:,}"),
        info("VACUUM ANALYZE afterwards", "s", round(vacuum, 1), database_size=size),
    ]  # fmt: skip
    if "peak_mb" in measured:
        ctx.result.memory["seed"] = [
            {"process": "seed_demo (one process)", "peak_total_mb": measured["peak_mb"], "peak_per_process_mb": []}
        ]
    summary = [line for line in out.splitlines() if "in " in line and "s" in line][-1:]
    if summary:
        ctx.note(f"seed_demo said: {summary[0].strip()}")
