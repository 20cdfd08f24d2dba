from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "forgecrm.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import (
            policies,  # noqa: F401  registers the identity scopes
            two_factor,  # noqa: F401  decides at sign-in whether the session needs a second factor
        )
        from .api import schema  # noqa: F401  registers the OpenAPI description of token authentication
