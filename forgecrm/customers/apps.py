from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "forgecrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import policies, privacy, timeline  # noqa: F401  register scopes, rules, search and timeline sources
