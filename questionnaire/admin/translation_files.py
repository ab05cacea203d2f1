"""A version's texts for translators, and their translations back: the admin's pages.

- The page `translations/` offers each language's file in XLIFF 2.0, PO and XLSX (anyone who
  may see the version: a published one too), and to administrators, on a draft, a form to
  upload a returned file.
- Uploading shows what would change and what is refused, and why; nothing is written. The
  changes travel to the confirmation signed (`django.core.signing`), each with the English and
  the translation the preview saw, so that the service refuses them if a text changed meanwhile.
- Confirming writes them through `services.questionnaire_version_translations_import`.
"""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gcmreview.downloads import file_download

from .. import i18n, selectors, services, translation_files
from ..models import VersionStatus
from ._common import can_manage, object_pages

# How long a preview may be confirmed; past it, the file is uploaded again.
PREVIEW_MAX_AGE = 60 * 60
FORMAT_LABELS = {"xliff": _("XLIFF 2.0"), "po": _("PO (gettext)"), "xlsx": _("Excel (XLSX)")}


class TranslationImportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the translation"),
        choices=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.TRANSLATION_LANGUAGES],
        help_text=_("The file must say the same language; one that says another is refused."),
    )
    file = forms.FileField(
        label=_("Returned file"),
        help_text=_("An XLIFF 2.0 (.xlf), PO (.po) or Excel (.xlsx) file exported from this page."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlf,.xliff,.po,.xlsx"}),
    )


def _signing_salt(version) -> str:
    return f"questionnaire.translations.import.{version.pk}"


class TranslationFilesMixin:
    """The translations pages of `QuestionnaireVersionAdmin`."""

    def get_urls(self):
        pages = [
            ("translations/", self.translations_view, "translations"),
            (
                "translations/export/<str:language>/<str:fmt>/",
                self.translations_export_view,
                "translations_export",
            ),
            ("translations/import/", self.translations_import_view, "translations_import"),
            ("translations/confirm/", self.translations_confirm_view, "translations_confirm"),
        ]
        return [*object_pages(self, pages), *super().get_urls()]

    # --- helpers ---

    def _translations_version(self, request, object_id):
        version = self.get_object(request, unquote(object_id))
        if version is None:
            raise Http404(_("No such questionnaire version."))
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return version

    def _translations_url(self, version) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_translations",
            args=[version.pk],
            current_app=self.admin_site.name,
        )

    def _translations_context(self, request, version, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": version,
            **extra,
        }

    def _translations_page(self, request, version, form=None, refusal=""):
        manages = can_manage(request)
        languages = []
        for code in i18n.TRANSLATION_LANGUAGES:
            units = selectors.version_translation_units(version=version, language=code)
            languages.append(
                {
                    "code": code,
                    "name": i18n.LANGUAGE_NAMES[code],
                    "total": len(units),
                    "translated": sum(unit.is_translated for unit in units),
                    "files": [
                        {
                            "label": label,
                            "name": translation_files.file_name(version, code, fmt),
                            "url": reverse(
                                f"admin:{self.opts.app_label}_{self.opts.model_name}"
                                "_translations_export",
                                args=[version.pk, code, fmt],
                                current_app=self.admin_site.name,
                            ),
                        }
                        for fmt, label in FORMAT_LABELS.items()
                    ],
                }
            )
        context = self._translations_context(
            request,
            version,
            title=_("Translations of %(version)s: export and import") % {"version": version},
            languages=languages,
            can_import=manages and version.status == VersionStatus.DRAFT,
            manages=manages,
            form=form or TranslationImportForm(),
            refusal=refusal,
        )
        return TemplateResponse(
            request, "admin/questionnaire/questionnaireversion/translations.html", context
        )

    # --- views ---

    def translations_view(self, request, object_id):
        """The files to export, and the form to import one (administrators, drafts)."""
        version = self._translations_version(request, object_id)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        return self._translations_page(request, version)

    def translations_export_view(self, request, object_id, language, fmt):
        """One language's texts in one format, for a translator: any version may be exported."""
        version = self._translations_version(request, object_id)
        if language not in i18n.TRANSLATION_LANGUAGES or fmt not in translation_files.FORMATS:
            raise Http404(_("No such language or file format."))
        units = selectors.version_translation_units(version=version, language=language)
        content = translation_files.export_file(
            version=version, language=language, fmt=fmt, units=units
        )
        return file_download(
            content,
            filename=translation_files.file_name(version, language, fmt),
            content_type=translation_files.FORMATS[fmt][1],
        )

    def translations_import_view(self, request, object_id):
        """A returned file read and compared with the current texts: the preview. Writes
        nothing."""
        version = self._translations_version(request, object_id)
        if not can_manage(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._translations_url(version))
        form = TranslationImportForm(request.POST, request.FILES)
        if version.status != VersionStatus.DRAFT:
            refusal = _(
                "Version %(number)s is %(status)s: its texts never change, so nothing was "
                "imported. Create a new draft from it and import the translations into the draft."
            ) % {"number": version.number, "status": version.get_status_display()}
            return self._translations_page(request, version, form, refusal)
        if not form.is_valid():
            return self._translations_page(request, version, form)
        language = form.cleaned_data["language"]
        upload = form.cleaned_data["file"]
        try:
            if upload.size > translation_files.MAX_FILE_BYTES:
                raise translation_files.TranslationFileError(
                    _("The file is too large to be a version's texts.")
                )
            found = translation_files.read_file(name=upload.name, data=upload.read())
        except translation_files.TranslationFileError as exc:
            form.add_error("file", str(exc))
            return self._translations_page(request, version, form)
        if not found.language:
            form.add_error(
                "file",
                _(
                    "The file does not say which language it translates into (XLIFF: trgLang; "
                    "PO: the Language header; XLSX: the language code in the header row). "
                    "Nothing was imported."
                ),
            )
            return self._translations_page(request, version, form)
        if found.language != language:
            names = dict(i18n.LANGUAGE_NAMES)
            form.add_error(
                "file",
                _(
                    "This file is a translation into %(found)s, but %(chosen)s was chosen. "
                    "Nothing was imported: choose %(found)s, or upload the %(chosen)s file."
                )
                % {
                    "found": names.get(found.language, found.language),
                    "chosen": names[language],
                },
            )
            return self._translations_page(request, version, form)
        units = selectors.version_translation_units(version=version, language=language)
        result = translation_files.review(units=units, entries=found.entries)
        token = signing.dumps(
            {
                "version": version.pk,
                "language": language,
                "changes": [
                    {key: value for key, value in asdict(change).items() if key != "where"}
                    for change in result.changes
                ],
            },
            salt=_signing_salt(version),
            compress=True,
        )
        context = self._translations_context(
            request,
            version,
            title=_("Import %(language)s translations into %(version)s: preview")
            % {"language": i18n.LANGUAGE_NAMES[language], "version": version},
            review=result,
            language=language,
            language_name=i18n.LANGUAGE_NAMES[language],
            language_dir="rtl" if language == "ar" else "ltr",
            file_name=upload.name,
            token=token,
        )
        return TemplateResponse(
            request, "admin/questionnaire/questionnaireversion/translations_preview.html", context
        )

    def translations_confirm_view(self, request, object_id):
        """The previewed changes written, all or none."""
        version = self._translations_version(request, object_id)
        if not can_manage(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        back = HttpResponseRedirect(self._translations_url(version))
        try:
            payload = signing.loads(
                request.POST.get("token", ""),
                salt=_signing_salt(version),
                max_age=PREVIEW_MAX_AGE,
            )
        except signing.SignatureExpired:
            self.message_user(
                request,
                _(
                    "The preview is more than an hour old. Nothing was imported: upload the file "
                    "again."
                ),
                messages.ERROR,
            )
            return back
        except signing.BadSignature:
            self.message_user(
                request, _("The preview could not be read. Nothing was imported."), messages.ERROR
            )
            return back
        if payload.get("version") != version.pk:
            raise PermissionDenied
        language = payload["language"]
        try:
            count = services.questionnaire_version_translations_import(
                version=version, language=language, changes=payload["changes"], user=request.user
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return back
        done = ngettext(
            "%(count)d %(language)s translation imported.",
            "%(count)d %(language)s translations imported.",
            count,
        ) % {"count": count, "language": i18n.LANGUAGE_NAMES[language]}
        self.log_change(request, version, done)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[version.pk],
                current_app=self.admin_site.name,
            )
        )
