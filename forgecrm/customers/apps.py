from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "forgecrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import policies, privacy, timeline  # noqa: F401  register scopes, rules, search and timeline sources

        # The outbox events this app emits (webhook endpoints subscribe to them by name).
        register_event_types(
            "AccountCreated",
            "AccountUpdated",
            "AccountDeactivated",
            "AccountReactivated",
            "AccountMerged",
            "ContactCreated",
            "ContactUpdated",
            "ContactDeactivated",
            "ContactReactivated",
            "ContactMerged",
            "ConsentRecorded",
            "contact.erased",
        )
