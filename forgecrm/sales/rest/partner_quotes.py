"""/api/v1/partner-quotes/ and /api/v1/partner-quote-lines/: a partner's quotes to its own customers, as the
partner sees them (list price, its own price, its selling price and margin; never our cost or margin), and
placing the order with headquarters (`place-order`).

Partner users only (headquarters reads partners' quotes with every internal figure at /api/v1/quotes/). Rows
come from the access scope: another organisation's quote answers 404. Writes need If-Match (or `version`); a
stale one answers 412. Field errors answer 400 with the field named, a refused option combination names the
catalog's rule."""

from decimal import Decimal
from typing import cast

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from forgecrm.catalog.models import Product
from forgecrm.customers.models import Contact
from forgecrm.platform.access import principal_for
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for, expected_version
from forgecrm.platform.models import User

from ..models import Opportunity, Quote, QuoteLine
from ..operations import partner_quotes, quote_lines
from ..queries.partner_quotes import get_partner_quote_line_for, partner_quote_detail_for
from ..quote_amounts import partner_margin
from .quotes import AmountField, InScopeField, QuoteLineOptionSerializer, SalesOrderSerializer, if_match


class IsPartnerUser(BasePermission):
    message = "This API is for partner users."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and principal_for(user).is_partner)


def _user(request) -> User:
    return cast(User, request.user)


class PartnerQuoteLineSerializer(serializers.ModelSerializer):
    """A line as the partner sees it: `list_unit_price`, `own_unit_price` (what it pays us), `selling_unit_price`
    (what its customer pays), `margin` and `margin_percent` (of the selling amount)."""

    product = InScopeField(scoped_model=Product, read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    options = QuoteLineOptionSerializer(many=True, read_only=True)
    option_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), write_only=True, required=False, max_length=100
    )
    list_unit_price = AmountField()
    own_unit_price = AmountField(source="partner_unit_price")
    selling_unit_price = serializers.DecimalField(
        source="net_unit_price.amount", max_digits=18, decimal_places=2, min_value=0, required=False
    )
    line_total = AmountField()
    margin = serializers.SerializerMethodField()
    margin_percent = serializers.SerializerMethodField()
    quantity = serializers.IntegerField(min_value=1, max_value=quote_lines.MAX_QUANTITY, required=False)

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "quote",
            "position",
            "product",
            "sku",
            "partner_product_number",
            "description",
            "quantity",
            "options",
            "option_ids",
            "list_unit_price",
            "own_unit_price",
            "selling_unit_price",
            "line_total",
            "margin",
            "margin_percent",
            "version",
        ]
        read_only_fields = ["quote", "position", "partner_product_number", "description", "version"]

    def _margin(self, line):
        own = line.partner_unit_price.amount if line.partner_unit_price is not None else Decimal(0)
        return partner_margin(selling_unit_price=line.net_unit_price.amount, own_unit_price=own, quantity=line.quantity)

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_margin(self, line):
        return f"{self._margin(line).amount:f}"

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_margin_percent(self, line):
        percent = self._margin(line).percent
        return None if percent is None else f"{percent:f}"


class PartnerQuoteSerializer(serializers.ModelSerializer):
    contact = InScopeField(scoped_model=Contact, required=False, allow_null=True)
    subtotal = AmountField()
    net = AmountField()
    vat = AmountField()
    total = AmountField()
    own_total = serializers.SerializerMethodField()
    margin = serializers.SerializerMethodField()
    margin_percent = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    sales_order = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "partner",
            "opportunity",
            "account",
            "contact",
            "owner",
            "status",
            "currency",
            "valid_until",
            "language",
            "terms",
            "subtotal",
            "net",
            "vat_rate",
            "vat",
            "total",
            "own_total",
            "margin",
            "margin_percent",
            "accepted_at",
            "lines",
            "sales_order",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "partner",
            "opportunity",
            "account",
            "owner",
            "status",
            "currency",
            "vat_rate",
            "accepted_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def _detail(self, quote):
        cache = cast(dict, self.context).setdefault("partner_quote_details", {})
        if quote.pk not in cache:
            cache[quote.pk] = partner_quote_detail_for(self.context["request"].user, quote.pk)
        return cache[quote.pk]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_own_total(self, quote):
        return f"{self._detail(quote).own_total:f}"

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_margin(self, quote):
        return f"{self._detail(quote).margin.amount:f}"

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_margin_percent(self, quote):
        percent = self._detail(quote).margin.percent
        return None if percent is None else f"{percent:f}"

    @extend_schema_field(PartnerQuoteLineSerializer(many=True))
    def get_lines(self, quote):
        lines = [item.line for item in self._detail(quote).lines]
        return PartnerQuoteLineSerializer(lines, many=True, context=self.context).data

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_sales_order(self, quote):
        order = self._detail(quote).order
        return None if order is None else order.pk


class PartnerQuoteListSerializer(PartnerQuoteSerializer):
    """The list leaves out lines and margins (they cost a query per quote); read one quote for them."""

    class Meta(PartnerQuoteSerializer.Meta):
        fields = [
            name
            for name in PartnerQuoteSerializer.Meta.fields
            if name not in {"lines", "own_total", "margin", "margin_percent", "sales_order", "terms"}
        ]


class PartnerQuoteCreateSerializer(serializers.Serializer):
    opportunity = InScopeField(scoped_model=Opportunity)
    contact = InScopeField(scoped_model=Contact, required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=["ko", "en"], required=False)
    terms = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    copy_lines = serializers.BooleanField(required=False, default=True)


class PartnerLineAddSerializer(serializers.Serializer):
    product = InScopeField(scoped_model=Product, required=False, allow_null=True)
    partner_product_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    quantity = serializers.IntegerField(min_value=1, max_value=quote_lines.MAX_QUANTITY, required=False, default=1)
    option_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=100)
    selling_unit_price = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, required=False)


class PlaceOrderSerializer(serializers.Serializer):
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=64)
    requested_delivery_date = serializers.DateField(required=False, allow_null=True)


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class PartnerQuoteViewSet(ScopedModelViewSet):
    """Your organisation's quotes to your customers (a distributor's admin also its dealers'). POST creates one
    for a deal you work (its lines copied, priced on your price list); PATCH changes contact, validity, language
    and terms; `lines` adds a line; `place-order` sends the order to headquarters at your prices."""

    scoped_model = Quote
    serializer_class = PartnerQuoteSerializer
    permission_classes = [IsPartnerUser]
    select_related = ("account", "opportunity", "partner", "owner", "contact")
    filterset_fields = {"status": ["exact"], "opportunity": ["exact"]}
    ordering_fields = ["id", "number", "created_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().filter(partner__isnull=False)

    def get_serializer_class(self):
        if self.action == "create":
            return PartnerQuoteCreateSerializer
        if self.action == "list":
            return PartnerQuoteListSerializer
        return PartnerQuoteSerializer

    def _respond(self, quote, status=200):
        fresh = self.get_queryset().get(pk=quote.pk)
        response = Response(PartnerQuoteSerializer(fresh, context=self.get_serializer_context()).data, status=status)
        response["ETag"] = etag_for(fresh)
        return response

    @extend_schema(request=PartnerQuoteCreateSerializer, responses={201: PartnerQuoteSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def _create(self, request):
        body = PartnerQuoteCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        quote = partner_quotes.create_partner_quote(actor=_user(request), **body.validated_data)
        return self._respond(quote, status=201)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        return self._respond(self.get_object()) if response.status_code == 200 else response

    def perform_update_operation(self, instance, data, version):
        changes = {name: data[name] for name in ("contact", "valid_until", "language", "terms") if name in data}
        return partner_quotes.update_partner_quote(
            actor=_user(self.request), quote=instance, expected_version=version, changes=changes
        )

    def _quote_for(self, request, permission: str) -> Quote:
        quote = self.get_object()
        if not request.user.has_perm(permission, quote):
            raise PermissionDenied(_("You cannot do this with this quote."))
        return quote

    @extend_schema(parameters=[if_match], request=PartnerLineAddSerializer, responses={201: PartnerQuoteLineSerializer})
    @action(detail=True, methods=["post"], filterset_fields=None)
    def lines(self, request, pk=None):
        """Add a line by `product` or by your `partner_product_number`, with options and your selling price
        (default: the list price); a combination the catalog refuses is a 400 naming the rule."""
        quote = self._quote_for(request, "sales.change_quote")
        version = expected_version(request, quote)
        body = PartnerLineAddSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        line = partner_quotes.add_partner_quote_line(
            actor=_user(request),
            quote=quote,
            product=data.get("product"),
            partner_product_number=data.get("partner_product_number", ""),
            quantity=data.get("quantity", 1),
            option_ids=data.get("option_ids", []),
            selling_unit_price=data.get("selling_unit_price"),
            expected_version=version,
        )
        saved = get_partner_quote_line_for(request.user, line.pk)  # the amounts as stored, for the answer
        return Response(PartnerQuoteLineSerializer(saved, context=self.get_serializer_context()).data, status=201)

    @extend_schema(parameters=[if_match], request=PlaceOrderSerializer, responses=SalesOrderSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="place-order",
        url_name="place-order",
        filterset_fields=None,
    )
    def place_order(self, request, pk=None):
        """Your customer accepted: the order goes to headquarters at your own prices, sold through your
        organisation (once; a retry returns the same order)."""
        quote = self._quote_for(request, "sales.accept_quote")
        version = expected_version(request, quote)
        body = PlaceOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = partner_quotes.place_partner_order(
            actor=_user(request), quote=quote, expected_version=version, **body.validated_data
        )
        response = Response(SalesOrderSerializer(order, context=self.get_serializer_context()).data)
        response["ETag"] = etag_for(order)
        return response


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class PartnerQuoteLineViewSet(ScopedModelViewSet):
    """Lines of your quotes: change quantity, options or your selling price; DELETE removes the line. Add lines
    with POST /api/v1/partner-quotes/{id}/lines/."""

    scoped_model = QuoteLine
    serializer_class = PartnerQuoteLineSerializer
    permission_classes = [IsPartnerUser]
    select_related = ("quote", "product")
    prefetch_related = ("options",)
    filterset_fields = {"quote": ["exact"]}
    ordering_fields = ["id", "position"]
    ordering = ["id"]
    http_method_names = ["get", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().filter(quote__partner__isnull=False).defer("unit_cost")

    def perform_update_operation(self, instance, data, version):
        if not self.request.user.has_perm("sales.change_quote", instance.quote):
            raise PermissionDenied(_("You cannot change this quote."))
        selling = data.get("net_unit_price", {}).get("amount")
        return quote_lines.update_quote_line(
            actor=_user(self.request),
            line=instance,
            expected_version=version,
            quantity=data.get("quantity"),
            option_ids=data.get("option_ids"),
            selling_unit_price=selling,
        )

    def perform_destroy_operation(self, instance):
        quote_lines.remove_quote_line(actor=_user(self.request), line=instance)
