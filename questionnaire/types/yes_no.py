"""Yes or no, and an explanation in long text: {"answer": "yes"|"no", "explanation": html}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from questionnaire import richtext

from .base import BaseQuestionType, field_name, limit_context
from .long_text import DEFAULT_MAX_LENGTH, LongText


class YesNo(BaseQuestionType):
    """A yes or a no, and an explanation in long text."""

    name = "yes_no"
    label = _("Yes / no with explanation")
    order = 50
    condition_operators = ("equals", "not_equals")

    def condition_values(self, options: dict) -> list[tuple[str, str]]:
        return [("yes", gettext("Yes")), ("no", gettext("No"))]

    def condition_subject(self, value: Any) -> frozenset[str]:
        answer = value.get("answer") if isinstance(value, dict) else None
        return frozenset([answer]) if answer else frozenset()

    def clean(self, value: Any, options: dict) -> dict | None:
        if value in (None, "", {}):
            return None
        if not isinstance(value, dict) or set(value) - {"answer", "explanation"}:
            raise ValidationError(_("Expected an answer and an explanation."))
        answer = value.get("answer") or None
        if answer not in (None, "yes", "no"):
            raise ValidationError(_("Answer yes or no."))
        explanation = LongText().clean(value.get("explanation") or "", options)
        if answer is None and not explanation:
            return None
        if answer is None:
            raise ValidationError(_("Answer yes or no before explaining."))
        return {"answer": answer, "explanation": explanation}

    def as_text(self, value: Any, options: dict) -> str:
        if not value:
            return ""
        word = {"yes": _("Yes"), "no": _("No")}[value["answer"]]
        explanation = richtext.html_to_text(value.get("explanation") or "")
        return f"{word}. {explanation}".strip() if explanation else str(word)

    def value_from_post(self, question, data) -> dict | None:
        answer = data.get(field_name(question), "")
        explanation = richtext.plain_text_to_html(data.get(field_name(question, "explanation"), ""))
        if not answer and not explanation:
            return None
        return {"answer": answer, "explanation": explanation}

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        context = super().widget_context(question, value, typed=typed)
        value = value if isinstance(value, dict) else {}
        explanation = value.get("explanation") or ""
        context.update(
            answer=value.get("answer") or "",
            explanation_name=field_name(question, "explanation"),
            html=richtext.clean_html(explanation),
            text=richtext.html_to_text(explanation),
        )
        return context

    def display_context(self, question, value, objectives) -> dict:
        value = value if isinstance(value, dict) else {}
        word = {"yes": gettext("Yes"), "no": gettext("No")}.get(value.get("answer"), "")
        return {"word": word, "explanation": value.get("explanation", "")}

    def preview_context(self, question, objectives) -> dict:
        return limit_context((question.options or {}).get("max_length", DEFAULT_MAX_LENGTH))
