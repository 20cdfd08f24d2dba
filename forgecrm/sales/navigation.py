"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuGroup, register_menu_group  # areas add: MenuEntry, register_menu_entry

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads

# ---- pipeline

# ---- quotes and sales orders

# ---- quotas, forecasts and commissions
from forgecrm.platform.ui.context import MenuEntry, register_menu_entry  # noqa: E402  this area's section

register_menu_entry(MenuEntry(_("Quotas"), "sales:quota-grid", "target", order=46, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(_("Forecasts"), "sales:forecast-rollup", "chart-line", order=47, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(_("Commissions"), "sales:commission-list", "coin", order=48, group="sales"))  # type: ignore[arg-type]

# ---- reports and the sales dashboard
