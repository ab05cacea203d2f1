"""Review cycles and their deadline extensions."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .. import i18n, selectors, services
from ..models import DeadlineExtension, QuestionnaireVersion, ReviewCycle
from ._common import (
    TRANSLATIONS_CSS,
    ManagedByAdminsMixin,
    RefusalAsMessageMixin,
    line_widgets,
    translations_fieldset,
)


@admin.register(ReviewCycle)
class ReviewCycleAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "version", "opens_on", "deadline", "is_closed", "country_count")
    list_filter = ("is_closed", "version__questionnaire")
    list_select_related = ("version__questionnaire",)
    search_fields = ["name", "slug", *i18n.translation_fields("reviewcycle")]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("countries",)
    date_hierarchy = "opens_on"
    fieldsets = (
        # Pages, PDFs and e-mails print the name in the reader's language.
        translations_fieldset(
            "name", description=_("Left blank, a translation is shown in English.")
        ),
        (
            None,
            {"fields": ("slug", "version", "opens_on", "deadline", "is_closed", "countries")},
        ),
    )

    class Media:
        css = TRANSLATIONS_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_country_count=Count("countries"))

    def get_readonly_fields(self, request, obj=None):
        # Answers belong to the questions of this version: it stays once a country has started.
        if obj is not None and obj.submissions.exists():
            return ("version",)
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("widgets", line_widgets("name"))
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("version")
        if field is not None:
            versions = selectors.published_versions()
            if obj is not None:  # keep the current choice valid should it have been retired
                versions = versions | QuestionnaireVersion.objects.filter(pk=obj.version_id)
            field.queryset = versions.select_related("questionnaire")
            field.help_text = _("Only published versions can be used by a review cycle.")
        return form

    @admin.display(description=_("countries"), ordering="_country_count")
    def country_count(self, obj):
        return obj._country_count


class DeadlineExtensionForm(forms.ModelForm):
    class Meta:
        model = DeadlineExtension
        fields = ("cycle", "country", "deadline", "reason")

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(f) for f in ("cycle", "country", "deadline")):
            # The same rules as the dashboard's form: one place, services.
            services.deadline_extension_check(
                cycle=cleaned["cycle"], country=cleaned["country"], deadline=cleaned["deadline"]
            )
        return cleaned


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(RefusalAsMessageMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    form = DeadlineExtensionForm
    list_display = ("country", "cycle", "deadline", "reason", "granted_by", "granted_at")
    list_filter = ("cycle", "country")
    list_select_related = ("country", "cycle", "granted_by")
    search_fields = ["country__name_en", "cycle__name", "reason"]
    fields = ("cycle", "country", "deadline", "reason", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    date_hierarchy = "granted_at"

    def save_model(self, request, obj, form, change):
        # Granted as on the dashboard, through the service: who granted it and when are recorded.
        if change and {"cycle", "country"} & set(form.changed_data):
            # Another cycle or country is another extension: this one is taken back.
            services.deadline_extension_remove(extension=obj, user=request.user)
        granted = services.deadline_extension_grant(
            cycle=obj.cycle,
            country=obj.country,
            deadline=obj.deadline,
            reason=obj.reason,
            user=request.user,
        )
        # The admin goes on with the form's object (its log entry, its message, the redirect).
        obj.pk = granted.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.deadline_extension_remove(extension=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for extension in queryset:
            services.deadline_extension_remove(extension=extension, user=request.user)
