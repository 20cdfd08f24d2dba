from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "forgecrm.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from . import navigation, order_timeline, policies, quote_events  # noqa: F401  register scopes, action rules and the menu  # noqa: F401  quotes and orders: outbox event types, timeline
