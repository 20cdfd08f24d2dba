"""Dashboard tiles: apps register counts (computed through their access-scoped queries)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache


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


def tile_count(tile: DashboardTile, user: Any) -> int:
    """The tile's count for `user`, cached per user for FORGE_DASHBOARD_COUNT_SECONDS.

    A count over a rep's scope of a million contacts is a scan (~400 ms measured, bench scenario 8), and the
    dashboard is the page everyone opens first: the number may be a minute or two old (ARCHITECTURE: counts on
    big tables are estimates or cached), the rows behind it never are.
    """
    seconds = getattr(settings, "FORGE_DASHBOARD_COUNT_SECONDS", 120)
    if not seconds:
        return tile.count(user)
    key = f"dashboard-tile:{user.pk}:{tile.key}"
    count = cache.get(key)
    if count is None:
        count = tile.count(user)
        cache.set(key, count, seconds)
    return count


# A portal registers the page its users land on (user kind -> URL name): the dashboard sends them there, so the
# sign-in page's default redirect works for every kind of user without platform knowing the portals.
_home_pages: dict[str, str] = {}


def register_home_page(kind: str, url_name: str) -> None:
    _home_pages[kind] = url_name


def home_page_for(user: Any) -> str | None:
    return _home_pages.get(getattr(user, "kind", ""))
