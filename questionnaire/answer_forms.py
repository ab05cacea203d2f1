"""Between HTML form fields and answer values, for the answering pages.

The page works without JavaScript: every question is a set of plain form fields named
`q-<key>…`, posted with the section's Save button. With JavaScript, the same fields are read by
static/js/answering.js and sent as JSON one answer at a time; long text then comes from the editor
as HTML. Both paths end in `services.answer_save`, which validates through the question type.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from gcmreview import formatting

from . import richtext
from .i18n import option_label
from .models import Question, QuestionType
from .question_types import OBJECTIVE_COUNT, OBJECTIVE_NOTE_MAX_LENGTH

BLANK_ENTRY_ROWS = 2  # empty rows offered below a list of entries when JavaScript is off
MAX_POSTED_ROWS = 200


def field_name(question: Question, part: str = "") -> str:
    return f"q-{question.key}" + (f"-{part}" if part else "")


def value_from_post(question: Question, data: QueryDict) -> Any:
    """The answer value the section form posted for `question` (not yet validated)."""
    name = field_name(question)
    kind = question.type
    if kind == QuestionType.LONG_TEXT:
        return richtext.plain_text_to_html(data.get(name, ""))
    if kind in (QuestionType.SHORT_TEXT, QuestionType.NUMBER, QuestionType.DATE):
        return data.get(name, "")
    if kind == QuestionType.SINGLE_CHOICE:
        return data.get(name, "")
    if kind == QuestionType.MULTIPLE_CHOICE:
        return data.getlist(name)
    if kind == QuestionType.YES_NO:
        answer = data.get(name, "")
        explanation = richtext.plain_text_to_html(data.get(field_name(question, "explanation"), ""))
        if not answer and not explanation:
            return None
        return {"answer": answer, "explanation": explanation}
    if kind == QuestionType.ENTRY_LIST:
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
    if kind == QuestionType.OBJECTIVES_GRID:
        grid = {}
        for number in range(1, OBJECTIVE_COUNT + 1):
            status = data.get(field_name(question, f"{number}-status"), "")
            note = data.get(field_name(question, f"{number}-note"), "")
            if status or note:
                grid[str(number)] = {"status": status, "note": note}
        return grid
    raise ValueError(f"Unknown question type {kind}")


def widget_context(question: Question, value: Any, *, typed: bool = False) -> dict:
    """What a question's form widget needs to show `value` (stored, or posted back when `typed`),
    with the labels of choices, columns and scale steps in the page's language."""
    options = question.options or {}
    kind = question.type
    context: dict[str, Any] = {"name": field_name(question), "value": value}
    if kind == QuestionType.NUMBER:
        # A stored number as the page's language writes it, which the field reads back as the
        # same number; what the person typed stays as they typed it.
        if value not in (None, "") and not typed:
            # (A value that no longer fits its type is shown as stored.)
            with contextlib.suppress(ArithmeticError, ValueError):
                context["value"] = question.type_handler.format(value)
        context["help"] = question.type_handler.help_text()
    elif kind == QuestionType.LONG_TEXT:
        html = value if isinstance(value, str) else ""
        context.update(html=richtext.clean_html(html), text=richtext.html_to_text(html))
    elif kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        chosen = value if isinstance(value, list) else [value] if value else []
        context["choices"] = [
            {
                **choice,
                "label": option_label(choice),
                "checked": choice["value"] in chosen,
                "index": index,
            }
            for index, choice in enumerate(options.get("choices", []))
        ]
    elif kind == QuestionType.YES_NO:
        value = value if isinstance(value, dict) else {}
        explanation = value.get("explanation") or ""
        context.update(
            answer=value.get("answer") or "",
            explanation_name=field_name(question, "explanation"),
            html=richtext.clean_html(explanation),
            text=richtext.html_to_text(explanation),
        )
    elif kind == QuestionType.ENTRY_LIST:
        columns = [
            {**column, "label": option_label(column)} for column in options.get("columns", [])
        ]
        rows = [row for row in (value or []) if isinstance(row, dict)]
        rows = rows + [{}] * BLANK_ENTRY_ROWS
        context.update(
            columns=columns,
            rows=[
                {
                    "index": index,
                    "delete_name": field_name(question, f"{index}-delete"),
                    "cells": [
                        {
                            "key": column["key"],
                            "label": column["label"],
                            "name": field_name(question, f"{index}-{column['key']}"),
                            "value": row.get(column["key"], ""),
                        }
                        for column in columns
                    ],
                }
                for index, row in enumerate(rows)
            ],
        )
    elif kind == QuestionType.OBJECTIVES_GRID:
        value = value if isinstance(value, dict) else {}
        context["scale"] = [
            {**step, "label": option_label(step)} for step in question.type_handler.scale(options)
        ]
        # The longest note the question type accepts (ObjectivesGrid.clean), as the field's
        # maxlength and, in the page's number format, in the hint above the grid.
        note_limit = options.get("max_length", OBJECTIVE_NOTE_MAX_LENGTH)
        context["note_max_length"] = note_limit
        context["note_max_length_display"] = formatting.number_text(note_limit)
    return context


def objective_rows(question: Question, value: Any, objectives) -> list[dict]:
    """The 23 rows of an objectives grid widget: objective, status field, note field.

    The fields' accessible names are made here rather than by a translation tag per row: a page
    may hold several grids of 23 rows.
    """
    value = value if isinstance(value, dict) else {}
    by_number = {o.number: o for o in objectives}
    rows = []
    for number in range(1, OBJECTIVE_COUNT + 1):
        row = value.get(str(number)) or {}
        rows.append(
            {
                "number": number,
                "objective": by_number.get(number),
                "status_name": field_name(question, f"{number}-status"),
                "note_name": field_name(question, f"{number}-note"),
                "status": row.get("status", ""),
                "note": row.get("note", ""),
                "status_label": _("Status of objective %(n)s") % {"n": number},
                "note_label": _("Note on objective %(n)s") % {"n": number},
            }
        )
    return rows
