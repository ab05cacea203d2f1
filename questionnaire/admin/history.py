"""Submissions and their history, read-only: answers, revisions, status moves, documents and
comments are the countries' word and ESCWA's, written only by services."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    Answer,
    AnswerRevision,
    Attachment,
    Comment,
    Submission,
    SubmissionEvent,
)
from ._common import ReadOnlyAdminMixin, pretty_json


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
        return pretty_json(obj.value)

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
        return pretty_json(obj.value)


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
