"""/api/v1/lead-offers/ (partners list the offers made to them and accept or reject them; headquarters routes a
lead) and /api/v1/lead-routing-rules/ (headquarters only)."""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for
from forgecrm.platform.models import User
from forgecrm.sales.models import Lead

from ..models import LeadOffer, LeadRoutingRule, OfferRejectReason
from ..operations import distribution
from ..operations import routing as operations

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


class ScopedPk(serializers.PrimaryKeyRelatedField):
    """A link to a record the caller may see; any other id answers 404 and so reveals nothing."""

    def __init__(self, *, scoped_model, filters=None, **kwargs):
        self.scoped_model = scoped_model
        self.filters = filters or {}
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", scoped_model._default_manager.all())  # schema only; see get_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope_for(getattr(request, "user", None), self.scoped_model).filter(**self.filters)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self.get_queryset().filter(pk=int(data)).first()
        if row is None:
            raise Http404
        return row


class LeadOfferSerializer(serializers.ModelSerializer):
    lead = ScopedPk(scoped_model=Lead)
    partner = ScopedPk(scoped_model=Account, filters={"kind": AccountKind.PARTNER}, required=False, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = LeadOffer
        fields = [
            "id",
            "lead",
            "partner",
            "partner_name",
            "kind",
            "attempt",
            "status",
            "offered_at",
            "respond_by",
            "responded_at",
            "reject_reason",
            "reject_note",
            "match_reasons",
            "parent_offer",
            "version",
        ]
        read_only_fields = [name for name in fields if name not in ("lead", "partner")]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not principal_for(request.user).is_internal:
            data.pop("match_reasons", None)  # how headquarters ranked partners is its own business
        return data


class OfferRejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=OfferRejectReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class LeadOfferViewSet(ScopedModelViewSet):
    """Lead offers: a partner lists the offers made to it and accepts or rejects them before `respond_by`;
    headquarters (channel managers, marketing) routes a lead by POSTing it: to `partner`, or without one to the
    best partner by the routing rules (201 with the offer; 204 when no partner qualifies)."""

    scoped_model = LeadOffer
    serializer_class = LeadOfferSerializer
    select_related = ("partner", "lead")
    ordering_fields = ["id", "offered_at", "respond_by"]
    ordering = ["-offered_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        status = self.request.query_params.get("status", "")
        return queryset.filter(status=status) if status.isalpha() else queryset

    def create(self, request, *args, **kwargs):
        if not request.user.has_perm("partners.route_lead"):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offer = distribution.route_lead_to_partner(
            actor=cast(User, request.user), lead=data["lead"], partner=data.get("partner")
        )
        if offer is None:
            return Response(status=204)
        response = Response(self.get_serializer(offer).data, status=201)
        response["ETag"] = etag_for(offer)
        return response

    def _offered_organisation(self, request, offer) -> None:
        # Exactly the offered partner answers: not headquarters (an administrator's blanket rights included).
        principal = principal_for(request.user)
        if not principal.is_partner or offer.partner_id != principal.organization_id:
            raise PermissionDenied

    def _answer(self, offer):
        response = Response(self.get_serializer(offer).data)
        response["ETag"] = etag_for(offer)
        return response

    @extend_schema(request=None, responses=LeadOfferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The offered partner takes the lead (exactly the offered organisation, before the deadline)."""
        offer = self.get_object()
        self._offered_organisation(request, offer)
        return self._answer(distribution.accept_lead_offer(actor=request.user, offer=offer))

    @extend_schema(request=OfferRejectSerializer, responses=LeadOfferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The offered partner declines with a reason; the lead moves on to the next partner."""
        offer = self.get_object()
        self._offered_organisation(request, offer)
        body = OfferRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        distribution.reject_lead_offer(actor=request.user, offer=offer, **body.validated_data)
        offer.refresh_from_db()
        return self._answer(offer)


class LeadRoutingRuleSerializer(serializers.ModelSerializer):
    product_line = ScopedPk(scoped_model=ProductLine, required=False, allow_null=True)

    class Meta:
        model = LeadRoutingRule
        fields = ["id", *operations.RULE_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["id", "version", "created_at", "updated_at"]


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class LeadRoutingRuleViewSet(ScopedModelViewSet):
    """Lead routing rules (headquarters only; channel managers change them). Lower priority runs first."""

    scoped_model = LeadRoutingRule
    serializer_class = LeadRoutingRuleSerializer
    select_related = ("product_line",)
    ordering_fields = ["id", "priority"]
    ordering = ["priority", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create_operation(self, data):
        return operations.create_routing_rule(actor=cast(User, self.request.user), values=data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_routing_rule(
            actor=cast(User, self.request.user), rule=instance, expected_version=version, changes=data
        )
