"""`python -m bench [--only 2,3] [--list]`: run the scenarios, write bench/results/run-*.json, regenerate
docs/performance.md. Each scenario has its own duration limit; the run stops by itself."""

import argparse
import datetime as dt
import json
import os
import shlex
import signal
import sys
import time
import traceback

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import config, database, machine, report
from .harness import Context, Result, ScenarioTimeout
from .scenarios import load_all


def _command() -> str:
    if os.environ.get("MAKELEVEL"):
        args = os.environ.get("BENCH_ARGS", "").strip()
        return f'make bench BENCH_ARGS="{args}"' if args else "make bench"
    return shlex.join(["python", "-m", "bench", *sys.argv[1:]])


def _data_loaded() -> bool:
    if not database.exists(config.DB_NAME):
        return False
    with database.connect() as connection:
        found = connection.execute("SELECT to_regclass('customers_contact') IS NOT NULL").fetchone()[0]
        if not found:
            return False
        # BENCH_MIN_CONTACTS lets the harness itself be tried on a small data set (never for published figures).
        minimum = int(os.environ.get("BENCH_MIN_CONTACTS", "1000000"))
        return connection.execute(
            "SELECT EXISTS (SELECT 1 FROM customers_contact OFFSET %s)", [max(0, minimum - 1)]
        ).fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated scenario ids, e.g. 2,3 (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated scenario ids to leave out")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    parser.add_argument("--report", action="store_true", help="only regenerate docs/performance.md")
    args = parser.parse_args(argv)
    console = Console()
    scenarios = load_all()

    if args.list:
        table = Table("id", "scenario", "target", "limit")
        for key, module in scenarios.items():
            limit = getattr(module, "WAITING", "") or f"{module.LIMIT_SECONDS} s"
            table.add_row(key, module.TITLE, module.TARGET, limit)
        console.print(table)
        return 0
    if args.report:
        report.write()
        console.print(f"wrote {config.DOC_PATH.relative_to(config.ROOT)}")
        return 0

    wanted = [part.strip() for part in args.only.split(",") if part.strip()] or list(scenarios)
    skipped = {part.strip() for part in args.skip.split(",") if part.strip()}
    unknown = [key for key in wanted if key not in scenarios]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    wanted = [key for key in wanted if key not in skipped]

    # SIGTERM ends a run the way Ctrl-C does: the scenario's finally blocks stop its children (by their ids).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    redis = _start_redis(console)
    try:
        return _run(args, console, scenarios, wanted)
    finally:
        if redis is not None:
            Context.stop(redis)


def _run(args, console: Console, scenarios: dict, wanted: list[str]) -> int:
    if wanted != ["0"] and _data_loaded():
        # The code under test may have gained migrations since the data set was loaded.
        import subprocess

        console.print("migrating the bench database to the code under test")
        subprocess.run([config.PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=config.server_env(), check=True)
    database.django_setup()
    config.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    run = {"run_id": run_id, "command": _command(), "machine": machine.facts(), "scenarios": {}}
    path = config.RESULTS_DIR / f"run-{run_id}.json"
    budget = sum(getattr(scenarios[key], "LIMIT_SECONDS", 0) for key in wanted)
    console.print(
        f"[bold]Forge CRM benchmarks[/bold] run {run_id}: scenarios {', '.join(wanted)} "
        f"(at most {budget / 60:.0f} min), database {config.DB_NAME} on {config.PG_HOST}"
    )

    columns = (
        TextColumn("{task.fields[label]:<6}"),
        TextColumn("{task.description}", style="cyan"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, refresh_per_second=4) as progress:
        overall = progress.add_task("all scenarios", total=len(wanted), label="run")
        for key in wanted:
            module = scenarios[key]
            result = Result(id=key, title=module.TITLE, target=module.TARGET, command=run["command"])
            result.started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            if getattr(module, "WAITING", ""):
                result.status = "waiting"
                result.notes.append(module.WAITING)
                run["scenarios"][key] = result.to_json()
                progress.advance(overall)
                continue
            limit = float(module.LIMIT_SECONDS)
            result.limit_seconds = limit
            task = progress.add_task("starting", total=limit, label=f"#{key}")
            ctx = Context(result, limit, lambda text, task=task: progress.update(task, description=text), run_id)
            result.load["before"] = machine.load()
            started = time.monotonic()
            try:
                if getattr(module, "NEEDS_DATA", True) and not _data_loaded():
                    raise RuntimeError(f"the large data set is not in {config.DB_NAME}: run scenario 0 first")
                ticker_stop = _ticker(progress, task, started)
                try:
                    module.run(ctx)
                finally:
                    ticker_stop()
                verdicts = [measure.passed for measure in result.measures if measure.passed is not None]
                result.status = "miss" if False in verdicts else ("pass" if verdicts else "measured")
            except ScenarioTimeout as error:
                result.status, result.error = "timeout", str(error)
            except Exception as error:
                result.status, result.error = "error", f"{error}\n{traceback.format_exc()[-4000:]}"
            finally:
                ctx.close()
                database.close_django()
            result.seconds = round(time.monotonic() - started, 1)
            result.load["after"] = machine.load()
            run["scenarios"][key] = result.to_json()
            path.write_text(json.dumps(run, indent=1, ensure_ascii=False, default=str))
            progress.update(task, completed=limit, description=f"{result.status} in {result.seconds:.0f} s")
            progress.advance(overall)

    path.write_text(json.dumps(run, indent=1, ensure_ascii=False, default=str))
    report.write()
    _summary(console, run)
    console.print(f"results: {path.relative_to(config.ROOT)}; report: {config.DOC_PATH.relative_to(config.ROOT)}")
    return 0 if all(s["status"] in {"pass", "miss", "measured", "waiting"} for s in run["scenarios"].values()) else 1


def _start_redis(console: Console):
    """A Redis of the run's own (loopback, no persistence) as the production broker and cache: Celery tasks and
    the API throttle counters go where they go in production. Without redis-server, the embedded defaults."""
    import shutil
    import socket
    import subprocess

    binary = shutil.which("redis-server")
    if not binary:
        console.print("[yellow]redis-server not found: the filesystem broker and per-process cache are used[/yellow]")
        return None
    port = config.REDIS_PORT
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", config.HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(50):
        try:
            socket.create_connection((config.HOST, port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    os.environ["REDIS_URL"] = f"redis://{config.HOST}:{port}/0"
    return process


def _ticker(progress: Progress, task, started: float):
    import threading

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.5):
            progress.update(task, completed=time.monotonic() - started)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return stop.set


def _summary(console: Console, run: dict) -> None:
    table = Table("id", "measure", "ours", "floor", "ratio", "target", "result")
    for key, scenario in run["scenarios"].items():
        if not scenario["measures"]:
            table.add_row(key, scenario["title"][:50], "", "", "", scenario["target"][:40], scenario["status"])
        for measure in scenario["measures"]:
            table.add_row(
                key,
                measure["name"],
                report.number(measure["ours"], measure["unit"]),
                report.number(measure["floor"], measure["unit"]),
                report.ratio(measure["ratio"]),
                measure["target"],
                report.verdict(measure["passed"]),
            )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
