"""Fails when a ko or en catalog misses a message, is fuzzy, or is not compiled (run by `make lint`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forgecrm.platform.i18n_catalogs import catalog_problems


class Command(BaseCommand):
    help = "Check that the ko and en translation catalogs are complete."

    def handle(self, *args, **options):
        problems = catalog_problems(Path(settings.BASE_DIR) / "locale", ["ko", "en"])
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("catalogs complete")
