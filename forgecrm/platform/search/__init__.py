"""One search interface over two indexed backends (PostgreSQL pg_trgm, SQLite FTS5 trigram).

Apps register a source per entity: the model and how to turn a row into searchable text.
Results are always filtered by the access layer in the same SQL query.
"""

from .index import document_body, index_objects, normalize_query, reindex_entity, remove_objects
from .query import SearchHit, search, search_queryset
from .registry import SearchSource, register_search_source, search_sources

__all__ = [
    "SearchHit",
    "SearchSource",
    "document_body",
    "index_objects",
    "normalize_query",
    "register_search_source",
    "reindex_entity",
    "remove_objects",
    "search",
    "search_queryset",
    "search_sources",
]
