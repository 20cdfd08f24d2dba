"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

from .views import lead_capture as lead_capture_views
from .views import leads as lead_views

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = []

# ---- leads (list, detail, capture forms, rules, scoring, conversion)
urlpatterns += [
    path("leads/", lead_views.LeadListView.as_view(), name="lead-list"),
    path("leads/new/", lead_views.lead_create, name="lead-create"),
    path("leads/duplicates/", lead_views.lead_duplicates, name="lead-duplicates"),
    path("leads/import/", lead_views.lead_import, name="lead-import"),
    path("leads/assign/", lead_views.lead_bulk_assign, name="lead-bulk-assign"),
    path("leads/rules/", lead_capture_views.lead_rules, name="lead-rules"),
    path("leads/rules/assignment/new/", lead_capture_views.assignment_rule_create, name="assignment-rule-create"),
    path("leads/rules/assignment/<int:pk>/", lead_capture_views.assignment_rule_edit, name="assignment-rule-edit"),
    path("leads/rules/scoring/new/", lead_capture_views.scoring_rule_create, name="scoring-rule-create"),
    path("leads/rules/scoring/<int:pk>/", lead_capture_views.scoring_rule_edit, name="scoring-rule-edit"),
    path("leads/rules/model/train/", lead_capture_views.score_model_train, name="score-model-train"),
    path("leads/<int:pk>/", lead_views.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", lead_views.lead_edit, name="lead-edit"),
    path("leads/<int:pk>/status/", lead_views.lead_status, name="lead-status"),
    path("leads/<int:pk>/assign/", lead_views.lead_assign, name="lead-assign"),
    path("leads/<int:pk>/convert/", lead_views.lead_convert, name="lead-convert"),
    path("web-forms/", lead_capture_views.web_form_list, name="web-form-list"),
    path("web-forms/new/", lead_capture_views.web_form_create, name="web-form-create"),
    path("web-forms/<int:pk>/", lead_capture_views.web_form_edit, name="web-form-edit"),
    path("forms/<slug:slug>/", lead_capture_views.public_web_form, name="web-form-public"),
]

# ---- pipeline (opportunities: list, kanban, detail, lines, competitors)
urlpatterns += []

# ---- quotes and sales orders
urlpatterns += []

# ---- quotas, forecasts and commissions
urlpatterns += []

# ---- reports and the sales dashboard
urlpatterns += []
