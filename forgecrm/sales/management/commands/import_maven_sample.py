"""Import the Maven CRM sample (accounts, products, sales team, 8,800 opportunities) through the import jobs."""

from pathlib import Path
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forgecrm.platform.models import Job, Role, User
from forgecrm.sales.imports.maven import default_path, import_maven_sample
from forgecrm.sales.queries.reports import sales_summary_for


class Command(BaseCommand):
    help = (
        "Import ../shared/datasets/maven-crm-sales-opportunities through the normal import path (the same jobs "
        "as the import pages, with the mappings documented in forgecrm/sales/imports/maven.py). Re-running "
        "changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--path", type=Path, help="the dataset's folder (default: beside the checkout)")
        parser.add_argument("--actor", help="email of the administrator who imports (default: the first one)")

    def handle(self, *args, **options) -> None:
        path = options["path"] or default_path()
        if path is None or not (path / "sales_pipeline.csv").is_file():
            raise CommandError("The Maven sample was not found; give its folder with --path.")
        actor = self._actor(options["actor"])
        console = Console(file=cast(IO[str], self.stdout))
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bar:

            def on_file(spec, job: Job):
                task = bar.add_task(spec.name, total=max(job.total, 1))
                return lambda rows: bar.advance(task, rows)

            jobs = import_maven_sample(actor=actor, path=path, progress=on_file)
        table = Table(title="Maven sample import")
        for name in ("file", "status", "rows", "new", "updated", "unchanged", "errors", "to check"):
            table.add_column(name, justify="left" if name in ("file", "status") else "right")
        for name, job in jobs.items():
            counts = job.result.get("counts", {})
            first: dict = next(
                (counts[key] for key in ("opportunities", "people", "products", "accounts") if key in counts), {}
            )
            table.add_row(
                name,
                job.status,
                str(counts.get("rows", 0)),
                str(first.get("new", 0)),
                str(first.get("updated", 0)),
                str(first.get("unchanged", 0)),
                str(counts.get("rows_with_errors", 0)),
                str(job.result.get("issue_count", 0)),
            )
        console.print(table)
        summary = sales_summary_for(actor)
        stages = " · ".join(f"{figure.name} {figure.count:,}" for figure in summary.by_stage if figure.count)
        console.print(f"Stages: {stages}")
        console.print(f"Win rate: {summary.win_rate}; won: {summary.won_amounts}")

    @staticmethod
    def _actor(email: str | None) -> User:
        users = User.objects.filter(is_active=True)
        actor = (
            users.filter(email=email.lower()).first() if email else users.filter(role=Role.ADMIN).order_by("pk").first()
        )
        if actor is None or actor.role != Role.ADMIN:
            raise CommandError("Give an active administrator's email with --actor (people are imported as users).")
        return actor
