"""The /api/v1/ router: the one place that gathers every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from forgecrm.activities.rest import ActivityViewSet
from forgecrm.catalog.rest import PartnerProductNumberViewSet, PriceListViewSet, ProductLineViewSet, ProductViewSet
from forgecrm.customers.rest import AccountViewSet, ContactViewSet
from forgecrm.integrations.rest import WebhookDeliveryViewSet, WebhookEndpointViewSet
from forgecrm.platform.api.tokens import ObtainTokenView, RevokeTokenView
from forgecrm.platform.rest import TeamViewSet, UserViewSet
from forgecrm.sales.rest.leads import LeadViewSet, WebFormViewSet
from forgecrm.sales.rest.quotes import QuoteLineViewSet, QuoteViewSet, SalesOrderViewSet
from forgecrm.sales.rest.reports import SalesReportViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("activities", ActivityViewSet, basename="activity")
router.register("products", ProductViewSet, basename="product")
router.register("product-lines", ProductLineViewSet, basename="product-line")
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("partner-product-numbers", PartnerProductNumberViewSet, basename="partner-product-number")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
# ---- sales: leads
router.register("leads", LeadViewSet, basename="lead")
router.register("web-forms", WebFormViewSet, basename="web-form")

# ---- sales: pipeline
from forgecrm.sales.rest.opportunities import (  # noqa: E402
    OpportunityCompetitorViewSet,
    OpportunityLineViewSet,
    OpportunityViewSet,
    StageViewSet,
)

router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("opportunity-lines", OpportunityLineViewSet, basename="opportunity-line")
router.register("opportunity-competitors", OpportunityCompetitorViewSet, basename="opportunity-competitor")
router.register("stages", StageViewSet, basename="stage")

# ---- sales: quotes and orders
router.register("quotes", QuoteViewSet, basename="quote")
router.register("quote-lines", QuoteLineViewSet, basename="quote-line")
router.register("sales-orders", SalesOrderViewSet, basename="sales-order")

from forgecrm.sales.rest.partner_quotes import PartnerQuoteLineViewSet, PartnerQuoteViewSet  # noqa: E402

router.register("partner-quotes", PartnerQuoteViewSet, basename="partner-quote")
router.register("partner-quote-lines", PartnerQuoteLineViewSet, basename="partner-quote-line")

# ---- sales: quotas, forecasts, commissions
from forgecrm.sales.rest.commissions import CommissionPlanViewSet, CommissionStatementViewSet  # noqa: E402
from forgecrm.sales.rest.planning import ForecastViewSet, QuotaViewSet  # noqa: E402

router.register("quotas", QuotaViewSet, basename="quota")
router.register("forecasts", ForecastViewSet, basename="forecast")
router.register("commission-statements", CommissionStatementViewSet, basename="commission-statement")
router.register("commission-plans", CommissionPlanViewSet, basename="commission-plan")

# ---- sales: reports
router.register("sales-reports", SalesReportViewSet, basename="sales-report")

# ---- partners: profiles, lead distribution
from forgecrm.partners.rest.profiles import PartnerProfileViewSet, PartnerScorecardViewSet  # noqa: E402
from forgecrm.partners.rest.routing import LeadOfferViewSet, LeadRoutingRuleViewSet  # noqa: E402

router.register("partners", PartnerProfileViewSet, basename="partner-profile")
router.register("lead-offers", LeadOfferViewSet, basename="lead-offer")
router.register("lead-routing-rules", LeadRoutingRuleViewSet, basename="lead-routing-rule")
router.register("partner-scorecards", PartnerScorecardViewSet, basename="partner-scorecard")

# ---- partners: deal registrations and channel conflicts
from forgecrm.partners.rest.registrations import ChannelConflictViewSet, DealRegistrationViewSet  # noqa: E402

router.register("deal-registrations", DealRegistrationViewSet, basename="deal-registration")
router.register("channel-conflicts", ChannelConflictViewSet, basename="channel-conflict")

# ---- partners: MDF
from forgecrm.partners.rest.funds import MdfAllocationViewSet, MdfRequestViewSet  # noqa: E402

router.register("mdf-allocations", MdfAllocationViewSet, basename="mdf-allocation")
router.register("mdf-requests", MdfRequestViewSet, basename="mdf-request")

# ---- partners: service requests
from forgecrm.partners.rest.service_requests import PartnerServiceRequestViewSet  # noqa: E402

router.register("partner-service-requests", PartnerServiceRequestViewSet, basename="partner-service-request")

# ---- partners: sell-through, inventory, scorecards
from forgecrm.partners.rest.channel import ChannelInventoryViewSet, SellThroughReportViewSet  # noqa: E402

router.register("sell-through-reports", SellThroughReportViewSet, basename="sell-through-report")
router.register("channel-inventory", ChannelInventoryViewSet, basename="channel-inventory")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    *router.urls,
]
