"""What every page of the admin shares: who may do what, and the side-by-side translations.

- Who may change questionnaires, reference data, cycles and teams is `permissions.is_admin` (through
  `permissions.can`), not Django's per-model permissions, so the admin answers the same question the
  rest of the portal does.
- Published and retired versions, and their sections and questions, open read-only: the admin never
  offers a change the model guard would refuse, and should a request race a publish, the guard's
  `ImmutableError` becomes an error message, never a server error.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import i18n, permissions
from ..models import ImmutableError, QuestionnaireVersion
from ..permissions import Action

# --- Who may do what ---------------------------------------------------------------------------


def can_manage(request) -> bool:
    return permissions.can(request.user, Action.MANAGE_QUESTIONNAIRES)


def is_draft(obj) -> bool:
    """Whether `obj` (a version, section or question; None on an add page) may still change."""
    if obj is None:
        return True
    version = obj if isinstance(obj, QuestionnaireVersion) else obj.version
    return version.is_editable


class ManagedByAdminsMixin:
    """ESCWA administrators manage these; other staff see only what Django's permissions allow."""

    def has_module_permission(self, request):
        return can_manage(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can_manage(request)

    def has_change_permission(self, request, obj=None):
        return can_manage(request)

    def has_delete_permission(self, request, obj=None):
        return can_manage(request)

    def has_manage_permission(self, request):
        """Used by the actions that go through `services` (publish, retire, new draft)."""
        return can_manage(request)


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
        return super().has_change_permission(request, obj) and is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_draft(obj)


class DraftOnlyInlineMixin:
    """Inline rows of a published version (or of its sections) are shown, never changed."""

    def has_view_permission(self, request, obj=None):
        return can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return can_manage(request) and is_draft(obj)

    def has_change_permission(self, request, obj=None):
        return can_manage(request) and is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return can_manage(request) and is_draft(obj)


class ReadOnlyAdminMixin:
    """History and the countries' answers: visible to administrators, changed only by services."""

    def has_module_permission(self, request):
        return can_manage(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_manage(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def object_pages(model_admin, pages) -> list:
    """URL patterns for an object's own pages beside its change page: `(route, view, name)` as
    `<object_id>/<route>`, named `<app>_<model>_<name>` (reversed as `admin:…`), each behind the
    admin site's login and permission check."""
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    return [
        path(
            f"<path:object_id>/{route}",
            model_admin.admin_site.admin_view(view),
            name=f"{prefix}_{name}",
        )
        for route, view, name in pages
    ]


def pretty_json(value) -> str:
    return format_html(
        '<pre class="gcm-json">{}</pre>', json.dumps(value, ensure_ascii=False, indent=2)
    )


# --- Translations, side by side ----------------------------------------------------------------

TRANSLATIONS_CSS = {"all": ("css/admin_translations.css",)}


def language_attrs(name: str) -> dict:
    """`lang` and `dir` for the field of one language, so that Arabic is typed right to left."""
    code = name.rsplit("_", 1)[-1] if name.endswith(("_ar", "_fr")) else i18n.BASE_LANGUAGE
    return {"lang": code, "dir": "rtl" if code == "ar" else "ltr"}


def with_translations(name: str) -> tuple[str, ...]:
    """`("text", "text_ar", "text_fr")`: a text's field, then its Arabic and French."""
    return (name, *(f"{name}_{code}" for code in i18n.TRANSLATION_LANGUAGES))


def text_widgets(*names: str, rows: int = 3) -> dict:
    """Textareas for each text and its translations, each marked with its language."""
    return {
        name: forms.Textarea(
            attrs={"rows": rows, "class": "vLargeTextField", **language_attrs(name)}
        )
        for base in names
        for name in with_translations(base)
    }


def line_widgets(*names: str) -> dict:
    return {
        name: forms.TextInput(attrs={"class": "vTextField", **language_attrs(name)})
        for base in names
        for name in with_translations(base)
    }


_TRANSLATIONS_DESCRIPTION = _(
    "Left blank, a translation is shown in English. Labels of choices, columns and "
    "scale steps are translated in their tables, under the type options."
)


def translations_fieldset(*names: str, description=None) -> tuple:
    """A fieldset of texts each beside its Arabic and French; `description` says what a blank
    one shows (by default: English, and where a question's option labels are translated)."""
    return (
        _("Wording: English | Arabic | French"),
        {
            "classes": ["gcm-translations"],
            "fields": [with_translations(name) for name in names],
            "description": description or _TRANSLATIONS_DESCRIPTION,
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
