"""Section and question labels in the page's language (`questionnaire.numbering`).

{% load numbering %}
{{ section|section_label }}            "I", in Arabic "أولاً"
{{ question|question_label:section }}  "I.a", in Arabic "أ"
{{ question|question_reference:section }}  "I.a" in every language
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from questionnaire import numbering

register = template.Library()


@register.filter
def section_label(section) -> str:
    return numbering.section_label(section.number, get_language())


@register.filter
def question_label(question, section) -> str:
    return numbering.question_label(section.number, question.label, get_language())


@register.filter
def question_reference(question, section) -> str:
    return numbering.question_reference(section.number, question.label)
