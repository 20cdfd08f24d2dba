from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "forgecrm.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from forgecrm.platform.events import subscribe_to_every_event

        from . import navigation, policies  # noqa: F401  scopes, rules, menu entry
        from .webhooks.subscriptions import create_webhook_deliveries

        subscribe_to_every_event(create_webhook_deliveries)
