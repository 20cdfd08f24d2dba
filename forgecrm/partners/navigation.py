"""The "Channel" dropdown of headquarters' navigation bar: each area registers its pages in its own section.
Partner users never see it (internal only): their pages are the partner portal's, under /partner/."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group

register_menu_group(MenuGroup("channel", _("Channel"), "building-store", order=50))  # type: ignore[arg-type]

# ---- partner profiles

# ---- lead distribution

# ---- deal registrations and channel conflicts

# ---- MDF
register_menu_entry(MenuEntry(_("MDF"), "partners:mdf-allocations", "wallet", 40, group="channel"))  # type: ignore[arg-type]

# ---- partner service requests
register_menu_entry(
    MenuEntry(_("Partner service requests"), "partners:service-request-list", "lifebuoy", 50, group="channel")  # type: ignore[arg-type]
)

# ---- sell-through, channel inventory and scorecards
