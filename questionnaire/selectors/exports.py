"""A cycle's answers for exports and the regional compilation."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import i18n
from ..models import (
    SENT_STATUSES,
    Answer,
    Country,
    Objective,
    Question,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    SubmissionStatus,
)
from .progress import submissions_progress, version_rules
from .versions import objectives_for, version_sections


@dataclass
class CountryAnswers:
    """One country of an exported cycle: its submission, and its answers when it is exported."""

    country: Country
    submission: Submission | None
    included: bool
    # question id → answer, for the questions the submission shows (conditions.answer_states):
    # a hidden question's kept answer is not exported.
    answers: dict[int, Answer] = field(default_factory=dict)
    # The questions its earlier answers hide (not exported at all: no row in the long table).
    hidden: frozenset[int] = frozenset()

    def shows(self, question: Question) -> bool:
        return question.pk not in self.hidden


@dataclass
class CycleAnswers:
    cycle: ReviewCycle
    sections: list[Section]
    rows: list[CountryAnswers]
    objectives: list[Objective]
    statuses: tuple[str, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.question_list]

    @property
    def included(self) -> list[CountryAnswers]:
        return [row for row in self.rows if row.included]


def cycle_answers(
    *, cycle: ReviewCycle, include_drafts: bool = False, published_only: bool = False
) -> CycleAnswers:
    """Everything an export of the cycle needs, in a fixed number of queries (ten at most).

    One row per participating country (and per country whose exported submission outlived its
    participation), by name. Answers are read only for submissions in `SENT_STATUSES`, plus
    drafts when `include_drafts`, and only for the questions each submission shows by the one
    rule (conditions.answer_states): a hidden question's kept answer is left out. Callers check
    the permission first (`export_cycle_get`). `published_only`: the published submissions and
    nothing else, not even a row for the other countries (the public downloads).
    """
    statuses = SENT_STATUSES + ((SubmissionStatus.DRAFT,) if include_drafts else ())
    if published_only:
        statuses = (SubmissionStatus.PUBLISHED,)
    sections = version_sections(version=cycle.version)
    submissions = {
        s.country_id: s
        for s in Submission.objects.filter(cycle=cycle).select_related("country", "cycle")
    }
    exported = [s for s in submissions.values() if s.status in statuses]
    submissions_progress(exported, rules=version_rules({cycle.version_id}))
    hidden = {s.pk: _hidden(s) for s in exported}
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(submission__cycle=cycle, submission__status__in=statuses):
        if answer.question_id not in hidden[answer.submission_id]:
            answers.setdefault(answer.submission_id, {})[answer.question_id] = answer
    countries = {c.pk: c for c in cycle.countries.all()}
    for submission in submissions.values():
        if submission.status in statuses:
            countries.setdefault(submission.country_id, submission.country)
    rows = []
    for country in sorted(countries.values(), key=lambda c: (c.name, c.iso2)):
        submission = submissions.get(country.pk)
        included = submission is not None and submission.status in statuses
        if published_only and not included:
            continue
        rows.append(
            CountryAnswers(
                country=country,
                submission=submission,
                included=included,
                answers=answers.get(submission.pk, {}) if included else {},
                hidden=hidden[submission.pk] if included else frozenset(),
            )
        )
    return CycleAnswers(
        cycle=cycle,
        sections=sections,
        rows=rows,
        objectives=objectives_for(sections=sections),
        statuses=statuses,
    )


def _hidden(submission: Submission) -> frozenset[int]:
    """The questions the submission's earlier answers hide (`submissions_progress` states)."""
    return frozenset(pk for pk, state in submission.states.items() if not state.printed)


@dataclass
class ExportCounts:
    countries: int
    by_status: dict[str, int]

    @property
    def sent(self) -> int:
        return sum(self.by_status.get(status, 0) for status in SENT_STATUSES)

    @property
    def drafts(self) -> int:
        return self.by_status.get(SubmissionStatus.DRAFT, 0)

    @property
    def statuses(self) -> list[tuple[str, int]]:
        """(label, count) of each status some submission is in, in workflow order."""
        return [
            (status.label, self.by_status[status])
            for status in SubmissionStatus
            if self.by_status.get(status)
        ]


def cycle_export_counts(*, cycle: ReviewCycle) -> ExportCounts:
    """How many countries take part in the cycle and how many submissions are in each status,
    for the exports page to say what a download will hold. Two queries."""
    by_status: dict[str, int] = {}
    for status in Submission.objects.filter(cycle=cycle).values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    return ExportCounts(countries=cycle.countries.count(), by_status=by_status)


def submission_for_country_and_cycle(*, iso2: str, cycle_slug: str) -> Submission:
    """A country's submission in a cycle, for system jobs that run without a user (commands).

    No permission check: callers serving a user go through `submission_get`. Raises the
    DoesNotExist of whichever is missing (country, cycle or submission) with a message that
    says which.
    """
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise Country.DoesNotExist(f"No country has the ISO code {iso2!r}.")
    cycle = ReviewCycle.objects.filter(slug=cycle_slug).first()
    if cycle is None:
        raise ReviewCycle.DoesNotExist(f"No review cycle has the slug {cycle_slug!r}.")
    submission = (
        Submission.objects.select_related("cycle__version__questionnaire", "country")
        .filter(cycle=cycle, country=country)
        .first()
    )
    if submission is None:
        raise Submission.DoesNotExist(f"{country.name_en} has no submission in {cycle.slug}.")
    return submission


def cycle_compilation_annex(*, cycle: ReviewCycle, statuses) -> dict:
    """For the compilation's annexes: the country × objective matrix and, per question, every
    compiled country's answer, by the one rule (conditions.answer_states): a country whose
    earlier answers hide the question is named apart (`not_shown`) and its kept answer left out;
    a hidden or "Not applicable" grid leaves the country's matrix row empty. A fixed number of
    queries whatever the size of the cycle."""
    submissions = list(
        Submission.objects.filter(cycle=cycle, status__in=statuses)
        .select_related("country", "cycle")
        .order_by("country__name_en")
    )
    submissions_progress(submissions, rules=version_rules({cycle.version_id}))
    sections = version_sections(version=cycle.version)
    states = {s.pk: s.states for s in submissions}
    answers = {
        (a.submission_id, a.question_id): a
        for a in Answer.objects.filter(submission__in=submissions)
        if states[a.submission_id][a.question_id].printed
    }
    questions = [q for section in sections for q in section.question_list]
    grids = [q for q in questions if q.type == QuestionType.OBJECTIVES_GRID]
    section_of = {q.pk: section for section in sections for q in section.question_list}
    objectives = list(Objective.objects.order_by("number")) if grids else []
    matrix = []
    for grid in grids:
        # Each step of the scale goes by its number in every language (a code that fits a
        # narrow cell and reads the same in the English, French and Arabic compilations), with
        # its colour (`tone`, as on the dashboard) and a legend.
        steps = {
            step.get("value", ""): {"code": str(index + 1), "tone": index,
                                    "label": i18n.option_label(step)}
            for index, step in enumerate(grid.type_handler.scale(grid.options or {}))
        }  # fmt: skip
        rows = []
        for submission in submissions:
            answer = answers.get((submission.pk, grid.pk))
            value = answer.value if answer and isinstance(answer.value, dict) else {}
            if answer and answer.not_applicable_reason:
                value = {}  # the kept value is not the answer
            cells = []
            for objective in objectives:
                entry = value.get(str(objective.number)) or {}
                step = steps.get(entry.get("status") or "")
                cells.append(
                    {"objective": objective, "step": step, "note": entry.get("note") or ""}
                )
            rows.append(
                {
                    "country": submission.country,
                    "language": submission.language,
                    "cells": cells,
                    "notes": [cell for cell in cells if cell["note"]],
                }
            )
        matrix.append(
            {
                "question": grid,
                "section": section_of[grid.pk],
                "scale": list(steps.values()),
                "rows": rows,
                "has_notes": any(row["notes"] for row in rows),
            }
        )
    by_question = [
        {
            "section": section,
            "question": question,
            "answers": [
                {
                    "country": s.country,
                    "language": s.language,
                    "answer": answers.get((s.pk, question.pk)),
                }
                for s in submissions
                if s.states[question.pk].printed
            ],
            "not_shown": [s.country for s in submissions if not s.states[question.pk].printed],
        }
        for section in sections
        for question in section.question_list
        if question.type != QuestionType.OBJECTIVES_GRID
    ]
    return {
        "submissions": submissions,
        "objectives": objectives,
        "matrix": matrix,
        "by_question": by_question,
    }
