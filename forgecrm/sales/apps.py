from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "forgecrm.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import navigation, policies  # noqa: F401  register scopes, action rules and the menu

        # ---- sales: pipeline events
        register_event_types(
            "OpportunityCreated",
            "OpportunityUpdated",
            "OpportunityStageChanged",
            "OpportunityWon",
            "OpportunityLost",
        )

        # ---- sales: imports (products, sales team and opportunities on the customers import framework)
        from .imports import register as register_imports

        register_imports()
