"""Countries' teams: memberships (through `services`, which keep a focal point per country) and
invitations (read-only: they are sent and accepted in the portal)."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from .. import services
from ..models import Invitation, Membership
from ._common import ManagedByAdminsMixin, ReadOnlyAdminMixin, RefusalAsMessageMixin


@admin.register(Membership)
class MembershipAdmin(RefusalAsMessageMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    """Additions, role changes and removals go through `services`: one role per person and
    country, never an ESCWA account, and a focal point kept per country."""

    list_display = ("user", "country", "role", "created_at")
    list_filter = ("role", "country")
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "country__name_en",
    ]
    autocomplete_fields = ["user", "country"]
    list_select_related = ("user", "country")

    def get_readonly_fields(self, request, obj=None):
        # Another user or country would be another membership: add that one instead.
        return () if obj is None else ("user", "country", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.membership_create(
                member=obj.user, country=obj.country, role=obj.role, user=request.user
            )
            # The admin goes on with the form's object (its log entry, its message, the redirect).
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
        elif "role" in form.changed_data:
            stored = Membership.objects.select_related("country").get(pk=obj.pk)
            services.membership_set_role(membership=stored, role=obj.role, user=request.user)

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("country"):
            services.membership_remove(membership=membership, user=request.user)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations are sent and accepted through the portal; the token itself is never shown."""

    list_display = ("email", "country", "role", "invited_by", "created_at", "expires_at")
    list_filter = ("country", "role", "created_at")
    list_select_related = ("country", "invited_by")
    search_fields = ["email", "country__name_en"]
    fields = (
        "email",
        "country",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
