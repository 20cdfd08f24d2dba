"""What every scenario uses: a deadline, child processes it can stop, gunicorn, wrk, logins, EXPLAIN, memory."""

import json
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

from . import config

WRK_TIMEOUT_S = 10


class ScenarioTimeout(Exception):
    """The scenario ran past its duration limit; its children have been stopped."""


@dataclass
class Measure:
    """One figure of a scenario beside its floor. `ratio` is ours / floor; the target says which way is good."""

    name: str
    unit: str
    ours: float | None
    floor: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    details: dict = field(default_factory=dict)


def at_least(name: str, unit: str, ours: float, floor: float, minimum: float, **details) -> Measure:
    """A throughput: passes when ours >= minimum x floor."""
    ratio = ours / floor if floor else None
    passed = ratio is not None and ratio >= minimum
    return Measure(name, unit, ours, floor, ratio, f"≥ {minimum:g}x floor", passed, details)


def at_most_times(name: str, unit: str, ours: float, floor: float, maximum: float, **details) -> Measure:
    """A latency: passes when ours <= maximum x floor."""
    ratio = ours / floor if floor else None
    passed = ratio is not None and ratio <= maximum
    return Measure(name, unit, ours, floor, ratio, f"≤ {maximum:g}x floor", passed, details)


def at_most(name: str, unit: str, ours: float, limit: float, **details) -> Measure:
    """An absolute limit (p95 latency, errors)."""
    return Measure(name, unit, ours, None, None, f"≤ {limit:g} {unit}", ours <= limit, details)


def info(name: str, unit: str, ours: float | None, floor: float | None = None, **details) -> Measure:
    """A figure reported without a target (a sub-step, a diagnostic floor)."""
    ratio = ours / floor if (ours is not None and floor) else None
    return Measure(name, unit, ours, floor, ratio, "", None, details)


@dataclass
class Result:
    id: str
    title: str
    target: str
    status: str = "pending"  # pass, miss, error, timeout, waiting
    measures: list[Measure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # EXPLAIN plans, profiles, reports (paths from the repo root)
    memory: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    started: str = ""
    seconds: float = 0.0
    limit_seconds: float = 0.0
    command: str = ""
    error: str = ""

    def to_json(self) -> dict:
        return asdict(self)


class MemoryWatch:
    """Samples the resident memory of a process tree; keeps the peak of each process and of the tree's sum."""

    def __init__(self, label: str, pid: int, interval: float = 0.25):
        self.label, self.pid, self.interval = label, pid, interval
        self.peak_total = 0
        self.peak_by_pid: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for process in processes:
            try:
                rss = process.memory_info().rss
                name = " ".join(process.cmdline()[:3])[-60:]
            except psutil.Error:
                continue
            total += rss
            if rss > self.peak_by_pid.get(process.pid, ("", 0))[1]:
                self.peak_by_pid[process.pid] = (name, rss)
        self.peak_total = max(self.peak_total, total)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> dict:
        self._sample()
        self._stop.set()
        self._thread.join(timeout=2)
        processes = sorted(self.peak_by_pid.values(), key=lambda item: -item[1])
        return {
            "process": self.label,
            "peak_total_mb": round(self.peak_total / 2**20, 1),
            "peak_per_process_mb": [{"cmd": name, "peak_mb": round(rss / 2**20, 1)} for name, rss in processes[:6]],
        }


@dataclass
class WrkRun:
    label: str
    connections: int
    seconds: float
    requests: int
    rps: float
    ok: int
    bad_status: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    distinct_requests: int

    @property
    def clean(self) -> bool:
        return self.bad_status == 0 and self.socket_errors == 0 and self.requests > 0


class Context:
    """Handed to a scenario's `run`: its deadline, its progress line, its children, its result."""

    def __init__(self, result: Result, limit: float, on_step: Callable[[str], None], run_id: str):
        self.result = result
        self.limit = limit
        self.started = time.monotonic()
        self.deadline = self.started + limit
        self.on_step = on_step
        self.run_id = run_id
        self.children: list[subprocess.Popen] = []
        self.timed_out = threading.Event()
        self._watchdog = threading.Timer(limit, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()
        config.WORK_DIR.mkdir(parents=True, exist_ok=True)

    # --- time -------------------------------------------------------------------------------------------------

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def check_time(self) -> None:
        if self.timed_out.is_set() or self.remaining() <= 0:
            raise ScenarioTimeout(f"over the {self.limit:.0f} s limit")

    def _expire(self) -> None:
        self.timed_out.set()
        self.stop_children()

    def close(self) -> None:
        self._watchdog.cancel()
        self.stop_children()

    def step(self, text: str) -> None:
        self.check_time()
        self.on_step(text)

    def note(self, text: str) -> None:
        self.result.notes.append(text)

    # --- processes ----------------------------------------------------------------------------------------------

    def popen(self, command: list[str], env: dict | None = None, **kwargs) -> subprocess.Popen:
        """A child in its own process group, stopped (by its own id) when the scenario ends or times out."""
        self.check_time()
        process = subprocess.Popen(command, env=env, cwd=config.ROOT, start_new_session=True, **kwargs)
        self.children.append(process)
        return process

    def run(self, command: list[str], env: dict | None = None, timeout: float | None = None, check=True):
        """Run a child to its end (bounded by the scenario's remaining time); returns (returncode, stdout, stderr)."""
        process = self.popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        limit = min(timeout or self.remaining(), self.remaining())
        try:
            out, err = process.communicate(timeout=max(1.0, limit))
        except subprocess.TimeoutExpired:
            self.stop(process)
            out, err = process.communicate()
            raise ScenarioTimeout(f"{shlex.join(command[:3])}… ran past the limit") from None
        if self.timed_out.is_set():
            raise ScenarioTimeout(f"over the {self.limit:.0f} s limit")
        if check and process.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} exited {process.returncode}: {err[-3000:]}")
        return process.returncode, out, err

    @staticmethod
    def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_children(self) -> None:
        for process in reversed(self.children):
            self.stop(process)

    # --- gunicorn -------------------------------------------------------------------------------------------------

    @contextmanager
    def server(self, label: str = "web (gunicorn)", workers: int | None = None, database: str = config.DB_NAME):
        """gunicorn under the production settings (plus the floor URLs) on 127.0.0.1, its memory watched."""
        workers = workers or config.GUNICORN_WORKERS
        base = f"http://{config.HOST}:{config.HTTP_PORT}"
        command = [
            str(config.VENV_BIN / "gunicorn"), "config.wsgi", "-w", str(workers), "-b",
            f"{config.HOST}:{config.HTTP_PORT}", "--backlog", "2048", "--timeout", "120",
            "--log-level", "warning", "--error-logfile", str(config.WORK_DIR / "gunicorn.log"),
        ]  # fmt: skip
        self.step(f"starting gunicorn ({workers} workers)")
        process = self.popen(command, env=config.server_env(database))
        watch = None
        try:
            for _ in range(120):
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited {process.returncode}; see {config.WORK_DIR / 'gunicorn.log'}")
                try:
                    requests.get(base + "/login/", timeout=2)
                    break
                except requests.RequestException:
                    time.sleep(0.5)
            else:
                raise RuntimeError("gunicorn did not answer")
            watch = MemoryWatch(label, process.pid).start()
            yield base
        finally:
            if watch is not None:
                self.result.memory.setdefault("web", []).append(watch.stop())
            self.stop(process)

    # --- wrk -------------------------------------------------------------------------------------------------------

    def wrk(
        self,
        label: str,
        base: str,
        lines: Iterable[tuple[str, str, dict, str]],
        *,
        connections: int = 32,
        seconds: int = 15,
        warmup: int = 3,
        threads: int = 2,
    ) -> WrkRun:
        """wrk against `base` cycling through (method, path, headers, body) requests; a short warm-up first."""
        if not base.startswith(f"http://{config.HOST}:"):
            raise ValueError("the load generator only talks to 127.0.0.1")
        lines = list(lines)
        request_file = config.WORK_DIR / f"wrk-{self.result.id}-{abs(hash(label)) % 10**8}.tsv"
        with request_file.open("w") as handle:
            for method, path, headers, body in lines:
                joined = "\x1f".join(f"{name}: {value}" for name, value in headers.items())
                handle.write(f"{method}\t{path}\t{joined}\t{body}\n")
        script = str(config.BENCH_DIR / "lua" / "requests.lua")

        def once(duration: int) -> dict:
            command = [
                "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", f"{WRK_TIMEOUT_S}s",
                "-s", script, base, "--", str(request_file),
            ]  # fmt: skip
            _code, out, _err = self.run(command, timeout=duration + 60)
            self._drain(base)
            for line in out.splitlines():
                if line.startswith("BENCH_JSON "):
                    return json.loads(line.removeprefix("BENCH_JSON "))
            raise RuntimeError(f"wrk printed no result: {out[-2000:]}")

        if warmup:
            self.step(f"{label}: warm-up {warmup} s")
            once(warmup)
        self.step(f"{label}: wrk {connections} connections, {seconds} s")
        data = once(seconds)
        latency = data["latency_us"]
        duration = data["duration_us"] / 1e6
        errors = data["errors"]
        socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
        p95_ms = latency["p95"] / 1000
        if data["requests"] == 0 or errors["timeout"]:
            # Requests that did not finish within wrk's 10 s timeout are not in its percentiles: the p95 is at least that.
            p95_ms = max(p95_ms, WRK_TIMEOUT_S * 1000.0)
        run = WrkRun(
            label=label,
            connections=connections,
            seconds=round(duration, 2),
            requests=data["requests"],
            rps=round(data["requests"] / duration, 1) if duration else 0.0,
            ok=data["ok"],
            bad_status=data["bad_status"],
            socket_errors=socket_errors,
            p50_ms=latency["p50"] / 1000,
            p90_ms=latency["p90"] / 1000,
            p95_ms=p95_ms,
            p99_ms=latency["p99"] / 1000,
            max_ms=latency["max"] / 1000,
            mean_ms=round(latency["mean"] / 1000, 2),
            distinct_requests=len(lines),
        )
        if not run.clean:
            self.note(f"{label}: {run.bad_status} responses outside 2xx and {run.socket_errors} socket errors")
        return run

    def _drain(self, base: str) -> None:
        """Wait until gunicorn has answered what wrk left queued (sync workers finish requests whose client has
        gone), so that one measurement's backlog does not eat into the next one."""
        with suppress(requests.RequestException):
            requests.get(f"{base}/_floor/ping/", timeout=max(5.0, min(300.0, self.remaining())))

    # --- sessions and tokens ------------------------------------------------------------------------------------------

    def login(self, base: str, email: str, password: str = config.DEMO_PASSWORD) -> dict[str, str]:
        """Log in through the real login page (CSRF included); returns the cookies of the session."""
        session = requests.Session()
        session.get(f"{base}/login/", timeout=30)
        token = session.cookies.get("csrftoken", "")
        response = session.post(
            f"{base}/login/",
            data={"username": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302 or "sessionid" not in session.cookies:
            shown = re.findall(r'class="[^"]*(?:errorlist|alert)[^"]*"[^>]*>\s*(.{0,160})', response.text, re.S)
            raise RuntimeError(f"login of {email} failed ({response.status_code}): {shown[:3]}")
        return {name: session.cookies.get(name, "") for name in ("sessionid", "csrftoken")}

    @staticmethod
    def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}

    @staticmethod
    def expect_ok(base: str, path: str, headers: dict, marker: str = "", method: str = "GET", body: str = "") -> str:
        """One request before the load: the page must answer 2xx (not a login redirect) and contain `marker`."""
        response = requests.request(
            method, base + path, headers=headers, data=body.encode() or None, allow_redirects=False, timeout=60
        )
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        if marker and marker not in response.text:
            raise RuntimeError(f"{method} {path} does not contain {marker!r}")
        return response.text

    # --- files ----------------------------------------------------------------------------------------------------------

    def write_file(self, directory: Path, name: str, text: str) -> str:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_text(text)
        relative = str(path.relative_to(config.ROOT))
        if relative not in self.result.files:
            self.result.files.append(relative)
        return relative

    def explain(self, name: str, sql: str, params: Any = None, header: str = "") -> str:
        """EXPLAIN (ANALYZE, BUFFERS) of a query, stored beside the results; returns the file's path."""
        from . import database

        plan = database.explain(sql, params)
        text = f"-- run {self.run_id}, scenario {self.result.id}: {name}\n{header}\n{sql.strip()}\n\n{plan}\n"
        return self.write_file(config.EXPLAIN_DIR, f"{self.result.id}-{name}.txt", text)
