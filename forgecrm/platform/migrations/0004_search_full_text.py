"""PostgreSQL full-text index beside the trigram one: several words match in any order."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS platform_searchdocument_body_fts "
    "ON platform_searchdocument USING gin (to_tsvector('simple', body))"
)
BACKWARD = "DROP INDEX IF EXISTS platform_searchdocument_body_fts"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("platform", "0003_verbose_names")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
