from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from questionnaire.models import Membership

from .models import User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("staff_role", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "staff_role", "is_active")
    list_filter = ("staff_role", "is_active", "is_superuser", "memberships__country")
    inlines = [MembershipInline]
