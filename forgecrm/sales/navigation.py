"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry as _Entry
from forgecrm.platform.ui.context import MenuGroup, register_menu_group  # areas add: MenuEntry, register_menu_entry
from forgecrm.platform.ui.context import register_menu_entry as _register_entry

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads

# ---- pipeline

# ---- quotes and sales orders
# Partners see their deals' quotes and orders, customer portal users their own orders: not internal only.
_register_entry(_Entry(_("Quotes"), "sales:quote-list", "file-invoice", order=30, internal_only=False, group="sales"))  # type: ignore[arg-type]
_register_entry(_Entry(_("Sales orders"), "sales:order-list", "package", order=31, internal_only=False, group="sales"))  # type: ignore[arg-type]

# ---- quotas, forecasts and commissions

# ---- reports and the sales dashboard
