"""The activities menu entry and dashboard tiles (counts through the access-scoped queries)."""

from django.utils.translation import gettext_lazy as _

from forgecrm.platform.ui.context import MenuEntry, register_menu_entry
from forgecrm.platform.ui.dashboard import DashboardTile, register_dashboard_tile

from .queries import open_task_count_for, overdue_count_for

register_menu_entry(
    MenuEntry(label=_("Activities"), url_name="activities:list", icon="calendar-event", order=40, internal_only=False)
)
register_menu_entry(
    MenuEntry(label=_("Calendar"), url_name="activities:calendar", icon="calendar-week", order=41, internal_only=False)
)
register_menu_entry(
    MenuEntry(
        label=_("Activity performance"),
        url_name="activities:performance",
        icon="chart-bar",
        order=42,
        internal_only=True,
    )
)
register_dashboard_tile(
    DashboardTile(
        key="activities.my_open_tasks",
        label=_("My open tasks"),
        count=open_task_count_for,
        url_name="activities:my-open-tasks",
        icon="checkbox",
        order=40,
    )
)
register_dashboard_tile(
    DashboardTile(
        key="activities.overdue",
        label=_("Overdue activities"),
        count=overdue_count_for,
        url_name="activities:overdue",
        icon="alarm",
        order=41,
    )
)
