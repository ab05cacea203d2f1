"""Rendering answers and questions: one include per question type.

`answer_html` is the only place in the templates where markup is marked safe, and only after
`richtext.clean_html` has reduced it to the allowed subset. Everything else a user typed goes
through the templates' autoescaping.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gcmreview import formatting
from questionnaire import i18n, richtext
from questionnaire.models import Question, QuestionType
from questionnaire.question_types import DEFAULT_MAX_LENGTH, OBJECTIVE_COUNT, SHORT_TEXT_MAX_LENGTH

register = template.Library()


@register.filter
def answer_html(value: Any) -> SafeString:
    """Answer HTML cleaned to the allowed subset (paragraphs, lists, bold, italic, breaks)."""
    # Reduced to the allowed tags, without attributes, by the one sanitiser (nh3).
    return mark_safe(  # noqa: S308  # nosec
        richtext.clean_html(value if isinstance(value, str) else "")
    )


def _labels(items: list[dict] | None, key: str = "value") -> dict[str, str]:
    """`{value: label}` with each label in the active language (English when untranslated)."""
    return i18n.option_labels(items or [], key=key)


def _objective_rows(question: Question, value: Any, objectives) -> list[dict]:
    """All 23 objectives in order, each with its status label and note (blank when unset)."""
    scale = _labels(question.type_handler.scale(question.options or {}))
    titles = {o.number: o for o in objectives}
    value = value if isinstance(value, dict) else {}
    rows = []
    for number in range(1, OBJECTIVE_COUNT + 1):
        row = value.get(str(number)) or {}
        objective = titles.get(number)
        rows.append(
            {
                "number": number,
                "title": objective.localized("title") if objective else "",
                "status": scale.get(row.get("status"), row.get("status") or ""),
                "note": row.get("note", ""),
            }
        )
    return rows


def _display_context(question: Question, value: Any, objectives) -> dict:
    """What each type's include needs, shaped in Python so the templates stay logic-free."""
    options = question.options or {}
    kind = question.type
    if kind == QuestionType.SINGLE_CHOICE:
        return {"label": _labels(options.get("choices")).get(value, value)}
    if kind == QuestionType.MULTIPLE_CHOICE:
        labels = _labels(options.get("choices"))
        return {"labels": [labels.get(v, v) for v in value or []]}
    if kind == QuestionType.YES_NO:
        value = value if isinstance(value, dict) else {}
        word = {"yes": _("Yes"), "no": _("No")}.get(value.get("answer"), "")
        return {"word": word, "explanation": value.get("explanation", "")}
    if kind == QuestionType.NUMBER:
        # Stored as a plain decimal string; shown as the language writes numbers ("1,250,000.5",
        # "1 250 000,5"), in pages and PDFs alike.
        try:
            return {"number": question.type_handler.format(value)}
        except (ArithmeticError, ValueError):
            return {"number": value}
    if kind == QuestionType.DATE:
        try:
            return {"date": datetime.date.fromisoformat(value)}
        except (TypeError, ValueError):
            return {"date": None}
    if kind == QuestionType.ENTRY_LIST:
        columns = [c for c in options.get("columns", []) if isinstance(c, dict)]
        rows = [row for row in value or [] if isinstance(row, dict)]
        return {
            "columns": [i18n.option_label(c) for c in columns],
            "rows": [[row.get(c.get("key"), "") for c in columns] for row in rows],
        }
    if kind == QuestionType.OBJECTIVES_GRID:
        return {"grid": _objective_rows(question, value, objectives)}
    return {}


@register.simple_tag
def render_answer(question: Question, value: Any, objectives=()) -> SafeString:
    """An answer rendered by its type's include, or “Not answered”."""
    if question.type_handler.is_empty(value):
        return render_to_string("questionnaire/answers/not_answered.html")
    context = {"question": question, "value": value}
    context.update(_display_context(question, value, objectives))
    return render_to_string(f"questionnaire/answers/{question.type}.html", context)


@register.simple_tag
def render_question_widget(question: Question, objectives=()) -> SafeString:
    """How the question will be answered, described for a preview of the questionnaire."""
    options = question.options or {}
    short = question.type == QuestionType.SHORT_TEXT
    limit = options.get("max_length", SHORT_TEXT_MAX_LENGTH if short else DEFAULT_MAX_LENGTH)
    context = {
        "question": question,
        "options": options,
        "choices": [i18n.option_label(c) for c in options.get("choices", []) or []],
        "columns": [i18n.option_label(c) for c in options.get("columns", []) or []],
        "limit_count": limit,
        "max_length": formatting.number_text(limit),
    }
    if question.type == QuestionType.NUMBER:
        handler = question.type_handler
        context["bounds"] = {
            bound: handler.format(options[bound]) for bound in ("min", "max") if bound in options
        }
    if question.type == QuestionType.OBJECTIVES_GRID:
        context["scale"] = [i18n.option_label(s) for s in question.type_handler.scale(options)]
        context["grid"] = _objective_rows(question, {}, objectives)
    return render_to_string(f"questionnaire/widgets/{question.type}.html", context)
