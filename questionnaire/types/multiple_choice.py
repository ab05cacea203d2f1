"""Multiple choice: any of the question's choices, stored as their values in the questionnaire's
order."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from questionnaire.i18n import option_label, option_labels

from .base import BaseQuestionType, choice_list, field_name
from .single_choice import choice_labels, choice_widgets


class MultipleChoice(BaseQuestionType):
    name = "multiple_choice"
    option_lists = ("choices",)
    label = _("Multiple choice")
    order = 40
    empty_value: ClassVar[list] = []
    holds_typed_text = False
    # "is" a choice: it is among those chosen.
    condition_operators = ("equals", "not_equals", "one_of")

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        choice_list(options, "choices")

    def condition_values(self, options: dict) -> list[tuple[str, str]]:
        return [(c["value"], option_label(c)) for c in options.get("choices", []) or []]

    def condition_subject(self, value: Any) -> frozenset[str]:
        return (
            frozenset(v for v in value if isinstance(v, str))
            if isinstance(value, list)
            else frozenset()
        )

    def clean(self, value: Any, options: dict) -> list[str]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Expected a list of choices."))
        order = [c["value"] for c in options.get("choices", [])]
        unknown = [v for v in value if v not in order]
        if unknown:
            raise ValidationError(
                _("“%(value)s” is not one of the choices.") % {"value": unknown[0]}
            )
        chosen = set(value)
        return [v for v in order if v in chosen]  # canonical: the questionnaire's order

    def as_text(self, value: Any, options: dict) -> str:
        labels = option_labels(options.get("choices", []))
        return "; ".join(labels.get(v, v) for v in value or [])

    def value_from_post(self, question, data) -> list[str]:
        return data.getlist(field_name(question))

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        return {
            **super().widget_context(question, value, typed=typed),
            "choices": choice_widgets(question.options or {}, value),
        }

    def display_context(self, question, value, objectives) -> dict:
        labels = option_labels((question.options or {}).get("choices") or [])
        return {"labels": [labels.get(v, v) for v in value or []]}

    def preview_context(self, question, objectives) -> dict:
        return {"choices": choice_labels(question.options or {})}
