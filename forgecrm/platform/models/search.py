from django.db import models


class SearchDocument(models.Model):
    """One searchable row per record: normalised text (names, email, phone digits, BRN digits).

    PostgreSQL indexes `body` with pg_trgm GIN; SQLite mirrors it into an FTS5 trigram table
    (created in the migration) so that search is one indexed query on either database.
    """

    entity = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "object_id"], name="search_document_unique")]
