"""API tokens: obtain one with email and password, revoke the one in use.

Tokens are django-rest-knox tokens: only a hash is stored, each expires after REST_KNOX["TOKEN_TTL"], and
sign-in failures here count towards the same django-axes lockout as the login page.
"""

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .auth import ExpiringTokenAuthentication


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`. Shown once."))
    expiry = serializers.DateTimeField(allow_null=True)
    user_id = serializers.IntegerField()
    email = serializers.EmailField()


class TokenRateThrottle(ScopedRateThrottle):
    """Per client address: guessing passwords through the API is as slow as on the login page."""

    scope_attr = "throttle_scope"


class ObtainTokenView(GenericAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]
    throttle_scope = "token"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description=_("Wrong email or password, or an inactive user.")),
            429: OpenApiResponse(description=_("Too many attempts: rate limited or locked out.")),
        },
        summary=_("Obtain an API token"),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"].strip().lower()
        # The Django request, so that django-axes counts the attempt and its middleware answers a lockout.
        user = authenticate(request._request, username=email, password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to sign in with this email and password.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit is not None and AuthToken.objects.filter(user=user).count() >= limit:
            return Response(
                {"detail": _("This user has too many API tokens; revoke one before obtaining another.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        data = {"token": token, "expiry": instance.expiry, "user_id": user.pk, "email": user.email}
        return Response(TokenSerializer(data).data)


class RevokeTokenView(GenericAPIView):
    """Deletes the token this request was made with; other tokens of the user keep working."""

    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.Serializer

    @extend_schema(request=None, responses={204: None}, summary=_("Revoke the token in use"))
    def post(self, request, *args, **kwargs):
        request.auth.delete()
        user_logged_out.send(sender=type(request.user), request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
