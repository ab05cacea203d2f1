"""Direction and language of a piece of text, decided on the server.

Browsers honour `dir="auto"`; WeasyPrint does not, so every answer cell of the PDF carries an
explicit `dir` and `lang`. An answer written in Arabic reads right to left and a French one left
to right in the same document, whatever the submission's declared language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from questionnaire import richtext

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# Arabic, Arabic Supplement, Arabic Extended-A/B and the presentation forms.
_ARABIC_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Words and letters that mark French rather than English in a Latin-script answer.
_FRENCH_WORDS = frozenset(
    {
        "le", "la", "les", "des", "du", "de", "et", "est", "une", "un", "dans", "pour", "par",
        "sur", "au", "aux", "avec", "sont", "ont", "été", "cette", "ces", "qui", "que", "nous",
        "vous", "leur", "leurs", "ainsi", "également", "entre",
    }
)  # fmt: skip
_ENGLISH_WORDS = frozenset(
    {
        "the", "and", "of", "to", "in", "is", "are", "was", "were", "for", "with", "by", "on",
        "this", "that", "these", "have", "has", "been", "which", "from", "an", "as", "at", "be",
        "its", "their", "also", "between",
    }
)  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class TextDirection:
    dir: str  # "ltr" or "rtl"
    lang: str  # a BCP 47 primary language tag


def direction_of_language(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def detect(text: str, default_lang: str = "en") -> TextDirection:
    """The dominant script of `text`: Arabic letters → rtl/ar, other letters → ltr.

    A Latin-script text keeps `default_lang` unless its common words say English or French more
    clearly. A text without letters (numbers, dates, empty) takes `default_lang` and its direction.
    """
    default_lang = (default_lang or "en").split("-")[0].lower()
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return TextDirection(direction_of_language(default_lang), default_lang)
    arabic = sum(1 for ch in letters if _ARABIC_RE.match(ch))
    if arabic * 2 > len(letters):
        return TextDirection("rtl", "ar")
    latin_lang = default_lang if default_lang not in RTL_LANGUAGES else "en"
    words = [w.lower() for w in _WORD_RE.findall(unicodedata.normalize("NFC", text))]
    french = sum(1 for w in words if w in _FRENCH_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if french > english * 2 and french >= 2:
        latin_lang = "fr"
    elif english > french * 2 and english >= 2:
        latin_lang = "en"
    return TextDirection("ltr", latin_lang)


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def answer_text(value: Any) -> str:
    """Every piece of text a user typed into an answer value, markup removed."""
    return "\n".join(richtext.html_to_text(s) if "<" in s else s for s in _strings(value))


def detect_answer(value: Any, default_lang: str = "en") -> TextDirection:
    return detect(answer_text(value), default_lang)
