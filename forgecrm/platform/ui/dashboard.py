"""Dashboard tiles: apps register counts (computed through their access-scoped queries)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardTile:
    key: str
    label: str
    count: Callable[[Any], int]
    url_name: str
    icon: str = "circle"
    order: int = 100


_tiles: dict[str, DashboardTile] = {}


def register_dashboard_tile(tile: DashboardTile) -> None:
    _tiles[tile.key] = tile


def dashboard_tiles() -> list[DashboardTile]:
    return sorted(_tiles.values(), key=lambda tile: tile.order)
