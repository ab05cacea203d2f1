"""Questionnaires, their versions, sections and questions.

- Publishing, retiring and copying a version go through `services`, like every other caller; so
  does adding a version (its number is the next free one). Their pages (compare, new draft,
  publish, retire) are `version_pages`; the translators' files are `translation_files`.
- A question's conditions (shown only when an earlier answer is …) are an inline of fields on its
  page (`conditions`); a question others depend on is not deleted, and the page says which.
- A question set's Arabic and French sit beside its English, one row per text (English | Arabic |
  French); what is still untranslated is listed (`selectors.version_missing_translations`) and
  pages show English in its place.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import i18n, selectors, services
from ..models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)
from ._common import (
    TRANSLATIONS_CSS,
    DraftOnlyInlineMixin,
    DraftOnlyMixin,
    ManagedByAdminsMixin,
    MissingTranslationsMixin,
    ReadOnlyAdminMixin,
    is_draft,
    line_widgets,
    translations_fieldset,
)
from .conditions import DependentQuestionsMixin, QuestionConditionInline
from .forms import (
    QuestionForm,
    QuestionInlineFormSet,
    QuestionnaireForm,
    QuestionPageForm,
    SectionForm,
    SectionInlineFormSet,
)
from .options import options_table
from .translation_files import TranslationFilesMixin
from .version_pages import VersionPagesMixin, completeness_text


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The questionnaire's versions, as a list: each opens in its own page."""

    model = QuestionnaireVersion
    fields = ("number", "status", "published_at", "created_at", "notes")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ("number",)
    verbose_name_plural = _("versions")


@admin.register(Questionnaire)
class QuestionnaireAdmin(MissingTranslationsMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    form = QuestionnaireForm
    list_display = ("title", "slug", "version_count", "missing_translations")
    search_fields = ["title", "slug", *i18n.translation_fields("questionnaire")]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [VersionInline]
    fieldsets = (
        (None, {"fields": ("slug",)}),
        translations_fieldset("title"),
    )

    class Media:
        css = TRANSLATIONS_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_version_count=Count("versions"))

    @admin.display(description=_("versions"), ordering="_version_count")
    def version_count(self, obj):
        return obj._version_count


class SectionInline(MissingTranslationsMixin, DraftOnlyInlineMixin, admin.TabularInline):
    model = Section
    form = SectionForm
    formset = SectionInlineFormSet
    fields = ("order", "number", "title", "question_count", "missing_translations")
    readonly_fields = ("question_count", "missing_translations")
    ordering = ("order", "pk")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("questions"))

    @admin.display(description=_("questions"))
    def question_count(self, obj):
        return getattr(obj, "_question_count", "")


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(
    VersionPagesMixin, TranslationFilesMixin, DraftOnlyMixin, admin.ModelAdmin
):
    list_display = (
        "questionnaire",
        "number",
        "status",
        "published_at",
        "section_count",
        "question_count",
        "missing_translation_count",
        "derived_from",
    )
    list_display_links = ("questionnaire", "number")
    list_filter = ("status", "questionnaire")
    list_select_related = ("questionnaire", "derived_from__questionnaire")
    search_fields = ["questionnaire__title", "notes"]
    inlines = [SectionInline]
    actions = ["create_drafts", "publish_versions", "retire_versions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _section_count=Count("sections", distinct=True),
                _question_count=Count("questions", distinct=True),
            )
        )

    class Media:
        css = TRANSLATIONS_CSS

    # A version's page: what the version is (read-only: its place, status, dates), its title and
    # notes (editable while a draft), then what is read off it.
    FACTS = ("questionnaire", "number", "status", "published_at", "derived_from", "created_at")
    READOUTS = ("preview_links", "translation_completeness", "missing_translations", "history")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # The number is the next free one and a new version is a draft: the service decides.
            # Its own title, if it needs one, is given on its page once it exists.
            return [(None, {"fields": ("questionnaire", "notes", "official_translations")})]
        return [
            (None, {"fields": self.FACTS}),
            translations_fieldset(
                "title",
                description=_(
                    "The title of this version when it differs from the questionnaire's, for "
                    "example for a later review. Left blank, the questionnaire's title is shown; "
                    "a translation left blank is shown in English."
                ),
            ),
            (None, {"fields": ("notes", "official_translations", *self.READOUTS)}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The title and its translations are typed in their own language and direction.
        kwargs.setdefault("widgets", line_widgets("title"))
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The status changes only through the publish and retire actions (services).
        return (*self.FACTS, *self.READOUTS)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.questionnaire_version_create(
            questionnaire=obj.questionnaire,
            notes=obj.notes,
            official_translations=obj.official_translations,
            user=request.user,
        )
        # The admin goes on with the form's object: its sections inline, log entry and redirect.
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description=_("History"))
    def history(self, obj):
        """Who created, published and retired this version, and when (`VersionEvent`)."""
        events = obj.events.select_related("actor")
        return (
            format_html_join(
                "",
                "<p>{}: {} ({})</p>",
                (
                    (
                        date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT"),
                        event.get_action_display(),
                        event.actor.display_name if event.actor else _("System"),
                    )
                    for event in events
                ),
            )
            or "—"
        )

    @admin.display(description=_("sections"), ordering="_section_count")
    def section_count(self, obj):
        return obj._section_count

    @admin.display(description=_("questions"), ordering="_question_count")
    def question_count(self, obj):
        return obj._question_count

    @admin.display(description=_("missing translations"))
    def missing_translation_count(self, obj):
        # A few queries per row: a questionnaire has a handful of versions.
        return len(selectors.version_missing_translations(version=obj))

    @admin.display(description=_("preview"))
    def preview_links(self, obj):
        """The version as a country will see it, in each of the portal's languages."""
        url = reverse("version_preview", args=[obj.pk])
        return format_html(
            "{} {}",
            _("As a country's focal point will see it:"),
            format_html_join(
                " · ",
                '<a href="{}?language={}" lang="{}" hreflang="{}">{}</a>',
                (
                    (url, code, code, code, translation.get_language_info(code)["name_local"])
                    for code, _name in settings.LANGUAGES
                ),
            ),
        )

    @admin.display(description=_("translated"))
    def translation_completeness(self, obj):
        """Per language, how much of the version is translated: "Arabic: 118 of 120 texts
        (98 %)", with a bar."""
        return format_html_join(
            "",
            '<p class="gcm-completeness">'
            '<label for="gcm-completeness-{}">{}</label> '
            '<progress id="gcm-completeness-{}" max="{}" value="{}">{} %</progress> {}</p>',
            (
                (
                    entry.language,
                    entry.name,
                    entry.language,
                    entry.total or 1,
                    entry.translated if entry.total else 1,
                    entry.percent,
                    completeness_text(entry),
                )
                for entry in selectors.version_translation_completeness(version=obj)
            ),
        )

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj):
        """What pages will show in English for want of an Arabic or French text."""
        missing = selectors.version_missing_translations(version=obj)
        if not missing:
            return _("None: every text of this version is translated into Arabic and French.")
        by_place: dict[str, list] = {}
        for item in missing:
            by_place.setdefault(item.where, []).append(item)
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            ngettext(
                "%(count)d text is shown in English for want of a translation:",
                "%(count)d texts are shown in English for want of a translation:",
                len(missing),
            )
            % {"count": len(missing)},
            format_html_join(
                "",
                "<li>{}: {}</li>",
                (
                    (
                        where,
                        i18n.describe_missing([(item.language, item.what) for item in items]),
                    )
                    for where, items in by_place.items()
                ),
            ),
        )


class QuestionInline(MissingTranslationsMixin, DraftOnlyInlineMixin, admin.StackedInline):
    model = Question
    form = QuestionForm
    formset = QuestionInlineFormSet
    ordering = ("order", "pk")
    extra = 0
    show_change_link = True

    def get_fieldsets(self, request, obj=None):
        options = "options" if is_draft(obj) else "options_display"
        return [
            (None, {"fields": [("order", "label", "key")]}),
            translations_fieldset("text", "help_text"),
            (
                None,
                {
                    "fields": [
                        ("type", "required", "allows_not_applicable"),
                        options,
                        "missing_translations_detail",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ("missing_translations_detail",)
        return readonly if is_draft(obj) else (*readonly, "options_display")

    @admin.display(description=_("type options"))
    def options_display(self, obj):
        return options_table(obj.options)


@admin.register(Section)
class SectionAdmin(
    DependentQuestionsMixin, MissingTranslationsMixin, DraftOnlyMixin, admin.ModelAdmin
):
    form = SectionForm
    list_display = ("__str__", "version", "order", "question_count", "missing_translations")
    list_filter = ("version__status", "version__questionnaire", "version")
    list_select_related = ("version__questionnaire",)
    search_fields = [
        "title",
        *i18n.translation_fields("section"),
        "number",
        "version__questionnaire__title",
    ]
    inlines = [QuestionInline]

    class Media:
        css = TRANSLATIONS_CSS

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["version", ("number", "order")]}),
            translations_fieldset("title", "intro"),
            (None, {"fields": ["missing_translations_detail"]}),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_question_count=Count("questions"))

    def get_readonly_fields(self, request, obj=None):
        # A section never moves to another version: its questions' keys belong to this one.
        readonly = ("missing_translations_detail",)
        return readonly if obj is None else (*readonly, "version")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(
                status=VersionStatus.DRAFT
            ).select_related("questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("questions"), ordering="_question_count")
    def question_count(self, obj):
        return obj._question_count


@admin.register(Question)
class QuestionAdmin(
    DependentQuestionsMixin, MissingTranslationsMixin, DraftOnlyMixin, admin.ModelAdmin
):
    form = QuestionPageForm
    list_display = (
        "key",
        "label",
        "short_text",
        "type",
        "required",
        "section",
        "version",
        "missing_translations",
    )
    list_filter = ("type", "required", "version__status", "version__questionnaire", "version")
    list_select_related = ("section", "version__questionnaire")
    search_fields = ["key", "text", *i18n.translation_fields("question")]
    ordering = ("version", "section__order", "order", "pk")
    inlines = [QuestionConditionInline]

    class Media:
        css = TRANSLATIONS_CSS

    def get_fieldsets(self, request, obj=None):
        options = "options" if is_draft(obj) else "options_display"
        place = ["section", ("order", "label", "key")]
        if obj is not None:
            place.insert(0, "version")
        return [
            (None, {"fields": place}),
            translations_fieldset("text", "help_text"),
            (
                None,
                {
                    "fields": [
                        ("type", "required", "allows_not_applicable"),
                        options,
                        "missing_translations_detail",
                    ]
                },
            ),
            (
                _("Conditions"),
                {
                    "fields": ["shown_when"],
                    "description": _(
                        "A question with conditions (below) is shown only when they hold: "
                        "all of them, or any one. It may depend only on an earlier choice, "
                        "yes/no or number question of the same version."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ("version", "missing_translations_detail")
        return readonly + (() if is_draft(obj) else ("options_display",))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        section = form.base_fields.get("section")
        if section is not None:
            # New questions go into a draft; an existing one moves only within its version.
            sections = (
                Section.objects.filter(version__status=VersionStatus.DRAFT)
                if obj is None
                else Section.objects.filter(version_id=obj.version_id)
            )
            section.queryset = sections.select_related("version__questionnaire").order_by(
                "version", "order", "pk"
            )
            section.label_from_instance = lambda s: f"{s.version} — {s}"
        return form

    @admin.display(description=_("question text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:79]}…"

    @admin.display(description=_("type options"))
    def options_display(self, obj):
        return options_table(obj.options)
