"""/api/v1/quotas/ and /api/v1/forecasts/ (with submit and adjust): scoped reads, writes through operations,
If-Match on every write to an existing record (412 when stale).

Linked records in a body (user, team, territory, product line) are looked up in the caller's scope: an id
outside it answers 404. Amounts are KRW (`amount_currency` is read-only)."""

from typing import cast

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.catalog.models import ProductLine
from forgecrm.platform.access import scope_for
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for, expected_version
from forgecrm.platform.models import Team, Territory, User

from ..models import ForecastAdjustment, ForecastSubmission, Quota
from ..operations.planning import (
    adjust_forecast,
    delete_quota,
    save_forecast,
    set_quota,
    submit_forecast,
    update_forecast,
)
from ..queries.planning import forecast_list_for, quota_list_for

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


class ScopedIdField(serializers.PrimaryKeyRelatedField):
    """A link to a record the caller may see; any other id answers 404 and so reveals nothing."""

    def __init__(self, *, scoped_model, **kwargs):
        self.scoped_model = scoped_model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", scoped_model._default_manager.all())  # schema only; see get_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope_for(getattr(request, "user", None), self.scoped_model)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self.get_queryset().filter(pk=int(data)).first()
        if row is None:
            raise Http404
        return row


@extend_schema_field(OpenApiTypes.DECIMAL)
class AmountField(serializers.DecimalField):
    """The amount of a djmoney field, whole won (the currency is its own read-only field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(getattr(value, "amount", value))


# --- quotas ----------------------------------------------------------------------------------------------------


class QuotaSerializer(serializers.ModelSerializer):
    user = ScopedIdField(scoped_model=User, required=False, allow_null=True)
    team = ScopedIdField(scoped_model=Team, required=False, allow_null=True)
    territory = ScopedIdField(scoped_model=Territory, required=False, allow_null=True)
    product_line = ScopedIdField(scoped_model=ProductLine, required=False, allow_null=True)
    amount = AmountField()
    amount_currency = serializers.CharField(read_only=True)

    class Meta:
        model = Quota
        fields = [
            "id",
            "user",
            "team",
            "territory",
            "period_kind",
            "period_start",
            "product_line",
            "amount",
            "amount_currency",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        validators: list = []  # the operation names the rule (one target, one quota per period) itself


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class QuotaViewSet(ScopedModelViewSet):
    """Quotas of your reporting line (administrators: all). POST sets a new one; PUT/PATCH change the amount of
    one with If-Match (a stale version answers 412). Filters: user, team, territory, period_kind, period_start,
    year, product_line (`none` for overall quotas)."""

    scoped_model = Quota
    serializer_class = QuotaSerializer

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)  # IsAuthenticated: never anonymous here

    select_related = ("user", "team", "territory", "product_line")
    ordering = ["-period_start", "id"]
    ordering_fields = ["id", "period_start", "amount"]
    filterset_fields = ["period_kind", "period_start"]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) for name in ("user", "team", "territory", "year", "product_line")}
        return quota_list_for(self.request.user, {key: value for key, value in filters.items() if value})

    def perform_create_operation(self, data):
        return set_quota(actor=self.actor, expected_version=None, **data)

    def perform_update_operation(self, instance, data, version):
        # Only the amount changes: a quota for another target or period is another quota.
        return set_quota(
            actor=self.actor,
            period_kind=instance.period_kind,
            period_start=instance.period_start,
            amount=data.get("amount", instance.amount),
            expected_version=version,
            user=instance.user,
            team=instance.team,
            territory=instance.territory,
            product_line=instance.product_line,
        )

    def perform_destroy_operation(self, instance):
        delete_quota(actor=self.actor, quota=instance, expected_version=instance.version)


# --- forecasts -------------------------------------------------------------------------------------------------


class ForecastAdjustmentSerializer(serializers.ModelSerializer):
    best_case = AmountField()
    commit = AmountField()

    class Meta:
        model = ForecastAdjustment
        fields = ["id", "manager", "best_case", "commit", "note", "version", "updated_at"]
        read_only_fields = fields


class ForecastSerializer(serializers.ModelSerializer):
    pipeline = AmountField()
    best_case = AmountField()
    commit = AmountField()
    closed = AmountField()
    currency = serializers.CharField(source="commit_currency", read_only=True)
    adjustments = serializers.SerializerMethodField()

    class Meta:
        model = ForecastSubmission
        fields = [
            "id",
            "owner",
            "period_kind",
            "period_start",
            "pipeline",
            "best_case",
            "commit",
            "closed",
            "currency",
            "status",
            "submitted_at",
            "note",
            "adjustments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "status", "submitted_at", "version", "created_at", "updated_at"]
        validators: list = []

    @extend_schema_field(ForecastAdjustmentSerializer(many=True))
    def get_adjustments(self, submission):
        """Managers' adjustments the caller may see (their own line's), beside the rep's numbers."""
        visible = getattr(submission, "visible_adjustments", None)
        if visible is None:
            request = self.context.get("request")
            visible = scope_for(getattr(request, "user", None), ForecastAdjustment).filter(submission=submission)
        return ForecastAdjustmentSerializer(visible, many=True).data


class ForecastCreateSerializer(ForecastSerializer):
    submit = serializers.BooleanField(required=False, default=False, write_only=True)

    class Meta(ForecastSerializer.Meta):
        fields = [*ForecastSerializer.Meta.fields, "submit"]


class AdjustSerializer(serializers.Serializer):
    best_case = AmountField()
    commit = AmountField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


NUMBERS = ("pipeline", "best_case", "commit", "closed")


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class ForecastViewSet(ScopedModelViewSet):
    """Forecast submissions of your reporting line. POST saves your own for a period (`submit: true` submits it);
    PUT/PATCH change your own (If-Match); `submit` submits it as it stands; `adjust` records a manager's
    adjusted best case and commit beside the rep's numbers. Filters: owner, period_kind, period_start, status."""

    scoped_model = ForecastSubmission
    serializer_class = ForecastSerializer

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)  # IsAuthenticated: never anonymous here

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering = ["-period_start", "id"]
    ordering_fields = ["id", "period_start"]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) for name in ("owner", "period_kind", "period_start", "status")}
        adjustments = scope_for(self.request.user, ForecastAdjustment).order_by("id")
        return forecast_list_for(
            self.request.user, {key: value for key, value in filters.items() if value}
        ).prefetch_related(Prefetch("adjustments", queryset=adjustments, to_attr="visible_adjustments"))

    def get_serializer_class(self):
        return ForecastCreateSerializer if self.action == "create" else ForecastSerializer

    def perform_create_operation(self, data):
        return save_forecast(
            actor=self.actor,
            period_kind=data["period_kind"],
            period_start=data["period_start"],
            expected_version=None,
            submit=data.get("submit", False),
            note=data.get("note", ""),
            **{name: data.get(name, 0) for name in NUMBERS},
        )

    def perform_update_operation(self, instance, data, version):
        return update_forecast(
            actor=self.actor,
            submission=instance,
            expected_version=version,
            note=data.get("note"),
            **{name: data[name] for name in NUMBERS if name in data},
        )

    def _respond(self, instance):
        response = Response(ForecastSerializer(instance, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(parameters=[if_match], request=None, responses=ForecastSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit your forecast as it stands."""
        instance = self.get_object()
        version = expected_version(request, instance)
        return self._respond(submit_forecast(actor=self.actor, submission=instance, expected_version=version))

    @extend_schema(parameters=[if_match], request=AdjustSerializer, responses=ForecastAdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """A manager's adjusted best case and commit; If-Match names the rep's numbers adjusted (412 if the rep
        changed them since). The rep's submission is not changed."""
        instance = self.get_object()
        version = expected_version(request, instance)
        body = AdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        adjustment = adjust_forecast(
            actor=self.actor, submission=instance, expected_version=version, **body.validated_data
        )
        return Response(ForecastAdjustmentSerializer(adjustment).data)
