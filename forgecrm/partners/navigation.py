"""The "Channel" dropdown of headquarters' navigation bar: each area registers its pages in its own section.
Partner users never see it (internal only): their pages are the partner portal's, under /partner/."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group  # noqa: F401

register_menu_group(MenuGroup("channel", _("Channel"), "building-store", order=50))  # type: ignore[arg-type]

# ---- partner profiles

# ---- lead distribution

# ---- deal registrations and channel conflicts

# ---- MDF

# ---- partner service requests

# ---- sell-through, channel inventory and scorecards
