"""Reference data: countries, the GCM objectives, the guiding principles."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import i18n
from ..models import Country, GuidingPrinciple, Objective
from ._common import (
    TRANSLATIONS_CSS,
    ManagedByAdminsMixin,
    MissingTranslationsMixin,
    line_widgets,
    text_widgets,
    translations_fieldset,
)


@admin.register(Country)
class CountryAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    list_display = ("name_en", "iso2", "iso3", "las_member", "escwa_member")
    list_filter = ("las_member", "escwa_member")
    search_fields = ["name_en", "name_ar", "name_fr", "iso2", "iso3"]
    fieldsets = (
        (None, {"fields": (("iso2", "iso3"), "name_en", "name_ar", "name_fr")}),
        (_("Membership"), {"fields": ("las_member", "escwa_member")}),
    )


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["number", "title", "short_label", *i18n.translation_fields("objective")]
        widgets = {**text_widgets("title", rows=2), **line_widgets("short_label")}


@admin.register(Objective)
class ObjectiveAdmin(MissingTranslationsMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    """Global reference data: the objectives' titles show in every version with an objectives
    grid, so their translations are listed among each such version's missing ones."""

    form = ObjectiveForm
    list_display = ("number", "short_label", "title", "missing_translations")
    list_display_links = ("number", "short_label")
    search_fields = ["title", "short_label", *i18n.translation_fields("objective")]
    readonly_fields = ("missing_translations_detail",)
    fieldsets = (
        (None, {"fields": ("number",)}),
        translations_fieldset("title", "short_label"),
        (None, {"fields": ("missing_translations_detail",)}),
    )

    class Media:
        css = TRANSLATIONS_CSS


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    list_display = ("letter", "title")
    search_fields = ["title"]
