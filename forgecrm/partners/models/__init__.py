"""The partners app's records (PRM, PRODUCT.md part 3), one module per aggregate."""

from .channel import ChannelInventory, PartnerScorecard, ReportSource, SellThroughLine, SellThroughReport
from .distribution import LeadOffer, LeadRoutingRule, OfferKind, OfferRejectReason, OfferStatus
from .funds import MdfActivityType, MdfAllocation, MdfClaim, MdfProof, MdfRequest, MdfRequestStatus
from .profiles import PartnerAuthorization, PartnerCertification, PartnerCoverage, PartnerProfile, TierRule
from .registrations import (
    ChannelConflict,
    ConflictKind,
    ConflictStatus,
    DealRegistration,
    DealRegistrationLine,
    RegistrationStatus,
)
from .service import (
    PartnerServiceComment,
    PartnerServiceRequest,
    ServiceRequestKind,
    ServiceRequestPriority,
    ServiceRequestStatus,
)

__all__ = [
    "ChannelConflict",
    "ChannelInventory",
    "ConflictKind",
    "ConflictStatus",
    "DealRegistration",
    "DealRegistrationLine",
    "LeadOffer",
    "LeadRoutingRule",
    "MdfActivityType",
    "MdfAllocation",
    "MdfClaim",
    "MdfProof",
    "MdfRequest",
    "MdfRequestStatus",
    "OfferKind",
    "OfferRejectReason",
    "OfferStatus",
    "PartnerAuthorization",
    "PartnerCertification",
    "PartnerCoverage",
    "PartnerProfile",
    "PartnerScorecard",
    "PartnerServiceComment",
    "PartnerServiceRequest",
    "RegistrationStatus",
    "ReportSource",
    "SellThroughLine",
    "SellThroughReport",
    "ServiceRequestKind",
    "ServiceRequestPriority",
    "ServiceRequestStatus",
    "TierRule",
]
