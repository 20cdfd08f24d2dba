"""/api/v1/partners/ (profiles: headquarters read and update; partners read their own, without headquarters'
internal note) and /api/v1/partner-scorecards/ (read)."""

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from forgecrm.platform.access import principal_for
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from forgecrm.platform.models import Role, User

from ..models import PartnerProfile, PartnerScorecard
from ..operations import profiles as operations
from .routing import ScopedPk, if_match

PORTAL_ROLES = (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)


class PartnerProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="account.name", read_only=True)
    partner_type = serializers.CharField(source="account.partner_type", read_only=True)
    tier = serializers.CharField(source="account.tier", read_only=True)
    distributor = serializers.IntegerField(source="account.channel_parent_id", read_only=True, allow_null=True)
    is_active = serializers.BooleanField(source="account.is_active", read_only=True)
    channel_manager = ScopedPk(scoped_model=User, filters={"is_active": True}, required=False, allow_null=True)

    class Meta:
        model = PartnerProfile
        fields = [
            "id",
            "account",
            "name",
            "partner_type",
            "tier",
            "distributor",
            "is_active",
            "channel_manager",
            "joined_on",
            "accepts_leads",
            "lead_capacity",
            "response_hours",
            "performance_score",
            "internal_note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "account", "performance_score", "version", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not principal_for(request.user).is_internal:
            data.pop("internal_note", None)  # headquarters' field, never the partner's
        return data


class PartnerProfileViewSet(ScopedModelViewSet):
    """Partner profiles: headquarters sees every partner's and channel managers change them; a partner user
    reads only its own organisation's (a distributor's admin also its dealers'), without the internal note."""

    scoped_model = PartnerProfile
    serializer_class = PartnerProfileSerializer
    select_related = ("account", "channel_manager")
    ordering_fields = ["id", "performance_score", "updated_at"]
    ordering = ["id"]
    http_method_names = ["get", "put", "patch", "head", "options"]

    @extend_schema(parameters=[if_match])
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(parameters=[if_match])
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_update_operation(self, instance, data, version):
        return operations.update_partner_profile(
            actor=cast(User, self.request.user), profile=instance, expected_version=version, changes=data
        )


class PartnerScorecardSerializer(serializers.ModelSerializer):
    won_amount = serializers.DecimalField(source="won_amount.amount", max_digits=18, decimal_places=2, read_only=True)
    sell_through_amount = serializers.DecimalField(
        source="sell_through_amount.amount", max_digits=18, decimal_places=2, read_only=True
    )
    mdf_paid = serializers.DecimalField(source="mdf_paid.amount", max_digits=18, decimal_places=2, read_only=True)
    mdf_won_amount = serializers.DecimalField(
        source="mdf_won_amount.amount", max_digits=18, decimal_places=2, read_only=True
    )

    class Meta:
        model = PartnerScorecard
        fields = [
            "id",
            "partner",
            "period_start",
            "leads_offered",
            "leads_accepted",
            "leads_converted",
            "median_response_hours",
            "deals_won",
            "currency",
            "won_amount",
            "sell_through_amount",
            "mdf_paid",
            "mdf_won_amount",
            "mdf_return",
            "score",
            "computed_at",
        ]
        read_only_fields = fields


class PartnerScorecardViewSet(ScopedReadOnlyViewSet):
    """Monthly scorecards: every partner's to headquarters, a partner its own."""

    scoped_model = PartnerScorecard
    serializer_class = PartnerScorecardSerializer
    ordering_fields = ["id", "period_start", "score"]
    ordering = ["-period_start", "id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        period = self.request.query_params.get("period_start", "")
        return queryset.filter(period_start=period) if period[:4].isdigit() and len(period) == 10 else queryset
