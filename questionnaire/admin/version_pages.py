"""A version's pages of its own, beside its change page: compare it with another version, make a
new draft from it, publish it, retire it (and the list's actions that do the same).

Publishing, retiring and copying go through `services`, like every other caller. Publishing
first lists, per language, the texts still without a translation, and publishes such a version
only when the administrator ticks "Publish anyway" (`_translation_gaps`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import selectors, services
from ..conditions import condition_note
from ..models import Question, QuestionnaireVersion, Section, VersionStatus
from ._common import can_manage, object_pages
from .forms import NewDraftForm, VersionCompareForm


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


class VersionPagesMixin:
    """For `QuestionnaireVersionAdmin`: the compare, new draft, publish and retire pages and
    actions, and the change page's links to them."""

    # --- Pages of their own: compare, new draft, publish, retire ---

    def get_urls(self):
        pages = [
            ("compare/", self.compare_view, "compare"),
            ("new-draft/", self.new_draft_view, "new_draft"),
            ("publish/", self.publish_view, "publish"),
            ("retire/", self.retire_view, "retire"),
        ]
        return [*object_pages(self, pages), *super().get_urls()]

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
            % {"questionnaire": version.display_title},
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


def completeness_text(entry: selectors.TranslationCompleteness) -> str:
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
