"""Headquarters' channel pages under /partners/ (names `partners:<page>`): the channel manager's side. The
partners' own pages live in forgecrm/portals/partner_portal/ under /partner/. Each area keeps its paths in its
own section below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401  each section adds its paths

app_name = "partners"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- partner profiles (directory, tiers, coverage, authorisations, certifications, onboarding)

# ---- lead distribution (routing rules, offers, the routing console)

# ---- deal registrations and channel conflicts (including online referrals)

# ---- MDF (allocations, requests, claims, payments)

# ---- partner service requests

# ---- sell-through, channel inventory and scorecards
