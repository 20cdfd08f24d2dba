"""Requests served inside the bench process (Django test client, production settings, the bench database):
the queries a page runs, for the notes and the EXPLAIN plans, and a pyinstrument profile of a page."""

import time
from dataclasses import dataclass

from . import database


@dataclass
class CapturedPage:
    status: int
    milliseconds: float
    queries: list[dict]  # {"sql": ..., "ms": ...}
    body: str


def _client(email: str):
    from django.test import Client

    from forgecrm.platform.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    return client


def capture(email: str, path: str) -> CapturedPage:
    """Serve `path` to `email` once (after one warm-up) and record every SQL statement it ran."""
    database.django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(email)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    queries = [{"sql": query["sql"], "ms": float(query["time"]) * 1000} for query in captured.captured_queries]
    return CapturedPage(response.status_code, elapsed, queries, response.content.decode(errors="replace"))


def queries_text(page: CapturedPage) -> str:
    lines = [f"status {page.status}, {page.milliseconds:.1f} ms in process, {len(page.queries)} queries"]
    for number, query in enumerate(page.queries, 1):
        lines.append(f"\n-- query {number}: {query['ms']:.2f} ms\n{query['sql']}")
    return "\n".join(lines)


def slowest_query(page: CapturedPage) -> str:
    return max(page.queries, key=lambda query: query["ms"])["sql"] if page.queries else ""


def profile(email: str, path: str, repeat: int = 30) -> tuple[str, str]:
    """A pyinstrument profile of `repeat` requests of `path` as `email`: (text report, HTML report)."""
    database.django_setup()
    from pyinstrument import Profiler

    client = _client(email)
    client.get(path)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeat):
        client.get(path)
    profiler.stop()
    from pyinstrument.renderers import ConsoleRenderer

    renderer = ConsoleRenderer(unicode=True, color=False, show_all=False)
    flat = ConsoleRenderer(unicode=True, color=False, flat=True, time="percent_of_total")
    return profiler.output(renderer) + "\n\nSelf time by function:\n" + profiler.output(flat), profiler.output_html()
