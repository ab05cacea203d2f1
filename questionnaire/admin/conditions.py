"""A question's conditions in the admin: an inline of fields on the question's page, and deleting
a question (or a section) that other questions depend on.

The rule a condition must follow is `conditions.condition_validate`, which the inline's forms
reach through the model's `clean()`. Deleting what a condition names is refused by the database
(`on_delete=RESTRICT`); the admin says which questions depend on it instead.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..models import Question, QuestionCondition, Section
from ._common import DraftOnlyInlineMixin
from .forms import (
    QuestionConditionForm,
    QuestionConditionFormSet,
    dependents_message,
    describe_dependents,
)


class QuestionConditionInline(DraftOnlyInlineMixin, admin.TabularInline):
    """Shown only when …: each row an earlier question, a condition and a value."""

    model = QuestionCondition
    fk_name = "question"
    form = QuestionConditionForm
    formset = QuestionConditionFormSet
    fields = ("source", "operator", "value", "source_answers")
    readonly_fields = ("source_answers",)
    extra = 0
    verbose_name = _("condition")
    verbose_name_plural = _("Conditions: the question is shown only when they hold")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source__section")

    @admin.display(description=_("answers of the earlier question"))
    def source_answers(self, obj):
        if obj is None or not obj.source_id:
            return "—"
        allowed = obj.source.type_handler.condition_values(obj.source.options or {})
        if allowed is None:
            return gettext("any number")
        return ", ".join(f"{value} ({label})" for value, label in allowed)


class DependentQuestionsMixin:
    """The delete pages of questions and sections: what other questions depend on is listed as
    protected, by question and condition, and said in a message."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        questions = (
            Question.objects.filter(section__in=objs)
            if self.model is Section
            else Question.objects.filter(pk__in=[obj.pk for obj in objs])
        )
        dependents = selectors.question_dependents(questions=questions)
        if dependents:
            prefix = f"{capfirst(QuestionCondition._meta.verbose_name)}: "
            protected = [
                *(format_html("{}", line) for line in describe_dependents(dependents)),
                *(item for item in protected if not str(item).startswith(prefix)),
            ]
            self.message_user(request, dependents_message(dependents), messages.ERROR)
        return deleted, counts, perms_needed, protected
