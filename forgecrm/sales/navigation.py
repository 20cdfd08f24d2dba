"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads
register_menu_entry(
    MenuEntry(
        label=_("Leads"), url_name="sales:lead-list", icon="user-search", order=10, group="sales", internal_only=False
    )
)
register_menu_entry(
    MenuEntry(label=_("Web forms"), url_name="sales:web-form-list", icon="forms", order=11, group="sales")
)
register_menu_entry(
    MenuEntry(label=_("Lead rules"), url_name="sales:lead-rules", icon="adjustments", order=12, group="sales")
)

# ---- pipeline

# ---- quotes and sales orders

# ---- quotas, forecasts and commissions

# ---- reports and the sales dashboard
