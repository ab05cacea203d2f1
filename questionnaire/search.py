"""Full-text search over the answers of a cycle, and the highlighted snippets of its results.

On PostgreSQL the search is the database's full-text search: `to_tsvector('simple', text)` over
`Answer.text` (the plain text `services.answer_save` keeps beside each value), a `websearch`
query, `ts_rank` for the order and `ts_headline` for the snippet. The 'simple' configuration
lowercases and splits words but does not stem: the answers are in English, French and Arabic, and
no one language's stemmer suits the three. Migration 0004 adds the matching GIN index.

Elsewhere (SQLite, for a developer's machine) every word or quoted phrase must appear
(`icontains`), and the snippet is cut around the first match in Python.

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


_TERM_RE = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')


@dataclass(frozen=True)
class Term:
    text: str
    exclude: bool = False


def parse_terms(query: str) -> list[Term]:
    """The words and "quoted phrases" of a query, as websearch reads them: `-word` excludes,
    `or` is dropped (the fallback requires every term)."""
    terms = []
    for match in _TERM_RE.finditer(query):
        minus, text = (match.group(1), match.group(2)) if match.group(2) else match.groups()[2:]
        text = " ".join(text.split()).strip("\"'")
        if not text or text.lower() == "or":
            continue
        terms.append(Term(text=text, exclude=bool(minus)))
    return terms


def snippet_around_terms(text: str, terms: list[Term], *, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of `text` around the first occurrence of a term, every occurrence marked."""
    text = " ".join(text.split())
    wanted = [t.text for t in terms if not t.exclude]
    pattern = (
        re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)), re.I)
        if wanted
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


def answers_matching(answers: QuerySet[Answer], query: str) -> tuple[QuerySet[Answer], bool]:
    """`answers` narrowed to those matching `query`, best first; and whether the database's
    full-text search did it. Each answer carries `snippet_source` (the headline on PostgreSQL,
    the text elsewhere) for `snippet`."""
    if uses_full_text_search():
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        vector = SearchVector("text", config="simple")
        search = SearchQuery(query, config="simple", search_type="websearch")
        matched = (
            answers.annotate(document=vector)
            .filter(document=search)
            .annotate(
                rank=SearchRank(vector, search),
                # The answer's own look-alikes of the markers go before ts_headline adds its own.
                snippet_source=SearchHeadline(
                    Replace(Replace(F("text"), Value(START_MARK)), Value(STOP_MARK)),
                    search,
                    config="simple",
                    **HEADLINE_OPTIONS,
                ),
            )
            .order_by("-rank", "submission__country__name_en", "pk")
        )
        return matched, True
    condition = Q()
    terms = parse_terms(query)
    for term in terms:
        if term.exclude:
            condition &= ~Q(text__icontains=term.text)
        else:
            condition &= Q(text__icontains=term.text)
    if not any(not t.exclude for t in terms):
        return answers.none(), False
    matched = (
        answers.filter(condition)
        .annotate(snippet_source=F("text"))
        .order_by("submission__country__name_en", "question__section__order", "question__order")
    )
    return matched, False


def snippet(answer: Answer, query: str, *, full_text: bool) -> SafeString:
    """The highlighted extract of a matching answer, as safe HTML."""
    if full_text:
        return snippet_from_headline(answer.snippet_source)
    return snippet_around_terms(_strip_markers(answer.snippet_source), parse_terms(query))
