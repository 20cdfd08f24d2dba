from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from forgecrm.platform.models import User

DEMO_PASSWORD = "forge-demo-2026"  # noqa: S105  # nosec B105  # the published demo password, for the seeded demo users only


class Command(BaseCommand):
    help = "Print the URL and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options):
        console = Console()
        table = Table(title=f"Forge CRM is starting on {url}", show_lines=False)
        for column in ("role", "email", "password"):
            table.add_column(column)
        shown = set()
        for user in User.objects.filter(email__endswith="@demo.forgecrm.kr").order_by("id"):
            if user.role in shown:
                continue
            shown.add(user.role)
            table.add_row(user.get_role_display(), user.email, DEMO_PASSWORD)
        console.print(table)
        console.print(f"Open [bold]{url}[/bold]  ·  API docs: {url}api/docs/  ·  Ctrl+C stops web and worker.")
