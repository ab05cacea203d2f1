"""Single choice: one of the question's choices (or none), stored as its value."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from questionnaire.i18n import option_label, option_labels

from .base import BaseQuestionType, choice_list


def choice_widgets(options: dict, value: Any) -> list[dict]:
    """The choices as the answering page's radio buttons or check boxes, `value` checked; each
    with its `index` as text, for the fields' ids."""
    chosen = value if isinstance(value, list) else [value] if value else []
    return [
        {
            **choice,
            "label": option_label(choice),
            "checked": choice["value"] in chosen,
            "index": str(index),
        }
        for index, choice in enumerate(options.get("choices", []))
    ]


def choice_labels(options: dict) -> list[str]:
    """The choices' labels in the active language, for a version's preview."""
    return [option_label(c) for c in options.get("choices", []) or []]


class SingleChoice(BaseQuestionType):
    name = "single_choice"
    option_lists = ("choices",)
    label = _("Single choice")
    order = 30
    holds_typed_text = False
    condition_operators = ("equals", "not_equals", "one_of")

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        choice_list(options, "choices")

    def condition_values(self, options: dict) -> list[tuple[str, str]]:
        return [(c["value"], option_label(c)) for c in options.get("choices", []) or []]

    def condition_subject(self, value: Any) -> frozenset[str]:
        return frozenset([value]) if isinstance(value, str) and value else frozenset()

    def clean(self, value: Any, options: dict) -> str | None:
        if value in (None, ""):
            return None
        allowed = {c["value"] for c in options.get("choices", [])}
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": value})
        return value

    def as_text(self, value: Any, options: dict) -> str:
        labels = option_labels(options.get("choices", []))
        return labels.get(value, "") if value else ""

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        return {
            **super().widget_context(question, value, typed=typed),
            "choices": choice_widgets(question.options or {}, value),
        }

    def display_context(self, question, value, objectives) -> dict:
        labels = option_labels((question.options or {}).get("choices") or [])
        return {"label": labels.get(value, value)}

    def preview_context(self, question, objectives) -> dict:
        return {"choices": choice_labels(question.options or {})}
