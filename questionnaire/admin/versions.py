"""Questionnaires, their versions, sections and questions.

- Publishing, retiring and copying a version go through `services`, like every other caller; so
  does adding a version (its number is the next free one).
- A question's conditions (shown only when an earlier answer is …) are an inline of fields on its
  page (`conditions`); a question others depend on is not deleted, and the page says which.
- A question set's Arabic and French sit beside its English, one row per text (English | Arabic |
  French); what is still untranslated is listed (`selectors.version_missing_translations`) and
  pages show English in its place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import i18n, selectors, services
from ..conditions import condition_note
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
    can_manage,
    is_draft,
    translations_fieldset,
)
from .conditions import DependentQuestionsMixin, QuestionConditionInline
from .forms import (
    NewDraftForm,
    QuestionForm,
    QuestionInlineFormSet,
    QuestionnaireForm,
    QuestionPageForm,
    SectionForm,
    SectionInlineFormSet,
    VersionCompareForm,
)
from .options import options_table
from .translation_files import TranslationFilesMixin


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


@dataclass
class _StatusChange:
    """What the publish and retire actions say and do; both run through a service."""

    action: str
    service: Callable[..., QuestionnaireVersion]
    title: str
    button: str
    done: str
    failed: str


_PUBLISH = _StatusChange(
    action="publish_versions",
    service=services.questionnaire_version_publish,
    title=_("Publish questionnaire versions"),
    button=_("Yes, publish"),
    done=_("Published: %(versions)s."),
    failed=_("Nothing was published."),
)
_RETIRE = _StatusChange(
    action="retire_versions",
    service=services.questionnaire_version_retire,
    title=_("Retire questionnaire versions"),
    button=_("Yes, retire"),
    done=_("Retired: %(versions)s."),
    failed=_("Nothing was retired."),
)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(TranslationFilesMixin, DraftOnlyMixin, admin.ModelAdmin):
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

    def get_fields(self, request, obj=None):
        if obj is None:
            # The number is the next free one and a new version is a draft: the service decides.
            return ("questionnaire", "notes", "official_translations")
        return (
            "questionnaire",
            "number",
            "status",
            "published_at",
            "derived_from",
            "created_at",
            "notes",
            "official_translations",
            "preview_links",
            "translation_completeness",
            "missing_translations",
            "history",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The status changes only through the publish and retire actions (services).
        return (
            "questionnaire",
            "number",
            "status",
            "published_at",
            "derived_from",
            "created_at",
            "preview_links",
            "translation_completeness",
            "missing_translations",
            "history",
        )

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
                    _completeness_text(entry),
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

    # --- Pages of their own: compare, new draft, publish, retire ---

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/compare/",
                view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/new-draft/",
                view(self.new_draft_view),
                name=f"{prefix}_new_draft",
            ),
            path(
                "<path:object_id>/publish/",
                view(self.publish_view),
                name=f"{prefix}_publish",
            ),
            path(
                "<path:object_id>/retire/",
                view(self.retire_view),
                name=f"{prefix}_retire",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, unquote(object_id))
        if version is not None:
            manages = can_manage(request)
            extra_context = {
                **(extra_context or {}),
                "is_locked": not version.is_editable,
                "can_create_draft": manages,
                "can_publish": manages and version.status == VersionStatus.DRAFT,
                "can_retire": manages and version.status == VersionStatus.PUBLISHED,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _version_or_redirect(self, request, object_id):
        version = self.get_object(request, unquote(object_id))
        if version is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return version, None

    def _change_url(self, version) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[version.pk],
            current_app=self.admin_site.name,
        )

    def compare_view(self, request, object_id):
        """Questions added, removed and changed between this version and another of its
        questionnaire (the older of the two is the "before")."""
        version, redirect = self._version_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        others = (
            QuestionnaireVersion.objects.filter(questionnaire_id=version.questionnaire_id)
            .exclude(pk=version.pk)
            .select_related("questionnaire")
            .order_by("-number")
        )
        if "other" in request.GET:
            data = request.GET
        else:
            default = (
                version.derived_from
                if version.derived_from_id
                and version.derived_from.questionnaire_id == version.questionnaire_id
                else others.filter(number__lt=version.number).first()
            )
            data = {"other": default.pk} if default else None
        form = VersionCompareForm(data, versions=others)
        old = new = diff = None
        if form.is_valid():
            old, new = sorted((version, form.cleaned_data["other"]), key=lambda v: v.number)
            diff = selectors.version_compare(old=old, new=new)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Compare versions of %(questionnaire)s")
            % {"questionnaire": version.questionnaire},
            "original": version,
            "form": form,
            "has_others": others.exists(),
            "old": old,
            "new": new,
            "diff": diff,
            "changed_rows": _changed_rows(diff) if diff else [],
        }
        return TemplateResponse(
            request, "admin/questionnaire/questionnaireversion/compare.html", context
        )

    def new_draft_view(self, request, object_id):
        version, redirect = self._version_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not can_manage(request):
            raise PermissionDenied
        form = NewDraftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            draft = services.questionnaire_version_create_draft(
                source=version, notes=form.cleaned_data["notes"], user=request.user
            )
            self._message_new_drafts(request, [draft])
            return HttpResponseRedirect(self._change_url(draft))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New draft from %(version)s") % {"version": version},
            "original": version,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/questionnaire/questionnaireversion/new_draft.html", context
        )

    def publish_view(self, request, object_id):
        return self._status_change_view(request, object_id, _PUBLISH)

    def retire_view(self, request, object_id):
        return self._status_change_view(request, object_id, _RETIRE)

    def _status_change_view(self, request, object_id, change: _StatusChange):
        version, redirect = self._version_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not can_manage(request):
            raise PermissionDenied
        response = self._confirm_status_change(
            request, QuestionnaireVersion.objects.filter(pk=version.pk), change
        )
        return response or HttpResponseRedirect(self._change_url(version))

    # --- Actions ---

    @admin.action(
        description=_("Create a new draft from each selected version"), permissions=["manage"]
    )
    def create_drafts(self, request, queryset):
        drafts = [
            services.questionnaire_version_create_draft(source=version, user=request.user)
            for version in queryset.select_related("questionnaire")
        ]
        self._message_new_drafts(request, drafts)

    @admin.action(description=_("Publish the selected drafts…"), permissions=["manage"])
    def publish_versions(self, request, queryset):
        return self._confirm_status_change(request, queryset, _PUBLISH)

    @admin.action(description=_("Retire the selected published versions…"), permissions=["manage"])
    def retire_versions(self, request, queryset):
        return self._confirm_status_change(request, queryset, _RETIRE)

    def _message_new_drafts(self, request, drafts) -> None:
        for draft in drafts:
            self.message_user(
                request,
                format_html(
                    _("New draft created: {draft}. It can be edited until it is published."),
                    draft=format_html('<a href="{}">{}</a>', self._change_url(draft), draft),
                ),
                messages.SUCCESS,
            )

    def _confirm_status_change(self, request, queryset, change: _StatusChange):
        """The confirmation page first; on "yes", every version or none (one transaction)."""
        versions = list(
            queryset.select_related("questionnaire")
            .annotate(
                # Templates cannot read names starting with an underscore.
                section_total=Count("sections", distinct=True),
                question_total=Count("questions", distinct=True),
            )
            .prefetch_related("cycles")
            .order_by("questionnaire__title", "number")
        )
        is_publish = change is _PUBLISH
        gaps = _translation_gaps(versions) if is_publish else []
        refused = False
        if request.method == "POST" and request.POST.get("post") == "yes":
            if gaps and request.POST.get("publish_anyway") != "yes":
                # Nothing is published: the administrator has to say that English may stand in.
                refused = True
            else:
                self._apply_status_change(request, versions, change)
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": change.title,
            "versions": versions,
            "action": change.action,
            "button": change.button,
            "is_publish": is_publish,
            "gaps": gaps,
            "missing_total": sum(len(entry.missing) for _v, entries in gaps for entry in entries),
            "anyway_refused": refused,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/questionnaire/questionnaireversion/confirm_status_change.html", context
        )

    def _apply_status_change(self, request, versions, change: _StatusChange) -> None:
        failures = []
        with transaction.atomic():
            for version in versions:
                try:
                    with transaction.atomic():
                        change.service(version=version, user=request.user)
                except ValidationError as exc:
                    failures.append((version, exc.messages))
            if failures:
                transaction.set_rollback(True)
        if failures:
            for version, problems in failures:
                self.message_user(
                    request, format_html("{}: {}", version, " ".join(problems)), messages.ERROR
                )
            self.message_user(request, change.failed, messages.ERROR)
            return
        refreshed = QuestionnaireVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        ).select_related("questionnaire")
        self.message_user(
            request,
            change.done % {"versions": ", ".join(str(v) for v in refreshed)},
            messages.SUCCESS,
        )


def _translation_gaps(versions) -> list[tuple[QuestionnaireVersion, list]]:
    """The versions about to be published that are not wholly translated, each with its
    languages' completeness (`selectors.TranslationCompleteness`, the incomplete ones)."""
    gaps = []
    for version in versions:
        entries = [
            entry
            for entry in selectors.version_translation_completeness(version=version)
            if not entry.is_complete
        ]
        if entries:
            gaps.append((version, entries))
    return gaps


def _completeness_text(entry: selectors.TranslationCompleteness) -> str:
    """ "118 of 120 texts (98 %)"."""
    return ngettext(
        "%(translated)d of %(total)d text translated (%(percent)d %%)",
        "%(translated)d of %(total)d texts translated (%(percent)d %%)",
        entry.total,
    ) % {"translated": entry.translated, "total": entry.total, "percent": entry.percent}


def _field_label(name: str) -> str:
    if name == "section":
        return Section._meta.verbose_name
    if name == "conditions":
        return _("shown when")
    return Question._meta.get_field(name).verbose_name


def _field_value(question: Question, name: str) -> str:
    if name == "section":
        return str(question.section)
    if name == "type":
        return question.get_type_display()
    if name in ("required", "allows_not_applicable"):
        return _("Yes") if getattr(question, name) else _("No")
    if name == "conditions":
        return condition_note(question, question.condition_list) or _("Always")
    if name == "options":
        return json.dumps(question.options, ensure_ascii=False, indent=2)
    return getattr(question, name)


def _changed_rows(diff: selectors.VersionDiff) -> list[dict]:
    """Each changed question with, per changed field, its label and the old and new values."""
    return [
        {
            "old": old,
            "new": new,
            "fields": [
                {
                    "name": name,
                    "label": _field_label(name),
                    "old": _field_value(old, name),
                    "new": _field_value(new, name),
                }
                for name in fields
            ],
        }
        for old, new, fields in diff.changed
    ]


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
