from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from questionnaire import permissions
from questionnaire.models import Membership

from .models import User


class MembershipInline(admin.TabularInline):
    """A user's countries. New ones can be added here; a role change or a removal goes through
    the membership's own page, where the services make sure every country keeps a focal point."""

    model = Membership
    fk_name = "user"
    fields = ("country", "role")
    extra = 0
    autocomplete_fields = ["country"]
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return permissions.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("staff_role", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "staff_role", "is_active")
    list_filter = ("staff_role", "is_active", "is_superuser", "memberships__country")
    inlines = [MembershipInline]

    # ESCWA administrators manage country teams (questionnaire.permissions): they need to find
    # users, e.g. in the membership form's autocomplete, even without Django's model permissions.
    # Changing accounts themselves still takes Django's permissions.

    def has_module_permission(self, request):
        return permissions.is_admin(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user) or super().has_view_permission(request, obj)
