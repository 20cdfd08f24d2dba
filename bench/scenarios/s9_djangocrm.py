"""Scenario 9: DjangoCRM side by side (PyPI `django-crm-admin` 3.1.0 in its own Python 3.12 virtual environment,
on the same PostgreSQL in its own database, filled from forge_bench: the same 959 users, 200,300 companies and
1,000,000 contacts). Two things both products do, measured in the same run on the same machine:

- contact import, as a user does it: scenario 1's file (the same generator and seed), its first IMPORT_ROWS rows,
  through our CSV import (upload, preview, run_import in the Celery worker) and through DjangoCRM's own "import
  contacts" page (an XLSX upload; it parses the sheet in the request, then creates the contacts one by one in a
  thread of the web process). Its rate at 1M existing contacts would make the whole 100,000 rows take hours.
- the contact list of a sales rep (rep@demo.forgecrm.kr, who owns 96,640 of the contacts), logged in, page 1 and
  deep pages, under wrk against gunicorn with 2 sync workers for each product (one after the other, not at once).

The ratio is Forge / DjangoCRM; the target is Forge ahead (ratio > 1) on each."""

import csv
import io
import os
import random
import time
from urllib.parse import urlencode

from .. import config, database, djangocrm
from ..harness import Measure, at_most, info
from . import s1_import, s2_contact_list

ID = "9"
TITLE = "DjangoCRM side by side: contact import and contact list on the same data size"
TARGET = "Forge ahead on every shared scenario (ratio Forge / DjangoCRM > 1), with the ratio reported"
FLOOR = (
    f"DjangoCRM {djangocrm.VERSION} (django-crm-admin, Django 6, Python 3.12) on the same machine and PostgreSQL, "
    "its own database loaded from forge_bench (seen: xlsx import ~177 contacts/s on a small database, contact "
    "list ~3.6 req/s, median 1.8 s)"
)
LIMIT_SECONDS = 2400
NEEDS_DATA = True

# A few rows a second for DjangoCRM at 1M contacts (each row's duplicate check scans crm_contact): 1,000 rows of the
# file take minutes; the whole 100,000 would take hours.
IMPORT_ROWS = 1_000
# DjangoCRM's import runs past the response; it is given this long to finish before its rate is taken as is.
IMPORT_WAIT_S = int(os.environ.get("BENCH_DJANGOCRM_IMPORT_WAIT_S", "600"))
IMPORTER = s1_import.IMPORTER
REP = s2_contact_list.REP
# Both servers get the same load: 2 connections per sync worker (DjangoCRM's pages take seconds; at 32
# connections most of its requests would pass wrk's 10 s timeout and drop out of the percentiles).
CONNECTIONS = 4
SECONDS = 20
DEPTHS = 40
THEIR_PAGE_SIZE = 100  # Django admin's list_per_page default; ours is 50
IMPORT_CLONE = f"{djangocrm.DB_NAME}_import"
XLSX_COLUMNS = ["first_name", "last_name", "title", "email", "mobile", "phone", "country", "company", "department"]


def ahead(name: str, unit: str, ours: float, theirs: float, **details) -> Measure:
    """A throughput beside DjangoCRM's: passes when Forge is ahead (ratio > 1)."""
    ratio = ours / theirs if theirs else None
    return Measure(name, unit, ours, theirs, ratio, "> 1x DjangoCRM", ratio is not None and ratio > 1, details)


# --- the import -------------------------------------------------------------------------------------------------


def _their_company_names(rows: list[list[str]]) -> dict[tuple[str, str, str], str]:
    """(company, 사업자등록번호, 시/도) of a row -> the DjangoCRM company name of that account (same id), when
    exactly one forge_bench account answers to it (by BRN, name and 시/도, or by name and 시/도 without a BRN)."""
    keys = sorted({(row[0], row[1], row[2]) for row in rows})
    with database.connect() as connection:
        found = connection.execute(
            "SELECT k.name, k.brn, k.sido, min(a.id), count(a.id) "
            "FROM unnest(%s::text[], %s::text[], %s::text[]) AS k(name, brn, sido) "
            "JOIN customers_account a ON a.name = k.name AND a.sido = k.sido AND (k.brn = '' OR a.brn = k.brn) "
            "GROUP BY 1, 2, 3",
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
        ).fetchall()
    unique = {(name, brn, sido): pk for name, brn, sido, pk, count in found if count == 1}
    with database.connect(djangocrm.DB_NAME) as connection:
        names = dict(
            connection.execute(
                "SELECT id, full_name FROM crm_company WHERE id = ANY(%s)", [list(unique.values())]
            ).fetchall()
        )
    return {key: names[pk] for key, pk in unique.items() if pk in names}


def their_rows(rows: list[list[str]]) -> tuple[list[list[str]], dict[tuple[str, str, str], str]]:
    """The rows whose company DjangoCRM can find. Its import ends at the first row whose company it cannot find
    (the related-object error escapes its `except Contact.DoesNotExist` and stops the whole thread, the rest of
    the file silently dropped), so both products get only these rows."""
    companies = _their_company_names(rows)
    return first_kept(rows, companies), companies


def _xlsx(rows: list[list[str]], companies: dict, sentinel: str) -> bytes:
    """The same rows in DjangoCRM's import columns, plus one last new contact whose arrival says it is done."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(XLSX_COLUMNS)
    for company, brn, sido, name, title, _department, email, mobile, phone in rows:
        first, last = djangocrm.split_name(name)
        their_company = companies.get((company, brn, sido), company)
        sheet.append([first, last, title, email, mobile, phone, djangocrm.COUNTRY, their_company, djangocrm.DEPARTMENT])
    first, last = djangocrm.split_name("끝마침")
    sheet.append([first, last, "", sentinel, "", "", djangocrm.COUNTRY, next(iter(companies.values())),
                  djangocrm.DEPARTMENT])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def first_kept(rows: list[list[str]], companies: dict) -> list[list[str]]:
    return [row for row in rows if (row[0], row[1], row[2]) in companies]


def _their_import(ctx, rows: list[list[str]], companies: dict) -> dict:
    """Upload the XLSX on its import page as the importer, then watch its table until the last row is in."""
    sentinel = f"bench-9-end-{ctx.run_id.lower()}@import-bench.example"
    data = _xlsx(rows, companies, sentinel)
    first_row_of = {}
    for number, row in enumerate(rows):
        first_row_of.setdefault(row[6].lower(), number)
    database.drop(IMPORT_CLONE)
    ctx.step("copying DjangoCRM's database for its import")
    clone_s = database.create(IMPORT_CLONE, template=djangocrm.DB_NAME)
    try:
        with database.connect(IMPORT_CLONE) as watch:
            before = watch.execute("SELECT max(id), count(*) FROM crm_contact").fetchone()
            with djangocrm.server(ctx, IMPORT_CLONE, label="DjangoCRM web (gunicorn) during its import") as base:
                session = djangocrm.login(base, IMPORTER, config.DEMO_PASSWORD)
                page = session.get(base + djangocrm.IMPORT_PATH, timeout=60)
                if page.status_code != 200 or 'type="file"' not in page.text:
                    raise RuntimeError(f"its import page answered {page.status_code}")
                ctx.step(f"DjangoCRM: uploading {len(rows):,} contacts (XLSX) on its import page")
                started = time.time()
                response = session.post(
                    base + djangocrm.IMPORT_PATH,
                    data={"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                    files={
                        "file": (
                            "contacts.xlsx",
                            data,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        )
                    },
                    headers={"Referer": base + djangocrm.IMPORT_PATH},
                    allow_redirects=False,
                    timeout=600,
                )
                upload_s = time.time() - started
                if response.status_code != 302:
                    raise RuntimeError(f"its import answered {response.status_code}: {response.text[:300]}")
                done_at = None
                while done_at is None:
                    waited = time.time() - started
                    if waited > IMPORT_WAIT_S or ctx.remaining() < 300:
                        break
                    ctx.step(f"DjangoCRM: its import thread at {waited:.0f} s")
                    time.sleep(2)
                    row = watch.execute(
                        "SELECT extract(epoch FROM update_date) FROM crm_contact WHERE email = %s", [sentinel]
                    ).fetchone()
                    done_at = float(row[0]) if row else None
                stopped = time.time()
                latest = watch.execute(
                    "SELECT lower(email) FROM crm_contact WHERE id > %s AND email <> %s ORDER BY id DESC LIMIT 1",
                    [before[0], sentinel],
                ).fetchone()
                created = watch.execute("SELECT count(*) FROM crm_contact WHERE id > %s", [before[0]]).fetchone()[0]
                messages = watch.execute(
                    "SELECT jsonb_array_length(p.messages::jsonb) / 2 FROM common_userprofile p "
                    "JOIN auth_user u ON u.id = p.user_id WHERE u.username = %s",
                    [IMPORTER],
                ).fetchone()[0]
    finally:
        database.drop(IMPORT_CLONE)
    if done_at is not None:
        processed, seconds, finished = len(rows), done_at - started, True
    else:
        processed = first_row_of.get(latest[0], 0) + 1 if latest else 0
        seconds, finished = stopped - started, False
    return {
        "rows": processed,
        "seconds": round(seconds, 1),
        "finished": finished,
        "upload_s": round(upload_s, 2),
        "created": created - (1 if finished else 0),
        "messages": messages,
        "bytes": len(data),
        "clone_s": round(clone_s, 1),
    }


def _our_import(ctx, rows: list[list[str]]) -> dict:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(s1_import.HEADERS)
    writer.writerows(rows)
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    try:
        return s1_import._import(ctx, "utf-8", data, rows=len(rows))
    finally:
        database.drop(s1_import.CLONE)


def _scenario_1_latest() -> dict | None:
    """Our rate on the whole 100,000-row file from scenario 1's latest result, for context."""
    from .. import report

    chosen, _runs = report.latest_results()
    result = chosen.get("1")
    if not result:
        return None
    for measure in result["measures"]:
        if measure["name"].startswith("upload to done") and "utf-8" in measure["name"]:
            return {"rows_per_s": measure["ours"], "run_id": result["run_id"]}
    return None


# --- the contact list -----------------------------------------------------------------------------------------------


def _lists(ctx) -> list:
    ctx.step("planning: the rep's cursors at depth (whole list, by name)")
    _principal, total, cursors = s2_contact_list._plan("name", filters={})
    database.close_django()
    ours_page1 = "/contacts/"
    ours_deep = ["/contacts/?" + urlencode({"sort": "name", "cursor": cursor}) for _, cursor, _, _ in cursors]

    with database.connect(djangocrm.DB_NAME) as connection:
        owned = connection.execute(
            "SELECT count(*) FROM crm_contact c JOIN auth_user u ON u.id = c.owner_id WHERE u.username = %s", [REP]
        ).fetchone()[0]
    pages = max(1, -(-owned // THEIR_PAGE_SIZE))
    rng = random.Random(f"bench-9-{owned}")
    their_deep_pages = sorted(rng.randint(pages // 2, max(pages // 2, pages - 1)) for _ in range(DEPTHS))
    theirs_page1 = djangocrm.CONTACTS_PATH
    theirs_by_name = djangocrm.CONTACTS_PATH + "?o=1"
    theirs_deep = [djangocrm.CONTACTS_PATH + "?" + urlencode({"p": page}) for page in their_deep_pages]
    ctx.note(
        f"contact list: {REP} logged in to each. Ours: /contacts/ (everything the rep may see, {total:,} contacts, "
        f"by name, 50 a page) and {DEPTHS} keyset cursors at random rows of its second half. DjangoCRM: its "
        f"contact list as its sales manager opens it (the rep's own {owned:,} contacts, department-scoped, newest "
        f"first, {THEIR_PAGE_SIZE} a page), the same by name (?o=1), and {DEPTHS} random pages of the second half "
        f"(?p={their_deep_pages[0]}…{their_deep_pages[-1]}, OFFSET, as the admin pages). {CONNECTIONS} wrk "
        f"connections, {SECONDS} s each, the two servers one after the other"
    )

    def get(paths, headers):
        return [("GET", path, headers, "") for path in paths]

    def wrk(label, base, lines):
        return ctx.wrk(label, base, lines, connections=CONNECTIONS, seconds=SECONDS, warmup=3)

    with ctx.server() as base:
        headers = ctx.cookie_header(ctx.login(base, REP))
        ctx.expect_ok(base, ours_page1, headers, marker="<table")
        ctx.expect_ok(base, ours_deep[0], headers, marker="<table")
        ours1 = wrk("ours page 1", base, get([ours_page1], headers))
        ours_d = wrk("ours deep pages", base, get(ours_deep, headers))

    with djangocrm.server(ctx) as base:
        session = djangocrm.login(base, REP, config.DEMO_PASSWORD)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}
        for path in (theirs_page1, theirs_by_name, theirs_deep[0]):
            ctx.expect_ok(base, path, headers, marker='id="result_list"')
        theirs1 = wrk("DjangoCRM page 1", base, get([theirs_page1], headers))
        theirs_n = wrk("DjangoCRM page 1 by name", base, get([theirs_by_name], headers))
        theirs_d = wrk("DjangoCRM deep pages", base, get(theirs_deep, headers))

    def latency(ours, theirs):
        return {"p50_ms": ours.p50_ms, "their_p50_ms": theirs.p50_ms, "p95_ms": ours.p95_ms,
                "their_p95_ms": theirs.p95_ms, "their_requests": theirs.requests}  # fmt: skip

    runs = [ours1, ours_d, theirs1, theirs_n, theirs_d]
    ctx.result.measures += [
        ahead("contact list page 1 (each one's default list for the rep)", "req/s", ours1.rps, theirs1.rps,
              **latency(ours1, theirs1)),
        ahead("contact list page 1 by name", "req/s", ours1.rps, theirs_n.rps, **latency(ours1, theirs_n)),
        ahead("contact list deep pages", "req/s", ours_d.rps, theirs_d.rps, **latency(ours_d, theirs_d)),
        info("contact list page 1 median latency", "ms", ours1.p50_ms, theirs1.p50_ms),
    ]  # fmt: skip
    return runs


# --- the scenario ---------------------------------------------------------------------------------------------------


def run(ctx) -> None:
    installed = djangocrm.ensure_venv(ctx)
    djangocrm.write_settings()
    ctx.step("DjangoCRM: its database (built once per data set)")
    built = djangocrm.ensure_database(ctx)
    djangocrm.set_passwords(ctx, config.DEMO_PASSWORD, [REP, IMPORTER])
    how = "reused (loaded from this forge_bench earlier)" if built["reused"] else (
        "built now: " + ", ".join(f"{k.removesuffix('_s')} {v} s" for k, v in built.items() if k.endswith("_s"))
        + f", {built['database_size']}"
    )  # fmt: skip
    ctx.note(
        f"DjangoCRM {djangocrm.VERSION}: venv {installed} ({djangocrm.VENV}, Python 3.12, without mysqlclient); "
        f"database {djangocrm.DB_NAME} {how}; {built['users']:,} users (forge_bench's ids, in its managers, "
        f"co-workers and {djangocrm.DEPARTMENT} groups), {built['accounts']:,} companies, {built['contacts']:,} "
        "contacts, copied set-based (COPY out of forge_bench into COPY of its tables); settings written under "
        "BENCH_VAR_DIR: DEBUG off, persistent connections as ours, no mail out"
    )

    ctx.step("writing scenario 1's file (same generator, same seed)")
    rows, _kinds = s1_import.make_rows(random.Random("bench-1"))
    first = rows[: IMPORT_ROWS * 2]
    subset, companies = their_rows(first)
    subset = subset[:IMPORT_ROWS]
    ours = _our_import(ctx, subset)
    theirs = _their_import(ctx, subset, companies)
    ours_s = ours["preview_s"] + ours["import_s"]
    counts = ours["counts"].get("contacts", {})
    ctx.result.measures.append(
        ahead(
            f"contact import, {len(subset):,} rows of scenario 1's file, upload to done",
            "rows/s",
            len(subset) / ours_s,
            theirs["rows"] / theirs["seconds"],
            seconds=round(ours_s, 1),
            their_seconds=theirs["seconds"],
            their_rows=theirs["rows"],
            their_finished=theirs["finished"],
            their_upload_s=theirs["upload_s"],
            their_created=theirs["created"],
            their_messages=theirs["messages"],
            **{k: v for k, v in counts.items() if v},
        )
    )
    latest = _scenario_1_latest()
    if latest:
        ctx.result.measures.append(
            info(
                "ours on the whole 100,000-row file (scenario 1's latest result) beside DjangoCRM's rate above",
                "rows/s",
                latest["rows_per_s"],
                theirs["rows"] / theirs["seconds"],
                run=latest["run_id"],
            )
        )
    ctx.note(
        f"import: the first {len(subset):,} rows of scenario 1's 100,000 whose company DjangoCRM can find "
        f"({len(first) - len(first_kept(first, companies))} of its first {len(first)} are not: no such company, or a "
        "name two accounts share; DjangoCRM's import stops for good at the first of those, silently dropping the "
        "rest of the file, so neither product gets them). The same kinds otherwise: new people at known "
        "companies, people already there, repeats, bad emails and phones; ours as UTF-8 CSV through upload, preview and "
        f"run_import ({ours['preview_s']} s preview, {ours['import_s']} s import), DjangoCRM's as XLSX ("
        f"{theirs['bytes'] / 1024:.0f} KB; company names mapped to its companies of the same accounts, country "
        f"{djangocrm.COUNTRY}, department {djangocrm.DEPARTMENT}) through its import page as {IMPORTER}: "
        f"{theirs['upload_s']} s for the upload (it parses the sheet in the request), then its thread checks and "
        f"saves each row: {theirs['rows']:,} rows in {theirs['seconds']} s"
        + (
            ""
            if theirs["finished"]
            else f" (stopped after {IMPORT_WAIT_S} s, not finished: the rate is of the rows it got through)"
        )
        + f"; it created {theirs['created']:,} contacts and left {theirs['messages']:,} messages (already exists, "
        "company not found)"
    )
    runs = _lists(ctx)
    ctx.result.measures.append(
        at_most("non-2xx responses and socket errors", "", sum(r.bad_status + r.socket_errors for r in runs), 0)
    )
