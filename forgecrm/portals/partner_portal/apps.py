from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerPortalConfig(AppConfig):
    name = "forgecrm.portals.partner_portal"
    label = "partner_portal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types
        from forgecrm.platform.models.identity import UserKind
        from forgecrm.platform.ui.dashboard import register_home_page

        # ---- home, lead offers and the partner's leads
        register_home_page(UserKind.PARTNER, "partner_portal:home")

        # ---- the partner's users (partner admins) and onboarding (events of partners.operations.portal_users)
        register_event_types(
            "PortalUserInvited", "PortalTermsAccepted", "PortalUserRoleChanged", "PortalUserDeactivated"
        )
