"""Headquarters' channel pages under /partners/ (names `partners:<page>`): the channel manager's side. The
partners' own pages live in forgecrm/portals/partner_portal/ under /partner/. Each area keeps its paths in its
own section below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

app_name = "partners"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- partner profiles (directory, tiers, coverage, authorisations, certifications, onboarding)

# ---- lead distribution (routing rules, offers, the routing console)

# ---- deal registrations and channel conflicts (including online referrals)
from .views import conflicts as conflict_views  # noqa: E402
from .views import referrals as referral_views  # noqa: E402
from .views import registrations as registration_views  # noqa: E402

urlpatterns += [
    path("registrations/", registration_views.RegistrationListView.as_view(), name="registration-list"),
    path("registrations/<int:pk>/", registration_views.registration_detail, name="registration-detail"),
    path("registrations/<int:pk>/approve/", registration_views.registration_approve, name="registration-approve"),
    path("registrations/<int:pk>/reject/", registration_views.registration_reject, name="registration-reject"),
    path("registrations/<int:pk>/close/", registration_views.registration_close, name="registration-close"),
    path("conflicts/", conflict_views.ConflictListView.as_view(), name="conflict-list"),
    path("conflicts/<int:pk>/decide/", conflict_views.conflict_decide, name="conflict-decide"),
    path("inquiry/<slug:slug>/", referral_views.referral_inquiry, name="referral-inquiry"),
]

# ---- MDF (allocations, requests, claims, payments)

# ---- partner service requests

# ---- sell-through, channel inventory and scorecards
