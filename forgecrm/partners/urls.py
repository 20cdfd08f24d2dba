"""Headquarters' channel pages under /partners/ (names `partners:<page>`): the channel manager's side. The
partners' own pages live in forgecrm/portals/partner_portal/ under /partner/. Each area keeps its paths in its
own section below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

app_name = "partners"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- partner profiles (directory, tiers, coverage, authorisations, certifications, onboarding)

# ---- lead distribution (routing rules, offers, the routing console)

# ---- deal registrations and channel conflicts (including online referrals)

# ---- MDF (allocations, requests, claims, payments)
from .views import funds as mdf  # noqa: E402

urlpatterns += [
    path("mdf/", mdf.allocations, name="mdf-allocations"),
    path("mdf/allocate/", mdf.allocate, name="mdf-allocate"),
    path("mdf/allocations/<int:pk>/", mdf.allocation_change, name="mdf-allocation-change"),
    path("mdf/requests/", mdf.MdfRequestListView.as_view(), name="mdf-request-list"),
    path("mdf/requests/<int:pk>/", mdf.request_detail, name="mdf-request-detail"),
    path("mdf/requests/<int:pk>/approve/", mdf.request_approve, name="mdf-request-approve"),
    path("mdf/requests/<int:pk>/reject/", mdf.request_reject, name="mdf-request-reject"),
    path("mdf/requests/<int:pk>/cancel/", mdf.request_cancel, name="mdf-request-cancel"),
    path("mdf/requests/<int:pk>/claim/approve/", mdf.claim_approve, name="mdf-claim-approve"),
    path("mdf/requests/<int:pk>/claim/reject/", mdf.claim_reject, name="mdf-claim-reject"),
    path("mdf/requests/<int:pk>/pay/", mdf.request_pay, name="mdf-request-pay"),
    path("mdf/proofs/<int:pk>/", mdf.proof_download, name="mdf-proof-download"),
    path("mdf/return/", mdf.roi, name="mdf-roi"),
]

# ---- partner service requests
from .views import service_requests as psr  # noqa: E402

urlpatterns += [
    path("service-requests/", psr.ServiceRequestQueueView.as_view(), name="service-request-list"),
    path("service-requests/<int:pk>/", psr.request_detail, name="service-request-detail"),
    path("service-requests/<int:pk>/assign/", psr.request_assign, name="service-request-assign"),
    path("service-requests/<int:pk>/status/", psr.request_status, name="service-request-status"),
    path("service-requests/<int:pk>/comments/", psr.request_comment, name="service-request-comment"),
]

# ---- sell-through, channel inventory and scorecards
