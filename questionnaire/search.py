"""Full-text search over the answers of a cycle, and the highlighted snippets of its results.

A query is read once, in Python (`parse`), as PostgreSQL's `websearch_to_tsquery` reads it:
every word must appear, "a quoted phrase" in that order, `-word` leaves out, `or` between two
terms finds either. The stop words of the language searched in (`stopwords`: PostgreSQL's English
and French lists, and Arabic function words) are dropped from it, so that they are neither
required nor highlighted; the page names what it left out.

On PostgreSQL the search is the database's full-text search: `to_tsvector('simple', text)` over
`Answer.text` (the plain text `services.answer_save` keeps beside each value), the parsed query
written back in websearch syntax, `ts_rank` for the order and `ts_headline` for the snippet (over
the words to find, so that it marks no stop word). The 'simple' configuration lowercases and
splits words but does not stem: the answers are in English, French and Arabic, and no one
language's stemmer suits the three. Migration 0004 adds the matching GIN index.

Elsewhere (SQLite, for a developer's machine) the same parsed query becomes regular expressions
(whole words, case aside, a phrase's words in order), and the snippet is cut around the first
match in Python.

Snippets are user text: they are escaped first and only then given `<mark>` tags, so an answer
that contains markup shows it as text and never as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import stopwords
from .models import Answer

MAX_QUERY_LENGTH = 200
RESULT_LIMIT = 100
SNIPPET_CHARS = 240  # the SQLite fallback's window around the first match

# ts_headline's highlight markers: characters of Unicode's private use area, which no language
# of the portal writes. Anything that looks like them in an answer is removed before the
# snippet is built, so they can only come from ts_headline.
START_MARK = "\ue000"
STOP_MARK = "\ue001"
HEADLINE_OPTIONS = {
    "start_sel": START_MARK,
    "stop_sel": STOP_MARK,
    "max_words": 30,
    "min_words": 12,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


def highlighted(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """`text` escaped, with each (start, end) span in `<mark>`. Spans must not overlap."""
    parts, position = [], 0
    for start, end in sorted(spans):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    # Every piece of text went through escape(); the only markup is <mark>.
    return mark_safe("".join(parts))  # noqa: S308  # nosec


def snippet_from_headline(headline: str) -> SafeString:
    """A ts_headline output (text with START_MARK/STOP_MARK around matches) as safe HTML.

    The text between the markers is escaped like the rest; a marker without its pair (a match cut
    by a fragment boundary) closes at the end of the snippet.
    """
    headline = " ".join(headline.split())
    plain, spans, start = [], [], None
    length = 0
    for char in headline:
        if char == START_MARK:
            start = length if start is None else start
        elif char == STOP_MARK:
            if start is not None:
                spans.append((start, length))
                start = None
        else:
            plain.append(char)
            length += 1
    if start is not None:
        spans.append((start, length))
    return highlighted("".join(plain), [(a, b) for a, b in spans if b > a])


# What websearch reads: "a quoted phrase" (to the end when the quote is not closed), a word,
# either with a minus directly before it to leave it out, and `or` between two of them.
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of a query. `text` is what the person typed (without quotes),
    `words` its words as the search compares them (a word such as "l'intérieur" or
    "co-operation" is a short phrase: its parts must follow each other)."""

    text: str
    exclude: bool = False

    @property
    def words(self) -> list[str]:
        return _WORD_RE.findall(self.text)


@dataclass
class ParsedQuery:
    """A query as both databases search it: any of `groups` (separated by `or`), each matching
    when all its terms do (a term with `exclude` when it does not appear); `ignored` are the
    stop words left out; `highlight` the words to mark in a snippet."""

    groups: list[list[Term]]
    ignored: list[str]
    stop_words: frozenset[str] = frozenset()

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no group names a word to find (leaving words out finds
        nothing by itself)."""
        return not any(not term.exclude for term in self.terms)

    @property
    def highlight(self) -> list[str]:
        """The words to mark: every word of a term to find, stop words aside (in a phrase too:
        "ministry of interior" marks "ministry" and "interior")."""
        words: dict[str, str] = {}
        for term in self.terms:
            if term.exclude:
                continue
            for word in term.words:
                if word.casefold() not in self.stop_words:
                    words.setdefault(word.casefold(), word)
        return list(words.values())

    def websearch(self) -> str:
        """The query again in websearch syntax, each term quoted (so that a term "or" stays a
        word), for PostgreSQL's `websearch_to_tsquery`."""
        return " or ".join(
            " ".join(f'{"-" if term.exclude else ""}"{term.text}"' for term in group)
            for group in self.groups
        )


def parse(query: str, *, language: str | None = None) -> ParsedQuery:
    """`query` read as PostgreSQL's websearch reads it (words, "quoted phrases", `-` to leave a
    term out, `or`), without the stop words of the language searched in (`stopwords`): a term
    made only of stop words ("of", "the") is dropped, in quotes or not, and so are those at
    either end of a word written with an apostrophe or a hyphen (the French "l'" of
    "l'intérieur"). A quoted phrase with other words keeps its stop words: "ministry of
    interior" is found as written."""
    stop = stopwords.stop_words(language)
    tokens: list[Term | None] = []  # None: `or`
    for match in _TOKEN_RE.finditer(query):
        quoted = match.group(2) is not None
        minus, text = (match.group(1), match.group(2)) if quoted else match.group(3, 4)
        text = " ".join(text.split()).lstrip("-")
        if not quoted and text.lower() == "or":
            tokens.append(None)
        elif _WORD_RE.search(text):
            if not quoted:
                text = _trim_stop_words(text, stop)
            tokens.append(Term(text=text, exclude=bool(minus)))
    # `or` joins the terms on either side; at the start or the end it is a word, as in
    # websearch (and a stop word in English).
    if tokens and tokens[0] is None:
        tokens[0] = Term(text="or")
    if tokens and tokens[-1] is None:
        tokens[-1] = Term(text="or")
    groups: list[list[Term]] = [[]]
    ignored: list[str] = []
    for token in tokens:
        if token is None:
            if groups[-1]:
                groups.append([])
        elif all(word.casefold() in stop for word in token.words):
            if token.text.casefold() not in (w.casefold() for w in ignored):
                ignored.append(token.text)
        else:
            groups[-1].append(token)
    return ParsedQuery(groups=[g for g in groups if g], ignored=ignored, stop_words=stop)


def _trim_stop_words(text: str, stop: frozenset[str]) -> str:
    """`text` without the stop words at its ends ("l'intérieur" → "intérieur"), unless it is
    nothing but stop words (then the caller drops it whole)."""
    kept = [m for m in _WORD_RE.finditer(text) if m.group().casefold() not in stop]
    return text[kept[0].start() : kept[-1].end()] if kept else text


def _word_pattern(words: list[str]) -> str:
    """A regular expression for `words` as whole words in this order, anything that is not a
    letter or digit between them (as PostgreSQL's parser reads a phrase)."""
    return r"(?<!\w)" + r"\W+".join(re.escape(word) for word in words) + r"(?!\w)"


def snippet_around_terms(text: str, words: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of `text` around the first of `words`, every occurrence of each marked (whole
    words, case aside)."""
    text = " ".join(text.split())
    pattern = (
        re.compile(
            r"(?<!\w)(?:"
            + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            + r")(?!\w)",
            re.IGNORECASE,
        )
        if words
        else None
    )
    first = pattern.search(text) if pattern else None
    begin = 0
    if first is not None and first.start() > width // 3:
        begin = first.start() - width // 3
        # Start at a word boundary so the snippet does not open with half a word.
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first.start() else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > (first.end() if first else begin) else end
    window = text[begin:end]
    spans = [m.span() for m in pattern.finditer(window)] if pattern else []
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    # Escaped text around highlighted()'s escaped text and <mark> tags.
    snippet = escape(prefix) + highlighted(window, spans) + escape(suffix)
    return mark_safe(snippet)  # noqa: S308  # nosec


def _strip_markers(text: str) -> str:
    return text.replace(START_MARK, "").replace(STOP_MARK, "")


def answers_matching(
    answers: QuerySet[Answer], parsed: ParsedQuery
) -> tuple[QuerySet[Answer], bool]:
    """`answers` narrowed to those matching the `parsed` query, best first; and whether the
    database's full-text search did it. Each answer carries `snippet_source` (the headline on
    PostgreSQL, the text elsewhere) for `snippet`."""
    if parsed.is_empty:
        return answers.none(), uses_full_text_search()
    if uses_full_text_search():
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        vector = SearchVector("text", config="simple")
        search = SearchQuery(parsed.websearch(), config="simple", search_type="websearch")
        # The headline marks the words found, never the stop words (not even in a phrase).
        marked = SearchQuery(
            " or ".join(f'"{word}"' for word in parsed.highlight),
            config="simple",
            search_type="websearch",
        )
        matched = (
            answers.annotate(document=vector)
            .filter(document=search)
            .annotate(
                rank=SearchRank(vector, search),
                # The answer's own look-alikes of the markers go before ts_headline adds its own.
                snippet_source=SearchHeadline(
                    Replace(Replace(F("text"), Value(START_MARK)), Value(STOP_MARK)),
                    marked,
                    config="simple",
                    **HEADLINE_OPTIONS,
                ),
            )
            .order_by("-rank", "submission__country__name_en", "pk")
        )
        return matched, True
    # Elsewhere the same query with regular expressions: whole words, case aside (SQLite's
    # REGEXP is Python's `re`, which folds case beyond ASCII, unlike its LIKE).
    condition = Q()
    for group in parsed.groups:
        both = Q()
        for term in group:
            found = Q(text__iregex=_word_pattern(term.words))
            if term.exclude:
                both &= ~found
                continue
            # LIKE is SQLite's own and fast, but folds case for ASCII letters only: it first
            # narrows the answers by the words it reads right, then the expression decides.
            for word in term.words:
                if all(c.isascii() or c.lower() == c.upper() for c in word):
                    both &= Q(text__icontains=word)
            both &= found
        condition |= both
    matched = (
        answers.filter(condition)
        .annotate(snippet_source=F("text"))
        .order_by("submission__country__name_en", "question__section__order", "question__order")
    )
    return matched, False


def snippet(answer: Answer, parsed: ParsedQuery, *, full_text: bool) -> SafeString:
    """The highlighted extract of a matching answer, as safe HTML."""
    if full_text:
        return snippet_from_headline(answer.snippet_source)
    return snippet_around_terms(_strip_markers(answer.snippet_source), parsed.highlight)
