from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class ExpiringTokenAuthentication(TokenAuthentication):
    """knox tokens: stored as a hash, expiring (REST_KNOX TOKEN_TTL), revocable; only active users pass."""

    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, auth_token
