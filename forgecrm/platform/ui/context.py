"""Navigation: each app registers its menu entries in platform; the base template renders them."""

from dataclasses import dataclass

from django.urls import reverse

from ..access import principal_for
from ..models.identity import Role


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str
    order: int = 100
    internal_only: bool = True
    admin_only: bool = False  # configuration pages (webhooks): administrators only, in the user menu
    group: str = ""  # the key of a MenuGroup: shown in that group's dropdown instead of on the bar


@dataclass(frozen=True)
class MenuGroup:
    """A dropdown on the navigation bar (e.g. "Sales"), placed by its order among the entries."""

    key: str
    label: str
    icon: str
    order: int = 100


_menu: list[MenuEntry] = []
_groups: dict[str, MenuGroup] = {}


def register_menu_group(group: MenuGroup) -> None:
    _groups[group.key] = group


def register_menu_entry(entry: MenuEntry) -> None:
    if entry not in _menu:
        _menu.append(entry)
        _menu.sort(key=lambda item: item.order)


def _is_admin(principal) -> bool:
    return principal.is_internal and principal.role == Role.ADMIN


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"menu": [], "admin_menu": []}
    principal = principal_for(user)
    entries = [
        {
            "label": entry.label,
            "url": reverse(entry.url_name),
            "icon": entry.icon,
            "active": False,
            "group": entry.group,
        }
        for entry in _menu
        if (principal.is_internal or not entry.internal_only) and not entry.admin_only
    ]
    # Configuration pages sit in the user menu, beside the Django admin link, not in the navigation bar.
    admin_entries = [
        {"label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon}
        for entry in _menu
        if entry.admin_only and _is_admin(principal)
    ]
    # Only the longest matching prefix is active: /activities/calendar/ lights "Calendar", not "Activities" too.
    matching = [item for item in entries if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(str(item["url"])))["active"] = True
    return {"menu": _grouped(entries), "admin_menu": admin_entries}


def _grouped(entries: list[dict]) -> list[dict]:
    """Entries of a registered group become one dropdown item, at the place of the group's first entry."""
    items: list[dict] = []
    dropdowns: dict[str, dict] = {}
    for entry in entries:
        group = _groups.get(entry["group"])
        if group is None:
            items.append(entry)
            continue
        if group.key not in dropdowns:
            dropdowns[group.key] = {"label": group.label, "icon": group.icon, "active": False, "children": []}
            items.append(dropdowns[group.key])
        dropdowns[group.key]["children"].append(entry)
        dropdowns[group.key]["active"] = dropdowns[group.key]["active"] or entry["active"]
    return items
