"""Headquarters' channel pages under /partners/ (names `partners:<page>`): the channel manager's side. The
partners' own pages live in forgecrm/portals/partner_portal/ under /partner/. Each area keeps its paths in its
own section below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

app_name = "partners"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- partner profiles (directory, tiers, coverage, authorisations, certifications, onboarding)
from .views import directory as _directory  # noqa: E402

urlpatterns += [
    path("", _directory.PartnerListView.as_view(), name="partner-list"),
    path("<int:pk>/", _directory.partner_detail, name="partner-detail"),
    path("<int:pk>/edit/", _directory.partner_edit, name="partner-edit"),
    path("<int:pk>/deactivate/", _directory.partner_deactivate, name="partner-deactivate"),
    path("<int:pk>/coverage/", _directory.coverage_add, name="partner-coverage-add"),
    path("coverage/<int:pk>/remove/", _directory.coverage_remove, name="partner-coverage-remove"),
    path("<int:pk>/authorizations/", _directory.authorization_add, name="partner-authorization-add"),
    path("authorizations/<int:pk>/end/", _directory.authorization_end, name="partner-authorization-end"),
    path("<int:pk>/certifications/", _directory.certification_add, name="partner-certification-add"),
    path("certifications/<int:pk>/remove/", _directory.certification_remove, name="partner-certification-remove"),
]

# ---- lead distribution (routing rules, offers, the routing console)
from .views import routing as _routing  # noqa: E402

urlpatterns += [
    path("tiers/", _routing.tier_rules, name="tier-rules"),
    path("tiers/<int:pk>/edit/", _routing.tier_rule_edit, name="tier-rule-edit"),
    path("routing/rules/", _routing.routing_rule_list, name="routing-rule-list"),
    path("routing/rules/new/", _routing.routing_rule_create, name="routing-rule-create"),
    path("routing/rules/<int:pk>/edit/", _routing.routing_rule_edit, name="routing-rule-edit"),
    path("routing/rules/reorder/", _routing.routing_rule_reorder, name="routing-rule-reorder"),
    path("routing/", _routing.RoutingConsoleView.as_view(), name="routing-console"),
    path("routing/bulk/", _routing.routing_bulk, name="routing-bulk"),
    path("routing/leads/<int:pk>/", _routing.lead_routing, name="lead-routing"),
    path("routing/leads/<int:pk>/offer/", _routing.lead_offer, name="lead-offer"),
]

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
from .views import channel as _channel  # noqa: E402
from .views import scorecards as _scorecards  # noqa: E402

urlpatterns += [
    path("sell-through/", _channel.sell_through_overview, name="sell-through"),
    path("scorecards/", _scorecards.scorecard_overview, name="scorecard-overview"),
    path("<int:pk>/scorecard/", _scorecards.partner_scorecard, name="partner-scorecard"),
]

# ---- the effectiveness loop: outcome per programme and per partner
from .views import effectiveness as _effectiveness  # noqa: E402

urlpatterns += [
    path("effectiveness/", _effectiveness.channel_effectiveness, name="channel-effectiveness"),
]
