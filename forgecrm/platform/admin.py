from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Job, OutboxEvent, PersonalDataAccess, Team, Territory, User
from .operations import set_manager


def _check_manager(user: User | None, manager: User | None) -> None:
    if manager is None or user is None or user.pk is None:
        return
    if manager.pk == user.pk or f"/{user.pk}/" in f"{manager.hierarchy_path}{manager.pk}/":
        raise forms.ValidationError(_("A user cannot report to themselves or to someone below them."))


class UserCreationAdminForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "organization")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        _check_manager(self.instance, manager)
        return manager


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "manager", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    autocomplete_fields = ["manager", "organization"]
    filter_horizontal = ["territories"]
    readonly_fields = ["hierarchy_path", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Role and visibility"),
            {"fields": ("role", "manager", "hierarchy_path", "organization", "territories", "is_active")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "organization", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        # The role hierarchy path is maintained by the operation, for the user and everyone below them.
        manager_changed = change and "manager" in form.changed_data
        manager = obj.manager
        super().save_model(request, obj, form, change)
        if manager_changed or not change:
            set_manager(actor=request.user, user=obj, manager=manager)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "shares_records"]
    filter_horizontal = ["members"]
    search_fields = ["name"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "sido", "sigungu", "industry", "priority"]
    list_filter = ["kind", "sido"]
    search_fields = ["name", "code", "sido", "sigungu"]
    readonly_fields = ["path"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "content_type", "object_id", "action", "ip_address"]
    list_filter = ["action", "content_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Job)
admin.site.register(OutboxEvent)
