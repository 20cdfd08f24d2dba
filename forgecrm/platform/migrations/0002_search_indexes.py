"""Search indexes per database: pg_trgm GIN on PostgreSQL, an FTS5 trigram mirror on SQLite."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS platform_search_fts USING fts5("
    "body, content='platform_searchdocument', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS platform_search_ai AFTER INSERT ON platform_searchdocument BEGIN "
    "INSERT INTO platform_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS platform_search_ad AFTER DELETE ON platform_searchdocument BEGIN "
    "INSERT INTO platform_search_fts(platform_search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS platform_search_au AFTER UPDATE ON platform_searchdocument BEGIN "
    "INSERT INTO platform_search_fts(platform_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO platform_search_fts(rowid, body) VALUES (new.id, new.body); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS platform_search_au",
    "DROP TRIGGER IF EXISTS platform_search_ad",
    "DROP TRIGGER IF EXISTS platform_search_ai",
    "DROP TABLE IF EXISTS platform_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS platform_searchdocument_body_trgm "
    "ON platform_searchdocument USING gin (body gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS platform_searchdocument_body_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("platform", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
