"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

from .views import reports

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
urlpatterns += [
    path("reports/", reports.pipeline_report, name="reports"),
    path("reports/funnel/", reports.funnel_report, name="report-funnel"),
    path("reports/win-rate/", reports.win_rate_report, name="report-win-rate"),
    path("reports/cycle/", reports.cycle_report, name="report-cycle"),
    path("reports/forecast/", reports.forecast_report, name="report-forecast"),
    path("reports/top-accounts/", reports.top_accounts_report, name="report-top-accounts"),
    path("dashboard/", reports.sales_dashboard, name="dashboard"),
]
