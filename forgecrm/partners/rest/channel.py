"""/api/v1/sell-through-reports/ and /api/v1/channel-inventory/. Rows come from the access scope (a partner its
own organisation's, a distributor's admin also its dealers'; headquarters every partner's). A partner's users
POST their organisation's month (creating it or replacing its lines: the same lines again change nothing) or PUT
the report they read with If-Match (412 when stale); stock rows are POSTed in a batch (a product and date
reported again is overwritten). Products are named by id or by `product_number` (our SKU or the partner's own)."""

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from forgecrm.catalog.models import Product
from forgecrm.customers.models import Account
from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.viewsets import ScopedViewSetMixin, etag_for, expected_version, representation_etag
from forgecrm.platform.models import User

from ..models import ChannelInventory, ReportSource, SellThroughLine, SellThroughReport
from ..operations import channel as ops
from ..queries import channel as queries

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


def _user(request) -> User:
    return cast(User, request.user)


def _own_partner(request) -> Account:
    principal = principal_for(request.user)
    if not principal.is_partner or principal.organization_id is None:
        raise PermissionDenied(_("Only the partner's own users report its sell-through and stock."))
    return scope_for(request.user, Account).get(pk=principal.organization_id)


@extend_schema_field(OpenApiTypes.DECIMAL)
class SignedAmountField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(getattr(value, "amount", value))


class ProductReference(serializers.Serializer):
    product = serializers.IntegerField(source="product_id", required=False, min_value=1, help_text="Our product's id.")
    product_number = serializers.CharField(
        required=False, max_length=60, write_only=True, help_text="Our SKU or the partner's own product number."
    )


def _resolve_products(actor, partner: Account, rows: list[dict[str, Any]], field: str) -> None:
    """Replace each row's product id / number by the product (two queries), or raise field errors per row."""
    ids = {row["product_id"] for row in rows if row.get("product_id")}
    by_id = {p.pk: p for p in scope_for(actor, Product).filter(pk__in=ids)}
    numbers = ops.products_by_number(
        partner, {row["product_number"] for row in rows if row.get("product_number")}, actor
    )
    errors: dict[str, dict[str, str]] = {}
    for index, row in enumerate(rows):
        product = by_id.get(row.pop("product_id", None) or 0) or numbers.get(row.pop("product_number", "") or "")
        if not isinstance(product, Product):
            errors[str(index)] = {"product": str(product) if isinstance(product, str) else _("Unknown product.")}
        row["product"] = product
    if errors:
        raise serializers.ValidationError({field: errors})


def _row_errors(error: ops.UploadErrors, field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: {str(row.line - 1): {row.column: row.message} for row in error.rows}})


class SellThroughLineSerializer(ProductReference, serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    quantity = serializers.IntegerField(min_value=-ops.MAX_QUANTITY, max_value=ops.MAX_QUANTITY)
    amount = SignedAmountField(required=False, default=0)

    class Meta:
        model = SellThroughLine
        fields = ["product", "product_number", "sku", "quantity", "amount", "end_customer_name", "sido"]
        extra_kwargs = {"end_customer_name": {"required": False}, "sido": {"required": False}}


class SellThroughReportSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    month = serializers.DateField(source="period_start", help_text="Any day of the month (stored as its first).")
    source = serializers.CharField(read_only=True, help_text="portal, upload or api")  # type: ignore[assignment]
    lines = SellThroughLineSerializer(many=True)

    class Meta:
        model = SellThroughReport
        fields = [
            "id",
            "partner",
            "partner_name",
            "month",
            "source",
            "currency",
            "submitted_by",
            "submitted_at",
            "lines",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["partner", "source", "currency", "submitted_by", "submitted_at", "version"]


class SellThroughReportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Monthly sell-through reports. POST (a partner's users): the organisation's month with its lines — the
    month's report is created (201) or its lines replaced (200). PUT/PATCH with If-Match: replace the lines of
    the report read. Filters: partner, month (YYYY-MM or a day), since."""

    scoped_model = SellThroughReport
    serializer_class = SellThroughReportSerializer
    ordering = ["-period_start", "id"]

    def get_queryset(self):
        params = self.request.query_params
        filters: dict[str, Any] = {}
        if (partner := params.get("partner")) and partner.isdigit():
            filters["partner"] = int(partner)
        if params.get("month"):
            filters["month"] = queries.month_of(params["month"])
        if params.get("since"):
            filters["since"] = queries.month_of(params["since"])
        return (
            queries.sell_through_reports_for(self.request.user, filters)
            .prefetch_related("lines__product")
            .order_by(*self.ordering)
        )

    def _submit(self, request, partner: Account, month, lines, version=None) -> SellThroughReport:
        _resolve_products(request.user, partner, lines, "lines")
        try:
            return ops.submit_sell_through(
                actor=_user(request),
                partner=partner,
                month=month,
                lines=lines,
                source=ReportSource.API,
                expected_version=version,
            )
        except ops.UploadErrors as error:
            raise _row_errors(error, "lines") from error

    def _answer(self, report: SellThroughReport, status: int) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        response = Response(self.get_serializer(fresh).data, status=status)
        response["ETag"] = etag_for(fresh)
        return response

    def create(self, request, *args, **kwargs):
        partner = _own_partner(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = (
            scope_for(request.user, SellThroughReport)
            .filter(partner=partner, period_start=data["period_start"].replace(day=1))
            .exists()
        )
        report = self._submit(request, partner, data["period_start"], [dict(row) for row in data["lines"]])
        return self._answer(report, 200 if existed else 201)

    @extend_schema(parameters=[if_match])
    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        partner = _own_partner(request)
        if instance.partner_id != partner.pk:
            raise PermissionDenied(_("You report for your own organisation only."))
        version = expected_version(request, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data.get("lines")
        if lines is None:
            raise serializers.ValidationError({"lines": _("Send the report's lines.")})
        report = self._submit(request, partner, instance.period_start, [dict(row) for row in lines], version)
        return self._answer(report, 200)

    @extend_schema(parameters=[if_match])
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class ChannelInventorySerializer(ProductReference, serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    source = serializers.CharField(read_only=True, help_text="portal, upload or api")  # type: ignore[assignment]
    on_hand = serializers.IntegerField(min_value=0, max_value=ops.MAX_QUANTITY)
    in_transit = serializers.IntegerField(min_value=0, max_value=ops.MAX_QUANTITY, required=False, default=0)

    class Meta:
        model = ChannelInventory
        fields = [
            "id",
            "partner",
            "partner_name",
            "product",
            "product_number",
            "sku",
            "as_of",
            "on_hand",
            "in_transit",
            "source",
            "reported_by",
        ]
        read_only_fields = ["partner", "source", "reported_by"]


class ChannelInventoryBatchSerializer(serializers.Serializer):
    rows = ChannelInventorySerializer(many=True, allow_empty=False, max_length=ops.MAX_LINES)  # type: ignore[call-arg]


class ChannelInventoryViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Stock a partner holds per product and date. POST (a partner's users) `{"rows": [...]}`: its
    organisation's stock; a product and date reported before is overwritten. Filters: partner, product, as_of,
    since."""

    scoped_model = ChannelInventory
    serializer_class = ChannelInventorySerializer
    ordering = ["-as_of", "id"]

    def get_queryset(self):
        params = self.request.query_params
        filters: dict[str, Any] = {}
        for name in ("partner", "product"):
            if (value := params.get(name)) and value.isdigit():
                filters[name] = int(value)
        for name in ("as_of", "since"):
            if params.get(name):
                filters[name] = serializers.DateField().to_internal_value(params[name])
        return queries.channel_inventory_for(self.request.user, filters)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        response = Response(data)
        response["ETag"] = representation_etag(instance, data)
        return response

    @extend_schema(request=ChannelInventoryBatchSerializer, responses=ChannelInventorySerializer(many=True))
    def create(self, request, *args, **kwargs):
        partner = _own_partner(request)
        serializer = ChannelInventoryBatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        rows = [dict(row) for row in serializer.validated_data["rows"]]
        _resolve_products(request.user, partner, rows, "rows")
        try:
            saved = ops.report_inventory(actor=_user(request), partner=partner, rows=rows, source=ReportSource.API)
        except ops.UploadErrors as error:
            raise _row_errors(error, "rows") from error
        return Response(self.get_serializer(saved, many=True).data, status=201)
