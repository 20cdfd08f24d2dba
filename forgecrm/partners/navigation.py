"""The "Channel" dropdown of headquarters' navigation bar: each area registers its pages in its own section.
Partner users never see it (internal only): their pages are the partner portal's, under /partner/."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group

register_menu_group(MenuGroup("channel", _("Channel"), "building-store", order=50))  # type: ignore[arg-type]

# ---- partner profiles

# ---- lead distribution

# ---- deal registrations and channel conflicts
register_menu_entry(
    MenuEntry(_("Deal registrations"), "partners:registration-list", "file-certificate", order=530, group="channel")
)  # type: ignore[arg-type]
register_menu_entry(
    MenuEntry(_("Channel conflicts"), "partners:conflict-list", "git-merge", order=535, group="channel")
)  # type: ignore[arg-type]

# ---- MDF

# ---- partner service requests

# ---- sell-through, channel inventory and scorecards
