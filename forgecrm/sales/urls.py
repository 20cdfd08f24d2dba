"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- leads (list, detail, capture forms, rules, scoring, conversion)
urlpatterns += []

# ---- pipeline (opportunities: list, kanban, detail, lines, competitors)
urlpatterns += []

# ---- quotes and sales orders
urlpatterns += []

# ---- quotas, forecasts and commissions
urlpatterns += []

# ---- reports and the sales dashboard
urlpatterns += []
