"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- leads (list, detail, capture forms, rules, scoring, conversion)
urlpatterns += []

# ---- pipeline (opportunities: list, kanban, detail, lines, competitors)
urlpatterns += []

# ---- quotes and sales orders
urlpatterns += []

# ---- quotas, forecasts and commissions
from .views import commissions as commission_pages  # noqa: E402  one import per area section
from .views import planning as planning_pages  # noqa: E402

urlpatterns += [
    path("quotas/", planning_pages.quota_grid, name="quota-grid"),
    path("quotas/attainment/", planning_pages.quota_attainment, name="quota-attainment"),
    path("forecasts/", planning_pages.forecast_rollup, name="forecast-rollup"),
    path("forecasts/mine/", planning_pages.forecast_edit, name="forecast-edit"),
    path("forecasts/history/", planning_pages.forecast_history, name="forecast-history"),
    path("forecasts/<int:pk>/adjust/", planning_pages.forecast_adjust, name="forecast-adjust"),
    path("commissions/", commission_pages.StatementListView.as_view(), name="commission-list"),
    path("commissions/compute/", commission_pages.statement_compute, name="commission-compute"),
    path("commissions/<int:pk>/", commission_pages.statement_detail, name="commission-detail"),
    path("commissions/<int:pk>/approve/", commission_pages.statement_approve, name="commission-approve"),
    path("commissions/<int:pk>/paid/", commission_pages.statement_paid, name="commission-paid"),
    path("commissions/<int:pk>/pdf/", commission_pages.statement_pdf, name="commission-pdf"),
    path("commissions/plans/", commission_pages.plan_list, name="commission-plan-list"),
    path("commissions/plans/<int:pk>/", commission_pages.plan_detail, name="commission-plan-detail"),
]

# ---- reports and the sales dashboard
urlpatterns += []
