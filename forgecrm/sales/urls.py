"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- leads (list, detail, capture forms, rules, scoring, conversion)
urlpatterns += []

# ---- pipeline (opportunities: list, kanban, detail, lines, competitors)
from .views import opportunities as opportunity_views  # noqa: E402
from .views import pipeline as pipeline_views  # noqa: E402
from .views import stages as stage_views  # noqa: E402

urlpatterns += [
    path("opportunities/", opportunity_views.OpportunityListView.as_view(), name="opportunity-list"),
    path("opportunities/new/", opportunity_views.opportunity_create, name="opportunity-create"),
    path("opportunities/<int:pk>/", opportunity_views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/edit/", opportunity_views.opportunity_update, name="opportunity-update"),
    path("opportunities/<int:pk>/move/", pipeline_views.opportunity_move, name="opportunity-move"),
    path(
        "opportunities/<int:pk>/lines/new/", opportunity_views.opportunity_line_create, name="opportunity-line-create"
    ),
    path(
        "opportunities/lines/<int:pk>/edit/", opportunity_views.opportunity_line_update, name="opportunity-line-update"
    ),
    path(
        "opportunities/lines/<int:pk>/delete/",
        opportunity_views.opportunity_line_delete,
        name="opportunity-line-delete",
    ),
    path(
        "opportunities/<int:pk>/competitors/new/",
        opportunity_views.opportunity_competitor_create,
        name="opportunity-competitor-create",
    ),
    path(
        "opportunities/competitors/<int:pk>/edit/",
        opportunity_views.opportunity_competitor_update,
        name="opportunity-competitor-update",
    ),
    path(
        "opportunities/competitors/<int:pk>/delete/",
        opportunity_views.opportunity_competitor_delete,
        name="opportunity-competitor-delete",
    ),
    path("pipeline/", pipeline_views.pipeline_board, name="pipeline"),
    path("settings/stages/", stage_views.stage_settings, name="stage-settings"),
    path("settings/stages/new/", stage_views.stage_create, name="stage-create"),
    path("settings/stages/<int:pk>/edit/", stage_views.stage_update, name="stage-update"),
    path("settings/stages/<int:pk>/up/", stage_views.stage_move, {"direction": "up"}, name="stage-up"),
    path("settings/stages/<int:pk>/down/", stage_views.stage_move, {"direction": "down"}, name="stage-down"),
    path("settings/stages/probabilities/", stage_views.stage_probability_set, name="stage-probability-set"),
    path(
        "settings/stages/probabilities/<int:pk>/delete/",
        stage_views.stage_probability_delete,
        name="stage-probability-delete",
    ),
]

# ---- quotes and sales orders
urlpatterns += []

# ---- quotas, forecasts and commissions
urlpatterns += []

# ---- reports and the sales dashboard
urlpatterns += []
