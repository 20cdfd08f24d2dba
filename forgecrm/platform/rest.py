"""Read-only API over users and teams (writes happen in the admin, through operations)."""

import django_filters
from rest_framework import serializers

from .api.filters import IdFilter
from .api.viewsets import ScopedReadOnlyViewSet
from .models import Role, Team, User


class UserSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "kind", "manager", "organization", "is_active"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "lead", "members"]


class UserFilter(django_filters.FilterSet):
    # Plain ids, not ModelChoiceFilter: a choice filter would answer "not a valid choice" for ids outside the
    # caller's scope and so reveal which ids exist.
    manager = IdFilter(field_name="manager_id")
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "is_active", "manager"]


class UserViewSet(ScopedReadOnlyViewSet):
    """Users the caller may see: everyone for internal staff, the own organisation for partners, self for customers."""

    scoped_model = User
    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["id", "full_name", "email"]
    ordering = ["id"]


class TeamViewSet(ScopedReadOnlyViewSet):
    """Teams of internal users (partners and customers see none)."""

    scoped_model = Team
    serializer_class = TeamSerializer
    prefetch_related = ("members",)
    ordering_fields = ["id", "name"]
    ordering = ["id"]
