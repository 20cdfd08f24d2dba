"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuGroup, register_menu_group  # areas add: MenuEntry, register_menu_entry

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads

# ---- pipeline
from forgecrm.platform.ui.context import MenuEntry, register_menu_entry  # noqa: E402

# Partners work their own deals too (the scope shows them only those).
OPPORTUNITIES, PIPELINE, STAGES = _("Opportunities"), _("Pipeline"), _("Pipeline stages")
_opportunities = MenuEntry(OPPORTUNITIES, "sales:opportunity-list", "briefcase", 20, internal_only=False, group="sales")  # type: ignore[arg-type]
register_menu_entry(_opportunities)
register_menu_entry(MenuEntry(PIPELINE, "sales:pipeline", "layout-kanban", 21, internal_only=False, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(STAGES, "sales:stage-settings", "adjustments", 900, admin_only=True))  # type: ignore[arg-type]

# ---- quotes and sales orders

# ---- quotas, forecasts and commissions

# ---- reports and the sales dashboard
