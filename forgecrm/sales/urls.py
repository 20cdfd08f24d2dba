"""Pages of the sales app under /sales/ (names `sales:<page>`). Each area keeps its paths in its own section
below; every new route needs its row in tests/authz/policy.yaml (the same area's section there)."""

from django.urls import URLPattern, URLResolver, path

from .views import lead_capture as lead_capture_views
from .views import leads as lead_views
from .views import orders as order_views
from .views import quotes as quote_views
from .views import reports

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
    path("commissions/plans/new/", commission_pages.plan_create, name="commission-plan-create"),
    path("commissions/plans/<int:pk>/", commission_pages.plan_detail, name="commission-plan-detail"),
    path("commissions/plans/<int:pk>/edit/", commission_pages.plan_edit, name="commission-plan-edit"),
]

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
