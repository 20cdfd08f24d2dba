"""Read-only API over users and teams (writes happen in the admin, through operations)."""

from rest_framework import serializers

from .api.viewsets import ScopedReadOnlyViewSet
from .models import Team, User


class UserSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "kind", "manager", "organization", "is_active"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "lead", "members"]


class UserViewSet(ScopedReadOnlyViewSet):
    scoped_model = User
    serializer_class = UserSerializer
    filterset_fields = ["role", "is_active", "manager"]
    ordering_fields = ["id", "full_name", "email"]
    ordering = ["id"]


class TeamViewSet(ScopedReadOnlyViewSet):
    scoped_model = Team
    serializer_class = TeamSerializer
    prefetch_related = ("members",)
    ordering_fields = ["id", "name"]
    ordering = ["id"]
