"""/api/v1/mdf-allocations/ and /api/v1/mdf-requests/ (with submit, approve, reject, cancel, claim,
approve-claim, reject-claim and pay). Rows come from the access scope (a partner its own organisation's); every
write goes through the MDF operations and needs If-Match (412 when stale)."""

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from forgecrm.customers.models import Account
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.viewsets import ScopedViewSetMixin, etag_for, expected_version
from forgecrm.platform.models import User

from ..models import MdfActivityType, MdfAllocation, MdfClaim, MdfProof, MdfRequest
from ..operations import funds as ops
from ..queries import funds as queries

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
    """The amount of a djmoney field, whole won (the currency is its own field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 0)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(getattr(value, "amount", value))


def _user(request) -> User:
    return cast(User, request.user)


# --- allocations -----------------------------------------------------------------------------------------------


class MdfAllocationSerializer(serializers.ModelSerializer):
    partner = ScopedIdField(scoped_model=Account)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    amount = AmountField()
    committed = AmountField(read_only=True)
    paid = AmountField(read_only=True)
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = MdfAllocation
        fields = [
            "id",
            "partner",
            "partner_name",
            "period_kind",
            "period_start",
            "currency",
            "amount",
            "committed",
            "paid",
            "remaining",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["committed", "paid", "version", "created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_remaining(self, allocation) -> str:
        return f"{ops.remaining_of(allocation):.0f}"


class MdfAllocationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """MDF budgets per partner and period (headquarters' org-wide roles; a partner its own). Creating one for a
    partner and period that has one already sets its amount. Changing the amount never goes below what is
    committed (400 naming `amount`). Filters: partner, period_kind, period_start."""

    scoped_model = MdfAllocation
    serializer_class = MdfAllocationSerializer
    ordering = ["-period_start", "id"]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) for name in ("partner", "period_kind", "period_start")}
        return queries.mdf_allocation_list_for(self.request.user, {k: v for k, v in filters.items() if v})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocation = ops.allocate_mdf(
            actor=_user(request),
            partner=data["partner"],
            period_kind=data.get("period_kind", "quarter"),
            period_start=data["period_start"],
            amount=data["amount"],
            currency=data.get("currency", "KRW"),
            note=data.get("note", ""),
        )
        response = Response(self.get_serializer(allocation).data, status=201)
        response["ETag"] = etag_for(allocation)
        return response

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        if not request.user.has_perm("partners.allocate_mdf"):
            raise PermissionDenied(_("You may not do this with market development funds."))
        version = expected_version(request, instance)
        # PUT and PATCH alike change what they send: the partner and period of an allocation never change.
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocation = ops.change_mdf_allocation(
            actor=_user(request),
            allocation=instance,
            amount=data.get("amount", instance.amount),
            note=data.get("note"),
            expected_version=version,
        )
        response = Response(self.get_serializer(allocation).data)
        response["ETag"] = etag_for(allocation)
        return response


# --- requests --------------------------------------------------------------------------------------------------


class MdfProofSerializer(serializers.ModelSerializer):
    class Meta:
        model = MdfProof
        fields = ["id", "original_name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class MdfClaimSerializer(serializers.ModelSerializer):
    actual_cost = AmountField(read_only=True)
    claimed_amount = AmountField(read_only=True)
    proofs = MdfProofSerializer(many=True, read_only=True)

    class Meta:
        model = MdfClaim
        fields = [
            "submitted_by",
            "submitted_at",
            "currency",
            "actual_cost",
            "claimed_amount",
            "actual_leads",
            "note",
            "paid_at",
            "payment_reference",
            "proofs",
        ]
        read_only_fields = fields


class MdfRequestSerializer(serializers.ModelSerializer):
    allocation = ScopedIdField(scoped_model=MdfAllocation)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    activity_type = serializers.ChoiceField(choices=MdfActivityType.choices)
    planned_cost = AmountField()
    requested_amount = AmountField()
    approved_amount = AmountField(read_only=True)

    class Meta:
        model = MdfRequest
        fields = [
            "id",
            "number",
            "allocation",
            "partner",
            "partner_name",
            "requested_by",
            "campaign_name",
            "activity_type",
            "description",
            "planned_start",
            "planned_end",
            "currency",
            "planned_cost",
            "requested_amount",
            "approved_amount",
            "expected_leads",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "partner",
            "requested_by",
            "currency",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
            "created_at",
            "updated_at",
        ]


class MdfRequestDetailSerializer(MdfRequestSerializer):
    claim = serializers.SerializerMethodField()

    class Meta(MdfRequestSerializer.Meta):
        fields = [*MdfRequestSerializer.Meta.fields, "claim"]

    @extend_schema_field(MdfClaimSerializer(allow_null=True))
    def get_claim(self, request) -> dict[str, Any] | None:
        claim = scope_for(self.context["request"].user, MdfClaim).filter(request=request).first()
        return MdfClaimSerializer(claim).data if claim else None


class MdfApproveSerializer(serializers.Serializer):
    approved_amount = AmountField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MdfReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MdfNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MdfClaimInputSerializer(serializers.Serializer):
    actual_cost = AmountField()
    claimed_amount = AmountField()
    actual_leads = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    proofs = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class MdfPaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(required=False, allow_blank=True, max_length=64)


class MdfRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """MDF requests (headquarters' org-wide roles; a partner its own). A partner admin creates a draft on its
    allocation, changes it and submits it; the channel approves it (`approved_amount` at most the requested
    amount and what is left of the budget, else 400 naming the field) or rejects it; the partner claims it
    (multipart with `proofs` files); the channel approves or rejects the claim; finance pays it.
    Filters: q, status, partner, allocation, activity_type."""

    scoped_model = MdfRequest
    ordering = ["-updated_at", "id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) for name in ("q", "status", "partner", "allocation", "activity_type")}
        return queries.mdf_requests_for(self.request.user, {k: v for k, v in filters.items() if v})

    def get_serializer_class(self):
        return MdfRequestSerializer if self.action in {"list", "create"} else MdfRequestDetailSerializer

    def _respond(self, instance, status: int = 200):
        instance = queries.get_mdf_request_for(self.request.user, instance.pk)
        response = Response(MdfRequestDetailSerializer(instance, context=self.get_serializer_context()).data, status)
        response["ETag"] = etag_for(instance)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        allocation = data.pop("allocation")
        return self._respond(ops.create_mdf_request(actor=_user(request), allocation=allocation, **data), 201)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        if not (
            principal_for(request.user).is_partner and request.user.has_perm("partners.change_mdfrequest", instance)
        ):
            raise PermissionDenied(_("You may not do this with market development funds."))
        version = expected_version(request, instance)
        # The allocation of a request never changes: PUT and PATCH alike change the fields they send.
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in ops.REQUEST_FIELDS}
        return self._respond(
            ops.update_mdf_request(actor=_user(request), request=instance, expected_version=version, **data)
        )

    def _step(self, request, serializer_class, run):
        instance = self.get_object()
        version = expected_version(request, instance)
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        return self._respond(run(instance, version, data))

    @extend_schema(parameters=[if_match], request=None, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft to headquarters (its partner's admins)."""
        return self._step(
            request,
            None,
            lambda mdf, version, data: ops.submit_mdf_request(
                actor=_user(request), request=mdf, expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfApproveSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted request (the channel), committing the amount from the budget."""
        return self._step(
            request,
            MdfApproveSerializer,
            lambda mdf, version, data: ops.approve_mdf_request(
                actor=_user(request),
                request=mdf,
                amount=data.get("approved_amount"),
                note=data.get("note", ""),
                expected_version=version,
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfReasonSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a submitted request, with the reason the partner sees."""
        return self._step(
            request,
            MdfReasonSerializer,
            lambda mdf, version, data: ops.reject_mdf_request(
                actor=_user(request), request=mdf, reason=data["reason"], expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfNoteSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw a request before it is claimed; its commitment goes back to the budget."""
        return self._step(
            request,
            MdfNoteSerializer,
            lambda mdf, version, data: ops.cancel_mdf_request(
                actor=_user(request), request=mdf, note=data.get("note", ""), expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfClaimInputSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim an approved request (its partner's admins): actual cost, claimed amount (at most the approved
        amount and the actual cost), leads generated, and proof files (multipart `proofs`)."""
        return self._step(
            request,
            MdfClaimInputSerializer,
            lambda mdf, version, data: ops.claim_mdf(
                actor=_user(request),
                request=mdf,
                actual_cost=data["actual_cost"],
                claimed_amount=data["claimed_amount"],
                actual_leads=data.get("actual_leads", 0),
                note=data.get("note", ""),
                proofs=list(request.FILES.getlist("proofs")) or data.get("proofs", []),
                expected_version=version,
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfNoteSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve-claim")
    def approve_claim(self, request, pk=None):
        """Accept the claim; what was approved beyond it goes back to the budget."""
        return self._step(
            request,
            MdfNoteSerializer,
            lambda mdf, version, data: ops.approve_mdf_claim(
                actor=_user(request), request=mdf, note=data.get("note", ""), expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfReasonSerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="reject-claim")
    def reject_claim(self, request, pk=None):
        """Send the claim back to the partner, saying what is missing."""
        return self._step(
            request,
            MdfReasonSerializer,
            lambda mdf, version, data: ops.reject_mdf_claim(
                actor=_user(request), request=mdf, reason=data["reason"], expected_version=version
            ),
        )

    @extend_schema(parameters=[if_match], request=MdfPaySerializer, responses=MdfRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Record the payment of an approved claim (never past what is committed from the budget)."""
        return self._step(
            request,
            MdfPaySerializer,
            lambda mdf, version, data: ops.mark_mdf_paid(
                actor=_user(request),
                request=mdf,
                payment_reference=data.get("payment_reference", ""),
                expected_version=version,
            ),
        )
