"""The "Channel" dropdown of headquarters' navigation bar: each area registers its pages in its own section.
Partner users never see it (internal only): their pages are the partner portal's, under /partner/."""

from typing import cast

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group

register_menu_group(MenuGroup("channel", _("Channel"), "building-store", order=50))  # type: ignore[arg-type]

# ---- partner profiles

# ---- lead distribution

# ---- deal registrations and channel conflicts
DEAL_REGISTRATIONS = cast(str, _("Deal registrations"))
CHANNEL_CONFLICTS = cast(str, _("Channel conflicts"))
register_menu_entry(
    MenuEntry(DEAL_REGISTRATIONS, "partners:registration-list", "file-certificate", 530, group="channel")
)
register_menu_entry(MenuEntry(CHANNEL_CONFLICTS, "partners:conflict-list", "git-merge", 535, group="channel"))

# ---- MDF

# ---- partner service requests

# ---- sell-through, channel inventory and scorecards
