"""Rendering answers and questions: each question type renders its own templates
(questionnaire/types/).

`answer_html` is the only place in the templates where markup is marked safe, and only after
`richtext.clean_html` has reduced it to the allowed subset. Everything else a user typed goes
through the templates' autoescaping.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from questionnaire import richtext
from questionnaire.models import Answer, Question

register = template.Library()
NOT_APPLICABLE_TEMPLATE = "questionnaire/includes/not_applicable.html"


@register.filter
def answer_html(value: Any) -> SafeString:
    """Answer HTML cleaned to the allowed subset (paragraphs, lists, bold, italic, breaks)."""
    # Reduced to the allowed tags, without attributes, by the one sanitiser (nh3).
    return mark_safe(  # noqa: S308  # nosec
        richtext.clean_html(value if isinstance(value, str) else "")
    )


@register.simple_tag
def render_answer(question: Question, value: Any, objectives=()) -> SafeString:
    """An answer rendered by its type's `display.html`, or “Not answered”."""
    return question.type_handler.render_display(question, value, objectives)


@register.simple_tag
def show_answer(
    question: Question, answer: Answer | None, objectives=(), reason_dir: str = "auto"
) -> SafeString:
    """An answer as every page, PDF and annex shows it: “Not applicable: reason” when the country
    said so (its kept value is not the answer then), else its type's `display.html`, else “Not
    answered”. `reason_dir`: the reason's direction where `dir="auto"` is not honoured (the PDF
    says it)."""
    reason = answer.not_applicable_reason if answer is not None else ""
    if reason:
        return render_to_string(
            NOT_APPLICABLE_TEMPLATE,
            {
                # Escaped here, so the sentence's translation can place it anywhere.
                "reason_html": format_html(
                    '<span class="portal-not-applicable-reason" dir="{}">{}</span>',
                    reason_dir or "auto",
                    reason,
                )
            },
        )
    return render_answer(question, answer.value if answer is not None else None, objectives)


@register.simple_tag
def render_question_widget(question: Question, objectives=()) -> SafeString:
    """How the question will be answered, described for a preview of the questionnaire."""
    return question.type_handler.render_preview(question, objectives)
