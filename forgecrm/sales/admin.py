"""The back office: read-only views of every sales record for administrators.

Writes go through the operations (which check their rules, keep versions, write history and outbox events);
until an area has its operations, its records are changed through the pages and the API, not here."""

from django.contrib import admin

from forgecrm.platform.readonly_admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin

from . import models


@admin.register(models.Lead)
class LeadAdmin(ReadOnlyHistoryAdmin):
    list_display = ["person_name", "company_name", "status", "source", "owner", "score", "created_at"]
    list_filter = ["status", "source", "disqualify_reason"]
    search_fields = ["person_name", "company_name", "email", "phone", "mobile", "brn"]


@admin.register(models.Opportunity)
class OpportunityAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "account", "stage", "amount", "close_date", "owner", "forecast_category"]
    list_filter = ["stage", "forecast_category"]
    search_fields = ["name", "account__name"]


@admin.register(models.Quote)
class QuoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "account", "status", "total", "valid_until", "owner"]
    list_filter = ["status", "language"]
    search_fields = ["number", "family", "account__name"]


@admin.register(models.SalesOrder)
class SalesOrderAdmin(ReadOnlyHistoryAdmin):
    list_display = ["number", "account", "status", "total", "ordered_at", "erp_number", "owner"]
    list_filter = ["status"]
    search_fields = ["number", "erp_number", "account__name"]


@admin.register(models.Stage)
class StageAdmin(ReadOnlyHistoryAdmin):
    list_display = ["order", "code", "name", "default_probability", "default_forecast_category", "is_active"]


@admin.register(models.CommissionStatement)
class CommissionStatementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "plan", "period_kind", "period_start", "status", "total"]
    list_filter = ["status", "period_kind"]


@admin.register(models.Quota)
class QuotaAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "period_kind", "period_start", "amount", "product_line"]
    list_filter = ["period_kind"]


for _model in (
    models.LeadConsent,
    models.LeadAssignmentRule,
    models.LeadScoringRule,
    models.LeadScoreModel,
    models.WebForm,
    models.StageProbability,
    models.OpportunityLine,
    models.OpportunityCompetitor,
    models.StageHistory,
    models.QuoteLine,
    models.QuoteLineOption,
    models.DiscountApprovalThreshold,
    models.QuoteApproval,
    models.SalesOrderLine,
    models.SalesOrderStatusChange,
    models.ForecastSubmission,
    models.ForecastAdjustment,
    models.CommissionPlan,
    models.CommissionRate,
    models.CommissionTier,
    models.CommissionPlanAssignment,
    models.CommissionStatementLine,
):
    admin.site.register(_model, ReadOnlyAdmin)
