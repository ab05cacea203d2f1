from django import forms
from django.contrib import admin, messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from questionnaire import permissions
from questionnaire import services as questionnaire_services
from questionnaire.models import Membership

from . import services
from .models import User


class MembershipInline(admin.TabularInline):
    """A user's countries. New ones can be added here (`membership_create`, in
    `UserAdmin.save_formset`); a role change or a removal goes through the membership's own page,
    where the services make sure every country keeps a focal point."""

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


class UserChangeForm(BaseUserChangeForm):
    def clean(self):
        cleaned = super().clean()
        escwa = cleaned.get("staff_role") or cleaned.get("is_superuser")
        if escwa and self.instance.pk and self.instance.memberships.exists():
            # ESCWA reviews the countries' answers and never writes them (Membership.clean).
            raise forms.ValidationError(
                _(
                    "%(user)s is on a country's team. ESCWA staff cannot be on a country's "
                    "team: remove the person from every team first, or create a separate "
                    "ESCWA account."
                )
                % {"user": self.instance.get_username()}
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("staff_role", "language")}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "staff_role",
        "is_active",
        "two_factor",
    )
    list_filter = ("staff_role", "is_active", "is_superuser", "memberships__country")
    inlines = [MembershipInline]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(authenticator))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # The inline only adds (it neither changes nor deletes): each new row through the
        # service, like the membership's own add page.
        for membership in formset.save(commit=False):
            created = questionnaire_services.membership_create(
                member=form.instance,
                country=membership.country,
                role=membership.role,
                user=request.user,
            )
            membership.pk = created.pk
            membership._state.adding = False

    @admin.display(description=_("two-factor"), boolean=True, ordering="has_two_factor")
    def two_factor(self, obj):
        return obj.has_two_factor

    @admin.action(
        description=_("Remove two-factor devices of selected users (lost phone)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            services.two_factor_reset(user=user)
            if user == request.user:
                # Their other sessions end like anyone's; the one doing this goes on.
                update_session_auth_hash(request, user)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)d user: they set it up again "
                "at their next login if they are ESCWA staff.",
                "Two-factor authentication was reset for %(count)d users: those who are ESCWA "
                "staff set it up again at their next login.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    # ESCWA administrators manage country teams (questionnaire.permissions): they need to find
    # users, e.g. in the membership form's autocomplete, even without Django's model permissions.
    # Changing accounts themselves still takes Django's permissions.

    def has_module_permission(self, request):
        return permissions.is_admin(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.is_admin(request.user) or super().has_view_permission(request, obj)
