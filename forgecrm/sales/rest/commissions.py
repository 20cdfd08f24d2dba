"""/api/v1/commission-statements/ (with approve and pay) and /api/v1/commission-plans/: the reporting line only.

Statements are computed by the system (`compute_commission_statements_task`), never written through the API;
approval and payment need If-Match (412 when stale)."""

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.platform.api.viewsets import ScopedReadOnlyViewSet, etag_for, expected_version
from forgecrm.platform.models import User

from ..models import CommissionPlan, CommissionRate, CommissionStatement, CommissionStatementLine, CommissionTier
from ..operations.commissions import approve_commission_statement, mark_commission_statement_paid
from ..queries.commissions import get_statement_for, plan_list_for, statement_list_for
from .planning import AmountField, if_match


class StatementLineSerializer(serializers.ModelSerializer):
    sales_order_number = serializers.CharField(source="sales_order.number", read_only=True)
    base = AmountField()
    commission = AmountField()

    class Meta:
        model = CommissionStatementLine
        fields = [
            "id",
            "sales_order",
            "sales_order_number",
            "product_line",
            "base",
            "rate_percent",
            "multiplier",
            "commission",
        ]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    quota = AmountField()
    attained = AmountField()
    total = AmountField()
    currency = serializers.CharField(source="total_currency", read_only=True)

    class Meta:
        model = CommissionStatement
        fields = [
            "id",
            "user",
            "plan",
            "period_kind",
            "period_start",
            "status",
            "quota",
            "attained",
            "attainment_percent",
            "total",
            "currency",
            "approved_by",
            "approved_at",
            "paid_at",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class CommissionStatementViewSet(ScopedReadOnlyViewSet):
    """Commission statements of your reporting line (administrators: all). Filters: user, plan, period_kind,
    period_start, status. `approve`: a manager above the rep (frozen from then on); `pay`: an administrator."""

    scoped_model = CommissionStatement
    ordering = ["-period_start", "id"]
    ordering_fields = ["id", "period_start", "total"]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) for name in ("user", "plan", "period_kind", "period_start", "status")}
        return statement_list_for(self.request.user, {key: value for key, value in filters.items() if value})

    def get_serializer_class(self):
        return StatementSerializer if self.action == "list" else StatementDetailSerializer

    def get_object(self):
        instance = get_statement_for(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, instance)
        return instance

    def _respond(self, instance):
        instance = get_statement_for(self.request.user, instance.pk)
        response = Response(StatementDetailSerializer(instance, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(instance)
        return response

    @extend_schema(parameters=[if_match], request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the statement (a manager above the rep or an administrator); its figures are frozen."""
        instance = self.get_object()
        version = expected_version(request, instance)
        return self._respond(
            approve_commission_statement(actor=cast(User, request.user), statement=instance, expected_version=version)
        )

    @extend_schema(parameters=[if_match], request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record that an approved statement was paid (administrators)."""
        instance = self.get_object()
        version = expected_version(request, instance)
        return self._respond(
            mark_commission_statement_paid(actor=cast(User, request.user), statement=instance, expected_version=version)
        )


class RateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionRate
        fields = ["id", "product_line", "rate_percent"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionTier
        fields = ["id", "attainment_from_percent", "multiplier"]


class PlanSerializer(serializers.ModelSerializer):
    rates = RateSerializer(many=True, read_only=True)
    tiers = TierSerializer(many=True, read_only=True)

    class Meta:
        model = CommissionPlan
        fields = [
            "id",
            "name",
            "period_kind",
            "base_rate_percent",
            "valid_from",
            "valid_to",
            "is_active",
            "description",
            "rates",
            "tiers",
            "version",
        ]
        read_only_fields = fields


class CommissionPlanViewSet(ScopedReadOnlyViewSet):
    """Commission plans someone in your reporting line is on, with their rate tables and tiers."""

    scoped_model = CommissionPlan
    serializer_class = PlanSerializer
    prefetch_related = ("rates", "tiers")
    ordering = ["name", "id"]

    def get_queryset(self):
        return plan_list_for(self.request.user).prefetch_related("rates", "tiers")
