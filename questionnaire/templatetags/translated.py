"""The question set's own words in the page's language (`questionnaire.i18n`).

{% load translated %}
{{ question|tr:"text" }}   {{ section|tr:"title" }}   {{ choice|option_label }}
{% translation_notice version sections %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from questionnaire import i18n

register = template.Library()


@register.filter
def tr(obj: Any, field: str) -> str:
    """`obj.field` in the active language, English when it is not translated."""
    return i18n.tr(obj, field)


@register.filter
def option_label(item: Any) -> str:
    """A choice's, column's or scale step's label in the active language, else English."""
    return i18n.option_label(item)


@register.simple_tag
def translation_notice(version, sections=(), *, template_name: str = "") -> SafeString:
    """The "unofficial translation" notice, when the page shows some of `sections` translated
    into the active language and `version`'s translations are not marked official."""
    if version is None or getattr(version, "official_translations", False):
        return SafeString("")
    if not i18n.shows_translation(sections):
        return SafeString("")
    return render_to_string(
        template_name or "questionnaire/includes/translation_notice.html",
        {"language": i18n.language()},
    )
