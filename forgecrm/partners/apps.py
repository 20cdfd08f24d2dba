from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "forgecrm.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from . import policies  # noqa: F401  register scopes and action rules
