"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: administrators only, writes through the operations.

The signing secret appears in two answers only: the create (201) and `rotate-secret`; never in reads.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, etag_for, expected_version

from . import operations
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .policies import can_manage_webhooks


class IsWebhookAdministrator(permissions.BasePermission):
    """403 for everyone but administrators, before any lookup: an id tells a non-administrator nothing."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and can_manage_webhooks(user))


READ_ONLY_ENDPOINT_FIELDS = [
    "consecutive_failures",
    "disabled_reason",
    "disabled_at",
    "last_success_at",
    "last_failure_at",
    "version",
    "created_at",
    "updated_at",
]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=80), help_text="Outbox event names, e.g. AccountCreated."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "is_active", *READ_ONLY_ENDPOINT_FIELDS]
        read_only_fields = READ_ONLY_ENDPOINT_FIELDS


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret; shown in this answer only.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "delivered_at",
            "response_code",
            "response_excerpt",
            "last_error",
            "duration_ms",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointViewSet(ScopedModelViewSet):
    """Webhook endpoints. Deleting is not offered: switch an endpoint off (`is_active: false`)."""

    scoped_model = WebhookEndpoint
    permission_classes = [IsWebhookAdministrator]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["is_active"]
    ordering_fields = ["id", "description", "created_at"]
    ordering = ["id"]

    def get_serializer_class(self):
        if self.action in {"create", "rotate_secret"}:
            return WebhookEndpointWithSecretSerializer
        return WebhookEndpointSerializer

    def perform_create_operation(self, data):
        return operations.create_webhook_endpoint(actor=self.request.user, **data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_webhook_endpoint(
            actor=self.request.user, endpoint=instance, expected_version=version, changes=data
        )

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret (in this answer only); the old one stops working at once. Send If-Match."""
        instance = self.get_object()
        version = expected_version(request, instance)
        saved = operations.rotate_webhook_secret(actor=request.user, endpoint=instance, expected_version=version)
        response = Response(WebhookEndpointWithSecretSerializer(saved).data)
        response["ETag"] = etag_for(saved)
        return response


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter(max_length=80)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]


class WebhookDeliveryViewSet(ScopedReadOnlyViewSet):
    """The delivery log; a dead delivery can be sent again (`redeliver`)."""

    scoped_model = WebhookDelivery
    permission_classes = [IsWebhookAdministrator]
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["id", "created_at", "next_attempt_at"]
    ordering = ["-id"]

    @extend_schema(request=None, responses={200: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Queue a dead delivery again with a fresh set of attempts (same delivery id). Send If-Match."""
        instance = self.get_object()
        version = expected_version(request, instance)
        saved = operations.redeliver_webhook_delivery(actor=request.user, delivery=instance, expected_version=version)
        response = Response(WebhookDeliverySerializer(saved).data)
        response["ETag"] = etag_for(saved)
        return response
