from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Account, AccountAlias, Consent, Contact


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "brn", "sido", "owner", "territory", "tier", "partner_type"]
    list_filter = ["kind", "form", "tier", "partner_type", "sido"]
    search_fields = ["name", "brn", "email", "phone"]
    autocomplete_fields = ["parent", "partner", "channel_parent", "owner", "territory"]
    readonly_fields = ["name_key", "version", "created_at", "updated_at", "created_by", "updated_by"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "account", "email", "phone", "mobile", "key_person_role", "owner"]
    list_filter = ["key_person_role", "preferred_channel"]
    search_fields = ["full_name", "email", "phone", "mobile"]
    autocomplete_fields = ["account", "owner"]
    readonly_fields = ["name_key", "version", "created_at", "updated_at", "created_by", "updated_by"]


admin.site.register(AccountAlias)
admin.site.register(Consent)
