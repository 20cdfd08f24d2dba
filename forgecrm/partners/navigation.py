"""The "Channel" dropdown of headquarters' navigation bar: each area registers its pages in its own section.
Partner users never see it (internal only): their pages are the partner portal's, under /partner/."""

from typing import cast

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group

register_menu_group(MenuGroup("channel", _("Channel"), "building-store", order=50))  # type: ignore[arg-type]

# ---- partner profiles
PARTNERS, TIERS = _("Partners"), _("Partner tiers")
register_menu_entry(MenuEntry(PARTNERS, "partners:partner-list", "building-store", 1, group="channel"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(TIERS, "partners:tier-rules", "stairs", 5, group="channel"))  # type: ignore[arg-type]

# ---- lead distribution
CONSOLE, ROUTING_RULES = _("Routing console"), _("Lead routing rules")
register_menu_entry(MenuEntry(CONSOLE, "partners:routing-console", "route", 10, group="channel"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(ROUTING_RULES, "partners:routing-rule-list", "adjustments", 11, group="channel"))  # type: ignore[arg-type]

# ---- deal registrations and channel conflicts
DEAL_REGISTRATIONS = cast(str, _("Deal registrations"))
CHANNEL_CONFLICTS = cast(str, _("Channel conflicts"))
register_menu_entry(
    MenuEntry(DEAL_REGISTRATIONS, "partners:registration-list", "file-certificate", 530, group="channel")
)
register_menu_entry(MenuEntry(CHANNEL_CONFLICTS, "partners:conflict-list", "git-merge", 535, group="channel"))

# ---- MDF
register_menu_entry(MenuEntry(_("MDF"), "partners:mdf-allocations", "wallet", 40, group="channel"))  # type: ignore[arg-type]

# ---- partner service requests
register_menu_entry(
    MenuEntry(_("Partner service requests"), "partners:service-request-list", "lifebuoy", 50, group="channel")  # type: ignore[arg-type]
)

# ---- sell-through, channel inventory and scorecards
SCORECARDS = _("Partner scorecards")
register_menu_entry(MenuEntry(SCORECARDS, "partners:scorecard-overview", "chart-bar", 60, group="channel"))  # type: ignore[arg-type]
SELL_THROUGH = _("Sell-through and stock")
register_menu_entry(MenuEntry(SELL_THROUGH, "partners:sell-through", "packages", 58, group="channel"))  # type: ignore[arg-type]

# ---- the effectiveness loop (the entry shows to every internal user; the page answers its readers only)
EFFECTIVENESS = _("Channel effectiveness")
register_menu_entry(MenuEntry(EFFECTIVENESS, "partners:channel-effectiveness", "chart-funnel", 62, group="channel"))  # type: ignore[arg-type]
