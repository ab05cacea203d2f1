"""The Django admin: questionnaire management for ESCWA administrators, history read-only.

- Who may change questionnaires, reference data, cycles and teams is `permissions.is_admin` (through
  `permissions.can`), not Django's per-model permissions, so the admin answers the same question the
  rest of the portal does.
- Published and retired versions, and their sections and questions, open read-only: the admin never
  offers a change the model guard would refuse, and should a request race a publish, the guard's
  `ImmutableError` becomes an error message, never a server error.
- Publishing, retiring and copying a version go through `services`, like every other caller.
- Submissions, answers and their history are shown, never edited: they are the countries' word.
- A question set's Arabic and French sit beside its English, one row per text (English | Arabic |
  French); what is still untranslated is listed (`selectors.version_missing_translations`) and
  pages show English in its place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.forms.fields import InvalidJSONInput
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import i18n, permissions, selectors, services
from .models import (
    Answer,
    AnswerRevision,
    Attachment,
    Comment,
    Country,
    DeadlineExtension,
    GuidingPrinciple,
    ImmutableError,
    Invitation,
    Membership,
    Objective,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ReviewCycle,
    Section,
    Submission,
    SubmissionEvent,
    VersionStatus,
)
from .permissions import Action

admin.site.site_header = _("GCM Review Portal administration")
admin.site.site_title = _("GCM Review Portal")
admin.site.index_title = _("Questionnaires, countries and review cycles")


# --- Who may do what ---------------------------------------------------------------------------


def _can_manage(request) -> bool:
    return permissions.can(request.user, Action.MANAGE_QUESTIONNAIRES)


def _is_draft(obj) -> bool:
    """Whether `obj` (a version, section or question; None on an add page) may still change."""
    if obj is None:
        return True
    version = obj if isinstance(obj, QuestionnaireVersion) else obj.version
    return version.is_editable


class ManagedByAdminsMixin:
    """ESCWA administrators manage these; other staff see only what Django's permissions allow."""

    def has_module_permission(self, request):
        return _can_manage(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _can_manage(request)

    def has_change_permission(self, request, obj=None):
        return _can_manage(request)

    def has_delete_permission(self, request, obj=None):
        return _can_manage(request)

    def has_manage_permission(self, request):
        """Used by the actions that go through `services` (publish, retire, new draft)."""
        return _can_manage(request)


class RefusalAsMessageMixin:
    """A rule a service or the model enforces at save time ends in an error message and a fresh
    page, never a server error. Django has rolled the request's transaction back by then."""

    refusals: tuple[type[Exception], ...] = (ValidationError,)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as exc:
            return self._refused(request, exc)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.refusals as exc:
            return self._refused(request, exc)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except self.refusals as exc:
            return self._refused(request, exc)

    def _refused(self, request, exc: ValidationError):
        self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class DraftOnlyMixin(RefusalAsMessageMixin, ManagedByAdminsMixin):
    """A version, section or question changes only while its version is a draft.

    The model refuses changes to a published version (ImmutableError). These permissions keep
    the admin from offering them; a request that raced a publish ends in a message.
    """

    refusals = (ImmutableError,)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _is_draft(obj)


class DraftOnlyInlineMixin:
    """Inline rows of a published version (or of its sections) are shown, never changed."""

    def has_view_permission(self, request, obj=None):
        return _can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return _can_manage(request) and _is_draft(obj)

    def has_change_permission(self, request, obj=None):
        return _can_manage(request) and _is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return _can_manage(request) and _is_draft(obj)


class ReadOnlyAdminMixin:
    """History and the countries' answers: visible to administrators, changed only by services."""

    def has_module_permission(self, request):
        return _can_manage(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _pretty_json(value) -> str:
    return format_html(
        '<pre class="gcm-json">{}</pre>', json.dumps(value, ensure_ascii=False, indent=2)
    )


# --- Translations, side by side ----------------------------------------------------------------

TRANSLATIONS_CSS = {"all": ("css/admin_translations.css",)}


def _language_attrs(name: str) -> dict:
    """`lang` and `dir` for the field of one language, so that Arabic is typed right to left."""
    code = name.rsplit("_", 1)[-1] if name.endswith(("_ar", "_fr")) else i18n.BASE_LANGUAGE
    return {"lang": code, "dir": "rtl" if code == "ar" else "ltr"}


def _with_translations(name: str) -> tuple[str, ...]:
    """`("text", "text_ar", "text_fr")`: a text's field, then its Arabic and French."""
    return (name, *(f"{name}_{code}" for code in i18n.TRANSLATION_LANGUAGES))


def _text_widgets(*names: str, rows: int = 3) -> dict:
    """Textareas for each text and its translations, each marked with its language."""
    return {
        name: forms.Textarea(
            attrs={"rows": rows, "class": "vLargeTextField", **_language_attrs(name)}
        )
        for base in names
        for name in _with_translations(base)
    }


def _line_widgets(*names: str) -> dict:
    return {
        name: forms.TextInput(attrs={"class": "vTextField", **_language_attrs(name)})
        for base in names
        for name in _with_translations(base)
    }


def _translations_fieldset(*names: str) -> tuple:
    return (
        _("Wording: English | Arabic | French"),
        {
            "classes": ["gcm-translations"],
            "fields": [_with_translations(name) for name in names],
            "description": _(
                "Left blank, a translation is shown in English. Labels of choices, columns and "
                "scale steps are translated in the type options: label_ar and label_fr beside "
                "each label."
            ),
        },
    )


class MissingTranslationsMixin:
    """A list column and a read-only field: what an object still lacks in Arabic and French."""

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj):
        gaps = i18n.missing(obj)
        if not gaps:
            return "—"
        return ", ".join(
            str(i18n.LANGUAGE_NAMES[code]) for code in dict.fromkeys(code for code, _w in gaps)
        )

    @admin.display(description=_("missing translations"))
    def missing_translations_detail(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return i18n.describe_missing(i18n.missing(obj)) or _("None: every text is translated.")


# --- Forms -------------------------------------------------------------------------------------


class TypeOptionsField(forms.JSONField):
    """A question's type options as indented JSON; always an object, `{}` when left empty."""

    widget = forms.Textarea(
        attrs={
            "rows": 8,
            "class": "vLargeTextField",
            "style": "font-family: monospace",
            "spellcheck": "false",
        }
    )

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(
                _('Type options are a JSON object, for example {"max_length": 500}.'),
                code="invalid",
            )
        try:
            json.dumps(value, allow_nan=False)
        except ValueError:
            raise ValidationError(_("NaN and Infinity are not allowed."), code="invalid") from None
        return value


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "section",
            "order",
            "label",
            "key",
            "text",
            *(f"text_{code}" for code in i18n.TRANSLATION_LANGUAGES),
            "help_text",
            *(f"help_text_{code}" for code in i18n.TRANSLATION_LANGUAGES),
            "type",
            "required",
            "options",
        ]
        field_classes = {"options": TypeOptionsField}
        widgets = {**_text_widgets("text"), **_text_widgets("help_text", rows=2)}

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section")
        if section is not None and section.version_id is not None:
            if not section.version.is_editable:
                raise ValidationError(
                    _("This questionnaire version is published; create a new draft to change it.")
                )
            # `version` is not a form field, so Django skips the one-key-per-version constraint.
            key = cleaned.get("key")
            if (
                key
                and Question.objects.filter(version_id=section.version_id, key=key)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("key", _("Another question of this version already uses this key."))
        if "type" in cleaned and "options" in cleaned:
            try:
                # The model's own check (the type handler's validate_options), on the field.
                Question(type=cleaned["type"], options=cleaned["options"]).clean()
            except ValidationError as exc:
                self.add_error("options", exc)
        if "type" not in cleaned or "options" not in cleaned:
            # Keep the stored type and options together on the instance, so that the model's
            # clean() does not report the same problem a second time at the top of the form.
            cleaned.pop("type", None)
            cleaned.pop("options", None)
        return cleaned


class QuestionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        duplicates: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                duplicates.add(key)
            if key:
                seen.add(key)
        if duplicates:
            raise ValidationError(
                _("Each question needs its own key; used twice: %(keys)s.")
                % {"keys": ", ".join(sorted(duplicates))}
            )


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = [
            "version",
            "number",
            "title",
            "intro",
            "order",
            *i18n.translation_fields("section"),
        ]
        widgets = {**_line_widgets("title"), **_text_widgets("intro")}

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            version = cleaned.get("version")
        else:
            version = self.instance.version if self.instance.version_id else None
        if version is None or version.pk is None:
            return cleaned
        if not version.is_editable:
            raise ValidationError(
                _("This questionnaire version is published; create a new draft to change it.")
            )
        number = cleaned.get("number")
        # With `version` read-only Django skips the (version, number) constraint: check it here.
        if (
            "version" not in self.fields
            and number
            and Section.objects.filter(version=version, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("number", _("This version already has a section with this number."))
        return cleaned


class NewDraftForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text=_(
            "What this draft is for. Left empty, it says which version it was copied from."
        ),
    )


class VersionCompareForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("Compare with"), queryset=QuestionnaireVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = versions


# --- Reference data ----------------------------------------------------------------------------


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
        widgets = {**_text_widgets("title", rows=2), **_line_widgets("short_label")}


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
        _translations_fieldset("title", "short_label"),
        (None, {"fields": ("missing_translations_detail",)}),
    )

    class Media:
        css = TRANSLATIONS_CSS


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    list_display = ("letter", "title")
    search_fields = ["title"]


@admin.register(Membership)
class MembershipAdmin(RefusalAsMessageMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    """Role changes and removals go through `services`, which keep a focal point per country."""

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
            super().save_model(request, obj, form, change)
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


# --- Questionnaires and their versions ---------------------------------------------------------


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


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "slug", *i18n.translation_fields("questionnaire")]
        widgets = _line_widgets("title")


@admin.register(Questionnaire)
class QuestionnaireAdmin(MissingTranslationsMixin, ManagedByAdminsMixin, admin.ModelAdmin):
    form = QuestionnaireForm
    list_display = ("title", "slug", "version_count", "missing_translations")
    search_fields = ["title", "slug", *i18n.translation_fields("questionnaire")]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [VersionInline]
    fieldsets = (
        (None, {"fields": ("slug",)}),
        _translations_fieldset("title"),
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
class QuestionnaireVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
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
            # The number is the next free one, and a new version is always a draft.
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
            "missing_translations",
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
            "missing_translations",
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.number = (
                QuestionnaireVersion.objects.filter(questionnaire=obj.questionnaire)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            ) + 1
            obj.status = VersionStatus.DRAFT
        super().save_model(request, obj, form, change)

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
            can_manage = _can_manage(request)
            extra_context = {
                **(extra_context or {}),
                "is_locked": not version.is_editable,
                "can_create_draft": can_manage,
                "can_publish": can_manage and version.status == VersionStatus.DRAFT,
                "can_retire": can_manage and version.status == VersionStatus.PUBLISHED,
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
        if not _can_manage(request):
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
        if not _can_manage(request):
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
        if request.method == "POST" and request.POST.get("post") == "yes":
            self._apply_status_change(request, versions, change)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": change.title,
            "versions": versions,
            "action": change.action,
            "button": change.button,
            "is_publish": change is _PUBLISH,
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


def _field_label(name: str) -> str:
    if name == "section":
        return Section._meta.verbose_name
    return Question._meta.get_field(name).verbose_name


def _field_value(question: Question, name: str) -> str:
    if name == "section":
        return str(question.section)
    if name == "type":
        return question.get_type_display()
    if name == "required":
        return _("Yes") if question.required else _("No")
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
        options = "options" if _is_draft(obj) else "options_display"
        return [
            (None, {"fields": [("order", "label", "key")]}),
            _translations_fieldset("text", "help_text"),
            (None, {"fields": [("type", "required"), options, "missing_translations_detail"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ("missing_translations_detail",)
        return readonly if _is_draft(obj) else (*readonly, "options_display")

    @admin.display(description=_("type options"))
    def options_display(self, obj):
        return _pretty_json(obj.options)


@admin.register(Section)
class SectionAdmin(MissingTranslationsMixin, DraftOnlyMixin, admin.ModelAdmin):
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
            _translations_fieldset("title", "intro"),
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
class QuestionAdmin(MissingTranslationsMixin, DraftOnlyMixin, admin.ModelAdmin):
    form = QuestionForm
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

    class Media:
        css = TRANSLATIONS_CSS

    def get_fieldsets(self, request, obj=None):
        options = "options" if _is_draft(obj) else "options_display"
        place = ["section", ("order", "label", "key")]
        if obj is not None:
            place.insert(0, "version")
        return [
            (None, {"fields": place}),
            _translations_fieldset("text", "help_text"),
            (None, {"fields": [("type", "required"), options, "missing_translations_detail"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ("version", "missing_translations_detail")
        return readonly + (() if _is_draft(obj) else ("options_display",))

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
        return _pretty_json(obj.options)


# --- Review cycles -----------------------------------------------------------------------------


@admin.register(ReviewCycle)
class ReviewCycleAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "version", "opens_on", "deadline", "is_closed", "country_count")
    list_filter = ("is_closed", "version__questionnaire")
    list_select_related = ("version__questionnaire",)
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("countries",)
    date_hierarchy = "opens_on"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_country_count=Count("countries"))

    def get_readonly_fields(self, request, obj=None):
        # Answers belong to the questions of this version: it stays once a country has started.
        if obj is not None and obj.submissions.exists():
            return ("version",)
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
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


# --- Submissions and their history (read-only) -------------------------------------------------


class SubmissionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SubmissionEvent
    fields = ("created_at", "actor", "from_status", "to_status", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("country", "cycle", "status", "language", "submitted_at", "updated_at")
    list_filter = ("status", "cycle", "country", "updated_at")
    list_select_related = ("country", "cycle")
    search_fields = ["country__name_en", "cycle__name"]
    fields = (
        "cycle",
        "country",
        "language",
        "status",
        "created_at",
        "updated_at",
        "submitted_at",
        "accepted_at",
        "carried_forward_from",
        "answers_link",
    )
    readonly_fields = ("created_at", "updated_at", "answers_link")
    inlines = [SubmissionEventInline]

    @admin.display(description=_("answers"))
    def answers_link(self, obj):
        url = reverse("admin:questionnaire_answer_changelist")
        return format_html(
            '<a href="{}?submission__id__exact={}">{}</a>',
            url,
            obj.pk,
            ngettext("%(count)d answer", "%(count)d answers", obj.answers.count())
            % {"count": obj.answers.count()},
        )


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "submission", "from_status", "to_status", "actor")
    list_filter = (
        "to_status",
        "submission__country",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    list_select_related = ("submission__country", "submission__cycle", "actor")
    search_fields = ["message", "submission__country__name_en", "actor__username"]
    date_hierarchy = "created_at"


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("submission", "question_key", "revision", "updated_by", "updated_at")
    list_filter = (
        "submission__cycle",
        "submission__country",
        ("updated_by", admin.RelatedOnlyFieldListFilter),
        "prefilled",
        "updated_at",
    )
    list_select_related = ("submission__country", "submission__cycle", "question", "updated_by")
    search_fields = ["question__key", "submission__country__name_en"]
    fields = (
        "submission",
        "question",
        "value_display",
        "revision",
        "updated_by",
        "updated_at",
        "prefilled",
        "revisions_link",
    )
    readonly_fields = ("value_display", "updated_at", "revisions_link")

    @admin.display(description=_("question"), ordering="question__key")
    def question_key(self, obj):
        return obj.question.key

    @admin.display(description=_("value"))
    def value_display(self, obj):
        return _pretty_json(obj.value)

    @admin.display(description=_("revisions"))
    def revisions_link(self, obj):
        url = reverse("admin:questionnaire_answerrevision_changelist")
        return format_html(
            '<a href="{}?answer__id__exact={}">{}</a>', url, obj.pk, _("All revisions")
        )


@admin.register(AnswerRevision)
class AnswerRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("answer", "revision", "kind", "created_by", "created_at")
    list_filter = (
        "kind",
        "answer__submission__country",
        ("created_by", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    list_select_related = (
        "answer__submission__country",
        "answer__submission__cycle",
        "answer__question",
        "created_by",
    )
    search_fields = ["answer__question__key", "answer__submission__country__name_en"]
    fields = ("answer", "revision", "kind", "value_display", "created_by", "created_at")
    date_hierarchy = "created_at"
    readonly_fields = ("value_display", "created_at")

    @admin.display(description=_("value"))
    def value_display(self, obj):
        return _pretty_json(obj.value)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Listed for the record; the file itself is opened from the submission's page, which checks
    who may read it (a link to the stored file here would bypass that check)."""

    list_display = ("original_name", "submission", "kind", "size", "uploaded_by", "uploaded_at")
    list_filter = (
        "kind",
        "submission__country",
        ("uploaded_by", admin.RelatedOnlyFieldListFilter),
        "uploaded_at",
    )
    list_select_related = ("submission__country", "submission__cycle", "uploaded_by")
    search_fields = ["original_name", "description", "submission__country__name_en"]
    fields = (
        "submission",
        "original_name",
        "kind",
        "size",
        "sha256",
        "description",
        "uploaded_by",
        "uploaded_at",
    )


# --- Review: comments (read-only) and deadline extensions ----------------------------------------


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The threads between ESCWA and the countries, for the record; they are written and resolved
    on the review and submission pages, which check who may."""

    list_display = ("created_at", "submission", "question_key", "author", "excerpt", "is_resolved")
    list_filter = (
        ("resolved_at", admin.EmptyFieldListFilter),
        "submission__cycle",
        "submission__country",
        ("author", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    list_select_related = ("submission__country", "submission__cycle", "question", "author")
    search_fields = ["body", "question__key", "submission__country__name_en", "author__username"]
    date_hierarchy = "created_at"
    fields = (
        "submission",
        "question",
        "author",
        "body",
        "created_at",
        "resolved_at",
        "resolved_by",
    )

    @admin.display(description=_("question"), ordering="question__key")
    def question_key(self, obj):
        return obj.question.key

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.display(description=_("resolved"), boolean=True, ordering="resolved_at")
    def is_resolved(self, obj):
        return obj.resolved_at is not None


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
class DeadlineExtensionAdmin(ManagedByAdminsMixin, admin.ModelAdmin):
    form = DeadlineExtensionForm
    list_display = ("country", "cycle", "deadline", "reason", "granted_by", "granted_at")
    list_filter = ("cycle", "country")
    list_select_related = ("country", "cycle", "granted_by")
    search_fields = ["country__name_en", "cycle__name", "reason"]
    fields = ("cycle", "country", "deadline", "reason", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    date_hierarchy = "granted_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
