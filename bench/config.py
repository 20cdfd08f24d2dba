"""Where the benchmark runs: its own database, its own var directory, local ports only.

Everything is overridable from the environment, but the host is always the loopback interface: the harness
refuses to load another machine.
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
EXPLAIN_DIR = RESULTS_DIR / "explain"
PROFILE_DIR = RESULTS_DIR / "profiles"
DOC_PATH = ROOT / "docs" / "performance.md"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
VENV_BIN = ROOT / ".venv" / "bin"

HOST = "127.0.0.1"
PG_HOST = os.environ.get("BENCH_PG_HOST", HOST)
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
DB_NAME = os.environ.get("BENCH_DB", "forge_bench")
# The databases CI and other engineers use: never dropped, never loaded.
PROTECTED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})
VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/bench-var"))  # noqa: S108  a scratch directory of this machine
WORK_DIR = VAR_DIR / "work"
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8771"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
DEMO_DOMAIN = "demo.forgecrm.kr"
DEMO_PASSWORD = "forge-demo-2026"  # noqa: S105  the published password of the seeded demo users

if PG_HOST not in {"127.0.0.1", "localhost", "::1"}:
    raise SystemExit("The benchmark talks to 127.0.0.1 only (BENCH_PG_HOST).")
if DB_NAME in PROTECTED_DATABASES:
    raise SystemExit(f"The benchmark never uses the database {DB_NAME!r}.")


def database_url(name: str = DB_NAME) -> str:
    if name in PROTECTED_DATABASES:
        raise ValueError(f"refusing to use the database {name!r}")
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def libpq_dsn(name: str = DB_NAME) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={name}"


_SECRET = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64)


def server_env(database: str = DB_NAME, **extra: str) -> dict[str, str]:
    """The environment of every process of a run: production settings (DEBUG off, no TLS on loopback) plus the
    bench URLconf that mounts the floor views beside the product's own URLs."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.floor_settings",
        DEBUG="0",
        SECRET_KEY=_SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FORGE_TLS="0",
        DATABASE_URL=database_url(database),
        FORGE_VAR_DIR=str(VAR_DIR),
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env
