"""Search documents for bulk-written rows, made from the rows in memory rather than read back from the table."""

from django.db import models

from forgecrm.platform.search import index_objects, reindex_entity, search_sources

from .progress import Progress


class SearchFeed:
    """Indexes rows as they are written (`index_objects`, the platform's own document rules); `finish` rebuilds
    every other registered entity with `reindex_entity`."""

    def __init__(self):
        self.sources = search_sources()
        self.fed: set[str] = set()
        self._fields: dict[type[models.Model], list[str]] = {}

    def feed(self, entity: str, model: type[models.Model], rows: list[dict], related: str = "") -> None:
        """Index `rows` of `model`; `related` names a FK whose instance the rows carry under "_<related>"."""
        if entity not in self.sources or not rows:
            return
        if model not in self._fields:
            self._fields[model] = [f.attname for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        names = self._fields[model]
        instances = []
        for row in rows:
            instance = model(**{name: row[name] for name in names if name in row})
            if related:
                setattr(instance, related, row[f"_{related}"])
            instances.append(instance)
        index_objects(entity, instances)
        self.fed.add(entity)

    def finish(self, progress: Progress) -> None:
        rest = [entity for entity in self.sources if entity not in self.fed]
        total = sum(self.sources[entity].model._default_manager.count() for entity in rest)
        progress.stage("search", total)
        progress.begin("search")
        for entity in rest:
            reindex_entity(entity, progress=lambda amount: progress.advance("search", amount))
