"""/api/v1/accounts/ and /api/v1/contacts/: scoped reads, writes through operations.

Linked records in a request body (parent, partner, account...) are looked up inside the caller's scope: an
id outside it answers 404, exactly like a foreign id in the URL. Fields that decide who sees a record
(owner, partner, territory) are read-only for everyone but record managers, so they cannot be mass-assigned.
"""

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from forgecrm.platform.access import principal_for, scope_for
from forgecrm.platform.api.filters import IdFilter
from forgecrm.platform.api.viewsets import ScopedModelViewSet, etag_for, expected_version
from forgecrm.platform.audit import log_personal_data_access
from forgecrm.platform.models import PersonalDataAccess, Role, Territory, User
from forgecrm.platform.search import search_queryset

from . import operations, queries
from .duplicates import find_duplicate_accounts, find_duplicate_contacts
from .models import Account, AccountKind, Consent, ConsentPurpose, Contact
from .operations.privacy import personal_data_of
from .policies import PARTNER_LOCKED_FIELDS, is_record_manager

INTERNAL_ROLES = [role for role in Role if role not in (Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER)]


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
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
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        row = self.get_queryset().filter(pk=pk).first()
        if row is None:
            raise Http404
        return row


@extend_schema_field(OpenApiTypes.DECIMAL)
class MoneyAmountField(serializers.DecimalField):
    """The amount of a djmoney field (the currency is its own read-only field)."""

    def to_representation(self, value):
        amount = getattr(value, "amount", value)
        return None if amount is None else super().to_representation(amount)


class AccountSerializer(serializers.ModelSerializer):
    parent = ScopedRelatedField(scoped_model=Account, required=False, allow_null=True)
    partner = ScopedRelatedField(
        scoped_model=Account, filters={"kind": AccountKind.PARTNER}, required=False, allow_null=True
    )
    channel_parent = ScopedRelatedField(
        scoped_model=Account, filters={"kind": AccountKind.PARTNER}, required=False, allow_null=True
    )
    owner = ScopedRelatedField(scoped_model=User, filters={"role__in": INTERNAL_ROLES}, required=False)
    territory = ScopedRelatedField(scoped_model=Territory, required=False, allow_null=True)
    # The operations normalise these (BRN digits, E.164 phones, lower-case email) and name the rule that failed.
    brn = serializers.CharField(required=False, allow_blank=True, max_length=20)
    corporate_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    annual_revenue = MoneyAmountField(max_digits=18, decimal_places=0, required=False, allow_null=True)
    annual_revenue_currency = serializers.CharField(read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "kind",
            "form",
            "parent",
            "industry",
            "size",
            "employees",
            "annual_revenue",
            "annual_revenue_currency",
            "brn",
            "corporate_number",
            "phone",
            "email",
            "website",
            "road_address",
            "address_detail",
            "sido",
            "sigungu",
            "postal_code",
            "owner",
            "territory",
            "tier",
            "partner",
            "partner_type",
            "channel_parent",
            "description",
            "source",
            "external_id",
            "is_active",
            "version",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        read_only_fields = ["is_active", "version", "created_at", "updated_at", "created_by", "updated_by"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return fields
        locked = set()
        if not is_record_manager(user):
            locked |= {"owner", "partner", "channel_parent", "territory"}
        if principal_for(user).is_partner:
            locked |= PARTNER_LOCKED_FIELDS
        for name in locked:
            field = fields[name]
            field.read_only = True
            field.required = False
        return fields

    def validate(self, attrs):
        if self.instance is None and not attrs.get("kind"):
            attrs["kind"] = AccountKind.PROSPECT
        return attrs


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, BRN, phone or email")
    owner = IdFilter(field_name="owner_id")
    territory = IdFilter(field_name="territory_id")
    partner = IdFilter(field_name="partner_id")
    parent = IdFilter(field_name="parent_id")
    industry = django_filters.CharFilter(lookup_expr="iexact")
    brn = django_filters.CharFilter(method="by_brn")

    class Meta:
        model = Account
        fields = ["kind", "form", "tier", "sido", "sigungu", "size", "partner_type", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=search_queryset(self.request.user, "account", value).values("pk"))

    def by_brn(self, queryset, name, value):
        return queryset.filter(brn="".join(ch for ch in value if ch.isdigit()))


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.IntegerField(help_text="0-100")
    reasons = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()


class DuplicatesSerializer(serializers.Serializer):
    results = DuplicateSerializer(many=True)
    hidden_count = serializers.IntegerField(help_text="Matches outside your access (internal users only).")


class MergeRequestSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(help_text="Id of the record folded into this one.")


def _duplicates_response(actor, model, matches) -> Response:
    visible = queries.visible_duplicates_for(actor, model, matches)
    results = [match for match, _record in visible.matches]
    return Response(
        {
            "results": DuplicateSerializer(results, many=True).data,
            "hidden_count": visible.hidden_count,
        }
    )


if_match = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read (or send `version`)."
)


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class AccountViewSet(ScopedModelViewSet):
    """Accounts you may see. DELETE deactivates (soft delete)."""

    scoped_model = Account
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    ordering_fields = ["id", "name", "created_at", "updated_at"]
    ordering = ["name"]

    def perform_create_operation(self, data):
        return operations.create_account(actor=self.request.user, **data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_account(
            actor=self.request.user, account=instance, expected_version=version, changes=data
        )

    def perform_destroy_operation(self, instance):
        operations.deactivate_account(actor=self.request.user, account=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, required=True),
            OpenApiParameter("brn", str),
            OpenApiParameter("email", str),
            OpenApiParameter("phone", str),
            OpenApiParameter("exclude", int, description="An account id to leave out (the one being edited)."),
        ],
        responses=DuplicatesSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def duplicates(self, request):
        """Accounts that may be the same company (same BRN, email or phone, or a similar name)."""
        params = request.query_params
        exclude = params.get("exclude")
        matches = find_duplicate_accounts(
            name=params.get("name", "")[:200],
            brn=params.get("brn", "")[:20],
            email=params.get("email", "")[:254],
            phone=params.get("phone", "")[:30],
            exclude_id=int(exclude) if exclude and exclude.isdigit() else None,
        )
        return _duplicates_response(request.user, Account, matches)

    @extend_schema(parameters=[if_match], request=MergeRequestSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def merge(self, request, pk=None):
        """Fold another account into this one: its related records move here; its id stays as an alias."""
        survivor = self.get_object()
        version = expected_version(request, survivor)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        duplicate = queries.get_account_for(request.user, body.validated_data["duplicate"])
        merged = operations.merge_accounts(
            actor=request.user, survivor=survivor, duplicate=duplicate, expected_version=version
        )
        response = Response(self.get_serializer(merged).data)
        response["ETag"] = etag_for(merged)
        return response


class ConsentSerializer(serializers.ModelSerializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    recorded_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Consent
        fields = ["id", "purpose", "granted", "recorded_at", "source", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


class ContactSerializer(serializers.ModelSerializer):
    account = ScopedRelatedField(scoped_model=Account)
    account_name = serializers.CharField(source="account.name", read_only=True)
    owner = ScopedRelatedField(scoped_model=User, filters={"role__in": INTERNAL_ROLES}, required=False)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=30)
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "account_name",
            "full_name",
            "title",
            "department",
            "email",
            "phone",
            "mobile",
            "key_person_role",
            "preferred_channel",
            "owner",
            "notes",
            "source",
            "external_id",
            "is_active",
            "consents",
            "version",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        read_only_fields = ["is_active", "version", "created_at", "updated_at", "created_by", "updated_by"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not is_record_manager(user):
            fields["owner"].read_only = True
            fields["owner"].required = False
        return fields


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name, email, phone or account name")
    account = IdFilter(field_name="account_id")
    owner = IdFilter(field_name="owner_id")
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Contact
        fields = ["key_person_role", "preferred_channel", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=search_queryset(self.request.user, "contact", value).values("pk"))


@extend_schema(parameters=[if_match], methods=["PUT", "PATCH", "DELETE"])
class ContactViewSet(ScopedModelViewSet):
    """Contacts you may see. Reads are logged per person (PIPA); DELETE deactivates."""

    scoped_model = Contact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    select_related = ("account",)
    prefetch_related = ("consents",)
    ordering_fields = ["id", "full_name", "created_at", "updated_at"]
    ordering = ["full_name"]

    def _log_reads(self, ids) -> None:
        log_personal_data_access(
            actor=self.request.user,
            model=Contact,
            object_ids=ids,
            action=PersonalDataAccess.Action.API_READ,
            ip_address=self.request.META.get("REMOTE_ADDR") or None,
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._log_reads([row["id"] for row in response.data.get("results", [])])
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._log_reads([response.data["id"]])
        return response

    def perform_create_operation(self, data):
        account = data.pop("account")
        return operations.create_contact(actor=self.request.user, account=account, **data)

    def perform_update_operation(self, instance, data, version):
        return operations.update_contact(
            actor=self.request.user, contact=instance, expected_version=version, changes=data
        )

    def perform_destroy_operation(self, instance):
        operations.deactivate_contact(actor=self.request.user, contact=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("full_name", str, required=True),
            OpenApiParameter("email", str),
            OpenApiParameter("phone", str),
            OpenApiParameter("mobile", str),
            OpenApiParameter("account", int, description="Compare names with this account's contacts."),
            OpenApiParameter("exclude", int),
        ],
        responses=DuplicatesSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def duplicates(self, request):
        """Contacts that may be the same person (same email or phone, or a similar name at the account)."""
        params = request.query_params
        account, exclude = params.get("account", ""), params.get("exclude", "")
        matches = find_duplicate_contacts(
            full_name=params.get("full_name", "")[:120],
            email=params.get("email", "")[:254],
            phone=params.get("phone", "")[:30],
            mobile=params.get("mobile", "")[:30],
            account_id=int(account) if account.isdigit() else None,
            exclude_id=int(exclude) if exclude.isdigit() else None,
        )
        return _duplicates_response(request.user, Contact, matches)

    @extend_schema(parameters=[if_match], request=MergeRequestSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def merge(self, request, pk=None):
        """Fold another contact into this one; its id stays as an alias."""
        survivor = self.get_object()
        version = expected_version(request, survivor)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        duplicate = queries.get_contact_for(request.user, body.validated_data["duplicate"])
        merged = operations.merge_contacts(
            actor=request.user, survivor=survivor, duplicate=duplicate, expected_version=version
        )
        response = Response(self.get_serializer(queries.get_contact_for(request.user, merged.pk)).data)
        response["ETag"] = etag_for(merged)
        return response

    @extend_schema(request=ConsentSerializer, responses={201: ConsentSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def consents(self, request, pk=None):
        """Record a consent given or withdrawn (append-only; the newest per purpose counts)."""
        contact = self.get_object()
        body = ConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = operations.record_consent(actor=request.user, contact=contact, **body.validated_data)
        return Response(ConsentSerializer(consent).data, status=201)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="personal-data", filterset_class=None, pagination_class=None)
    def personal_data(self, request, pk=None):
        """PIPA: everything held about this person (privacy officers; the export is logged)."""
        contact = self.get_object()
        data = personal_data_of(actor=request.user, contact=contact)
        log_personal_data_access(
            actor=request.user,
            model=Contact,
            object_ids=[contact.pk],
            action=PersonalDataAccess.Action.EXPORT,
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        response = Response(data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def erase(self, request, pk=None):
        """PIPA: anonymise this person for good (privacy officers; keeps business records; audited)."""
        contact = self.get_object()
        erased = operations.erase_personal_data(
            actor=request.user, contact=contact, ip_address=request.META.get("REMOTE_ADDR") or None
        )
        return Response(self.get_serializer(erased).data)
