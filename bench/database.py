"""PostgreSQL of the benchmark: raw connections (floors, EXPLAIN, clones) and Django set up on `forge_bench`."""

import os
import statistics
import time
from collections.abc import Callable

import psycopg

from . import config


def connect(name: str = config.DB_NAME, autocommit: bool = True) -> psycopg.Connection:
    if name in config.PROTECTED_DATABASES - {"postgres"}:
        raise ValueError(f"refusing to use the database {name!r}")
    return psycopg.connect(config.libpq_dsn(name), autocommit=autocommit)


def admin() -> psycopg.Connection:
    """The maintenance connection, used only for CREATE/DROP DATABASE of the bench's own databases."""
    return psycopg.connect(config.libpq_dsn("postgres"), autocommit=True)


def _own(name: str) -> None:
    if name in config.PROTECTED_DATABASES or not name.startswith("forge_bench"):
        raise ValueError(f"the benchmark only creates and drops its own databases (forge_bench*), not {name!r}")


def exists(name: str) -> bool:
    with admin() as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop(name: str) -> None:
    _own(name)
    with admin() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create(name: str, template: str | None = None) -> float:
    """Create a database (a file-level copy of `template` when given); returns the seconds it took."""
    _own(name)
    started = time.monotonic()
    with admin() as connection:
        if not template:
            connection.execute(f'CREATE DATABASE "{name}"')
            return time.monotonic() - started
        _own(template)
        for attempt in range(30):
            try:
                connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
                break
            except psycopg.errors.ObjectInUse:
                # A template must have no sessions (autovacuum may hold one for a moment).
                if attempt == 29:
                    raise
                time.sleep(2)
    return time.monotonic() - started


def server_facts() -> dict:
    with connect() as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        settings = dict(
            connection.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN ('shared_buffers', "
                "'work_mem', 'effective_cache_size', 'max_connections', 'synchronous_commit', 'random_page_cost', "
                "'max_parallel_workers_per_gather', 'jit')"
            ).fetchall()
        )
        size = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    return {"version": version, "settings": settings, "database_size": size}


def explain(sql: str, params=None, name: str = config.DB_NAME) -> str:
    with connect(name) as connection:
        rows = connection.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
    return "\n".join(row[0] for row in rows)


def time_query(
    sql: str,
    params=None,
    *,
    loops: int = 200,
    seconds: float = 10.0,
    check: Callable[[], None] | None = None,
    name: str = config.DB_NAME,
) -> dict:
    """Run one query again and again on one connection (after 5 warm-up runs); latencies in ms."""
    samples: list[float] = []
    with connect(name) as connection, connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute(sql, params)
            cursor.fetchall()
        stop = time.monotonic() + seconds
        while len(samples) < loops and time.monotonic() < stop:
            if check:
                check()
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return summarize(samples)


def summarize(samples: list[float]) -> dict:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 3)

    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "min_ms": round(ordered[0], 3),
    }


_django_ready = False
_django_database = ""


def django_setup(database: str | None = None) -> None:
    """Django in the bench process, on the bench database under the same settings as the served processes. A
    scenario with a database of its own (5: forge_bench_sales) re-points the already set-up default connection:
    the run sets Django up once, on the main bench database, before any scenario starts; the scenarios that use
    the main one name it again."""
    global _django_ready, _django_database
    # No name: stay on the database already set up (in-process captures follow their scenario's), else the main.
    database = database or _django_database or config.DB_NAME
    os.environ.update(config.server_env(database))
    if not _django_ready:
        import django

        django.setup()
        _django_ready = True
    elif database != _django_database:
        from django.db import connections

        connections.close_all()
        connections["default"].settings_dict["NAME"] = database  # the same server and user, another database
    _django_database = database


def close_django() -> None:
    """Drop the bench process's own connections (a database with sessions cannot be copied or dropped)."""
    if _django_ready:
        from django.db import connections

        connections.close_all()
