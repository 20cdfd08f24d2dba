from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "forgecrm.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import (  # noqa: F401  register scopes, action rules and the menu
            lead_sources,
            navigation,
            policies,
        )

        # ---- sales: pipeline (outbox events; opportunities in the search and on the 360° timeline)
        register_event_types(
            "OpportunityCreated",
            "OpportunityUpdated",
            "OpportunityStageChanged",
            "OpportunityWon",
            "OpportunityLost",
        )
        from . import opportunity_sources  # noqa: F401

        # ---- sales: lead events
        register_event_types(
            "LeadCreated",
            "LeadUpdated",
            "LeadStatusChanged",
            "LeadAssigned",
            "LeadConverted",
            "LeadsImported",
        )

        from . import order_timeline, quote_events  # noqa: F401  quotes and orders: outbox event types, timeline

        # ---- sales: imports (products, sales team and opportunities on the customers import framework)
        from .imports import register as register_imports

        register_imports()
