"""How sections and questions are numbered, in each language.

The questionnaire numbers its sections with Roman numerals and its questions with Latin letters
("I.a"), and that reference is the same in every language: the pages, the URLs and ESCWA's
cross-language work use it. A document set in Arabic labels them as UN Arabic documents do
instead: sections by ordinal (أولاً، ثانياً …) and questions by the letters in abjad order (أ، ب،
ج، د، هـ …), with the Latin reference beside them where a reader needs to find the same question
in the English or French text.
"""

from __future__ import annotations

import re
import unicodedata

# Ordinals for section numbers 1 to 20, as UN Arabic documents head their parts.
_ARABIC_ORDINALS = (
    "أولاً", "ثانياً", "ثالثاً", "رابعاً", "خامساً", "سادساً", "سابعاً", "ثامناً", "تاسعاً",
    "عاشراً", "حادي عشر", "ثاني عشر", "ثالث عشر", "رابع عشر", "خامس عشر", "سادس عشر",
    "سابع عشر", "ثامن عشر", "تاسع عشر", "عشرون",
)  # fmt: skip
# a, b, c … in the abjad order UN Arabic documents letter their items with.
_ARABIC_LETTERS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        ("أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع",
         "ف", "ص", "ق", "ر", "ش", "ت", "ث", "خ", "ذ", "ض"),
        strict=True,
    )
)  # fmt: skip
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_ROMAN_RE = re.compile(r"^(X{0,2})(IX|IV|V?I{0,3})$")


def roman_to_int(numeral: str) -> int | None:
    """1 to 29 for a Roman numeral ("XIV" → 14), else None."""
    numeral = numeral.strip().upper()
    if not numeral or not _ROMAN_RE.match(numeral):
        return None
    total = 0
    for index, char in enumerate(numeral):
        value = _ROMAN[char]
        following = _ROMAN[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def is_arabic(language: str | None) -> bool:
    return (language or "").split("-")[0].lower() == "ar"


def question_reference(section_number: str, label: str) -> str:
    """The reference a question goes by in every language: "I.a"."""
    return f"{section_number}.{label}"


def section_label(section_number: str, language: str | None) -> str:
    """The section's number as a heading in `language` shows it: "I" or "أولاً"."""
    if is_arabic(language):
        number = roman_to_int(section_number)
        if number is not None and number <= len(_ARABIC_ORDINALS):
            return _ARABIC_ORDINALS[number - 1]
    return section_number


def section_heading(section_number: str, title: str, language: str | None) -> str:
    """ "I. Methodology …", in Arabic "أولاً- منهجية …"."""
    if is_arabic(language):
        return f"{section_label(section_number, language)}- {title}"
    return f"{section_number}. {title}"


def question_label(section_number: str, label: str, language: str | None) -> str:
    """The question's label in `language`: "I.a", or in Arabic its letter "أ)" (a label that is
    not one Latin letter is kept as it is)."""
    if is_arabic(language):
        return _ARABIC_LETTERS.get(label.lower(), label) + ")"
    return question_reference(section_number, label)


def has_own_labels(language: str | None) -> bool:
    """Whether `language` labels sections and questions otherwise than the reference ("I.a")."""
    return is_arabic(language)


def question_labels(section_number: str, label: str, language: str | None) -> tuple[str, str]:
    """(the question's label in `language`, the reference to print beside it): ("I.a", "") in
    English and French, ("أ)", "I.a") in Arabic."""
    reference = question_reference(section_number, label) if has_own_labels(language) else ""
    return question_label(section_number, label, language), reference


# --- Read back: the numbers a typed heading or label states (questionnaire/word/matching.py) ---

_ROMAN_VALUES = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
# "II. Public policy…", "II- …", "II) …", "Section II", "Partie II": a numeral that opens the
# heading, followed by punctuation unless a word names it ("I think…" is no heading).
_SECTION_HEADING_RE = re.compile(
    r"^\s*(?:(?:section|partie)\s+(?P<named>[IVX]{1,5})\b|(?P<bare>[IVX]{1,5})\s*[.\-–—):])",
    re.IGNORECASE,
)
_LATIN_OF_ARABIC = {letter: latin for latin, letter in _ARABIC_LETTERS.items()}


def int_to_roman(number: int) -> str:
    """ "XIV" for 14 (1 to 39)."""
    text = ""
    for value, numeral in _ROMAN_VALUES:
        while number >= value:
            text, number = text + numeral, number - value
    return text


def _without_marks(text: str) -> str:
    """Arabic without its vowel marks and tanween (أولاً = أولا)."""
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def section_number_of(heading: str) -> str:
    """The Roman number of the section a heading opens, as `section_heading` writes it in any
    language ("II. Public policy…", "ثانياً- …") or as people type it ("Section II"); "" when the
    text opens no section."""
    match = _SECTION_HEADING_RE.match(heading)
    if match:
        numeral = (match.group("named") or match.group("bare")).upper()
        if roman_to_int(numeral):
            return numeral
    plain = _without_marks(heading).lstrip()
    for index, ordinal in enumerate(_ARABIC_ORDINALS):
        if plain.startswith(_without_marks(ordinal)):
            return int_to_roman(index + 1)
    return ""


def latin_letter(arabic_letter: str) -> str:
    """The Latin letter a question's Arabic label stands for ("ج" → "c"), "" for another."""
    return _LATIN_OF_ARABIC.get(arabic_letter, "")
