"""OpenAPI descriptions of the kernel's API pieces (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "forgecrm.platform.api.auth.ExpiringTokenAuthentication"
    name = "tokenAuth"
    match_subclasses = True
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API token from POST /api/v1/auth/token/, sent as `Authorization: Token <token>`. "
                "Tokens are stored hashed and expire (REST_KNOX TOKEN_TTL)."
            ),
        }
