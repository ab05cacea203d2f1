"""Short text: one line of plain text."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import BaseQuestionType, clean_text, limit_context

SHORT_TEXT_MAX_LENGTH = 500


class ShortText(BaseQuestionType):
    name = "short_text"
    label = _("Short text")
    order = 20
    empty_value = ""

    def clean(self, value: Any, options: dict) -> str:
        text = clean_text(value, max_length=options.get("max_length", SHORT_TEXT_MAX_LENGTH))
        if "\n" in text:
            raise ValidationError(_("A short answer fits on one line."))
        return text

    def preview_context(self, question, objectives) -> dict:
        return limit_context((question.options or {}).get("max_length", SHORT_TEXT_MAX_LENGTH))
