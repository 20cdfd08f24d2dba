"""/api/v1/activities/: scoped reads, writes through operations, attachments nested read-only."""

import datetime as dt

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from forgecrm.platform.access import principal_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for, expected_version

from .models import Activity, ActivityKind, ActivityStatus, Attachment, CallOutcome
from .operations import cancel_activity, complete_activity, delete_activity, log_activity, update_activity
from .queries import get_attachment_for, overdue_q, performance_for
from .regarding import model_for_label
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


class RegardingTypeField(serializers.CharField):
    """The generic link's model as "app_label.model" (e.g. "sales.opportunity"), from the content-type cache."""

    def to_representation(self, value):
        if value is None:
            return None
        content_type = ContentType.objects.get_for_id(value)
        return f"{content_type.app_label}.{content_type.model}"


class ActivitySerializer(serializers.ModelSerializer):
    # Plain ids, not related fields: whether an id exists outside the caller's scope must not show in the
    # error. Operations answer "not found" for a missing and a foreign id alike.
    account = serializers.IntegerField(source="account_id", required=False, allow_null=True)
    contact = serializers.IntegerField(source="contact_id", required=False, allow_null=True)
    owner = serializers.IntegerField(source="owner_id", required=False)
    account_name = serializers.CharField(source="account.name", read_only=True, default=None)
    contact_name = serializers.CharField(source="contact.full_name", read_only=True, default=None)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    regarding_type = RegardingTypeField(
        source="regarding_type_id",
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The record of another app the activity is about, as app_label.model (sales.lead, sales.opportunity).",
    )
    regarding_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
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
            "regarding_type",
            "regarding_id",
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
            "phone_number",
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

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("regarding_type_id" in attrs) != ("regarding_id" in attrs):
            raise serializers.ValidationError({"regarding_id": "Send regarding_type and regarding_id together."})
        if attrs.get("regarding_type_id") and not attrs.get("regarding_id"):
            raise serializers.ValidationError({"regarding_id": "This field is required with regarding_type."})
        return attrs

    def to_operation_fields(self, data: dict) -> dict:
        """Serializer output (source names) to operation keywords; regarding_type + regarding_id become the
        record (the operation checks that the caller sees it: "not found" otherwise)."""
        renamed = {"account_id": "account", "contact_id": "contact", "owner_id": "owner"}
        data = dict(data)
        if "regarding_type_id" in data:
            label, pk = data.pop("regarding_type_id"), data.pop("regarding_id", None)
            data["regarding"] = _regarding_record(label, pk)
        return {renamed.get(key, key): value for key, value in data.items()}


def _regarding_record(label: str | None, pk: int | None):
    if not label:
        return None
    model = model_for_label(label)
    record = model._default_manager.filter(pk=pk).first() if model is not None else None
    if record is None:
        raise ValidationError({"regarding": "Not found."})
    return record


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
    regarding_type = django_filters.CharFilter(method="filter_regarding_type", help_text="app_label.model")
    regarding_id = IdFilter(field_name="regarding_id")

    class Meta:
        model = Activity
        fields = [
            "account",
            "contact",
            "owner",
            "kind",
            "status",
            "date_from",
            "date_to",
            "overdue",
            "regarding_type",
            "regarding_id",
        ]

    def filter_regarding_type(self, queryset, name, value):
        model = model_for_label(value)
        if model is None:
            return queryset.none()
        return queryset.filter(regarding_type=ContentType.objects.get_for_model(model))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q(timezone.now())) if value else queryset.exclude(overdue_q(timezone.now()))


class PersonPerformanceSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(allow_null=True, help_text="null on the total")
    name = serializers.CharField()
    calls_logged = serializers.IntegerField()
    calls_done = serializers.IntegerField()
    meetings_logged = serializers.IntegerField()
    meetings_done = serializers.IntegerField()
    demos_logged = serializers.IntegerField()
    demos_done = serializers.IntegerField()
    visits_logged = serializers.IntegerField()
    visits_done = serializers.IntegerField()
    connected_calls = serializers.IntegerField()
    connected_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="connected / completed calls"
    )
    average_call_minutes = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="over completed calls with a duration"
    )
    opportunity_activities = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    activities_per_opportunity = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class PerformanceSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    people = PersonPerformanceSerializer(many=True)
    total = PersonPerformanceSerializer()


class PerformanceQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    under = serializers.IntegerField(required=False, help_text="Only this person's subtree (inside yours).")

    def validate(self, attrs):
        today = timezone.localdate()
        start = attrs.get("date_from") or today.replace(day=1)
        end = attrs.get("date_to") or (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(1)
        if end < start:
            raise serializers.ValidationError({"date_to": "The end is before the start."})
        if (end - start).days > 366:
            raise serializers.ValidationError({"date_to": "Choose a period of at most a year."})
        return {**attrs, "date_from": start, "date_to": end}


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

    @extend_schema(parameters=[PerformanceQuerySerializer], responses=PerformanceSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def performance(self, request):
        """Activity-based performance per person of the caller's subtree (a rep: themselves): calls, meetings,
        demos and visits logged and completed, connected-call rate, average call minutes and activities per
        opportunity over the period (default: this month), plus the total."""
        if principal_for(request.user).is_customer:
            raise PermissionDenied
        query = PerformanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = performance_for(request.user, **query.validated_data)
        return Response(PerformanceSerializer(report).data)

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
