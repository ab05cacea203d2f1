"""The forms of the questionnaire's pages: a question and its conditions, a section, a new draft,
a comparison.

A question's or section's form checks what Django's own validation skips once a field is read-only
or not on the form (one key per version, one section number per version), and refuses a change to
a published version before the model guard has to. A question's conditions are fields (earlier
question, condition, value), checked by the model's rule (`conditions.condition_validate`); a
question that others depend on is neither deleted nor moved after them. A question's type options
are tables of rows (`options`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import i18n, selectors
from ..conditions import condition_note, condition_validate, question_number, question_position
from ..models import (
    Question,
    QuestionCondition,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)
from ..types import all_types
from ._common import line_widgets, text_widgets
from .options import TypeOptionsField


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "slug", *i18n.translation_fields("questionnaire")]
        widgets = line_widgets("title")


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
            "allows_not_applicable",
            "shown_when",
            "options",
        ]
        field_classes = {"options": TypeOptionsField}
        help_texts = {
            "options": _(
                "The type's lists, a row each: its value, its English label, and their Arabic "
                "and French (left blank, English is shown). Rows are stored in their order."
            )
        }
        widgets = {**text_widgets("text"), **text_widgets("help_text", rows=2)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "options" in self.fields:
            # The tables the options show first: those of the type posted, else stored.
            posted = self.data.get(self.add_prefix("type")) if self.is_bound else None
            self.fields["options"].widget.question_type = (
                posted or self.initial.get("type") or self.instance.type
            )

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


class QuestionPageForm(QuestionForm):
    """A question on its own page: it may not move after, nor change into a type that cannot
    hold the value of, a question that depends on it. (On a section's page several questions
    may move at once; publishing checks every condition again.)"""

    def _post_clean(self):
        super()._post_clean()
        question = self.instance
        if not question.pk or not question.section_id:
            return
        dependents = QuestionCondition.objects.filter(source=question.pk).select_related(
            "question__section"
        )
        for condition in dependents:
            condition.source = question  # as this form would save it
            try:
                condition_validate(condition)
            except ValidationError as exc:
                number = question_number(condition.question)
                if question_position(question) >= question_position(condition.question):
                    field = "order"
                    message = _("%(question)s depends on this question, which must come first.")
                else:
                    field = "type" if "type" in self.changed_data else "options"
                    message = _("%(question)s depends on this question: %(problem)s")
                self.add_error(
                    field if field in self.fields else None,
                    message % {"question": number, "problem": " ".join(exc.messages)},
                )


def dependents_message(conditions) -> str:
    """Why questions cannot be deleted: the other questions whose conditions name them."""
    return gettext(
        "Other questions depend on what you are deleting; change or remove their conditions "
        "first: %(questions)s"
    ) % {"questions": "; ".join(describe_dependents(conditions))}


def describe_dependents(conditions) -> list[str]:
    """Each dependent question once: “II.a) Which policies…: Applies only when I.a is “Yes”.”"""
    by_question: dict[int, list[QuestionCondition]] = {}
    for condition in conditions:
        by_question.setdefault(condition.question_id, []).append(condition)
    return [
        f"{question_number(group[0].question)}) {Truncator(group[0].question.text).chars(60)}: "
        f"{condition_note(group[0].question, group)}"
        for group in by_question.values()
    ]


def _refuse_deleting_sources(formset, questions_of) -> None:
    # Before the formset's own clean, whose check of protected objects (the admin's) would say
    # only that a "condition" is in the way.
    deleted = [
        form.instance
        for form in formset.forms
        if form.instance.pk and hasattr(form, "cleaned_data") and formset._should_delete_form(form)
    ]
    if not deleted:
        return
    dependents = selectors.question_dependents(questions=questions_of(deleted))
    if dependents:
        raise ValidationError(dependents_message(dependents))


class SectionInlineFormSet(BaseInlineFormSet):
    """A version's sections: one that other sections' questions depend on stays."""

    def clean(self):
        _refuse_deleting_sources(
            self, lambda sections: list(Question.objects.filter(section__in=sections))
        )
        super().clean()


class QuestionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        _refuse_deleting_sources(self, lambda questions: questions)
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
        widgets = {**line_widgets("title"), **text_widgets("intro")}

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


# --- A question's conditions --------------------------------------------------------------------


def source_label(question: Question) -> str:
    """ "I.a) Was there a specific mechanism…": an earlier question as the select offers it."""
    return f"{question_number(question)}) {Truncator(question.text).chars(70)}"


def comparable_types() -> list[str]:
    """The question types a condition can be put on (choices, yes/no, numbers)."""
    return [kind.name for kind in all_types() if kind.condition_operators]


def source_choices(question: Question, current: list[int]) -> list:
    """What the "earlier question" select offers: the earlier questions of the version that can
    be compared, in questionnaire order, and the ones `current` conditions name (so that a
    condition gone wrong shows and gets its message). A new question's version is not known
    yet: every draft's questions, grouped by version."""
    candidates = Question.objects.select_related("section__version__questionnaire").order_by(
        "section__order", "section_id", "order", "pk"
    )
    kinds = comparable_types()
    if question.section_id:
        rows = [
            q
            for q in candidates.filter(version_id=question.section.version_id)
            if q.pk in current
            or (
                q.type in kinds
                and q.pk != question.pk
                and question_position(q) < question_position(question)
            )
        ]
        return [("", "---------"), *((q.pk, source_label(q)) for q in rows)]
    groups: dict[QuestionnaireVersion, list] = {}
    rows = candidates.filter(version__status=VersionStatus.DRAFT, type__in=kinds).order_by(
        "version_id", "section__order", "section_id", "order", "pk"
    )
    for q in rows:
        groups.setdefault(q.section.version, []).append((q.pk, source_label(q)))
    return [("", "---------"), *((str(version), items) for version, items in groups.items())]


class QuestionConditionForm(forms.ModelForm):
    """One condition. The select offers only what makes sense (`source_choices`) but accepts any
    question, so that the model's rule says what is wrong with one that does not, on its field."""

    class Meta:
        model = QuestionCondition
        fields = ["source", "operator", "value"]
        widgets = {"value": forms.TextInput(attrs={"class": "vTextField"})}

    def __init__(self, *args, source_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            field = self.fields["source"]
            field.queryset = Question.objects.select_related("section")
            # A plain select: no links to add, change or delete questions from within a row.
            field.widget = forms.Select()
            field.choices = source_choices
            self.fields["value"].help_text = _(
                "What the earlier answer must be: a choice's value (several, separated by commas, "
                "for “is one of”), “yes” or “no”, or a number (1250000.5)."
            )

    def _post_clean(self):
        question = getattr(self.fields.get("question"), "parent_instance", None)
        if "source" in self._errors or (question is not None and not question.section_id):
            # No earlier question, or the question's own form is refused (no section): nothing
            # to compare with yet, and the field's error says so.
            return
        super()._post_clean()


class QuestionConditionFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [c.source_id for c in self.get_queryset()] if self.instance.pk else []
        self.form_kwargs = {
            **self.form_kwargs,
            "source_choices": source_choices(self.instance, current),
        }
