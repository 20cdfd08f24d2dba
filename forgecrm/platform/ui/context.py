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


_menu: list[MenuEntry] = []


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
        {"label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon, "active": False}
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
    return {"menu": entries, "admin_menu": admin_entries}
