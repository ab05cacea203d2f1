"""The direction of text, as Unicode's bidirectional algorithm (UAX #9) and browsers decide it
for `dir="auto"`: shared by the PDFs (reports/textdir.py) and the Word documents
(questionnaire/word/ooxml.py), so that both set a paragraph's direction by the same rule."""

from __future__ import annotations

import unicodedata

# Bidi classes of the strong characters: the first one decides a paragraph's direction.
_STRONG_DIRECTIONS = {"L": "ltr", "R": "rtl", "AL": "rtl"}


def strong_direction(char: str) -> str | None:
    """ "ltr" or "rtl" for a strongly directional character; None for the neutral ones (digits,
    punctuation, spaces)."""
    return _STRONG_DIRECTIONS.get(unicodedata.bidirectional(char))


def first_strong(text: str) -> str | None:
    """The direction, "ltr" or "rtl", of the first strongly directional character of `text`;
    None when it has none."""
    for char in text:
        direction = strong_direction(char)
        if direction:
            return direction
    return None
