"""Searching a cycle's answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Window,
)
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .. import search
from ..models import (
    SENT_STATUSES,
    Answer,
    ReviewCycle,
    Submission,
    SubmissionStatus,
)
from .progress import submissions_progress, version_rules


@dataclass
class SearchHit:
    answer: Answer  # with its submission, country, question and section
    snippet: SafeString

    @property
    def is_draft(self) -> bool:
        return self.answer.submission.status == SubmissionStatus.DRAFT


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    full_text: bool  # PostgreSQL's full-text search (else the regular-expression fallback)
    limit: int
    ignored: list[str] = field(default_factory=list)  # the stop words left out of the query
    searched: bool = True  # False when nothing was left to look for (only common words)

    @property
    def country_count(self) -> int:
        return len({hit.answer.submission.country_id for hit in self.hits})

    @property
    def truncated(self) -> bool:
        return self.total > len(self.hits)


def _without_hidden(cycle: ReviewCycle, answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """`answers` less "Not applicable" ones and those of questions their submission hides."""
    answers = answers.filter(not_applicable_reason="")
    rules = version_rules({cycle.version_id})
    if not any(question.rules for question in rules[cycle.version_id]):
        return answers  # no conditions: every question is shown
    submissions = list(Submission.objects.filter(cycle=cycle).select_related("cycle"))
    submissions_progress(submissions, rules=rules)
    hidden = Q()
    for submission in submissions:
        pks = [pk for pk, state in submission.states.items() if not state.shown]
        if pks:
            hidden |= Q(submission=submission.pk, question__in=pks)
    return answers.exclude(hidden) if hidden else answers


def cycle_answer_search(
    *,
    cycle: ReviewCycle,
    query: str,
    include_drafts: bool = True,
    limit: int | None = None,
    language: str | None = None,
) -> SearchResults:
    """The answers of the cycle that match `query`, best first, each with a highlighted snippet
    (see `search`: full-text on PostgreSQL, regular expressions on SQLite, the same words
    either way). `language` is the one searched in (the page's by default): its stop words are
    left out. Answers that are not the country's answer now are not searched: "Not
    applicable" (the value it keeps is not the answer) and those of questions its earlier
    answers hide (conditions.answer_states). One query whatever the number of countries, after
    two for the questionnaire's conditions and, when it has some, three or four for the states.
    Callers check the permission (`cycle_get_for_staff`) and the query's length first."""
    limit = limit or search.RESULT_LIMIT
    parsed = search.parse(query, language=language or get_language())
    answers = Answer.objects.filter(submission__cycle=cycle)
    if not include_drafts:
        answers = answers.filter(submission__status__in=SENT_STATUSES)
    answers = _without_hidden(cycle, answers)
    matched, full_text = search.answers_matching(answers, parsed)
    # The number of matches comes with the rows (a window over the whole match), so the text
    # is searched once rather than once more for a count.
    found = list(
        matched.annotate(match_count=Window(Count("pk")))
        .select_related("submission__country", "question__section")
        .defer("value")[:limit]
    )
    hits = [
        SearchHit(answer=a, snippet=search.snippet(a, parsed, full_text=full_text)) for a in found
    ]
    total = found[0].match_count if found else 0
    return SearchResults(
        query=query,
        hits=hits,
        total=total,
        full_text=full_text,
        limit=limit,
        ignored=parsed.ignored,
        searched=not parsed.is_empty,
    )
