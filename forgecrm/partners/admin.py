"""The back office: read-only views of every partner record; writes go through the operations."""

from django.contrib import admin

from forgecrm.platform.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from . import models


@admin.register(models.PartnerProfile)
class PartnerProfileAdmin(ReadOnlyHistoryAdmin):
    list_display = ["account", "channel_manager", "lead_capacity", "response_hours", "performance_score"]
    search_fields = ["account__name"]


@admin.register(models.LeadOffer)
class LeadOfferAdmin(ReadOnlyHistoryAdmin):
    list_display = ["lead", "partner", "kind", "attempt", "status", "offered_at", "respond_by", "responded_at"]
    list_filter = ["status", "kind", "reject_reason"]


@admin.register(models.DealRegistration)
class DealRegistrationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "partner", "customer_name", "status", "expected_amount", "exclusive_until"]
    list_filter = ["status"]
    search_fields = ["number", "customer_name", "customer_brn"]


@admin.register(models.MdfRequest)
class MdfRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "partner", "campaign_name", "status", "requested_amount", "approved_amount"]
    list_filter = ["status", "activity_type"]


@admin.register(models.PartnerServiceRequest)
class PartnerServiceRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "partner", "kind", "priority", "status", "assigned_to", "resolve_by"]
    list_filter = ["status", "kind", "priority"]


for _model in (
    models.TierRule,
    models.LeadRoutingRule,
    models.PartnerAuthorization,
    models.PartnerCertification,
    models.ChannelConflict,
    models.MdfAllocation,
    models.MdfClaim,
    models.SellThroughReport,
):
    admin.site.register(_model, ReadOnlyHistoryAdmin)
for _plain in (
    models.PartnerCoverage,
    models.DealRegistrationLine,
    models.MdfProof,
    models.PartnerServiceComment,
    models.SellThroughLine,
    models.ChannelInventory,
    models.PartnerScorecard,
):
    admin.site.register(_plain, ReadOnlyAdmin)
