"""/api/v1/ endpoints of the catalog: reads for every signed-in user within their scope, writes for catalog
editors through operations, a price check and a configuration check on products."""

from django.db.models import Count, Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.viewsets import ScopedModelViewSet

from .. import operations, queries
from ..models import (
    Option,
    OptionGroup,
    OptionRule,
    PartnerProductNumber,
    PriceList,
    PriceListItem,
    PriceTier,
    Product,
    ProductLine,
)
from ..policies import can_edit_catalog, sees_cost
from . import serializers as shapes

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class CatalogEditorOrReadOnly(permissions.BasePermission):
    """Everybody signed in reads (and asks for prices and configuration checks); editors write."""

    read_actions = frozenset({"price", "validate_configuration"})

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", "") in self.read_actions:
            return True
        return can_edit_catalog(user)


class CatalogViewSet(ScopedModelViewSet):
    permission_classes = [CatalogEditorOrReadOnly]
    http_method_names = NO_DELETE


class ProductLineViewSet(CatalogViewSet):
    scoped_model = ProductLine
    serializer_class = shapes.ProductLineSerializer
    filterset_fields = ["is_active", "code"]
    ordering_fields = ["id", "code", "name"]
    ordering = ["id"]

    def perform_create_operation(self, data):
        return operations.create_product_line(actor=self.request.user, **data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_product_line(
            actor=self.request.user, product_line=instance, expected_version=version, changes=data
        )


class ProductViewSet(CatalogViewSet):
    """Products; `standard_cost` appears for internal users only. `?q=` searches SKU and names."""

    scoped_model = Product
    select_related = ("product_line",)
    filterset_fields = ["product_line", "status", "unit", "sku"]
    ordering_fields = ["id", "sku", "name", "updated_at"]
    ordering = ["id"]

    def get_serializer_class(self):
        internal = sees_cost(self.request.user)
        if self.action == "retrieve":
            return shapes.InternalProductDetailSerializer if internal else shapes.ProductDetailSerializer
        return shapes.InternalProductSerializer if internal else shapes.ProductSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        actor = self.request.user
        if self.action == "list" and self.request.query_params.get("q"):
            text = self.request.query_params["q"][:100]
            queryset = queryset.filter(pk__in=queries.product_list_for(actor, text=text).values("pk"))
        if self.action == "retrieve":
            options = Prefetch(
                "options", queryset=scope_for(actor, Option).order_by("position", "pk"), to_attr="visible_options"
            )
            groups = scope_for(actor, OptionGroup).prefetch_related(options).order_by("position", "pk")
            queryset = queryset.prefetch_related(
                Prefetch("option_groups", queryset=groups, to_attr="visible_option_groups"),
                Prefetch(
                    "option_rules", queryset=scope_for(actor, OptionRule).order_by("pk"), to_attr="visible_option_rules"
                ),
            )
        return queryset

    def perform_create_operation(self, data):
        return operations.create_product(actor=self.request.user, **data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_product(
            actor=self.request.user, product=instance, expected_version=version, changes=data
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("quantity", int, description="Units to price (1 by default)"),
            OpenApiParameter("price_list", int, description="Price from this list (one you may see)"),
            OpenApiParameter("partner", int, description="Internal users: price for this partner account"),
            OpenApiParameter("on_date", str, description="ISO date (today by default)"),
        ],
        responses={200: shapes.PriceResultSerializer},
    )
    @action(detail=True, methods=["get"])
    def price(self, request, pk=None):
        """The unit price of a quantity: the best list for the buyer on the day, then the volume tier."""
        product = self.get_object()
        params = shapes.PriceQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        actor = request.user
        price_list = queries.get_price_list_for(actor, data["price_list"]) if "price_list" in data else None
        partner = None
        if "partner" in data and principal_for(actor).is_internal:
            partner = queries.partner_accounts_for(actor).filter(pk=data["partner"]).first()
            if partner is None:
                raise NotFound()
        try:
            quote = queries.price_for_actor(
                actor,
                product=product,
                quantity=data["quantity"],
                price_list=price_list,
                partner=partner,
                on_date=data.get("on_date"),
            )
        except queries.NoPriceError as error:
            raise serializers.ValidationError({"price_list": [str(error)]}) from error
        tier = quote.tier_applied
        return Response(
            {
                "product": product.pk,
                "sku": product.sku,
                "quantity": quote.quantity,
                "unit_price": shapes.amount_text(quote.unit_price),
                "currency": quote.unit_price.currency.code,
                "total": shapes.amount_text(quote.total),
                "price_list": {"id": quote.price_list.pk, "name": quote.price_list.name} if quote.price_list else None,
                "tier_applied": (
                    {"min_quantity": tier.min_quantity, "unit_price": shapes.amount_text(tier.unit_price)}
                    if tier
                    else None
                ),
            }
        )

    @extend_schema(request=shapes.ConfigurationSerializer, responses={200: shapes.ConfigurationResultSerializer})
    @action(detail=True, methods=["post"], url_path="validate-configuration")
    def validate_configuration(self, request, pk=None):
        """Check a set of option ids (and, optionally, the other products of the quote) against the rules."""
        product = self.get_object()
        body = shapes.ConfigurationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quote_products = body.validated_data.get("quote_products")
        if quote_products is not None:
            quote_products = list(
                scope_for(request.user, Product).filter(pk__in=quote_products).values_list("pk", flat=True)
            )
        errors = queries.validate_configuration(
            product, body.validated_data["options"], quote_product_ids=quote_products
        )
        return Response({"valid": not errors, "errors": errors})


class PriceListViewSet(CatalogViewSet):
    """Price lists the actor may see; items and their volume tiers are nested (read-only) on the detail."""

    scoped_model = PriceList
    select_related = ("partner",)
    filterset_fields = ["currency", "is_default", "partner", "partner_tier", "segment"]
    ordering_fields = ["id", "name", "valid_from"]
    ordering = ["id"]

    def get_serializer_class(self):
        return shapes.PriceListDetailSerializer if self.action == "retrieve" else shapes.PriceListSerializer

    def get_queryset(self):
        actor = self.request.user
        queryset = super().get_queryset().annotate(item_count=Count("items"))
        if self.action == "retrieve":
            tiers = Prefetch("tiers", queryset=scope_for(actor, PriceTier).order_by("min_quantity"))
            items = (
                scope_for(actor, PriceListItem)
                .select_related("product")
                .prefetch_related(tiers)
                .order_by("product__sku")
            )
            queryset = queryset.prefetch_related(Prefetch("items", queryset=items, to_attr="visible_items"))
        return queryset

    def perform_create_operation(self, data):
        return self._reloaded(operations.create_price_list(actor=self.request.user, **data))

    def perform_update_operation(self, instance, data, version):
        updated = operations.update_price_list(
            actor=self.request.user, price_list=instance, expected_version=version, changes=data
        )
        return self._reloaded(updated)

    def _reloaded(self, price_list: PriceList) -> PriceList:
        return self.get_queryset().get(pk=price_list.pk)


class PartnerProductNumberViewSet(CatalogViewSet):
    """Partner product numbers: a partner user sees only its own; catalog editors maintain them."""

    scoped_model = PartnerProductNumber
    serializer_class = shapes.PartnerProductNumberSerializer
    select_related = ("partner", "product")
    filterset_fields = ["partner", "product", "partner_sku"]
    ordering_fields = ["id", "partner_sku"]
    ordering = ["id"]
    http_method_names = [*NO_DELETE, "delete"]

    def perform_create_operation(self, data):
        return operations.create_partner_product_number(actor=self.request.user, **data)

    def perform_update_operation(self, instance, data, version):
        changes = {key: value for key, value in data.items() if key in {"partner_sku", "partner_name"}}
        return operations.update_partner_product_number(
            actor=self.request.user, partner_product_number=instance, expected_version=version, changes=changes
        )

    def perform_destroy_operation(self, instance):
        operations.delete_partner_product_number(actor=self.request.user, partner_product_number=instance)
