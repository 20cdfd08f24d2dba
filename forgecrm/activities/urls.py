from django.urls import path

from .views import activity_pages, attachments, autocomplete, calendar, panel, performance

app_name = "activities"

urlpatterns = [
    path("", activity_pages.ActivityListView.as_view(), name="list"),
    path("new/", activity_pages.activity_create, name="create"),
    path("my-tasks/", activity_pages.my_open_tasks, name="my-open-tasks"),
    path("overdue/", activity_pages.my_overdue, name="overdue"),
    path("calendar/", calendar.calendar_week, name="calendar"),
    path("performance/", performance.performance, name="performance"),
    path("calendar.ics", calendar.calendar_feed, name="calendar-feed"),
    path("contacts-autocomplete/", autocomplete.contacts_autocomplete, name="contacts-autocomplete"),
    path("regarding/<int:pk>/", panel.regarding_panel, name="regarding-panel"),
    path("regarding/<int:pk>/log/", panel.quick_log, name="quick-log"),
    path("<int:pk>/", activity_pages.activity_detail, name="detail"),
    path("<int:pk>/edit/", activity_pages.activity_edit, name="edit"),
    path("<int:pk>/complete/", activity_pages.activity_complete, name="complete"),
    path("<int:pk>/cancel/", activity_pages.activity_cancel, name="cancel"),
    path("<int:pk>/delete/", activity_pages.activity_delete, name="delete"),
    path("<int:pk>/ics/", calendar.activity_ics, name="ics"),
    path("<int:pk>/attachments/", attachments.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment-delete"),
]
