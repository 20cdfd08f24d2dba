"""/api/v1/opportunities/ (+ `move`), /api/v1/opportunity-lines/, /api/v1/opportunity-competitors/ and
/api/v1/stages/: scoped reads, writes through the operations, If-Match on every change (412 when stale).

Partner users see their own deals without the manufacturer's internal fields (probability, forecast category,
win/loss note) and never a competitor (the competitor scope gives them nothing).
"""

from decimal import Decimal
from typing import cast

import django_filters
from django.conf import settings
from django.http import Http404
from djmoney.money import Money
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from forgecrm.catalog.models import Option, PriceList, Product, ProductLine
from forgecrm.customers.models import Account, AccountKind, Contact
from forgecrm.platform.access import is_in_scope, principal_for, scope_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, etag_for, expected_version
from forgecrm.platform.models import Team, Territory, User
from forgecrm.platform.search import search_queryset

from ..models import (
    ForecastCategory,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Stage,
    StageHistory,
    WinLossReason,
)
from ..operations import opportunities as operations
from ..operations import opportunity_competitors as competitor_operations
from ..operations import opportunity_lines as line_operations
from ..policies import is_assigner
from ..queries.opportunities import get_opportunity_for, with_account_visibility

PARTNER_HIDDEN_FIELDS = ("probability", "forecast_category", "win_loss_note")

if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


def acting(request) -> User:
    """The signed-in user of a view behind `login_required` (or an authenticated API view)."""
    return cast(User, request.user)


class LinkField(serializers.PrimaryKeyRelatedField):
    """A link to a record the caller may see (any other id answers 404, revealing nothing); the value the record
    already has is kept without a lookup (a territory deal's account the rep does not see, sent back unchanged)."""

    def __init__(self, *, scoped_model, filters=None, **kwargs):
        self.scoped_model = scoped_model
        self.filters = filters or {}
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", scoped_model._default_manager.none())  # schema only; see get_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope_for(getattr(request, "user", None), self.scoped_model).filter(**self.filters)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, Opportunity) and getattr(instance, f"{self.source}_id", None) == pk:
            return getattr(instance, str(self.source))
        row = self.get_queryset().filter(pk=pk).first()
        if row is None:
            raise Http404
        return row


@extend_schema_field(OpenApiTypes.DECIMAL)
class AmountField(serializers.DecimalField):
    """The amount of a djmoney field (its currency is the `<name>_currency` field)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=18, decimal_places=2, min_value=Decimal(0), **kwargs)

    def to_representation(self, value):
        amount = getattr(value, "amount", value)
        return None if amount is None else super().to_representation(amount)


def _actor(serializer):
    return getattr(serializer.context.get("request"), "user", None)


class LineSummarySerializer(serializers.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit_price = AmountField(read_only=True)
    amount = AmountField(read_only=True)
    currency = serializers.CharField(source="amount_currency", read_only=True)

    class Meta:
        model = OpportunityLine
        fields = [
            "id",
            "position",
            "product",
            "product_sku",
            "product_name",
            "selected_options",
            "quantity",
            "price_list",
            "unit_price",
            "discount_percent",
            "amount",
            "currency",
            "version",
        ]
        read_only_fields = fields


class StageHistorySerializer(serializers.ModelSerializer):
    stage_code = serializers.CharField(source="stage.code", read_only=True)
    amount = AmountField(read_only=True)

    class Meta:
        model = StageHistory
        fields = [
            "stage",
            "stage_code",
            "entered_at",
            "left_at",
            "seconds_in_stage",
            "changed_by",
            "amount",
            "probability",
        ]
        read_only_fields = fields


class OpportunitySerializer(serializers.ModelSerializer):
    account = LinkField(scoped_model=Account)
    account_name = serializers.SerializerMethodField(help_text="Empty when the account is not shared with you.")
    primary_contact = LinkField(scoped_model=Contact, required=False, allow_null=True)
    owner = LinkField(scoped_model=User, required=False)
    team = LinkField(scoped_model=Team, required=False, allow_null=True)
    territory = LinkField(scoped_model=Territory, required=False, allow_null=True)
    partner = LinkField(scoped_model=Account, filters={"kind": AccountKind.PARTNER}, required=False, allow_null=True)
    product_line = LinkField(scoped_model=ProductLine, required=False, allow_null=True)
    stage = LinkField(scoped_model=Stage, required=False, help_text="On create only; later use the `move` action.")
    stage_code = serializers.CharField(source="stage.code", read_only=True)
    amount = AmountField(required=False)
    amount_currency = serializers.ChoiceField(choices=[(c, c) for c in settings.CURRENCIES], required=False)
    forecast_category = serializers.ChoiceField(choices=ForecastCategory.choices, required=False)
    lines = LineSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "account",
            "account_name",
            "primary_contact",
            "owner",
            "team",
            "territory",
            "partner",
            "product_line",
            "stage",
            "stage_code",
            "probability",
            "amount",
            "amount_currency",
            "forecast_category",
            "close_date",
            "next_step",
            "next_step_date",
            "description",
            "source_lead",
            "win_loss_reason",
            "win_loss_note",
            "closed_at",
            "stage_entered_at",
            "source",
            "external_id",
            "lines",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "source_lead",
            "closed_at",
            "stage_entered_at",
            "win_loss_reason",
            "win_loss_note",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        user = _actor(self)
        if user is None or not user.is_authenticated:
            return fields
        if principal_for(user).is_partner:
            for name in PARTNER_HIDDEN_FIELDS:
                fields.pop(name, None)
        if not is_assigner.test(user):
            for name in ("owner", "team", "territory", "partner"):
                fields[name].read_only = True
                fields[name].required = False
        if isinstance(self.instance, Opportunity):
            fields["stage"].read_only = True
        return fields

    def get_account_name(self, opportunity) -> str | None:
        visible = getattr(opportunity, "account_visible", None)
        if visible is None:
            visible = is_in_scope(_actor(self), opportunity.account)
        return opportunity.account.name if visible else None

    def validate(self, attrs):
        amount = attrs.pop("amount", None)
        currency = attrs.pop("amount_currency", None)
        if amount is not None or currency is not None:
            current = getattr(self.instance, "amount", None)
            attrs["amount"] = Money(
                amount if amount is not None else getattr(current, "amount", 0),
                currency or str(getattr(current, "currency", "KRW")),
            )
        return attrs


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or account")
    account = IdFilter(field_name="account_id")
    owner = IdFilter(field_name="owner_id")
    partner = IdFilter(field_name="partner_id")
    product_line = IdFilter(field_name="product_line_id")
    stage = IdFilter(field_name="stage_id")
    stage_code = django_filters.CharFilter(field_name="stage__code")
    close_from = django_filters.DateFilter(field_name="close_date", lookup_expr="gte")
    close_to = django_filters.DateFilter(field_name="close_date", lookup_expr="lte")
    status = django_filters.ChoiceFilter(
        choices=[("open", "open"), ("won", "won"), ("lost", "lost")], method="by_status"
    )

    class Meta:
        model = Opportunity
        fields = ["forecast_category", "source", "external_id"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=search_queryset(self.request.user, "opportunity", value).values("pk"))

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(stage__is_won=False, stage__is_lost=False)
        return queryset.filter(**{"stage__is_won" if value == "won" else "stage__is_lost": True})


class MoveSerializer(serializers.Serializer):
    stage = LinkField(scoped_model=Stage, filters={"is_active": True})
    win_loss_reason = serializers.ChoiceField(choices=WinLossReason.choices, required=False, allow_blank=True)
    win_loss_note = serializers.CharField(required=False, allow_blank=True)


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class OpportunityViewSet(ScopedModelViewSet):
    """Opportunities you may see. The stage changes through `move` (with If-Match); there is no DELETE: a deal
    that will not happen is moved to a lost stage with its reason."""

    scoped_model = Opportunity
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    select_related = ("account", "stage")
    prefetch_related = ("lines__product", "lines__selected_options")
    ordering_fields = ["id", "name", "close_date", "amount", "created_at", "updated_at"]
    ordering = ["close_date", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return with_account_visibility(self.request.user, super().get_queryset())

    def perform_create_operation(self, data):
        data.pop("probability", None)  # a new deal takes its stage's probability
        return operations.create_opportunity(actor=acting(self.request), **data)

    def perform_update_operation(self, instance, data, version):
        data.pop("stage", None)
        return operations.update_opportunity(
            actor=acting(self.request), opportunity=instance, expected_version=version, **data
        )

    def perform_destroy_operation(self, instance):  # pragma: no cover - DELETE is not routed
        raise MethodNotAllowed("DELETE")

    @extend_schema(parameters=[if_match], request=MoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def move(self, request, pk=None):
        """Move the deal to another stage (lost needs `win_loss_reason`): the stage history closes the stay and
        opens the next. 412 when If-Match names an older version."""
        opportunity = self.get_object()
        version = expected_version(request, opportunity)
        body = MoveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        moved = operations.move_opportunity_to_stage(
            actor=acting(request),
            opportunity=opportunity,
            stage=body.validated_data["stage"],
            expected_version=version,
            win_loss_reason=body.validated_data.get("win_loss_reason", ""),
            win_loss_note=body.validated_data.get("win_loss_note", ""),
        )
        moved = self.get_queryset().get(pk=moved.pk)
        response = Response(self.get_serializer(moved).data)
        response["ETag"] = etag_for(moved)
        return response

    @extend_schema(responses=StageHistorySerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        """The deal's stays in each stage, oldest first (seconds in stage once it left)."""
        opportunity = self.get_object()
        rows = scope_for(request.user, StageHistory).filter(opportunity=opportunity).select_related("stage")
        return Response(StageHistorySerializer(rows.order_by("entered_at", "id"), many=True).data)


class OpportunityLineSerializer(serializers.ModelSerializer):
    opportunity = LinkField(scoped_model=Opportunity)
    product = LinkField(scoped_model=Product)
    price_list = LinkField(scoped_model=PriceList, required=False, allow_null=True)
    options = LinkField(scoped_model=Option, many=True, required=False, source="selected_options")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    unit_price = AmountField(read_only=True)
    amount = AmountField(read_only=True)
    currency = serializers.CharField(source="amount_currency", read_only=True)

    class Meta:
        model = OpportunityLine
        fields = [
            "id",
            "opportunity",
            "position",
            "product",
            "options",
            "quantity",
            "price_list",
            "unit_price",
            "discount_percent",
            "amount",
            "currency",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["position", "version", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["opportunity"].read_only = True
            fields["product"].read_only = True
        return fields


class OpportunityLineFilter(django_filters.FilterSet):
    opportunity = IdFilter(field_name="opportunity_id")

    class Meta:
        model = OpportunityLine
        fields: list[str] = []


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class OpportunityLineViewSet(ScopedModelViewSet):
    """Products on the deals you may see, priced from the catalog (price list, volume tier, options); the deal's
    amount is the sum of its lines."""

    scoped_model = OpportunityLine
    serializer_class = OpportunityLineSerializer
    filterset_class = OpportunityLineFilter
    select_related = ("opportunity", "opportunity__stage", "product")
    prefetch_related = ("selected_options",)
    ordering_fields = ["id", "position"]
    ordering = ["opportunity", "position", "id"]

    def perform_create_operation(self, data):
        opportunity = get_opportunity_for(self.request.user, data.pop("opportunity").pk)
        return line_operations.add_opportunity_line(
            actor=acting(self.request),
            opportunity=opportunity,
            product=data["product"],
            quantity=data.get("quantity", 1),
            options=data.get("selected_options", []),
            price_list=data.get("price_list"),
            discount_percent=data.get("discount_percent", Decimal(0)),
        )

    def perform_update_operation(self, instance, data, version):
        changes = {}
        if "quantity" in data:
            changes["quantity"] = data["quantity"]
        if "selected_options" in data:
            changes["options"] = data["selected_options"]
        if "price_list" in data:
            changes["price_list"] = data["price_list"]
        if "discount_percent" in data:
            changes["discount_percent"] = data["discount_percent"]
        return line_operations.update_opportunity_line(
            actor=acting(self.request), line=instance, expected_version=version, **changes
        )

    def perform_destroy_operation(self, instance):
        line_operations.remove_opportunity_line(actor=acting(self.request), line=instance)


class OpportunityCompetitorSerializer(serializers.ModelSerializer):
    opportunity = LinkField(scoped_model=Opportunity)
    competitor = LinkField(
        scoped_model=Account, filters={"kind": AccountKind.COMPETITOR}, required=False, allow_null=True
    )

    class Meta:
        model = OpportunityCompetitor
        fields = ["id", "opportunity", "competitor", "competitor_name", "notes", "won_by", "version", "created_at"]
        read_only_fields = ["version", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["opportunity"].read_only = True
        return fields


class OpportunityCompetitorFilter(django_filters.FilterSet):
    opportunity = IdFilter(field_name="opportunity_id")

    class Meta:
        model = OpportunityCompetitor
        fields: list[str] = []


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class OpportunityCompetitorViewSet(ScopedModelViewSet):
    """Who else bids for the deals you may see (internal users only)."""

    scoped_model = OpportunityCompetitor
    serializer_class = OpportunityCompetitorSerializer
    filterset_class = OpportunityCompetitorFilter
    select_related = ("opportunity", "competitor")
    ordering_fields = ["id"]
    ordering = ["opportunity", "id"]

    def perform_create_operation(self, data):
        opportunity = get_opportunity_for(self.request.user, data.pop("opportunity").pk)
        return competitor_operations.add_opportunity_competitor(
            actor=acting(self.request), opportunity=opportunity, **data
        )

    def perform_update_operation(self, instance, data, version):
        return competitor_operations.update_opportunity_competitor(
            actor=acting(self.request), row=instance, expected_version=version, **data
        )

    def perform_destroy_operation(self, instance):
        competitor_operations.remove_opportunity_competitor(actor=acting(self.request), row=instance)


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "order",
            "default_probability",
            "default_forecast_category",
            "is_won",
            "is_lost",
            "is_active",
            "version",
        ]
        read_only_fields = fields


class StageViewSet(ScopedReadOnlyViewSet):
    """The pipeline's stages in order (partners: the active ones). Configured on the stage settings page."""

    scoped_model = Stage
    serializer_class = StageSerializer
    pagination_class = None
    ordering = ["order", "id"]

    def get_queryset(self):
        return super().get_queryset().order_by("order", "id")
