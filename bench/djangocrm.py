"""DjangoCRM (PyPI `django-crm-admin`) beside Forge CRM, for scenario 9: its own Python 3.12 virtual environment
under BENCH_VAR_DIR, its own database `forge_bench_djangocrm` on the same PostgreSQL, settings written here (DEBUG
off, the run's secret, no mail leaving the machine), and its tables filled set-based from forge_bench's users,
accounts and contacts (COPY out of one database straight into COPY of the other), so that both hold the same
data. Nothing of DjangoCRM is copied into this repository: it is installed, configured and driven from outside.

The database is built once per data set: its comment records the package version and a fingerprint of
forge_bench, and a later run whose fingerprint matches reuses it (BENCH_DJANGOCRM_REBUILD=1 forces a rebuild)."""

import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from . import config, database

VERSION = "3.1.0"
# It pins mysqlclient (MySQL's driver, built from C against libmysqlclient); on PostgreSQL it is not needed, and
# psycopg takes its place. gunicorn is the same release as ours. Pillow: its admin imports PIL (image fields)
# without pinning it.
NOT_NEEDED = frozenset({"mysqlclient"})
EXTRA = ("psycopg[binary]==3.3.9", "gunicorn==27.0.1", "pillow==13.0.0")
PYTHON_312 = Path(
    os.environ.get("BENCH_PYTHON_312", str(Path.home() / ".pyenv" / "versions" / "3.12.1" / "bin" / "python"))
)
VENV = config.VAR_DIR / "djangocrm-venv"
SETTINGS_DIR = config.VAR_DIR / "djangocrm"
SETTINGS_MODULE = "bench_djangocrm_settings"
SIDE_SCRIPT = config.BENCH_DIR / "djangocrm_side.py"
DB_NAME = f"{config.DB_NAME}_djangocrm"
HTTP_PORT = config.HTTP_PORT + 1
# Its URLs: i18n_patterns with the default language prefix, then its SECRET_CRM_PREFIX and SECRET_LOGIN_PREFIX
# as its default settings have them.
SITE = "/en/123/"
LOGIN_PATH = SITE + "789-login/"
CONTACTS_PATH = SITE + "crm/contact/"
IMPORT_PATH = SITE + "import_contacts/"
DEPARTMENT = "Global sales"
# The groups its own `setupdata` command gives a sales manager (permissions come with the groups' fixtures).
SALES_GROUPS = ("managers", "co-workers", DEPARTMENT)
COUNTRY = "South Korea"
# The fixtures its `setupdata` command loads (it also creates users with random passwords, which we do not want).
FIXTURES = (
    "country.json", "currency.json", "groups.json", "resolution.json", "department.json", "deal_stage.json",
    "projectstage.json", "taskstage.json", "client_type.json", "closing_reason.json", "industry.json",
    "lead_source.json", "publicemaildomain.json", "help_en.json", "sites.json", "reminders.json",
    "massmailsettings.json", "transaction_quality_signal.json", "departmentpricerule.json",
)  # fmt: skip

SETTINGS = '''"""Written by bench/djangocrm.py for scenario 9: DjangoCRM's own settings, production-like (DEBUG off),
on the bench's PostgreSQL, with the same persistent connections as Forge CRM's production settings."""

import os
from pathlib import Path

from webcrm.settings import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["DJANGOCRM_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["DJANGOCRM_DB"],
        "USER": os.environ["DJANGOCRM_DB_USER"],
        "HOST": os.environ["DJANGOCRM_DB_HOST"],
        "PORT": os.environ["DJANGOCRM_DB_PORT"],
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
# Nothing leaves the machine: no SMTP, no admin mails, no exchange rates, no GeoIP.
ADMINS = []
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOAD_EXCHANGE_RATE = False
GEOIP = False
MEDIA_ROOT = Path(os.environ["DJANGOCRM_MEDIA_ROOT"])  # it builds paths with `/`
'''


def in_its_directory(command: list[str]) -> list[str]:
    """The bench starts children in our repository, whose `tests` package would shadow DjangoCRM's own top-level
    `tests` (its views import from it): its commands run from its settings directory instead."""
    return ["env", "-C", str(SETTINGS_DIR), *command]


def python() -> list[str]:
    """Its interpreter; -P keeps the directory of a script (bench/) off its import path."""
    return in_its_directory([str(VENV / "bin" / "python"), "-P"])


def env(database_name: str = DB_NAME, secret: str = "") -> dict[str, str]:
    """The environment of its processes: its settings module, its database, nothing of ours."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    result = {name: os.environ[name] for name in keep if name in os.environ}
    result.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        PYTHONPATH=str(SETTINGS_DIR),
        DJANGOCRM_SECRET_KEY=secret or config.server_env()["SECRET_KEY"],
        DJANGOCRM_DB=database_name,
        DJANGOCRM_DB_USER=config.PG_USER,
        DJANGOCRM_DB_HOST=config.PG_HOST,
        DJANGOCRM_DB_PORT=str(config.PG_PORT),
        DJANGOCRM_MEDIA_ROOT=str(SETTINGS_DIR / "media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return result


# --- the virtual environment ------------------------------------------------------------------------------------


def ensure_venv(ctx) -> str:
    """Create the venv and install the pinned release (without mysqlclient) unless it is already there."""
    SETTINGS_DIR.mkdir(parents=True, exist_ok=True)
    marker = VENV / ".bench-installed"
    wanted = json.dumps({"django-crm-admin": VERSION, "extra": list(EXTRA), "python": str(PYTHON_312)})
    if marker.exists() and marker.read_text() == wanted:
        return "reused"
    if not PYTHON_312.exists():
        raise RuntimeError(f"DjangoCRM needs Python 3.12: {PYTHON_312} not found (BENCH_PYTHON_312)")
    if VENV.exists():
        shutil.rmtree(VENV)
    ctx.step(f"creating DjangoCRM's virtual environment ({PYTHON_312.parent.parent.name})")
    ctx.run([str(PYTHON_312), "-m", "venv", str(VENV)], timeout=300)
    pip = [*python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    ctx.step(f"pip install django-crm-admin=={VERSION}")
    ctx.run([*pip, "--no-deps", f"django-crm-admin=={VERSION}"], timeout=600)
    _code, out, _err = ctx.run(
        [*python(), "-c", "import importlib.metadata as m; print('\\n'.join(m.requires('django-crm-admin')))"]
    )
    requirements = [line.strip() for line in out.splitlines() if line.strip()]
    wanted_requirements = [r for r in requirements if re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0] not in NOT_NEEDED]
    ctx.step(f"pip install its {len(wanted_requirements)} pinned requirements (without mysqlclient)")
    ctx.run([*pip, *wanted_requirements, *EXTRA], timeout=900)
    marker.write_text(wanted)
    return "installed"


def write_settings() -> None:
    SETTINGS_DIR.mkdir(parents=True, exist_ok=True)
    (SETTINGS_DIR / "media").mkdir(exist_ok=True)
    (SETTINGS_DIR / f"{SETTINGS_MODULE}.py").write_text(SETTINGS)


def manage(ctx, *args: str, database_name: str = DB_NAME, timeout: float | None = None) -> str:
    _code, out, _err = ctx.run([*python(), "-m", "django", *args], env=env(database_name), timeout=timeout)
    return out


# --- the database -----------------------------------------------------------------------------------------------


def source_fingerprint() -> dict:
    """What the DjangoCRM database was loaded from: forge_bench's sizes and its latest contact change."""
    with database.connect() as connection:
        users, accounts, contacts, latest = connection.execute(
            "SELECT (SELECT count(*) FROM platform_user), (SELECT count(*) FROM customers_account), "
            "(SELECT count(*) FROM customers_contact), (SELECT max(updated_at)::text FROM customers_contact)"
        ).fetchone()
    return {"version": VERSION, "users": users, "accounts": accounts, "contacts": contacts, "latest": latest}


def _stored_fingerprint() -> dict | None:
    if not database.exists(DB_NAME):
        return None
    with database.admin() as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def ensure_database(ctx) -> dict:
    """Build forge_bench_djangocrm (migrate, its fixtures, users, companies, contacts) unless the one there was
    loaded from the same forge_bench by the same release. Returns what was done and how long each step took."""
    fingerprint = source_fingerprint()
    if os.environ.get("BENCH_DJANGOCRM_REBUILD") != "1" and _stored_fingerprint() == fingerprint:
        return {"reused": True, **fingerprint}
    timings: dict[str, float] = {}

    def timed(label: str, started: float) -> None:
        timings[label] = round(time.monotonic() - started, 1)

    database.drop(DB_NAME)
    database.create(DB_NAME)
    started = time.monotonic()
    ctx.step("DjangoCRM: migrate")
    manage(ctx, "migrate", "--noinput", "-v0", timeout=900)
    timed("migrate_s", started)
    started = time.monotonic()
    ctx.step("DjangoCRM: its fixtures (countries, groups, departments, stages)")
    manage(ctx, "loaddata", "-v0", *FIXTURES, timeout=600)
    timed("fixtures_s", started)

    started = time.monotonic()
    ctx.step("DjangoCRM: users (forge_bench's, same ids, in its sales groups)")
    users_file = SETTINGS_DIR / "users.json"
    with database.connect() as connection:
        users = connection.execute("SELECT id, email, full_name, is_active FROM platform_user ORDER BY id").fetchall()
    users_file.write_text(json.dumps([list(u) for u in users], ensure_ascii=False))
    _code, out, _err = ctx.run(
        [*python(), str(SIDE_SCRIPT), "users", str(users_file), ",".join(SALES_GROUPS)], env=env(), timeout=900
    )
    timed("users_s", started)

    with database.connect(DB_NAME) as target:
        department = target.execute("SELECT id FROM auth_group WHERE name = %s", [DEPARTMENT]).fetchone()[0]
        country = target.execute("SELECT id FROM crm_country WHERE name = %s", [COUNTRY]).fetchone()[0]
    started = time.monotonic()
    ctx.step(f"DjangoCRM: {fingerprint['accounts']:,} companies by COPY from customers_account")
    _copy_table("crm_company", _company_columns(department, country), "customers_account a")
    timed("companies_s", started)
    started = time.monotonic()
    ctx.step(f"DjangoCRM: {fingerprint['contacts']:,} contacts by COPY from customers_contact")
    _copy_table("crm_contact", _contact_columns(department, country), "customers_contact c")
    timed("contacts_s", started)
    started = time.monotonic()
    ctx.step("DjangoCRM: sequences, VACUUM ANALYZE")
    with database.connect(DB_NAME) as target:
        for table in ("crm_company", "crm_contact"):
            target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        target.execute("VACUUM ANALYZE")
        size = target.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    timed("vacuum_s", started)
    with database.admin() as connection:
        connection.execute(f"COMMENT ON DATABASE \"{DB_NAME}\" IS '{json.dumps(fingerprint)}'")
    return {"reused": False, **fingerprint, **timings, "database_size": size, "users_created": out.strip()}


def _company_columns(department: int, country: int) -> dict[str, str]:
    """crm_company column -> expression over customers_account `a`. Names are unique per country in DjangoCRM
    (unique_together full_name, country); forge_bench repeats some, so a repeated name gets its id appended."""
    return {
        "id": "a.id",
        "creation_date": "a.created_at",
        "update_date": "a.updated_at",
        "owner_id": "a.owner_id",
        "modified_by_id": "a.updated_by_id",
        "department_id": str(department),
        "address": "a.road_address",
        "region": "a.sido",
        "district": "a.sigungu",
        "description": "''",
        "disqualified": "NOT a.is_active",
        "email": "a.email",
        "lead_source_id": "NULL",
        "massmail": "true",
        "token": "'c' || a.id",
        "was_in_touch": "NULL",
        "full_name": COMPANY_NAME_SQL,
        "alternative_names": "''",
        "website": "left(a.website, 200)",
        "active": "a.is_active",
        "phone": "a.phone",
        "city_name": "a.sigungu",
        "city_id": "NULL",
        "registration_number": "a.brn",
        "country_id": str(country),
        "type_id": "NULL",
        "logo": "NULL",
    }


COMPANY_NAME_SQL = (
    "CASE WHEN count(*) OVER (PARTITION BY a.name) > 1 THEN left(a.name, 180) || ' #' || a.id ELSE a.name END"
)


def _contact_columns(department: int, country: int) -> dict[str, str]:
    """crm_contact column -> expression over customers_contact `c`. A Korean name is family name first: the first
    syllable goes to last_name, the rest to first_name (its "one word" given name), as split_name() does."""
    return {
        "id": "c.id",
        "creation_date": "c.created_at",
        "update_date": "c.updated_at",
        "owner_id": "c.owner_id",
        "modified_by_id": "c.updated_by_id",
        "department_id": str(department),
        "address": "''",
        "region": "''",
        "district": "''",
        "description": "c.notes",
        "disqualified": "NOT c.is_active",
        "email": "c.email",
        "lead_source_id": "NULL",
        "massmail": "true",
        "token": "'p' || c.id",
        "was_in_touch": "NULL",
        "first_name": "CASE WHEN char_length(c.full_name) > 1 THEN substr(c.full_name, 2) ELSE c.full_name END",
        "middle_name": "''",
        "last_name": "CASE WHEN char_length(c.full_name) > 1 THEN left(c.full_name, 1) ELSE '' END",
        "title": "left(c.title, 100)",
        "sex": "NULL",
        "birth_date": "NULL",
        "secondary_email": "''",
        "phone": "c.phone",
        "other_phone": "''",
        "mobile": "c.mobile",
        "city_name": "''",
        "city_id": "NULL",
        "country_id": str(country),
        "avatar": "NULL",
        "company_id": "c.account_id",
    }


def split_name(full_name: str) -> tuple[str, str]:
    """(first_name, last_name) the way the load splits a Korean name."""
    return (full_name[1:], full_name[:1]) if len(full_name) > 1 else (full_name, "")


def _copy_table(table: str, columns: dict[str, str], source: str) -> None:
    """COPY the rows of `source` (forge_bench) into `table` (DjangoCRM's database), streamed between the two
    connections; refuses if DjangoCRM's table has a required column the mapping does not fill."""
    with database.connect(DB_NAME) as target:
        required = {
            name
            for name, nullable, default, identity in target.execute(
                "SELECT column_name, is_nullable, column_default, is_identity FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s",
                [table],
            ).fetchall()
            if nullable == "NO" and default is None and identity == "NO"
        }
        missing = required - set(columns)
        if missing:
            raise RuntimeError(f"DjangoCRM's {table} has required columns the load does not fill: {sorted(missing)}")
        select = f"SELECT {', '.join(columns.values())} FROM {source}"
        with (
            database.connect() as origin,
            origin.cursor().copy(f"COPY ({select}) TO STDOUT") as out,
            target.transaction(),
            target.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as into,
        ):
            for chunk in out:
                into.write(chunk)


def set_passwords(ctx, password: str, usernames: list[str]) -> None:
    ctx.run([*python(), str(SIDE_SCRIPT), "password", password, *usernames], env=env(), timeout=300)


# --- its web server -------------------------------------------------------------------------------------------------


@contextmanager
def server(ctx, database_name: str = DB_NAME, label: str = "DjangoCRM web (gunicorn)"):
    """Its WSGI application under gunicorn, 2 sync workers as ours, on 127.0.0.1:HTTP_PORT; memory watched."""
    from .harness import MemoryWatch

    base = f"http://{config.HOST}:{HTTP_PORT}"
    command = in_its_directory([
        str(VENV / "bin" / "gunicorn"), "webcrm.wsgi", "-w", str(config.GUNICORN_WORKERS), "-b",
        f"{config.HOST}:{HTTP_PORT}", "--backlog", "2048", "--timeout", "120", "--chdir", str(SETTINGS_DIR),
        "--log-level", "warning", "--error-logfile", str(config.WORK_DIR / "djangocrm-gunicorn.log"),
    ])  # fmt: skip
    ctx.step(f"starting DjangoCRM's gunicorn ({config.GUNICORN_WORKERS} workers) on {database_name}")
    process = ctx.popen(command, env=env(database_name))
    watch = None
    try:
        for _ in range(240):
            if process.poll() is not None:
                raise RuntimeError(f"its gunicorn exited {process.returncode}; see djangocrm-gunicorn.log")
            try:
                requests.get(base + LOGIN_PATH, timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise RuntimeError("its gunicorn did not answer")
        watch = MemoryWatch(label, process.pid).start()
        yield base
    finally:
        if watch is not None:
            ctx.result.memory.setdefault("web", []).append(watch.stop())
        ctx.stop(process)


def login(base: str, username: str, password: str) -> requests.Session:
    """Log in through its login page (Django's admin login form, CSRF included)."""
    session = requests.Session()
    session.get(base + LOGIN_PATH, timeout=60)
    response = session.post(
        base + LOGIN_PATH,
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        headers={"Referer": base + LOGIN_PATH},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"DjangoCRM login of {username} failed ({response.status_code}): {response.text[:300]}")
    return session
