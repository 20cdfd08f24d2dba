from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "forgecrm.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from . import navigation, policies, timeline  # noqa: F401  registers scopes, rules, timeline, menu, tiles
