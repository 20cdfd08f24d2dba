"""The "Sales" dropdown of the navigation bar: each area registers its pages in its own section."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, MenuGroup, register_menu_entry, register_menu_group
from forgecrm.platform.ui.context import MenuEntry as _Entry
from forgecrm.platform.ui.context import register_menu_entry as _register_entry

register_menu_group(MenuGroup("sales", _("Sales"), "chart-arrows", order=40))  # type: ignore[arg-type]

# ---- leads
LEADS: str = _("Leads")  # type: ignore[assignment]  # lazy: the menu shows each user's language
WEB_FORMS: str = _("Web forms")  # type: ignore[assignment]
LEAD_RULES: str = _("Lead rules")  # type: ignore[assignment]
register_menu_entry(MenuEntry(LEADS, "sales:lead-list", "user-search", 10, internal_only=False, group="sales"))
register_menu_entry(MenuEntry(WEB_FORMS, "sales:web-form-list", "forms", 11, group="sales"))
register_menu_entry(MenuEntry(LEAD_RULES, "sales:lead-rules", "adjustments", 12, group="sales"))

# ---- pipeline
from forgecrm.platform.ui.context import MenuEntry, register_menu_entry  # noqa: E402

# Partners work their own deals too (the scope shows them only those).
OPPORTUNITIES, PIPELINE, STAGES = _("Opportunities"), _("Pipeline"), _("Pipeline stages")
_opportunities = MenuEntry(OPPORTUNITIES, "sales:opportunity-list", "briefcase", 20, internal_only=False, group="sales")  # type: ignore[arg-type]
register_menu_entry(_opportunities)
register_menu_entry(MenuEntry(PIPELINE, "sales:pipeline", "layout-kanban", 21, internal_only=False, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(STAGES, "sales:stage-settings", "adjustments", 900, admin_only=True))  # type: ignore[arg-type]

# ---- quotes and sales orders
# Partners see their deals' quotes and orders, customer portal users their own orders: not internal only.
_register_entry(_Entry(_("Quotes"), "sales:quote-list", "file-invoice", order=30, internal_only=False, group="sales"))  # type: ignore[arg-type]
_register_entry(_Entry(_("Sales orders"), "sales:order-list", "package", order=31, internal_only=False, group="sales"))  # type: ignore[arg-type]

# ---- quotas, forecasts and commissions
from forgecrm.platform.ui.context import MenuEntry, register_menu_entry  # noqa: E402  this area's section

register_menu_entry(MenuEntry(_("Quotas"), "sales:quota-grid", "target", order=46, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(_("Forecasts"), "sales:forecast-rollup", "chart-line", order=47, group="sales"))  # type: ignore[arg-type]
register_menu_entry(MenuEntry(_("Commissions"), "sales:commission-list", "coin", order=48, group="sales"))  # type: ignore[arg-type]

# ---- reports and the sales dashboard
register_menu_entry(MenuEntry(_("Sales dashboard"), "sales:dashboard", "layout-dashboard", order=90, group="sales"))  # type: ignore[arg-type]
register_menu_entry(
    MenuEntry(_("Reports"), "sales:reports", "chart-histogram", order=91, internal_only=False, group="sales")  # type: ignore[arg-type]
)

# ---- imports (products, sales team, opportunities: the customers import pages)
register_menu_entry(MenuEntry(_("Import"), "customers:account-import", "file-import", order=92, group="sales"))  # type: ignore[arg-type]
