from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class SearchSource:
    entity: str  # "account", "contact", "product"
    model: type[models.Model]
    document: Callable[[Any], Iterable[str]]  # the strings of one row worth finding it by
    title: Callable[[Any], str]
    subtitle: Callable[[Any], str]
    url: Callable[[Any], str]
    select_related: tuple[str, ...] = ()


_sources: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> None:
    _sources[source.entity] = source


def search_sources() -> dict[str, SearchSource]:
    return dict(_sources)
