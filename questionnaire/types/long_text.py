"""Long text: paragraphs and (nested) lists, stored as the small HTML subset that
`richtext.clean_html` keeps, on every save; pages and the PDF show it through the same function."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gcmreview import formatting
from questionnaire import richtext

from .base import BaseQuestionType, field_name, limit_context

DEFAULT_MAX_LENGTH = 20_000  # characters of text, markup not counted


class LongText(BaseQuestionType):
    name = "long_text"
    label = _("Long text")
    order = 10
    empty_value = ""

    def clean(self, value: Any, options: dict) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValidationError(_("Expected text."))
        html = richtext.clean_html(value)
        max_length = options.get("max_length", DEFAULT_MAX_LENGTH)
        length = len(richtext.html_to_text(html))
        if length > max_length:
            raise ValidationError(
                ngettext(
                    "The answer is %(length)s characters long; the limit is %(max)s character.",
                    "The answer is %(length)s characters long; the limit is %(max)s characters.",
                    max_length,
                )
                % {
                    "length": formatting.number_text(length),
                    "max": formatting.number_text(max_length),
                }
            )
        return html

    def is_empty(self, value: Any) -> bool:
        return not value or not richtext.has_text(value)

    def as_text(self, value: Any, options: dict) -> str:
        return richtext.html_to_text(value or "")

    def value_from_post(self, question, data) -> str:
        # Without JavaScript the field is a plain text area: "- " and "1. " lines become lists.
        return richtext.plain_text_to_html(data.get(field_name(question), ""))

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        html = value if isinstance(value, str) else ""
        return {
            **super().widget_context(question, value, typed=typed),
            "html": richtext.clean_html(html),
            "text": richtext.html_to_text(html),
        }

    def preview_context(self, question, objectives) -> dict:
        return limit_context((question.options or {}).get("max_length", DEFAULT_MAX_LENGTH))
