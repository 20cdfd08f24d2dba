from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.WebhookEndpointListView.as_view(), name="webhook-list"),
    path("webhooks/new/", views.WebhookEndpointFormView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", views.WebhookEndpointFormView.as_view(), name="webhook-edit"),
    path("webhooks/<int:pk>/rotate-secret/", views.rotate_webhook_secret, name="webhook-rotate-secret"),
    path("webhooks/deliveries/", views.WebhookDeliveryListView.as_view(), name="webhook-delivery-list"),
    path("webhooks/deliveries/<int:pk>/", views.webhook_delivery_detail, name="webhook-delivery-detail"),
    path(
        "webhooks/deliveries/<int:pk>/redeliver/",
        views.redeliver_webhook_delivery,
        name="webhook-delivery-redeliver",
    ),
]
