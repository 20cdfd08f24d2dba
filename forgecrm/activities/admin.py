"""Back office for activities: read-mostly; changes to activities go through the pages and the API."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Attachment


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["original_name", "content_type", "size", "sha256", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploads are checked by add_attachment; the admin would bypass the checks


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "kind", "status", "account", "contact", "owner", "timeline_at", "visible_to_partner"]
    list_filter = ["kind", "status", "visible_to_partner", "shared_with_team"]
    search_fields = ["subject", "account__name", "contact__full_name"]
    date_hierarchy = "timeline_at"
    list_select_related = ["account", "contact", "owner"]
    autocomplete_fields = ["account", "contact", "owner"]
    readonly_fields = [
        "timeline_at", "completed_at", "version", "created_at", "updated_at", "created_by", "updated_by", "body",
    ]  # fmt: skip
    inlines = [AttachmentInline]

    # log_activity / update_activity check scope, sanitise the body and emit events: the admin only reads.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "activity", "content_type", "size", "created_by", "created_at"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["activity", "created_by"]
    readonly_fields = [
        "activity",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
