"""/api/v1/activities/: scoped reads, writes through operations, attachments nested read-only."""

import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for, expected_version

from .models import Activity, ActivityKind, ActivityStatus, Attachment, CallOutcome
from .operations import cancel_activity, complete_activity, delete_activity, log_activity, update_activity
from .queries import get_attachment_for, overdue_q
from .views.attachments import attachment_response


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse("activity-attachment-download", args=[attachment.activity_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ActivitySerializer(serializers.ModelSerializer):
    # Plain ids, not related fields: whether an id exists outside the caller's scope must not show in the
    # error. Operations answer "not found" for a missing and a foreign id alike.
    account = serializers.IntegerField(source="account_id", required=False, allow_null=True)
    contact = serializers.IntegerField(source="contact_id", required=False, allow_null=True)
    owner = serializers.IntegerField(source="owner_id", required=False)
    account_name = serializers.CharField(source="account.name", read_only=True, default=None)
    contact_name = serializers.CharField(source="contact.full_name", read_only=True, default=None)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "account",
            "account_name",
            "contact",
            "contact_name",
            "owner",
            "owner_name",
            "status",
            "due_at",
            "starts_at",
            "ends_at",
            "all_day",
            "timeline_at",
            "location",
            "direction",
            "outcome_code",
            "outcome",
            "duration_minutes",
            "completed_at",
            "shared_with_team",
            "visible_to_partner",
            "attachments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["timeline_at", "completed_at", "version", "created_at", "updated_at"]

    def to_operation_fields(self, data: dict) -> dict:
        """Serializer output (source names) to operation keywords."""
        renamed = {"account_id": "account", "contact_id": "contact", "owner_id": "owner"}
        return {renamed.get(key, key): value for key, value in data.items()}


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    outcome_code = serializers.ChoiceField(choices=CallOutcome.choices, required=False, allow_blank=True, default="")


class ActivityFilter(django_filters.FilterSet):
    # Number filters, not model choices: a foreign id filters to nothing instead of revealing it exists.
    account = IdFilter(field_name="account_id")
    contact = IdFilter(field_name="contact_id")
    owner = IdFilter(field_name="owner_id")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)
    date_from = django_filters.IsoDateTimeFilter(field_name="timeline_at", lookup_expr="gte")
    date_to = django_filters.IsoDateTimeFilter(field_name="timeline_at", lookup_expr="lt")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Activity
        fields = ["account", "contact", "owner", "kind", "status", "date_from", "date_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q(timezone.now())) if value else queryset.exclude(overdue_q(timezone.now()))


class ActivityViewSet(ScopedModelViewSet):
    """Calls, meetings, correspondence, demos, visits, tasks and notes the caller may see.

    Writes need `If-Match` with the ETag read (or `version` in the body); a stale one answers 412.
    """

    scoped_model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    select_related = ("owner", "account", "contact")
    prefetch_related = ("attachments",)
    ordering_fields = ["timeline_at", "created_at", "updated_at", "id"]
    ordering = ["-timeline_at"]

    def perform_create_operation(self, data):
        fields = self.get_serializer().to_operation_fields(data)
        return log_activity(actor=self.request.user, **fields)

    def perform_update_operation(self, instance, data, version):
        fields = self.get_serializer().to_operation_fields(data)
        return update_activity(actor=self.request.user, activity=instance, expected_version=version, **fields)

    def perform_destroy_operation(self, instance):
        delete_activity(actor=self.request.user, activity=instance)

    def _respond(self, instance):
        instance = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(request=CompleteSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the activity done, with an outcome (and, for a call, its result)."""
        instance = self.get_object()
        version = expected_version(request, instance)
        payload = CompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = complete_activity(
            actor=request.user, activity=instance, expected_version=version, **payload.validated_data
        )
        self.serializer_class = ActivitySerializer
        return self._respond(saved)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Call the activity off."""
        instance = self.get_object()
        version = expected_version(request, instance)
        saved = cancel_activity(actor=request.user, activity=instance, expected_version=version)
        return self._respond(saved)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d+)/download",
        url_name="attachment-download",
    )
    def download_attachment(self, request, pk=None, attachment_id=None):
        """The file, as an attachment download (404 outside the caller's scope)."""
        attachment = get_attachment_for(request.user, attachment_id)
        if str(attachment.activity_id) != str(pk):
            raise Http404
        return attachment_response(attachment)
