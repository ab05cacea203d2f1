"""Dates, times and numbers in templates, through `gcmreview.formatting` (the same functions the
JSON answers use, so that a page and its script never disagree).

`{% load formatting %}`: `{{ value|datetime_text }}`, `{{ value|date_text }}`,
`{{ value|time_text }}`, `<time datetime="{{ value|html_datetime }}">`, and `{{ count|number }}`
for numbers people read (never in URLs or data attributes).
"""

from __future__ import annotations

import decimal

from django import template

from gcmreview import formatting

register = template.Library()


@register.filter
def datetime_text(value) -> str:
    return formatting.datetime_text(value) if value else ""


@register.filter
def date_text(value) -> str:
    return formatting.date_text(value) if value else ""


@register.filter
def time_text(value) -> str:
    return formatting.time_text(value) if value else ""


@register.filter
def html_datetime(value) -> str:
    return formatting.html_datetime(value) if value else ""


@register.filter
def number(value) -> str:
    """1250 → "1,250" (English), "1 250" (French); anything not a number is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else str(value)
    try:
        return formatting.number_text(value)
    except (decimal.InvalidOperation, TypeError, ValueError):
        return str(value)
