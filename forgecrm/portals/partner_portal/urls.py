"""The partner portal under /partner/ (names `partner_portal:<page>`): what a distributor's or dealer's users
work in, on their own organisation only. Each area keeps its paths in its own section below; every new route
needs its row in tests/authz/policy.yaml (the partner portal section there)."""

from django.urls import URLPattern, URLResolver, path

from .views import funds, home, leads, offers, registrations, service, users

app_name = "partner_portal"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- home, lead offers and the partner's leads
urlpatterns += [
    path("", home.home, name="home"),
    path("offers/", offers.offer_list, name="offer-list"),
    path("offers/<int:pk>/", offers.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/accept/", offers.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/reject/", offers.offer_reject, name="offer-reject"),
    path("offers/<int:pk>/reroute/", offers.offer_reroute, name="offer-reroute"),
    path("leads/", leads.lead_list, name="lead-list"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/status/", leads.lead_status, name="lead-status"),
    path("leads/<int:pk>/activities/", leads.lead_log_activity, name="lead-log-activity"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead-convert"),
]

# ---- the partner's users (partner admins) and onboarding
urlpatterns += [
    path("users/", users.user_list, name="user-list"),
    path("users/invite/", users.user_invite, name="user-invite"),
    path("users/<int:pk>/role/", users.user_role, name="user-role"),
    path("users/<int:pk>/deactivate/", users.user_deactivate, name="user-deactivate"),
    path("invitation/<uidb64>/<token>/", users.invitation_accept, name="invitation-accept"),
]

# ---- deal registrations
urlpatterns += [
    path("registrations/", registrations.registration_list, name="registration-list"),
    path("registrations/new/", registrations.registration_create, name="registration-create"),
    path("registrations/<int:pk>/", registrations.registration_detail, name="registration-detail"),
    path("registrations/<int:pk>/edit/", registrations.registration_edit, name="registration-edit"),
    path("registrations/<int:pk>/submit/", registrations.registration_submit, name="registration-submit"),
]

# ---- MDF
urlpatterns += [
    path("mdf/", funds.mdf_home, name="mdf-home"),
    path("mdf/requests/new/", funds.mdf_request_create, name="mdf-request-create"),
    path("mdf/requests/<int:pk>/", funds.mdf_request_detail, name="mdf-request-detail"),
    path("mdf/requests/<int:pk>/edit/", funds.mdf_request_edit, name="mdf-request-edit"),
    path("mdf/requests/<int:pk>/submit/", funds.mdf_request_submit, name="mdf-request-submit"),
    path("mdf/requests/<int:pk>/claim/", funds.mdf_request_claim, name="mdf-request-claim"),
    path("mdf/requests/<int:pk>/cancel/", funds.mdf_request_cancel, name="mdf-request-cancel"),
]

# ---- the organisation's own programme outcomes (partner admins)
from .views import programmes  # noqa: E402

urlpatterns += [
    path("programmes/", programmes.programme_outcomes, name="programme-outcomes"),
]

# ---- service requests
urlpatterns += [
    path("service/", service.service_list, name="service-list"),
    path("service/new/", service.service_create, name="service-create"),
    path("service/<int:pk>/", service.service_detail, name="service-detail"),
    path("service/<int:pk>/comment/", service.service_comment, name="service-comment"),
    path("service/<int:pk>/status/", service.service_status, name="service-status"),
]

# ---- sell-through and inventory
from .views import channel  # noqa: E402

urlpatterns += [
    path("sell-through/", channel.sell_through, name="sell-through"),
    path("sell-through/submit/", channel.sell_through_submit, name="sell-through-submit"),
    path("sell-through/upload/", channel.sell_through_upload, name="sell-through-upload"),
    path("sell-through/history/", channel.history, name="sell-through-history"),
    path("sell-through/reports/<int:pk>/", channel.report_detail, name="sell-through-report"),
    path("stock/", channel.stock, name="stock"),
    path("stock/submit/", channel.stock_submit, name="stock-submit"),
    path("stock/upload/", channel.stock_upload, name="stock-upload"),
]

# ---- quotes to the partner's customers and its orders with headquarters
from .views import quotes  # noqa: E402

urlpatterns += [
    path("quotes/", quotes.quote_list, name="quote-list"),
    path("quotes/new/", quotes.quote_create, name="quote-create"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/line-options/", quotes.quote_line_options, name="quote-line-options"),
    path("quotes/<int:pk>/lines/", quotes.quote_line_add, name="quote-line-add"),
    path("quotes/<int:pk>/order/", quotes.quote_place_order, name="quote-place-order"),
    path("quote-lines/<int:pk>/", quotes.quote_line_edit, name="quote-line-edit"),
    path("quote-lines/<int:pk>/remove/", quotes.quote_line_remove, name="quote-line-remove"),
]

# ---- scorecard
