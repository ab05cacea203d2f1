"""Answers in the PDFs, each block in its own direction (`reports.pdf.answer_cell`), and
questions labelled as the PDFs label them (`questionnaire.numbering`).

{% load pdf_answers %}
{% pdf_answer question answer objectives submission.language %}
{% question_label question section %}   "I.a", in Arabic "أ)" with "I.a" beside it
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi

from gcmreview import bidi
from questionnaire import numbering
from reports import pdf, textdir

register = template.Library()


@register.simple_tag
def pdf_answer(question, answer, objectives=(), default_lang: str = "en") -> SafeString:
    """`<div class="answer" dir lang>` around the answer, aligned as its first block."""
    html, direction = pdf.answer_cell(question, answer, objectives, default_lang or "en")
    return format_html(
        '<div class="answer" dir="{}" lang="{}">{}</div>', direction.dir, direction.lang, html
    )


@register.filter
def directed(text: str, default_lang: str = "en") -> SafeString:
    """Plain text a country typed (a note), escaped, as paragraphs in their own directions: a
    paragraph that runs otherwise than the document says so."""
    document = textdir.TextDirection("rtl" if get_language_bidi() else "ltr", get_language())
    paragraphs = str(linebreaks_filter(text, autoescape=True))
    html = textdir.direct_blocks(paragraphs, default_lang, inherited=document).html
    # linebreaks escaped the text; direct_blocks only adds dir and lang to its paragraphs.
    return mark_safe(html)  # noqa: S308  # nosec


@register.filter
def diff_line_dir(line) -> str:
    """A word-diff line's direction (textdiff.DiffLine), as `dir="auto"` would give it, which
    the PDF renderer does not honour: its text's first strong character's, else the page's."""
    text = "".join(segment.text for segment in line.segments)
    return bidi.first_strong(text) or ("rtl" if get_language_bidi() else "ltr")


@register.simple_tag
def question_label(question, section) -> SafeString:
    """The label the submission PDF gives `question` (its include), for the annexes' headings."""
    label, reference = numbering.question_labels(section.number, question.label, get_language())
    return render_to_string(
        "reports/pdf/question_label.html", {"q": {"label": label, "reference": reference}}
    )
