"""A date, stored as YYYY-MM-DD and shown as the page's language writes dates."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import BaseQuestionType


class Date(BaseQuestionType):
    name = "date"
    label = _("Date")
    order = 70

    def clean(self, value: Any, options: dict) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None

    def display_context(self, question, value, objectives) -> dict:
        try:
            return {"date": datetime.date.fromisoformat(value)}
        except (TypeError, ValueError):
            return {"date": None}
