"""Base viewsets: querysets from the access layer, ETag on reads, If-Match on writes."""

import hashlib
import json
from typing import TYPE_CHECKING

from django.db import models
from rest_framework import mixins, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ..access import get_for_or_404, scope_for
from .errors import PreconditionFailed, PreconditionRequired
from .idempotency import run_idempotent


def etag_for(instance: models.Model) -> str:
    return f'"{type(instance).__name__.lower()}-{instance.pk}-v{getattr(instance, "version", 0)}"'


def representation_etag(instance: models.Model, data) -> str:
    """A versioned record's ETag names its version; a record without one (users, teams) hashes what was sent."""
    if hasattr(instance, "version"):
        return etag_for(instance)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return f'"{type(instance).__name__.lower()}-{instance.pk}-{digest}"'


def expected_version(request, instance: models.Model) -> int:
    """The version the client read, from If-Match (or `version` in the body); 428 if neither is sent."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        if header == "*":
            return getattr(instance, "version", 0)
        if header.removeprefix("W/") != etag_for(instance):
            raise PreconditionFailed()
        return getattr(instance, "version", 0)
    body_version = request.data.get("version") if hasattr(request.data, "get") else None
    if body_version is None:
        raise PreconditionRequired()
    try:
        return int(body_version)
    except (TypeError, ValueError) as error:
        raise PreconditionRequired() from error


if TYPE_CHECKING:
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class ScopedViewSetMixin(_ViewBase):
    """Every row comes from `scope_for(actor, model)`; rows outside the scope answer 404."""

    scoped_model: type[models.Model]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = scope_for(self.request.user, self.scoped_model)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def get_object(self):
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        instance = get_for_or_404(self.request.user, self.scoped_model, queryset=self.get_queryset(), **lookup)
        self.check_object_permissions(self.request, instance)
        return instance

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        etag = representation_etag(instance, data)
        if etag in {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}:
            response = Response(status=304)
        else:
            response = Response(data)
        response["ETag"] = etag
        return response


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Writes go through operations: subclasses implement `perform_create_operation` and
    `perform_update_operation`, which receive the validated data and return the saved instance."""

    def create(self, request, *args, **kwargs):
        # A retry carrying the same Idempotency-Key gets the first response back instead of a second record.
        return run_idempotent(request, lambda: self._create(request))

    def _create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create_operation(serializer.validated_data)
        response = Response(self.get_serializer(instance).data, status=201)
        response["ETag"] = etag_for(instance)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = {key: value for key, value in serializer.validated_data.items() if key != "version"}
        instance = self.perform_update_operation(instance, data, version)
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected_version(request, instance)
        self.perform_destroy_operation(instance)
        return Response(status=204)

    def perform_create_operation(self, data):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def perform_update_operation(self, instance, data, version):  # pragma: no cover
        raise NotImplementedError

    def perform_destroy_operation(self, instance):  # pragma: no cover
        raise NotImplementedError
