"""A list of entries: repeating rows with named columns, e.g. the entities involved and their
role. Stored as [{column key: text}], blank rows dropped."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from questionnaire.i18n import option_label, option_labels

from .base import BaseQuestionType, choice_list, clean_text, field_name

MAX_ENTRIES = 200
BLANK_ENTRY_ROWS = 2  # empty rows offered below a list of entries when JavaScript is off
MAX_POSTED_ROWS = 200


class EntryList(BaseQuestionType):
    """Repeating rows with named columns, e.g. the entities involved and their role."""

    name = "entry_list"
    option_lists = ("columns",)
    label = _("List of entries")
    order = 80
    empty_value: ClassVar[list] = []

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        choice_list(options, "columns")

    def clean(self, value: Any, options: dict) -> list[dict]:
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of rows."))
        if len(value) > options.get("max_rows", MAX_ENTRIES):
            raise ValidationError(_("Too many rows."))
        columns = [c["key"] for c in options.get("columns", [])]
        labels = option_labels(options.get("columns", []), key="key")
        rows = []
        for row in value:
            if not isinstance(row, dict) or set(row) - set(columns):
                raise ValidationError(_("A row has a column this question does not have."))
            cleaned = {
                key: clean_text(
                    row.get(key), max_length=options.get("max_length", 2000), field=labels[key]
                )
                for key in columns
            }
            if any(cleaned.values()):  # blank rows are dropped, not stored
                rows.append(cleaned)
        return rows

    def as_text(self, value: Any, options: dict) -> str:
        columns = [c["key"] for c in options.get("columns", [])]
        return "\n".join(" | ".join(row.get(k, "") for k in columns) for row in value or [])

    def value_from_post(self, question, data) -> list[dict]:
        # Rows `q-<key>-<n>-<column>` from 0 until the first missing row; ticked ones removed.
        columns = [c["key"] for c in (question.options or {}).get("columns", [])]
        rows = []
        for index in range(MAX_POSTED_ROWS):
            cells = {key: data.get(field_name(question, f"{index}-{key}")) for key in columns}
            if all(value is None for value in cells.values()):
                break
            if data.get(field_name(question, f"{index}-delete")):
                continue
            rows.append({key: value or "" for key, value in cells.items()})
        return rows

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        columns = [
            {**column, "label": option_label(column)}
            for column in (question.options or {}).get("columns", [])
        ]
        rows = [row for row in (value or []) if isinstance(row, dict)]
        rows = rows + [{}] * BLANK_ENTRY_ROWS
        # Each field's accessible name, made here rather than by a translation tag per cell.
        cell_label = gettext("%(column)s, row %(n)s")
        remove_label = gettext("Remove row %(n)s")
        return {
            **super().widget_context(question, value, typed=typed),
            "columns": columns,
            "rows": [
                {
                    "index": index,
                    "delete_name": field_name(question, f"{index}-delete"),
                    "delete_label": remove_label % {"n": index + 1},
                    "cells": [
                        {
                            "key": column["key"],
                            "label": column["label"],
                            "name": field_name(question, f"{index}-{column['key']}"),
                            "value": row.get(column["key"], ""),
                            "aria_label": cell_label % {"column": column["label"], "n": index + 1},
                        }
                        for column in columns
                    ],
                }
                for index, row in enumerate(rows)
            ],
        }

    def display_context(self, question, value, objectives) -> dict:
        columns = [c for c in (question.options or {}).get("columns", []) if isinstance(c, dict)]
        rows = [row for row in value or [] if isinstance(row, dict)]
        return {
            "columns": [option_label(c) for c in columns],
            "rows": [[row.get(c.get("key"), "") for c in columns] for row in rows],
        }

    def preview_context(self, question, objectives) -> dict:
        return {"columns": [option_label(c) for c in (question.options or {}).get("columns") or []]}
