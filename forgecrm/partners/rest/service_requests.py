"""/api/v1/partner-service-requests/ (with assign, status and comments). A partner user opens requests for its
organisation and reads the public thread; headquarters works them and may add internal notes, which the
comment scope never returns to a partner."""

from contextlib import suppress
from typing import cast

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.catalog.models import Product
from forgecrm.platform.api.viewsets import ScopedViewSetMixin, etag_for, expected_version
from forgecrm.platform.models import User

from ..models import (
    PartnerServiceComment,
    PartnerServiceRequest,
    ServiceRequestKind,
    ServiceRequestPriority,
    ServiceRequestStatus,
)
from ..operations import service_requests as ops
from ..queries import service_requests as queries
from .funds import ScopedIdField, if_match


def _user(request) -> User:
    return cast(User, request.user)


class PartnerServiceRequestSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ServiceRequestKind.choices)
    priority = serializers.ChoiceField(choices=ServiceRequestPriority.choices, required=False)
    product = ScopedIdField(scoped_model=Product, required=False, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    sla_state = serializers.SerializerMethodField()

    class Meta:
        model = PartnerServiceRequest
        fields = [
            "id",
            "number",
            "partner",
            "partner_name",
            "requested_by",
            "kind",
            "priority",
            "subject",
            "description",
            "product",
            "status",
            "assigned_to",
            "respond_by",
            "resolve_by",
            "first_response_at",
            "resolved_at",
            "response_breached_at",
            "resolution_breached_at",
            "sla_state",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "partner",
            "requested_by",
            "status",
            "assigned_to",
            "respond_by",
            "resolve_by",
            "first_response_at",
            "resolved_at",
            "response_breached_at",
            "resolution_breached_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_sla_state(self, request) -> str | None:
        return getattr(request, "sla_state", None)


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    is_internal = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = PartnerServiceComment
        fields = ["id", "author", "author_name", "body", "is_internal", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]


class ServiceRequestAssignSerializer(serializers.Serializer):
    assigned_to = ScopedIdField(scoped_model=User, allow_null=True)


class ServiceRequestStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ServiceRequestStatus.choices)


class PartnerServiceRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Partner service requests: a partner user opens one for its organisation (SLA targets on Korean business
    hours are set then); headquarters assigns it and moves it (open → in progress / waiting for the partner →
    resolved → closed; the partner may close or reopen a resolved one). Filters: q, status, priority, kind,
    partner, assigned_to, open, sla (breached, due_soon, on_track, met)."""

    scoped_model = PartnerServiceRequest
    serializer_class = PartnerServiceRequestSerializer
    ordering = ["resolve_by", "id"]

    def get_queryset(self):
        params = self.request.query_params
        names = ("q", "status", "priority", "kind", "partner", "assigned_to", "open", "sla")
        filters = {name: params.get(name) for name in names}
        return queries.service_requests_for(self.request.user, {k: v for k, v in filters.items() if v})

    def _respond(self, instance, status: int = 200):
        # An actor who assigned the request away (out of its own scope) still gets what it wrote.
        with suppress(Http404):
            instance = queries.get_service_request_for(self.request.user, instance.pk)
        response = Response(
            PartnerServiceRequestSerializer(instance, context=self.get_serializer_context()).data, status
        )
        response["ETag"] = etag_for(instance)
        return response

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = ops.open_partner_service_request(
            actor=_user(request),
            kind=data["kind"],
            subject=data.get("subject", ""),
            description=data.get("description", ""),
            priority=data.get("priority", ServiceRequestPriority.NORMAL),
            product=data.get("product"),
        )
        return self._respond(created, 201)

    @extend_schema(
        parameters=[if_match], request=ServiceRequestAssignSerializer, responses=PartnerServiceRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the request to a headquarters user (null: back to the queue)."""
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = ServiceRequestAssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._respond(
            ops.assign_partner_service_request(
                actor=_user(request),
                request=instance,
                assignee=serializer.validated_data["assigned_to"],
                expected_version=version,
            )
        )

    @extend_schema(
        parameters=[if_match], request=ServiceRequestStatusSerializer, responses=PartnerServiceRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the request to another status (400 naming `status` for a move that is not allowed from here)."""
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = ServiceRequestStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            ops.change_partner_service_request_status(
                actor=_user(request),
                request=instance,
                status=serializer.validated_data["status"],
                expected_version=version,
            )
        )

    @extend_schema(methods=["get"], request=None, responses=CommentSerializer(many=True))
    @extend_schema(methods=["post"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """The thread as you may read it (partners: without headquarters' internal notes); POST adds to it."""
        instance = self.get_object()
        if request.method == "GET":
            rows = queries.comments_for(request.user, instance)
            return Response(CommentSerializer(rows, many=True).data)
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = ops.comment_on_partner_service_request(
            actor=_user(request),
            request=instance,
            body=serializer.validated_data["body"],
            is_internal=serializer.validated_data.get("is_internal", False),
        )
        return Response(CommentSerializer(comment).data, status=201)
