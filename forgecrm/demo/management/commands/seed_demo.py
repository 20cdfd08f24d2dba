from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich import progress as bars
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from forgecrm.demo.scales import SCALES
from forgecrm.demo.seeding import runner
from forgecrm.demo.seeding.progress import Progress

STAGE_LABELS = {
    "organisation": gettext_lazy("Headquarters, teams, territories"),
    "partners": gettext_lazy("Partners and portal users"),
    "accounts": gettext_lazy("Accounts"),
    "contacts": gettext_lazy("Contacts and consents"),
    "catalog": gettext_lazy("Products, options, price lists"),
    "activities": gettext_lazy("Activities"),
    "opportunities": gettext_lazy("Opportunities, quotes, sales orders"),
    "leads": gettext_lazy("Leads"),
    "planning": gettext_lazy("Quotas and forecasts"),
    "commissions": gettext_lazy("Commission statements"),
    "sales activities": gettext_lazy("Sales activities"),
    "search": gettext_lazy("Search index"),
}
COUNT_LABELS = {
    "users": gettext_lazy("Users"),
    "accounts": gettext_lazy("Accounts"),
    "contacts": gettext_lazy("Contacts"),
    "consents": gettext_lazy("Consents"),
    "products": gettext_lazy("Products"),
    "price list items": gettext_lazy("Price list items"),
    "activities": gettext_lazy("Activities"),
    "opportunities": gettext_lazy("Opportunities"),
    "quotes": gettext_lazy("Quotes"),
    "sales orders": gettext_lazy("Sales orders"),
    "leads": gettext_lazy("Leads"),
    "quotas": gettext_lazy("Quotas"),
    "forecast submissions": gettext_lazy("Forecast submissions"),
    "commission statements": gettext_lazy("Commission statements"),
}


class RichProgress(Progress):
    def __init__(self, bar: bars.Progress):
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}

    def stage(self, name: str, total: int) -> None:
        self.tasks[name] = self.bar.add_task(str(STAGE_LABELS.get(name, name)), total=total, start=False)

    def begin(self, name: str) -> None:
        self.bar.start_task(self.tasks[name])  # the clock of a stage runs from when its work starts

    def advance(self, name: str, amount: int) -> None:
        self.bar.advance(self.tasks[name], amount)


class Command(BaseCommand):
    help = "Load the demo data set: a Korean HVAC manufacturer with its partners, customers and activities."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--once", action="store_true", help="Do nothing when demo data is already loaded.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed, the same data.")

    def handle(self, *args, scale: str, once: bool, seed: int, **options):
        console = Console(file=self.stdout._out, highlight=False)
        if runner.demo_present():
            if once:
                console.print(_("Demo data is already loaded."))
                return
            raise CommandError(_("Demo data is already loaded; use an empty database (or --once to skip quietly)."))
        columns = (
            bars.TextColumn("{task.description}"),
            bars.BarColumn(),
            bars.MofNCompleteColumn(),
            bars.TimeElapsedColumn(),
        )
        with bars.Progress(*columns, console=console) as bar:
            summary = runner.seed_demo(scale=SCALES[scale], seed=seed, progress=RichProgress(bar))
        title = _("Demo data (%(scale)s, seed %(seed)s) in %(seconds).1f s") % {
            "scale": summary.scale,
            "seed": summary.seed,
            "seconds": summary.seconds,
        }
        table = Table(title=title)
        table.add_column(_("Rows"))
        table.add_column(_("Count"), justify="right")
        for name, count in summary.counts.items():
            table.add_row(str(COUNT_LABELS.get(name, name)), f"{count:,}")
        console.print(table)
