from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "forgecrm.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import navigation, policies, search_sources  # noqa: F401  scopes, search sources, menu and tile

        # The outbox events this app emits (webhook endpoints subscribe to them by name).
        register_event_types(
            "ProductCreated",
            "ProductUpdated",
            "PriceListChanged",
        )
