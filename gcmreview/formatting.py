"""Dates, times and numbers as people read them, in the active language: one place, so that a
page, its JSON answers (which the pages' scripts show as they are) and the PDFs agree.

- A moment is written ``<DATE_FORMAT> <H:i>`` in the server's time zone: "Dec. 6, 2026 10:38",
  "6 décembre 2026 10:38", "6 ديسمبر، 2026 10:38". Scripts never format dates themselves: the
  server sends the text.
- ``html_datetime`` is the machine-readable form for ``<time datetime="…">``: to the second, with
  its offset. HTML allows at most three digits of fractions of a second, so Python's microseconds
  (``isoformat()``, or the ``date:'c'`` filter) would make the page invalid.
- Numbers that people read are grouped by thousands with the language's separators
  ("1,250,000.5", "1 250 000,5"); machine-readable values (exports' cells, data attributes, URLs,
  JSON) keep their plain form and never pass through here. The separators are Django's formats,
  except Arabic's (gcmreview/formats/ar).
"""

from __future__ import annotations

import datetime
import decimal

from django.utils import formats, timezone

TIME_FORMAT = "H:i"  # 24 hours, in every language: what ministries and the UN write


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def date_text(value: datetime.date | datetime.datetime) -> str:
    """ "Dec. 6, 2026" (the active language's DATE_FORMAT)."""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return formats.date_format(value, "DATE_FORMAT")


def time_text(value: datetime.datetime) -> str:
    """ "10:38", in the server's time zone."""
    return formats.time_format(_local(value), TIME_FORMAT)


def datetime_text(value: datetime.datetime) -> str:
    """ "Dec. 6, 2026 10:38": how every page shows a moment."""
    return f"{date_text(value)} {time_text(value)}"


def html_datetime(value: datetime.date | datetime.datetime) -> str:
    """A valid HTML date or global date and time string: "2026-12-06T10:38:36+00:00"."""
    if isinstance(value, datetime.datetime):
        value = _local(value)
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def number_text(value: int | decimal.Decimal | str) -> str:
    """A count or a decimal as people read it in the active language: "1,250,000.5" in English,
    "1 250 000,5" in French. A string is read as a plain decimal ("1250000.5")."""
    if isinstance(value, str):
        value = decimal.Decimal(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def counted(count: int, singular: str, plural: str) -> str:
    """ "1 country", "1,250 countries": for the management commands' output, which is English
    for operators. What people read in the portal uses `ngettext` or `blocktranslate count`."""
    return f"{count:,} {singular if count == 1 else plural}"
