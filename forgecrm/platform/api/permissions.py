from rest_framework.permissions import BasePermission


class IsActiveUser(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)


class IsInternalUser(IsActiveUser):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_internal
