"""The catalog's menu entries and dashboard tile."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, register_menu_entry
from forgecrm.platform.ui.dashboard import DashboardTile, register_dashboard_tile

from .queries import active_product_count_for

register_menu_entry(MenuEntry(_("Products"), "catalog:product-list", "package", order=30, internal_only=False))
register_menu_entry(
    MenuEntry(_("Price lists"), "catalog:price-list-list", "report-money", order=31, internal_only=False)
)
register_dashboard_tile(
    DashboardTile(
        key="active_products",
        label=_("Active products"),
        count=active_product_count_for,
        url_name="catalog:product-list",
        icon="package",
        order=30,
    )
)
