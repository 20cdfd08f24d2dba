"""/api/v1/deal-registrations/ and /api/v1/channel-conflicts/.

Partner users create, change (drafts) and submit their own organisation's registrations and report them won or
lost; headquarters' channel managers approve or reject them (`approve`, `reject`) and decide conflicts
(`decide`). Every write names the version read (If-Match or `version`; 412 when stale). Conflicts are
headquarters' only: their scope gives a partner user nothing (404), and the registration's matched account is
left out for partner users.
"""

from typing import cast

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from forgecrm.catalog.models import Product, ProductLine
from forgecrm.customers.normalization import SIDO_NAMES
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, etag_for, expected_version
from forgecrm.platform.models import User
from forgecrm.sales.models import Opportunity

from ..models import ChannelConflict, ConflictStatus, DealRegistration, DealRegistrationLine, RegistrationStatus
from ..operations import registrations as operations
from ..operations.conflicts import DECISIONS, decide_channel_conflict

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


def _actor(request) -> User:
    return cast(User, request.user)


class ScopedPk(serializers.PrimaryKeyRelatedField):
    """A link to a record the caller may see (another id is "does not exist")."""

    def __init__(self, *, scoped_model, **kwargs):
        self.scoped_model = scoped_model
        kwargs.setdefault("queryset", scoped_model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope_for(getattr(request, "user", None), self.scoped_model)


class RegistrationLineSerializer(serializers.ModelSerializer):
    product = ScopedPk(scoped_model=Product)
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)

    class Meta:
        model = DealRegistrationLine
        fields = ["product", "product_sku", "product_name", "quantity"]


class DealRegistrationSerializer(serializers.ModelSerializer):
    product_line = ScopedPk(scoped_model=ProductLine, required=False, allow_null=True)
    sido = serializers.ChoiceField(choices=[(name, name) for name in SIDO_NAMES], required=False, allow_blank=True)
    expected_amount = serializers.DecimalField(
        max_digits=18, decimal_places=0, min_value=0, source="expected_amount.amount"
    )
    expected_amount_currency = serializers.CharField(read_only=True)
    lines = RegistrationLineSerializer(many=True, required=False)
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = DealRegistration
        fields = [
            "id",
            "number",
            "partner",
            "partner_name",
            "submitted_by",
            "customer_name",
            "customer_brn",
            "contact_name",
            "contact_email",
            "contact_phone",
            "sido",
            "sigungu",
            "account",
            "product_line",
            "description",
            "expected_amount",
            "expected_amount_currency",
            "expected_close_date",
            "status",
            "submitted_at",
            "decided_at",
            "decision_note",
            "exclusive_until",
            "opportunity",
            "lines",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "partner",
            "submitted_by",
            "account",
            "status",
            "submitted_at",
            "decided_at",
            "decision_note",
            "exclusive_until",
            "opportunity",
            "version",
            "created_at",
            "updated_at",
        ]
        # The operations validate BRN, email and phone (and normalise them): the model validators would refuse a
        # hyphenated BRN before it is folded to its digits.
        extra_kwargs = {
            "customer_brn": {"validators": [], "max_length": 20},
            "contact_email": {"validators": []},
            "contact_phone": {"validators": [], "max_length": 30},
        }

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated and not principal_for(user).is_internal:
            fields.pop("account", None)  # headquarters' match: the partner may not see that account
        return fields


def _values(data: dict) -> tuple[dict, list | None]:
    data = dict(data)
    lines = data.pop("lines", None)
    amount = data.pop("expected_amount", None)
    if amount is not None:
        data["expected_amount"] = amount["amount"]
    data.pop("version", None)
    pairs = [(line["product"], line["quantity"]) for line in lines] if lines is not None else None
    return data, pairs


class DealRegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)
    partner = IdFilter(field_name="partner_id")
    expiring_before = django_filters.DateFilter(field_name="exclusive_until", lookup_expr="lte")

    class Meta:
        model = DealRegistration
        fields = ["number"]


class DecideSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    days = serializers.IntegerField(required=False, min_value=1, max_value=730)
    opportunity = ScopedPk(scoped_model=Opportunity, required=False, allow_null=True)
    create_opportunity = serializers.BooleanField(required=False, default=False)


class RegistrationRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class DealRegistrationViewSet(ScopedModelViewSet):
    """Deal registrations you may see (a partner: its own organisation's). No DELETE: a registration is rejected,
    expires or is closed, and stays as the record of the claim."""

    scoped_model = DealRegistration
    serializer_class = DealRegistrationSerializer
    filterset_class = DealRegistrationFilter
    select_related = ("partner", "product_line")
    prefetch_related = ("lines__product",)
    ordering_fields = ["id", "number", "expected_close_date", "exclusive_until", "created_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create_operation(self, data):
        values, lines = _values(data)
        return operations.create_deal_registration(actor=_actor(self.request), values=values, lines=lines or [])

    def perform_update_operation(self, instance, data, version):
        values, lines = _values(data)
        return operations.update_deal_registration(
            actor=_actor(self.request), registration=instance, expected_version=version, values=values, lines=lines
        )

    def perform_destroy_operation(self, instance):  # pragma: no cover - DELETE is not routed
        raise MethodNotAllowed("DELETE")

    def _answer(self, registration):
        registration = self.get_queryset().get(pk=registration.pk)
        response = Response(self.get_serializer(registration).data)
        response["ETag"] = etag_for(registration)
        return response

    def _run(self, request, body_class, run):
        registration = self.get_object()
        version = expected_version(request, registration)
        body = None
        if body_class is not None:
            body = body_class(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
        return self._answer(run(registration, version, body.validated_data if body is not None else {}))

    @extend_schema(parameters=[if_match], request=None, responses=DealRegistrationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request, pk=None):
        """Send a draft to headquarters; it is checked for channel conflicts."""
        return self._run(
            request,
            None,
            lambda reg, version, _data: operations.submit_deal_registration(
                actor=_actor(request), registration=reg, expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=DecideSerializer, responses=DealRegistrationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Headquarters: approve a submitted registration (exclusive for `days`, default 90)."""
        return self._run(
            request,
            DecideSerializer,
            lambda reg, version, data: operations.approve_deal_registration(
                actor=_actor(request),
                registration=reg,
                expected_version=version,
                note=data.get("note", ""),
                days=data.get("days"),
                opportunity=data.get("opportunity"),
                create_opportunity=data.get("create_opportunity", False),
            ),
        )

    @extend_schema(parameters=[if_match], request=RegistrationRejectSerializer, responses=DealRegistrationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        """Headquarters: reject a submitted registration with a reason (shown to the partner)."""
        return self._run(
            request,
            RegistrationRejectSerializer,
            lambda reg, version, data: operations.reject_deal_registration(
                actor=_actor(request), registration=reg, expected_version=version, reason=data["reason"]
            ),
        )

    @extend_schema(parameters=[if_match], request=CloseSerializer, responses=DealRegistrationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def won(self, request, pk=None):
        """Report an approved registration won."""
        return self._run(
            request,
            CloseSerializer,
            lambda reg, version, data: operations.mark_deal_registration_won(
                actor=_actor(request), registration=reg, expected_version=version, note=data.get("note", "")
            ),
        )

    @extend_schema(parameters=[if_match], request=CloseSerializer, responses=DealRegistrationSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def lost(self, request, pk=None):
        """Report an approved registration lost."""
        return self._run(
            request,
            CloseSerializer,
            lambda reg, version, data: operations.mark_deal_registration_lost(
                actor=_actor(request), registration=reg, expected_version=version, note=data.get("note", "")
            ),
        )


class ChannelConflictSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChannelConflict
        fields = [
            "id",
            "kind",
            "registration",
            "offer",
            "other_registration",
            "other_opportunity",
            "other_account",
            "match_reasons",
            "score",
            "status",
            "decided_by",
            "decided_at",
            "resolution_note",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ConflictDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in ConflictStatus.choices if c[0] in DECISIONS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ChannelConflictFilter(django_filters.FilterSet):
    registration = IdFilter(field_name="registration_id")

    class Meta:
        model = ChannelConflict
        fields = ["status", "kind"]


class ChannelConflictViewSet(ScopedReadOnlyViewSet):
    """Headquarters only: two channels claiming one customer, and the channel manager's decision (`decide`)."""

    scoped_model = ChannelConflict
    serializer_class = ChannelConflictSerializer
    filterset_class = ChannelConflictFilter
    ordering_fields = ["id", "score", "created_at"]
    ordering = ["-id"]

    @extend_schema(parameters=[if_match], request=ConflictDecisionSerializer, responses=ChannelConflictSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def decide(self, request, pk=None):
        """Decide for the partner (`partner`), for the other channel (`other`) or dismiss (`dismissed`)."""
        conflict = self.get_object()
        version = expected_version(request, conflict)
        body = ConflictDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = decide_channel_conflict(
            actor=_actor(request),
            conflict=conflict,
            decision=body.validated_data["decision"],
            note=body.validated_data.get("note", ""),
            expected_version=version,
        )
        response = Response(ChannelConflictSerializer(decided).data)
        response["ETag"] = etag_for(decided)
        return response
