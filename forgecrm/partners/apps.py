from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "forgecrm.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from forgecrm.platform.events import register_event_types

        from . import navigation, policies  # noqa: F401  register scopes, action rules and the menu

        register_event_types(
            "LeadOffered",
            "LeadOfferAccepted",
            "LeadOfferRejected",
            "LeadOfferRecalled",
            "LeadReturnedToHeadquarters",
        )

        # ---- partner profiles and the routing console
        register_event_types("PartnerDeactivated")

        # ---- deal registrations and channel conflicts (outbox events, timeline and search sources)
        register_event_types(
            "DealRegistrationCreated",
            "DealRegistrationUpdated",
            "DealRegistrationSubmitted",
            "DealRegistrationApproved",
            "DealRegistrationRejected",
            "DealRegistrationWon",
            "DealRegistrationLost",
            "DealRegistrationExpired",
            "DealRegistrationReminderSent",
            "ChannelConflictsOpened",
            "ChannelConflictDecided",
            "LeadReferredToPartner",
        )

        # ---- MDF
        register_event_types(
            "MdfAllocated",
            "MdfAllocationChanged",
            "MdfRequestCreated",
            "MdfRequestSubmitted",
            "MdfRequestApproved",
            "MdfRequestRejected",
            "MdfRequestCancelled",
            "MdfClaimSubmitted",
            "MdfClaimApproved",
            "MdfClaimRejected",
            "MdfPaid",
        )

        # ---- partner service requests
        register_event_types(
            "PartnerServiceRequestOpened",
            "PartnerServiceRequestAssigned",
            "PartnerServiceRequestStatusChanged",
            "PartnerServiceCommentAdded",
            "PartnerServiceRequestSlaBreached",
        )

        # ---- sell-through, inventory and scorecards
        register_event_types("SellThroughReported", "ChannelInventoryReported")
