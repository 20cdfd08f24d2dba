"""The partner portal under /partner/ (names `partner_portal:<page>`): what a distributor's or dealer's users
work in, on their own organisation only. Each area keeps its paths in its own section below; every new route
needs its row in tests/authz/policy.yaml (the partner portal section there)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401  each section adds its paths

app_name = "partner_portal"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- home, lead offers and the partner's leads

# ---- the partner's users (partner admins) and onboarding

# ---- deal registrations

# ---- MDF

# ---- service requests

# ---- sell-through and inventory

# ---- scorecard
