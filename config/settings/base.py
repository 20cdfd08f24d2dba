from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("FORGE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "django_htmx",
    "phonenumber_field",
    "djmoney",
    "forgecrm.platform",
    "forgecrm.customers",
    "forgecrm.catalog",
    "forgecrm.activities",
    "forgecrm.sales",
    "forgecrm.partners",
    "forgecrm.integrations",
    "forgecrm.portals.partner_portal",
    "forgecrm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "forgecrm.platform.security.ContentSecurityPolicyMiddleware",
    "forgecrm.platform.security.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "forgecrm.platform.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "forgecrm" / "platform" / "ui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forgecrm.platform.ui.context.navigation",
                "forgecrm.platform.security.csp_nonce",
            ],
            # The platform's template filters (money, phone, brn) live under platform/ui/, not an app's templatetags/.
            "libraries": {"forge": "forgecrm.platform.ui.templatetags.forge"},
        },
    }
]

# SQLite (WAL) under var/ is the embedded default; DATABASE_URL selects PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'forgecrm.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "platform.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

CURRENCIES = ("KRW", "USD", "EUR", "JPY", "CNY")
DEFAULT_CURRENCY = "KRW"
PHONENUMBER_DEFAULT_REGION = "KR"
PHONENUMBER_DB_FORMAT = "E164"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forgecrm.platform.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["forgecrm.platform.api.permissions.IsActiveUser"],
    "DEFAULT_PAGINATION_CLASS": "forgecrm.platform.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "forgecrm.platform.api.errors.exception_handler",
    # Anonymous calls are refused (403) but still counted: the "anon" rate below did nothing without its class.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "6000/minute", "anon": "60/minute", "token": "10/minute"},  # nosec B105  # a rate, a token prefix and a limit, not passwords
}
# API tokens are stored hashed and expire (API_TOKEN_TTL_DAYS, 90 by default).
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90)),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "fcrm_",  # nosec B105  # a rate, a token prefix and a limit, not passwords
    "TOKEN_LIMIT_PER_USER": 50,  # nosec B105  # a rate, a token prefix and a limit, not passwords
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forge CRM API",
    "DESCRIPTION": "REST API of Forge CRM. Every endpoint applies the same access layer as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`: each choice set gets its own component name.
    "ENUM_NAME_OVERRIDES": {
        "ActivityStatusEnum": "forgecrm.activities.models.ActivityStatus",
        "LifecycleStatusEnum": "forgecrm.catalog.models.products.LifecycleStatus",
        "PartnerTierEnum": "forgecrm.customers.models.Tier",
        # sales: quotas, forecasts, commissions
        "ForecastStatusEnum": "forgecrm.sales.models.planning.ForecastStatus",
        "CommissionStatementStatusEnum": "forgecrm.sales.models.commissions.StatementStatus",
        # sales: one name per choice set shared by several serializers
        "CurrencyEnum": [(code, code) for code in CURRENCIES],
        "LanguageEnum": "forgecrm.sales.models.quotes.QuoteLanguage",  # a user's or a quote's language
        "LanguageCodeEnum": ["ko", "en"],  # the same codes without labels (the quote serializers' inputs)
        "ForecastCategoryEnum": "forgecrm.sales.models.pipeline.ForecastCategory",
        "DisqualifyReasonEnum": "forgecrm.sales.models.leads.DisqualifyReason",
        "LeadStatusEnum": "forgecrm.sales.models.leads.LeadStatus",
        "QuoteStatusEnum": "forgecrm.sales.models.quotes.QuoteStatus",
        "SalesOrderStatusEnum": "forgecrm.sales.models.orders.SalesOrderStatus",
        "ApprovalStatusEnum": "forgecrm.sales.models.quotes.ApprovalStatus",
        # partners: profiles, lead distribution
        "OfferRejectReasonEnum": "forgecrm.partners.models.distribution.OfferRejectReason",
        # partners: MDF and partner service requests
        "MdfRequestStatusEnum": "forgecrm.partners.models.funds.MdfRequestStatus",
        "MdfActivityTypeEnum": "forgecrm.partners.models.funds.MdfActivityType",
        "PartnerServiceRequestStatusEnum": "forgecrm.partners.models.service.ServiceRequestStatus",
        "PartnerServiceRequestKindEnum": "forgecrm.partners.models.service.ServiceRequestKind",
        "PartnerServiceRequestPriorityEnum": "forgecrm.partners.models.service.ServiceRequestPriority",
    },
}

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "forgecrm.platform.security.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "platform/locked_out.html"
# Internal roles that must enrol a TOTP authenticator before using Forge CRM (forgecrm.platform.two_factor).
FORGE_TWO_FACTOR_REQUIRED_ROLES = env_list("FORGE_TWO_FACTOR_REQUIRED_ROLES", "admin")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

FORGE_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# PIPA: contacts with no consent and no activity for this many years are anonymised by a daily beat task;
# members of this group (and administrators) answer data subject export and erasure requests.
PERSONAL_DATA_RETENTION_YEARS = env_int("PERSONAL_DATA_RETENTION_YEARS", 3)
PRIVACY_OFFICER_GROUP = env_str("PRIVACY_OFFICER_GROUP", "privacy_officer")
# API creates sent with an Idempotency-Key answer the first response again for this many hours.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
FORGE_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Attachments on the filesystem live outside MEDIA_ROOT: they leave only through the scoped download view.
FORGE_PRIVATE_MEDIA_ROOT = Path(env_str("FORGE_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# PDFs (forgecrm.platform.pdf) may embed images from the default storage only under these prefixes: never
# imports and exports (jobs/) nor attachments, which carry personal data and leave only through scoped views.
FORGE_PDF_MEDIA_PREFIXES = env_list("FORGE_PDF_MEDIA_PREFIXES", "public/")
# Dashboard tile counts are cached per user for this many seconds (0: count on every load).
FORGE_DASHBOARD_COUNT_SECONDS = env_int("FORGE_DASHBOARD_COUNT_SECONDS", 120)
