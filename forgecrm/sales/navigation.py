"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuGroup, register_menu_group  # areas add: MenuEntry, register_menu_entry

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads

# ---- pipeline

# ---- quotes and sales orders

# ---- quotas, forecasts and commissions

# ---- reports and the sales dashboard
