"""Which question each row of a Word document answers (docs/word.md).

In order of trust:

1. **the hidden bookmark** the portal put around each question's text (`format.bookmark_name`),
   the same in every version that keeps the question's key;
2. **the section and the question's letter** ("II" from the heading above the table, "c" from
   "c)", "II.c" or "ج)"), when the row's text is still recognisably that question's;
3. **the question's text** alone, in any of the version's languages, when it is clearly one
   question's and no other's.

Texts are compared loosely (`reading.normal`: smart quotes, case, spaces and Arabic vowel marks
folded) word by word, so a question re-wrapped, retyped with a word changed or followed by a
note still matches.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from ..i18n import TRANSLATION_LANGUAGES
from ..numbering import latin_letter, roman_to_int, section_number_of
from . import format as word_format
from .reader import Row
from .reading import normal

BY_KEY = "key"
BY_LABEL = "label"
BY_TEXT = "text"
# How much of a question's words, in order, a row must hold.
LABEL_AGREES = 0.35  # with its section and letter right: the question was retyped
TEXT_ALONE = 0.6  # without them
_WORD_RE = re.compile(r"\w+")
_REFERENCE_RE = re.compile(r"^\s*\(?\s*([IVXivx]{1,5})\s*[.\-]\s*([a-zA-Z])\s*[).:\-]?\s")
_LETTER_RE = re.compile(r"^\s*\(?\s*([a-zA-Z])\s*[).:\-–]\s*")
_ARABIC_LETTER_RE = re.compile(r"^\s*\(?\s*(هـ|[\u0621-\u064a])\s*[).:\-–]\s*")


@dataclasses.dataclass
class Match:
    question: object  # Question
    row: Row
    how: str  # BY_KEY, BY_LABEL or BY_TEXT


@dataclasses.dataclass
class Matching:
    matches: list[Match]  # in the questionnaire's order
    unmatched: list  # questions no row answers
    unplaced: list[Row]  # rows that answer no question


def words(text: str) -> list[str]:
    return _WORD_RE.findall(normal(text))


def coverage(question_words: list[str], row_words: list[str]) -> float:
    """The share of the question's words found in the row, in order."""
    if not question_words or not row_words:
        return 0.0
    matcher = difflib.SequenceMatcher(None, question_words, row_words, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(question_words)


def reference_of(row: Row) -> tuple[str, str]:
    """(section, letter) the row's question cell names, as far as it names them."""
    text = row.question_text
    match = _REFERENCE_RE.match(text)
    if match and roman_to_int(match.group(1)):
        return match.group(1).upper(), match.group(2).lower()
    section = section_number_of(row.section)
    match = _LETTER_RE.match(text)
    if match:
        return section, match.group(1).lower()
    match = _ARABIC_LETTER_RE.match(text)
    if match and latin_letter(match.group(1)):
        return section, latin_letter(match.group(1))
    return section, ""


def question_texts(question) -> list[str]:
    texts = [question.text] + [
        getattr(question, f"text_{code}", "") for code in TRANSLATION_LANGUAGES
    ]
    return [text for text in texts if text]


def match_rows(rows: list[Row], questions: list) -> Matching:
    """Match `rows` to `questions` (a version's, in order)."""
    by_bookmark = {word_format.bookmark_name(q.key): q for q in questions}
    taken: dict[int, Match] = {}
    waiting: list[Row] = []
    unplaced: list[Row] = []
    for row in rows:
        question = next((by_bookmark[b] for b in row.bookmarks if b in by_bookmark), None)
        if question is not None and question.pk not in taken:
            taken[question.pk] = Match(question, row, BY_KEY)
        elif question is not None:
            unplaced.append(row)  # the same question twice: the first row answers it
        else:
            waiting.append(row)
    vocabulary = {q.pk: [words(text) for text in question_texts(q)] for q in questions}

    def score(question, row_words) -> float:
        return max((coverage(text, row_words) for text in vocabulary[question.pk]), default=0)

    for row in waiting:
        row_words = words(row.question_text)
        free = [q for q in questions if q.pk not in taken]
        section, letter = reference_of(row)
        named = [
            q
            for q in free
            if letter and q.label.lower() == letter and (not section or q.section.number == section)
        ]
        if len(named) == 1 and score(named[0], row_words) >= LABEL_AGREES:
            taken[named[0].pk] = Match(named[0], row, BY_LABEL)
            continue
        scored = sorted(((score(q, row_words), i, q) for i, q in enumerate(free)), reverse=True)
        if (
            scored
            and scored[0][0] >= TEXT_ALONE
            and (len(scored) == 1 or scored[1][0] < scored[0][0])
        ):
            taken[scored[0][2].pk] = Match(scored[0][2], row, BY_TEXT)
        else:
            unplaced.append(row)
    matches = [taken[q.pk] for q in questions if q.pk in taken]
    unmatched = [q for q in questions if q.pk not in taken]
    unplaced.sort(key=lambda row: row.position)
    return Matching(matches=matches, unmatched=unmatched, unplaced=unplaced)
