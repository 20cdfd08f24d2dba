from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "forgecrm.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import navigation, policies, timeline  # noqa: F401  registers scopes, rules, timeline, menu, tiles

        # The outbox events this app emits (webhook endpoints subscribe to them by name).
        register_event_types(
            "ActivityLogged",
            "ActivityUpdated",
            "ActivityCompleted",
            "ActivityCancelled",
            "ActivityDeleted",
            "AttachmentAdded",
            "AttachmentDeleted",
        )
