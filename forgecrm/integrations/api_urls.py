"""The /api/v1/ router: the one place that gathers every app's viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from forgecrm.activities.rest import ActivityViewSet
from forgecrm.catalog.rest import PartnerProductNumberViewSet, PriceListViewSet, ProductLineViewSet, ProductViewSet
from forgecrm.customers.rest import AccountViewSet, ContactViewSet
from forgecrm.integrations.rest import WebhookDeliveryViewSet, WebhookEndpointViewSet
from forgecrm.platform.api.tokens import ObtainTokenView, RevokeTokenView
from forgecrm.platform.rest import TeamViewSet, UserViewSet
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

# ---- sales: pipeline

# ---- sales: quotes and orders

# ---- sales: quotas, forecasts, commissions

# ---- sales: reports
router.register("sales-reports", SalesReportViewSet, basename="sales-report")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    *router.urls,
]
