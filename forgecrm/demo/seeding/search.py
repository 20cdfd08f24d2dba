"""Search documents for bulk-written rows, made from the rows in memory and written in bulk themselves."""

from django.db import models
from django.db.models.base import ModelState
from django.utils import timezone

from forgecrm.platform.models import SearchDocument
from forgecrm.platform.search import document_body, reindex_entity, search_sources

from .bulk import TableWriter
from .progress import Progress


def loaded(model: type[models.Model], values: dict, related: dict | None = None) -> models.Model:
    """An instance as the ORM builds one from a fetched row (`Model.from_db` without the query): field values
    as attributes, FK instances in the cache. `Model(**values)` would cost ten times as much per row."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    state = ModelState()
    state.adding, state.db = False, "default"
    if related:
        state.fields_cache.update(related)
    instance._state = state
    return instance


class SearchFeed:
    """Indexes rows as they are written, with the platform's own document rules (`document_body`); `finish`
    rebuilds every other registered entity with `reindex_entity`."""

    def __init__(self):
        self.sources = search_sources()
        self.fed: set[str] = set()
        self.writer = TableWriter(SearchDocument)
        self._defaults: dict[type[models.Model], dict] = {}

    def feed(self, entity: str, model: type[models.Model], rows: list[dict], related: str = "") -> None:
        """Index `rows` of `model`; `related` names a FK whose instance the rows carry under "_<related>"."""
        if entity not in self.sources or not rows:
            return
        if model not in self._defaults:  # a field missing from the instance would be fetched from the database
            self._defaults[model] = TableWriter(model).defaults
        defaults = self._defaults[model]
        now = timezone.now()
        documents = []
        for row in rows:
            instance = loaded(
                model,
                {name: row.get(name, default) for name, default in defaults.items()},
                {related: row[f"_{related}"]} if related else None,
            )
            documents.append(
                {
                    "id": self.writer.next_id(),
                    "entity": entity,
                    "object_id": row["id"],
                    "body": document_body(entity, instance),
                    "updated_at": now,
                }
            )
        self.writer.write(documents)
        self.fed.add(entity)

    def finish(self, progress: Progress) -> None:
        rest = [entity for entity in self.sources if entity not in self.fed]
        total = sum(self.sources[entity].model._default_manager.count() for entity in rest)
        progress.stage("search", total)
        progress.begin("search")
        for entity in rest:
            reindex_entity(entity, progress=lambda amount: progress.advance("search", amount))
