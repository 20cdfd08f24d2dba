"""/api/v1/quotes/, /api/v1/quote-lines/ and /api/v1/sales-orders/: scoped reads, writes through operations.

Writes need If-Match (the ETag read) or `version`; a stale one answers 412. Linked ids in a body (opportunity,
contact, price list, product, options) are looked up in the caller's scope: another one answers 404. For
partner and customer users the serializers leave out what is internal: `unit_cost`, margins, the internal
note and the approvals.
"""

from decimal import Decimal
from typing import cast

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.catalog.models import PriceList, Product
from forgecrm.customers.models import Contact
from forgecrm.platform.access import scope_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin, etag_for, expected_version
from forgecrm.platform.models import User
from forgecrm.platform.pdf import pdf_response

from ..models import (
    Opportunity,
    Quote,
    QuoteApproval,
    QuoteLine,
    QuoteStatus,
    SalesOrder,
    SalesOrderStatus,
    SalesOrderStatusChange,
)
from ..operations import orders as order_operations
from ..operations import quote_approvals, quote_lines, quoting
from ..queries.quotes import lines_of, quote_detail_for, sees_margins
from ..quote_documents import quote_pdf_filename, render_quote_pdf

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)
INTERNAL_QUOTE_FIELDS = ("internal_note", "approvals", "cost", "margin_percent")


@extend_schema_field({"type": "string", "format": "decimal", "example": "8217500"})
class AmountField(serializers.Field):
    """A djmoney amount as a decimal string (the currency is the document's `currency`)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        amount = getattr(value, "amount", value)
        return None if amount is None else f"{amount:f}"


class InScopeField(serializers.PrimaryKeyRelatedField):
    """An id of a record the caller may see; any other answers 404 (like a foreign id in the URL)."""

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


def _user(request) -> User:
    return cast(User, request.user)  # IsActiveUser lets only signed-in users through


def _actor(serializer):
    return getattr(serializer.context.get("request"), "user", None)


class QuoteLineOptionSerializer(serializers.Serializer):
    option = serializers.IntegerField(source="option_id", read_only=True, allow_null=True)
    sku = serializers.CharField(source="option_sku", read_only=True)
    name = serializers.CharField(source="option_name", read_only=True)
    price_delta = AmountField()


class QuoteLineSerializer(serializers.ModelSerializer):
    product = InScopeField(scoped_model=Product, required=False)
    options = QuoteLineOptionSerializer(many=True, read_only=True)
    option_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), write_only=True, required=False, max_length=100
    )
    list_unit_price = AmountField()
    tier_unit_price = AmountField()
    net_unit_price = AmountField()
    line_total = AmountField()
    unit_cost = AmountField()
    margin_percent = serializers.SerializerMethodField()
    quantity = serializers.IntegerField(min_value=1, max_value=quote_lines.MAX_QUANTITY, required=False)
    discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False
    )

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "quote",
            "position",
            "product",
            "description",
            "quantity",
            "options",
            "option_ids",
            "list_unit_price",
            "tier_unit_price",
            "discount_percent",
            "net_unit_price",
            "line_total",
            "unit_cost",
            "margin_percent",
            "version",
        ]
        read_only_fields = ["quote", "position", "version"]
        extra_kwargs = {"description": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if not sees_margins(_actor(self)):
            fields.pop("unit_cost")
            fields.pop("margin_percent")
        return fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_margin_percent(self, line):
        from ..quote_amounts import margin_percent

        if line.unit_cost is None:
            return None
        value = margin_percent(line.line_total.amount, line.unit_cost.amount * line.quantity)
        return None if value is None else f"{value:f}"


class QuoteApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteApproval
        fields = ["id", "level", "approver", "status", "reason", "comment", "decided_at", "created_at"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    contact = InScopeField(scoped_model=Contact, required=False, allow_null=True)
    price_list = InScopeField(scoped_model=PriceList, required=False, allow_null=True)
    header_discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False
    )
    subtotal = AmountField()
    discount = AmountField()
    net = AmountField()
    vat = AmountField()
    total = AmountField()
    lines = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    sales_order = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "family",
            "revision",
            "previous_revision",
            "opportunity",
            "account",
            "contact",
            "owner",
            "status",
            "price_list",
            "currency",
            "valid_until",
            "language",
            "header_discount_percent",
            "subtotal",
            "discount",
            "net",
            "vat_rate",
            "vat",
            "total",
            "terms",
            "internal_note",
            "sent_at",
            "accepted_at",
            "lines",
            "approvals",
            "sales_order",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "family",
            "revision",
            "previous_revision",
            "opportunity",
            "account",
            "owner",
            "status",
            "currency",
            "vat_rate",
            "sent_at",
            "accepted_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if not sees_margins(_actor(self)):
            for name in INTERNAL_QUOTE_FIELDS:
                fields.pop(name, None)
        return fields

    @extend_schema_field(QuoteLineSerializer(many=True))
    def get_lines(self, quote):
        return QuoteLineSerializer(lines_of(quote), many=True, context=self.context).data

    @extend_schema_field(QuoteApprovalSerializer(many=True))
    def get_approvals(self, quote):
        rows = scope_for(_actor(self), QuoteApproval).filter(quote=quote).order_by("created_at", "pk")
        return QuoteApprovalSerializer(rows, many=True).data

    @extend_schema_field(OpenApiTypes.INT)
    def get_sales_order(self, quote):
        return scope_for(_actor(self), SalesOrder).filter(quote=quote).values_list("pk", flat=True).first()


class QuoteCreateSerializer(serializers.Serializer):
    opportunity = InScopeField(scoped_model=Opportunity)
    contact = InScopeField(scoped_model=Contact, required=False, allow_null=True)
    price_list = InScopeField(scoped_model=PriceList, required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=["ko", "en"], required=False)
    header_discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False
    )
    terms = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    internal_note = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    copy_lines = serializers.BooleanField(required=False, default=True)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


class SendSerializer(serializers.Serializer):
    to = serializers.CharField(required=False, allow_blank=True, max_length=254)
    message = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


class AcceptSerializer(serializers.Serializer):
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=64)
    requested_delivery_date = serializers.DateField(required=False, allow_null=True)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


class AddLineSerializer(serializers.Serializer):
    product = InScopeField(scoped_model=Product)
    quantity = serializers.IntegerField(min_value=1, max_value=quote_lines.MAX_QUANTITY, required=False, default=1)
    option_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=100)
    discount_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False, default=Decimal(0)
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SalesOrderLineSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    description = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = AmountField()
    discount_percent = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    line_total = AmountField()


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesOrderStatusChange
        fields = ["status", "at", "source", "changed_by", "note"]
        read_only_fields = fields


class SalesOrderSerializer(serializers.ModelSerializer):
    net = AmountField()
    vat = AmountField()
    total = AmountField()
    lines = SalesOrderLineSerializer(many=True, read_only=True)
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "quote",
            "opportunity",
            "account",
            "owner",
            "status",
            "ordered_at",
            "currency",
            "net",
            "vat",
            "total",
            "customer_reference",
            "requested_delivery_date",
            "erp_number",
            "erp_synced_at",
            "lines",
            "status_changes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuoteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices)
    account = IdFilter(field_name="account_id")
    opportunity = IdFilter(field_name="opportunity_id")
    owner = IdFilter(field_name="owner_id")
    family = django_filters.CharFilter(max_length=32)

    class Meta:
        model = Quote
        fields = ["status", "account", "opportunity", "owner", "family"]


def _quote_response(view, quote, status=200):
    response = Response(QuoteSerializer(quote, context=view.get_serializer_context()).data, status=status)
    response["ETag"] = etag_for(quote)
    return response


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class QuoteViewSet(ScopedModelViewSet):
    """Quotes you may see. POST creates one from an opportunity (its lines copied and re-priced); PUT/PATCH
    change the header; the actions move it through approval, sending and acceptance."""

    scoped_model = Quote
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    select_related = ("account", "owner", "opportunity")
    ordering_fields = ["id", "number", "created_at", "updated_at", "valid_until"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return QuoteCreateSerializer
        return QuoteSerializer

    @extend_schema(request=QuoteCreateSerializer, responses={201: QuoteSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def _create(self, request):
        body = QuoteCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if not sees_margins(request.user):
            data.pop("internal_note", None)
        quote = quoting.create_quote(actor=_user(request), **data)
        return _quote_response(self, quote, status=201)

    def perform_update_operation(self, instance, data, version):
        if not sees_margins(self.request.user):
            data.pop("internal_note", None)
        return quote_lines.update_quote(
            actor=_user(self.request), quote=instance, expected_version=version, changes=data
        )

    def _quote_for(self, request, permission: str) -> Quote:
        """The quote, once the caller may do this to it: a refused caller hears 403 before any input check."""
        quote = self.get_object()
        if not request.user.has_perm(permission, quote):
            raise PermissionDenied(_("You cannot do this with this quote."))
        return quote

    def _transition(self, request, operation, permission, body_class=None, **extra):
        quote = self._quote_for(request, permission)
        version = expected_version(request, quote)
        values = {}
        if body_class is not None:
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            values = dict(body.validated_data)
        updated = operation(actor=_user(request), quote=quote, expected_version=version, **values, **extra)
        return _quote_response(self, updated)

    @extend_schema(parameters=[if_match], request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def submit(self, request, pk=None):
        """Submit for discount approval (approved at once when no threshold is reached)."""
        return self._transition(request, quote_approvals.submit_quote_for_approval, "sales.change_quote")

    @extend_schema(parameters=[if_match], request=DecisionSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def approve(self, request, pk=None):
        """Approve the pending level (never the quote's owner)."""
        return self._transition(request, quote_approvals.approve_quote, "sales.approve_quote", DecisionSerializer)

    @extend_schema(parameters=[if_match], request=DecisionSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reject(self, request, pk=None):
        """Reject the pending level, with a comment; the quote returns to its owner."""
        return self._transition(request, quote_approvals.reject_quote, "sales.approve_quote", DecisionSerializer)

    @extend_schema(parameters=[if_match], request=SendSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def send(self, request, pk=None):
        """Email the PDF (to the contact unless `to` is given); a discount needing approval is submitted instead."""
        return self._transition(
            request, quoting.send_quote, "sales.send_quote", SendSerializer, base_url=request.build_absolute_uri("/")
        )

    @extend_schema(parameters=[if_match], request=DeclineSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request, pk=None):
        return self._transition(request, quoting.decline_quote, "sales.accept_quote", DeclineSerializer)

    @extend_schema(parameters=[if_match], request=None, responses={201: QuoteSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def revise(self, request, pk=None):
        """A new revision (revision + 1, a draft copy); this one is superseded."""
        quote = self._quote_for(request, "sales.change_quote")
        copy = quoting.new_quote_revision(
            actor=_user(request), quote=quote, expected_version=expected_version(request, quote)
        )
        return _quote_response(self, copy, status=201)

    @extend_schema(parameters=[if_match], request=AcceptSerializer, responses=SalesOrderSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        """The customer accepted: the quote's sales order (created once; the same one on a retry)."""
        quote = self._quote_for(request, "sales.accept_quote")
        expected_version(request, quote)
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = quoting.accept_quote(actor=_user(request), quote=quote, **body.validated_data)
        response = Response(SalesOrderSerializer(order, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(order)
        return response

    @extend_schema(parameters=[if_match], request=AddLineSerializer, responses={201: QuoteLineSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def lines(self, request, pk=None):
        """Add a product with its options; a combination the catalog refuses is a 400 naming the rule."""
        quote = self._quote_for(request, "sales.change_quote")
        version = expected_version(request, quote)
        body = AddLineSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        option_ids = data.pop("option_ids", [])
        line = quote_lines.add_quote_line(
            actor=_user(request), quote=quote, expected_version=version, option_ids=option_ids, **data
        )
        return Response(QuoteLineSerializer(line, context=self.get_serializer_context()).data, status=201)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def pdf(self, request, pk=None):
        """The quote as the customer receives it (견적서, in the quote's language)."""
        quote = quote_detail_for(request.user, self.get_object().pk).quote
        return pdf_response(
            render_quote_pdf(quote, base_url=request.build_absolute_uri("/")), quote_pdf_filename(quote)
        )


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class QuoteLineViewSet(ScopedModelViewSet):
    """Lines of the quotes you may see: change quantity, options, discount or text; DELETE removes the line.
    Add lines with POST /api/v1/quotes/{id}/lines/."""

    scoped_model = QuoteLine
    serializer_class = QuoteLineSerializer
    select_related = ("quote", "product")
    prefetch_related = ("options",)
    ordering_fields = ["id", "position"]
    ordering = ["id"]
    filterset_fields = {"quote": ["exact"]}

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise PermissionDenied(_("Add lines with POST /api/v1/quotes/{id}/lines/."))

    def perform_update_operation(self, instance, data, version):
        data.pop("product", None)
        return quote_lines.update_quote_line(
            actor=_user(self.request),
            line=instance,
            expected_version=version,
            quantity=data.get("quantity"),
            option_ids=data.get("option_ids"),
            discount_percent=data.get("discount_percent"),
            description=data.get("description"),
        )

    def perform_destroy_operation(self, instance):
        quote_lines.remove_quote_line(actor=_user(self.request), line=instance)


# --- sales orders ----------------------------------------------------------------------------------------------


class OrderStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[s for s in SalesOrderStatus.values if s != SalesOrderStatus.CANCELLED])
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ErpStatusSerializer(serializers.Serializer):
    erp_number = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=SalesOrderStatus.choices)
    at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SalesOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SalesOrderStatus.choices)
    account = IdFilter(field_name="account_id")
    quote = IdFilter(field_name="quote_id")
    number = django_filters.CharFilter(max_length=32)
    erp_number = django_filters.CharFilter(max_length=64)

    class Meta:
        model = SalesOrder
        fields = ["status", "account", "quote", "number", "erp_number"]


class SalesOrderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales orders you may see (the hand-off to ERP). Statuses move with `status` (users), `cancel`, and
    `erp-status` (ERP's report, idempotent on ERP number and status)."""

    scoped_model = SalesOrder
    serializer_class = SalesOrderSerializer
    filterset_class = SalesOrderFilter
    select_related = ("account", "owner")
    prefetch_related = ("lines__product", "status_changes")
    ordering_fields = ["id", "number", "ordered_at"]
    ordering = ["-id"]

    def _respond(self, order, status=200):
        response = Response(self.get_serializer(order).data, status=status)
        response["ETag"] = etag_for(order)
        return response

    def _order_for(self, request, permission: str) -> SalesOrder:
        order = self.get_object()
        if not request.user.has_perm(permission, order):
            raise PermissionDenied(_("You cannot change this sales order."))
        return order

    def _move(self, request, body_class, status=None):
        permission = "sales.cancel_salesorder" if status == SalesOrderStatus.CANCELLED else "sales.change_salesorder"
        order = self._order_for(request, permission)
        version = expected_version(request, order)
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        values = {"status": status, **body.validated_data}
        updated = order_operations.change_sales_order_status(
            actor=_user(request), order=order, expected_version=version, **values
        )
        return self._respond(updated)

    @extend_schema(parameters=[if_match], request=OrderStatusSerializer, responses=SalesOrderSerializer)
    @action(detail=True, methods=["post"], url_path="status", url_name="status", filterset_class=None)
    def change_status(self, request, pk=None):
        """Move the order one step on (submitted → confirmed → in production → shipped → invoiced)."""
        return self._move(request, OrderStatusSerializer)

    @extend_schema(parameters=[if_match], request=CancelSerializer, responses=SalesOrderSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        """Cancel the order before it ships (rule cancel_salesorder)."""
        return self._move(request, CancelSerializer, SalesOrderStatus.CANCELLED)

    @extend_schema(request=ErpStatusSerializer, responses={200: SalesOrderSerializer, 201: SalesOrderSerializer})
    @action(detail=True, methods=["post"], url_path="erp-status", url_name="erp-status", filterset_class=None)
    def erp_status(self, request, pk=None):
        """ERP reports a status (and, the first time, its order number). The same report twice changes
        nothing (200); a new one is recorded (201). No If-Match: ERP's report is the record."""
        order = self._order_for(request, "sales.change_salesorder")
        body = ErpStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated, changed = order_operations.record_erp_order_status(
            actor=_user(request), order=order, **body.validated_data
        )
        return self._respond(updated, status=201 if changed else 200)
