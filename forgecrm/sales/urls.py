"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

from .views import orders as order_views
from .views import quotes as quote_views

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- leads (list, detail, capture forms, rules, scoring, conversion)
urlpatterns += []

# ---- pipeline (opportunities: list, kanban, detail, lines, competitors)
urlpatterns += []

# ---- quotes and sales orders
urlpatterns += [
    path("quotes/", quote_views.QuoteListView.as_view(), name="quote-list"),
    path("quotes/new/", quote_views.quote_create, name="quote-create"),
    path("quotes/<int:pk>/", quote_views.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/edit/", quote_views.quote_edit, name="quote-edit"),
    path("quotes/<int:pk>/pdf/", quote_views.quote_pdf, name="quote-pdf"),
    path("quotes/<int:pk>/line-options/", quote_views.quote_line_options, name="quote-line-options"),
    path("quotes/<int:pk>/lines/add/", quote_views.quote_line_add, name="quote-line-add"),
    path("quotes/lines/<int:pk>/edit/", quote_views.quote_line_edit, name="quote-line-edit"),
    path("quotes/lines/<int:pk>/remove/", quote_views.quote_line_remove, name="quote-line-remove"),
    path("quotes/<int:pk>/submit/", quote_views.quote_submit, name="quote-submit"),
    path("quotes/<int:pk>/approve/", quote_views.quote_approve, name="quote-approve"),
    path("quotes/<int:pk>/reject/", quote_views.quote_reject, name="quote-reject"),
    path("quotes/<int:pk>/send/", quote_views.quote_send, name="quote-send"),
    path("quotes/<int:pk>/accept/", quote_views.quote_accept, name="quote-accept"),
    path("quotes/<int:pk>/decline/", quote_views.quote_decline, name="quote-decline"),
    path("quotes/<int:pk>/revise/", quote_views.quote_revise, name="quote-revise"),
    path("orders/", order_views.SalesOrderListView.as_view(), name="order-list"),
    path("orders/<int:pk>/", order_views.order_detail, name="order-detail"),
    path("orders/<int:pk>/status/", order_views.order_status, name="order-status"),
    path("orders/<int:pk>/cancel/", order_views.order_cancel, name="order-cancel"),
]

# ---- quotas, forecasts and commissions
urlpatterns += []

# ---- reports and the sales dashboard
urlpatterns += []
