from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from ..access import scope_for
from ..models import SearchDocument
from .index import normalize_query
from .registry import SearchSource, search_sources


@dataclass(frozen=True)
class SearchHit:
    entity: str
    object_id: int
    title: str
    subtitle: str
    url: str


def _matching_ids(entity: str, text: str) -> RawSQL | QuerySet:
    """The ids of one entity whose document contains `text`, as a subquery the database plans with its index."""
    if connection.vendor == "sqlite" and len(text) >= 3:
        # FTS5 trigram: a quoted phrase is a substring match served by the index.
        phrase = '"' + text.replace('"', '""') + '"'
        return RawSQL(
            "SELECT d.object_id FROM platform_search_fts f JOIN platform_searchdocument d ON d.id = f.rowid "
            "WHERE platform_search_fts MATCH %s AND d.entity = %s",
            (phrase, entity),
        )
    # PostgreSQL: `body LIKE '%text%'` is served by the pg_trgm GIN index (body and text are both lower-cased
    # already; icontains would wrap the column in UPPER() and miss the index). Short SQLite queries scan.
    return SearchDocument.objects.filter(entity=entity, body__contains=text).values("object_id")


def search_queryset(actor, entity: str, text: str) -> QuerySet:
    """Rows of one entity matching `text` that the actor may see, as a queryset (for list filters)."""
    source: SearchSource = search_sources()[entity]
    query = normalize_query(text)
    base = scope_for(actor, source.model)
    if not query:
        return base.none()
    return base.filter(pk__in=_matching_ids(entity, query))


def search(actor, text: str, entities: list[str] | None = None, limit: int = 10) -> list[SearchHit]:
    """Type-ahead and global search: at most `limit` hits per entity, access layer applied."""
    hits: list[SearchHit] = []
    for entity, source in search_sources().items():
        if entities and entity not in entities:
            continue
        rows = search_queryset(actor, entity, text).select_related(*source.select_related).order_by("pk")[:limit]
        hits.extend(SearchHit(entity, row.pk, source.title(row), source.subtitle(row), source.url(row)) for row in rows)
    return hits
