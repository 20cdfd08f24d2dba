"""API shapes of the catalog. Cost is a field of the internal serializer only: partners and customers never get it."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from djmoney.money import Money
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from forgecrm.platform.access import scope_for

from .. import queries
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
    validate_specs,
)
from ..models.price_lists import currency_amount


class AmountField(serializers.DecimalField):
    """A Money amount as a decimal string; the currency is a separate read-only field."""

    def __init__(self, *, decimal_places: int = 0, **kwargs):
        super().__init__(max_digits=18, decimal_places=decimal_places, **kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        return super().to_representation(value.amount if isinstance(value, Money) else value)


def amount_text(money: Money) -> str:
    """An amount as a string with its currency's minor unit: "7200000" for KRW, "6100.50" for USD."""
    return str(currency_amount(money))


@extend_schema_field({"type": "string", "format": "decimal", "example": "7200000"})
class MoneyAmountField(serializers.Field):
    """A read-only price in a price list's currency, written with that currency's minor unit."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Money) -> str:
        return amount_text(value)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id the actor must be able to see: anything else answers 404, like a foreign id in a URL."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if any(getattr(detail, "code", "") == "does_not_exist" for detail in error.detail):
                raise NotFound() from error
            raise


class SpecsField(serializers.JSONField):
    """Specs as ordered [{"key", "value"}] pairs; an object {"냉방능력": "23.0 kW"} is accepted and kept in order."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if isinstance(value, dict):
            value = [{"key": str(key), "value": val} for key, val in value.items()]
        return value


def _actor(serializer: serializers.Serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ProductLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name", "name_en", "description", "is_active", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]


class OptionSerializer(serializers.ModelSerializer):
    price_delta = AmountField(read_only=True)

    class Meta:
        model = Option
        fields = ["id", "sku", "name", "name_en", "price_delta", "is_default", "is_active", "position"]


class OptionGroupSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True, source="visible_options")

    class Meta:
        model = OptionGroup
        fields = ["id", "name", "name_en", "min_selections", "max_selections", "required", "position", "options"]


class OptionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptionRule
        fields = ["id", "option", "kind", "target_option", "target_product"]


class ProductSerializer(serializers.ModelSerializer):
    """What everybody may read. Never add cost here: partners and customers get this one."""

    product_line = ScopedRelatedField(queryset=ProductLine.objects.none())
    list_price = AmountField()
    list_price_currency = serializers.SerializerMethodField()
    specs = SpecsField(required=False)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "name_en",
            "product_line",
            "unit",
            "status",
            "specs",
            "description",
            "list_price",
            "list_price_currency",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = _actor(self)
        if actor is not None:
            self.fields["product_line"].queryset = scope_for(actor, ProductLine)

    def get_list_price_currency(self, product: Product) -> str:
        return "KRW"

    def validate_specs(self, value: Any):
        try:
            validate_specs(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class InternalProductSerializer(ProductSerializer):
    """Adds the manufacturer's standard cost, for internal users only."""

    standard_cost = AmountField(required=False, allow_null=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "standard_cost"]


class ProductDetailSerializer(ProductSerializer):
    option_groups = OptionGroupSerializer(many=True, read_only=True, source="visible_option_groups")
    option_rules = OptionRuleSerializer(many=True, read_only=True, source="visible_option_rules")

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "option_groups", "option_rules"]


class InternalProductDetailSerializer(InternalProductSerializer):
    option_groups = OptionGroupSerializer(many=True, read_only=True, source="visible_option_groups")
    option_rules = OptionRuleSerializer(many=True, read_only=True, source="visible_option_rules")

    class Meta(InternalProductSerializer.Meta):
        fields = [*InternalProductSerializer.Meta.fields, "option_groups", "option_rules"]


class PriceTierSerializer(serializers.ModelSerializer):
    unit_price = MoneyAmountField()

    class Meta:
        model = PriceTier
        fields = ["min_quantity", "unit_price"]


class PriceListItemSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit_price = MoneyAmountField()
    tiers = PriceTierSerializer(many=True, read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "product", "sku", "product_name", "unit_price", "tiers"]


class PriceListSerializer(serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=PriceList.objects.none(), required=False, allow_null=True)
    assignment = serializers.CharField(read_only=True)
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "currency",
            "valid_from",
            "valid_to",
            "assignment",
            "partner",
            "partner_tier",
            "segment",
            "is_default",
            "description",
            "item_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = _actor(self)
        if actor is not None:
            self.fields["partner"].queryset = queries.partner_accounts_for(actor)


class PriceListDetailSerializer(PriceListSerializer):
    items = PriceListItemSerializer(many=True, read_only=True, source="visible_items")

    class Meta(PriceListSerializer.Meta):
        fields = [*PriceListSerializer.Meta.fields, "items"]


class PartnerProductNumberSerializer(serializers.ModelSerializer):
    partner = ScopedRelatedField(queryset=PartnerProductNumber.objects.none())
    product = ScopedRelatedField(queryset=Product.objects.none())

    class Meta:
        model = PartnerProductNumber
        fields = ["id", "partner", "product", "partner_sku", "partner_name", "version", "created_at", "updated_at"]
        read_only_fields = ["version", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = _actor(self)
        if actor is not None:
            self.fields["partner"].queryset = queries.partner_accounts_for(actor)
            self.fields["product"].queryset = scope_for(actor, Product)


class PriceQuerySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    price_list = serializers.IntegerField(required=False, min_value=1)
    partner = serializers.IntegerField(required=False, min_value=1)
    on_date = serializers.DateField(required=False)


class ConfigurationSerializer(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=500)
    quote_products = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_null=True, max_length=500
    )


class PriceListRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TierRefSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField()
    unit_price = serializers.CharField()


class PriceResultSerializer(serializers.Serializer):
    """Documents the price check's answer."""

    product = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField(help_text="Decimal string in the currency's minor unit")
    currency = serializers.CharField()
    total = serializers.CharField()
    price_list = PriceListRefSerializer(allow_null=True, help_text="null: no list applies, the list price is used")
    tier_applied = TierRefSerializer(allow_null=True)


class ConfigurationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())
