"""/api/v1/leads/ and /api/v1/web-forms/: scoped reads, writes through the lead operations.

Linked records in a body (owner, team, territory, partner, product line, account) are looked up inside the
caller's scope: another id answers 404, like a foreign id in the URL. Owner, team, territory and partner are
read-only for everyone without the right to assign leads, so they cannot be mass-assigned.
"""

from typing import cast

import django_filters
from django.http import Http404
from djmoney.money import Money
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.models import Account, AccountKind, Contact
from forgecrm.platform.access import scope_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, etag_for, expected_version
from forgecrm.platform.models import Role, Team, Territory, User
from forgecrm.platform.search import search_queryset

from ..models import DisqualifyReason, Lead, LeadConsent, WebForm
from ..operations import lead_assignment, lead_conversion, leads
from ..policies import is_assigner
from ..queries import leads as queries

INTERNAL_ROLES = [role for role in Role if role not in (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)]
VISIBILITY_FIELDS = ("owner", "team", "territory", "partner")


class ScopedPk(serializers.PrimaryKeyRelatedField):
    """A link to a record the caller may see; any other id answers 404 and so reveals nothing."""

    def __init__(self, *, scoped_model, filters=None, **kwargs):
        self.scoped_model = scoped_model
        self.filters = filters or {}
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", scoped_model._default_manager.all())  # schema only; see get_queryset
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope_for(getattr(request, "user", None), self.scoped_model).filter(**self.filters)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self.get_queryset().filter(pk=int(data)).first()
        if row is None:
            raise Http404
        return row


class LeadConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadConsent
        fields = ["id", "purpose", "granted", "text_version", "recorded_at", "source"]
        read_only_fields = fields


class LeadSerializer(serializers.ModelSerializer):
    owner = ScopedPk(scoped_model=User, filters={"role__in": INTERNAL_ROLES}, required=False, allow_null=True)
    team = ScopedPk(scoped_model=Team, required=False, allow_null=True)
    territory = ScopedPk(scoped_model=Territory, required=False, allow_null=True)
    partner = ScopedPk(scoped_model=Account, filters={"kind": AccountKind.PARTNER}, required=False, allow_null=True)
    product_line = ScopedPk(scoped_model=ProductLine, required=False, allow_null=True)
    # The operations normalise these (BRN digits, E.164 phones, lower-case email) and name the rule that failed.
    brn = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=30)
    consents = LeadConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "company_name",
            "brn",
            "person_name",
            "title",
            "email",
            "phone",
            "mobile",
            "sido",
            "sigungu",
            "road_address",
            "industry",
            "size",
            "product_line",
            "interest",
            "status",
            "disqualify_reason",
            "disqualify_note",
            "source",
            "source_detail",
            "external_id",
            "owner",
            "team",
            "territory",
            "partner",
            "score",
            "fit_score",
            "engagement_score",
            "model_probability",
            "score_reasons",
            "scored_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "converted_at",
            "consents",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "disqualify_reason",
            "disqualify_note",
            "score",
            "fit_score",
            "engagement_score",
            "model_probability",
            "score_reasons",
            "scored_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "converted_at",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return fields
        instance = self.instance if isinstance(self.instance, Lead) else None
        may_assign = user.has_perm("sales.assign_lead", instance) if instance else bool(is_assigner(user))
        if not may_assign:
            for name in VISIBILITY_FIELDS:
                fields[name].read_only = True
                fields[name].required = False
        return fields


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Company, name, BRN, email or phone")
    owner = IdFilter(field_name="owner_id")
    team = IdFilter(field_name="team_id")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_score = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    external_id = django_filters.CharFilter()

    class Meta:
        model = Lead
        fields = ["status", "source", "sido"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=search_queryset(self.request.user, "lead", value).values("pk"))


class AssignSerializer(serializers.Serializer):
    owner = ScopedPk(scoped_model=User, filters={"role__in": INTERNAL_ROLES}, required=False, allow_null=True)
    team = ScopedPk(scoped_model=Team, required=False, allow_null=True)
    use_rules = serializers.BooleanField(required=False, default=False)


class DisqualifySerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DisqualifyReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["new", "working", "nurturing", "qualified", "disqualified"])
    reason = serializers.ChoiceField(choices=DisqualifyReason.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConvertSerializer(serializers.Serializer):
    account = ScopedPk(scoped_model=Account, required=False, allow_null=True)
    account_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    contact = ScopedPk(scoped_model=Contact, required=False, allow_null=True)
    create_opportunity = serializers.BooleanField(required=False, default=True)
    opportunity_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    close_date = serializers.DateField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=0, required=False, allow_null=True, min_value=0)


class ConversionSerializer(serializers.Serializer):
    lead = LeadSerializer()
    account = serializers.IntegerField(source="account.pk")
    contact = serializers.IntegerField(source="contact.pk")
    opportunity = serializers.IntegerField(source="opportunity.pk", allow_null=True, default=None)
    account_created = serializers.BooleanField()
    contact_created = serializers.BooleanField()
    consents_copied = serializers.IntegerField()
    activities_linked = serializers.IntegerField()


if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


def _lead_response(view, lead: Lead) -> Response:
    response = Response(view.get_serializer(lead).data)
    response["ETag"] = etag_for(lead)
    return response


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH"])
class LeadViewSet(ScopedModelViewSet):
    """Leads you may see. Created leads go through the assignment rules when no owner is decided; status,
    score and conversion change only through the actions."""

    scoped_model = Lead
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    select_related = ("owner", "team", "territory", "partner", "product_line")
    prefetch_related = ("consents",)
    ordering_fields = ["id", "created_at", "updated_at", "score"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create_operation(self, data):
        if "source" not in self.request.data:
            data["source"] = "api"
        return leads.create_lead(actor=cast(User, self.request.user), **data)

    def perform_update_operation(self, instance, data, version):
        return leads.update_lead(
            actor=cast(User, self.request.user), lead=instance, expected_version=version, changes=data
        )

    @extend_schema(parameters=[if_match], request=AssignSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def assign(self, request, pk=None):
        """Give the lead to a user and/or team, or let the assignment rules decide (`use_rules`)."""
        lead = self.get_object()
        version = expected_version(request, lead)
        body = AssignSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        lead = lead_assignment.assign_lead(
            actor=request.user, lead=lead, expected_version=version, **body.validated_data
        )
        return _lead_response(self, lead)

    @extend_schema(parameters=[if_match], request=DisqualifySerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def disqualify(self, request, pk=None):
        """Disqualify with a reason (and a note)."""
        lead = self.get_object()
        version = expected_version(request, lead)
        body = DisqualifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead = leads.disqualify_lead(actor=request.user, lead=lead, expected_version=version, **body.validated_data)
        return _lead_response(self, lead)

    @extend_schema(parameters=[if_match], request=StatusSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, url_path="status", url_name="status")
    def change_status(self, request, pk=None):
        """Move the lead to working, nurturing, qualified or disqualified (with a reason), or reopen it."""
        lead = self.get_object()
        version = expected_version(request, lead)
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lead = leads.change_lead_status(
            actor=request.user,
            lead=lead,
            status=data["status"],
            reason=data.get("reason") or "",
            note=data.get("note") or "",
            expected_version=version,
        )
        return _lead_response(self, lead)

    @extend_schema(parameters=[if_match], request=ConvertSerializer, responses=ConversionSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def convert(self, request, pk=None):
        """Convert in one step into an account (new or `account`), a contact (new or `contact`) and, unless
        `create_opportunity` is false, an opportunity closing on `close_date`."""
        lead = self.get_object()
        version = expected_version(request, lead)
        body = ConvertSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        amount = data.pop("amount", None)
        result = lead_conversion.convert_lead(
            actor=request.user,
            lead=lead,
            expected_version=version,
            amount=Money(amount, "KRW") if amount is not None else None,
            **data,
        )
        payload = ConversionSerializer(result, context=self.get_serializer_context()).data
        response = Response(payload)
        response["ETag"] = etag_for(result.lead)
        return response

    @extend_schema(responses=None)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def duplicates(self, request, pk=None):
        """Leads, contacts and accounts that may be the same (visible ones; others only counted)."""
        lead = self.get_object()
        found = queries.lead_duplicates_for(request.user, lead)

        def rows(pairs):
            return [{"id": m.id, "name": m.name, "score": m.score, "reasons": list(m.reasons)} for m, _r in pairs]

        return Response(
            {
                "leads": rows(found.leads),
                "accounts": rows(found.accounts),
                "contacts": rows(found.contacts),
                "hidden_count": found.hidden_count,
            }
        )


class WebFormSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WebForm
        fields = [
            "id",
            "name",
            "slug",
            "url",
            "product_line",
            "default_owner",
            "default_team",
            "consent_purposes",
            "consent_version",
            "allowed_origins",
            "success_message",
            "success_redirect_url",
            "is_active",
            "version",
        ]
        read_only_fields = fields

    def get_url(self, web_form) -> str:
        from django.urls import reverse

        return reverse("sales:web-form-public", args=[web_form.slug])


class WebFormViewSet(ScopedReadOnlyViewSet):
    """Lead-capture forms (internal users); manage them on the web-forms pages."""

    scoped_model = WebForm
    serializer_class = WebFormSerializer
    ordering = ["name", "id"]
    select_related = ("product_line",)
