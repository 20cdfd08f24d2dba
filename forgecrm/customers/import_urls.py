"""URLs of the import pages, included under /accounts/import/ by customers.urls."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.import_upload, name="account-import"),
    path("<int:pk>/", views_import.import_job, name="account-import-job"),
    path("<int:pk>/run/", views_import.import_run, name="account-import-run"),
    path("<int:pk>/report/", views_import.import_report, name="account-import-report"),
]
