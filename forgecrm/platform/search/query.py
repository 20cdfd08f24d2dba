import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
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


WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    """Search words: what a user types between spaces ("한빛 강남" = two words, in any order)."""
    return text.split()[:8]


def _matching_ids(entity: str, text: str) -> RawSQL | QuerySet:
    """The ids of one entity whose document matches `text`, as a subquery the database plans with its index.

    One word (or a phone/BRN): a substring match. Several words: every word must occur, in any order.
    """
    words = _words(text)
    if connection.vendor == "sqlite":
        if all(len(word) >= 3 for word in words) and words:
            # FTS5 trigram: each quoted word is a substring match served by the index; AND joins them.
            expression = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
            return RawSQL(
                "SELECT d.object_id FROM platform_search_fts f JOIN platform_searchdocument d ON d.id = f.rowid "
                "WHERE platform_search_fts MATCH %s AND d.entity = %s",
                (expression, entity),
            )
        # Words shorter than a trigram cannot use the FTS index: a scan of this entity's documents.
        documents = SearchDocument.objects.filter(entity=entity)
        for word in words or [text]:
            documents = documents.filter(body__contains=word)
        return documents.values("object_id")
    # PostgreSQL: `body LIKE '%word%'` is served by the pg_trgm GIN index (body and words are lower-cased
    # already; icontains would wrap the column in UPPER() and miss the index). Several words also match by
    # full text (word prefixes in any order, the GIN tsvector index), so the two indexes are OR-ed.
    if len(words) <= 1:
        return SearchDocument.objects.filter(entity=entity, body__contains=words[0] if words else text).values(
            "object_id"
        )
    every_word = Q()
    for word in words:
        every_word &= Q(body__contains=word)
    terms = [term for word in words for term in WORD.findall(word)]
    if terms:
        # to_tsquery gets only letters and digits (its operators cannot be injected); each term is a prefix.
        prefix_query = " & ".join(f"{term}:*" for term in terms)
        full_text = RawSQL(
            "to_tsvector('simple', body) @@ to_tsquery('simple', %s)", (prefix_query,), output_field=BooleanField()
        )
        every_word |= Q(full_text)
    return SearchDocument.objects.filter(Q(entity=entity) & every_word).values("object_id")


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
