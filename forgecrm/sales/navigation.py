"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import (  # areas add: MenuEntry, register_menu_entry
    MenuEntry,
    MenuGroup,
    register_menu_entry,
    register_menu_group,
)

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads

# ---- pipeline

# ---- quotes and sales orders

# ---- quotas, forecasts and commissions

# ---- reports and the sales dashboard

# ---- imports (products, sales team, opportunities: the customers import pages)
register_menu_entry(MenuEntry(_("Import"), "customers:account-import", "file-import", order=90, group="sales"))  # type: ignore[arg-type]
