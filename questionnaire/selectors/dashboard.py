"""ESCWA's cycle pages: the dashboard of countries, one question across countries, the objectives
matrix."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from .. import i18n
from ..conditions import AnswerState
from ..models import (
    SENT_STATUSES,
    Answer,
    Country,
    DeadlineExtension,
    Objective,
    Question,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    SubmissionStatus,
)
from ..types.objectives_grid import OBJECTIVE_COUNT
from .comments import open_comment_counts
from .progress import (
    _STATUS_ORDER,
    DASHBOARD_STATUS_LABELS,
    DID_NOT_TAKE_PART_LABEL,
    NO_SUBMISSION,
    DaysLeft,
    _deadline,
    blank_progress,
    dashboard_statuses,
    no_submission_label,
    submissions_progress,
    version_rules,
)
from .versions import version_sections


def _countries_of(cycle: ReviewCycle, submissions) -> list[Country]:
    """The cycle's countries, plus any whose submission outlived its participation, by name."""
    countries = {c.pk: c for c in cycle.countries.all()}
    for submission in submissions:
        countries.setdefault(submission.country_id, submission.country)
    return sorted(countries.values(), key=lambda c: (c.name, c.iso2))


@dataclass
class DashboardRow(DaysLeft):
    """One country of a cycle on the staff dashboard."""

    country: Country
    submission: Submission | None
    answered: int
    # Carried forward from the previous cycle and neither edited nor confirmed by the country.
    unreviewed: int
    total: int  # the questions shown to the country (conditions may hide some)
    missing_required: int
    deadline: datetime.date  # the cycle's, or the country's extension
    extension: DeadlineExtension | None
    # Days from today to `deadline` while the next move is the country's and the cycle is
    # open (negative: overdue); None otherwise.
    days_left: int | None
    open_comments: int
    # A closed cycle's country without a submission: it did not take part, so nothing was
    # missing or due (its counts are not shown, and sort last).
    absent: bool = False

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else NO_SUBMISSION

    @property
    def status_label(self) -> str:
        if self.absent:
            return str(DID_NOT_TAKE_PART_LABEL)
        return DASHBOARD_STATUS_LABELS[self.status]

    @property
    def completion(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.completion)


DASHBOARD_SORTS = {
    "country": lambda row: (row.country.name.casefold(), row.country.iso2),
    "status": lambda row: _STATUS_ORDER[row.status],
    "completion": lambda row: None if row.absent else row.completion,
    "missing": lambda row: None if row.absent else row.missing_required,
    "activity": lambda row: row.submission.updated_at if row.submission else None,
    "submitted": lambda row: row.submission.submitted_at if row.submission else None,
    "accepted": lambda row: row.submission.accepted_at if row.submission else None,
    "deadline": lambda row: row.days_left,
    "comments": lambda row: row.open_comments,
}


def dashboard_sort(rows: list[DashboardRow], *, sort: str, descending: bool = False):
    """Rows ordered by one of DASHBOARD_SORTS; rows without a value (no date yet) come last
    either way, and equal values keep the countries' alphabetical order."""
    key = DASHBOARD_SORTS.get(sort, DASHBOARD_SORTS["country"])
    rows = sorted(rows, key=DASHBOARD_SORTS["country"])
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing


@dataclass
class StatusCount:
    value: str
    label: str
    count: int


@dataclass
class CycleDashboard:
    cycle: ReviewCycle
    today: datetime.date
    rows: list[DashboardRow]  # filtered and sorted
    all_rows: list[DashboardRow]
    total_questions: int
    required_questions: int

    @property
    def status_counts(self) -> list[StatusCount]:
        statuses = dashboard_statuses(cycle=self.cycle)
        counts = {value: 0 for value, _label in statuses}
        for row in self.all_rows:
            counts[row.status] += 1
        return [StatusCount(v, label, counts[v]) for v, label in statuses]

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.all_rows if row.is_overdue)

    @property
    def with_comments_count(self) -> int:
        return sum(1 for row in self.all_rows if row.open_comments)

    @property
    def extensions(self) -> list[DashboardRow]:
        return [row for row in self.all_rows if row.extension is not None]


def cycle_dashboard(
    *,
    cycle: ReviewCycle,
    sort: str = "country",
    descending: bool = False,
    status: str = "",
    overdue: bool = False,
    with_comments: bool = False,
    today: datetime.date | None = None,
) -> CycleDashboard:
    """Every country of the cycle with its status, completion, dates, days to its (possibly
    extended) deadline and open comments; filtered and sorted as asked, counted unfiltered.
    Deadlines count only while the cycle is open: once it is closed no one is overdue, and a
    country without a submission did not take part (`DashboardRow.absent`).

    Five queries whatever the number of countries and questions. Callers check the permission
    first (`cycle_get_for_staff`).
    """
    today = today or timezone.localdate()
    submissions = list(Submission.objects.filter(cycle=cycle).select_related("country", "cycle"))
    questions = submissions_progress(submissions, rules=version_rules({cycle.version_id}))[
        cycle.version_id
    ]
    blank = blank_progress(questions)
    extensions = {
        e.country_id: e
        for e in DeadlineExtension.objects.filter(cycle=cycle).select_related("granted_by")
    }
    comments = open_comment_counts(submissions=submissions)
    by_country = {s.country_id: s for s in submissions}
    rows = []
    for country in _countries_of(cycle, submissions):
        submission = by_country.get(country.pk)
        extension = extensions.get(country.pk)
        deadline, days_left = _deadline(
            cycle=cycle, submission=submission, extension=extension, today=today
        )
        progress = submission.progress if submission else blank
        rows.append(
            DashboardRow(
                country=country,
                submission=submission,
                answered=progress["answered"],
                unreviewed=progress["unreviewed"],
                total=progress["total"],
                missing_required=progress["missing_required"],
                deadline=deadline,
                extension=extension,
                days_left=days_left,
                open_comments=comments.get(submission.pk, 0) if submission else 0,
                absent=cycle.is_closed and submission is None,
            )
        )
    shown = [
        row
        for row in rows
        if (not status or row.status == status)
        and (not overdue or row.is_overdue)
        and (not with_comments or row.open_comments)
    ]
    return CycleDashboard(
        cycle=cycle,
        today=today,
        rows=dashboard_sort(shown, sort=sort, descending=descending),
        all_rows=rows,
        total_questions=len(questions),
        required_questions=sum(q.required for q in questions),
    )


@dataclass
class CountryAnswer:
    """One country's answer to one question (None when it has none), and where the question
    stands in its submission by the one rule (None without a submission)."""

    country: Country
    submission: Submission | None
    answer: Answer | None
    state: AnswerState | None = None

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def is_shown(self) -> bool:
        return self.state is not None and self.state.shown

    @property
    def has_answer(self) -> bool:
        """Shown in full: answered (a value or "Not applicable"), or carried forward from the
        previous cycle and not yet reviewed (`is_unreviewed`, marked as such)."""
        return self.state is not None and (self.state.answered or self.state.unreviewed)

    @property
    def is_unreviewed(self) -> bool:
        return self.state is not None and self.state.unreviewed

    @property
    def is_draft(self) -> bool:
        return self.submission is not None and self.submission.status == SubmissionStatus.DRAFT


@dataclass
class QuestionAcrossCountries:
    cycle: ReviewCycle
    question: Question
    sections: list[Section]  # every section with its questions, for the question picker
    rows: list[CountryAnswer]
    objectives: list[Objective]
    include_drafts: bool

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.question_list]

    @property
    def previous(self) -> Question | None:
        questions = self.questions
        index = questions.index(self.question)
        return questions[index - 1] if index > 0 else None

    @property
    def next(self) -> Question | None:
        questions = self.questions
        index = questions.index(self.question)
        return questions[index + 1] if index + 1 < len(questions) else None

    @property
    def answered(self) -> list[CountryAnswer]:
        """The countries that answered this question ("Not applicable" included, and answers
        carried forward not yet reviewed, marked), shown in full (before the others)."""
        return [row for row in self.rows if row.has_answer]

    @property
    def unanswered(self) -> list[CountryAnswer]:
        """The countries whose submission shows this question without an answer, named in one
        line."""
        return [row for row in self.rows if row.is_shown and not row.has_answer]

    @property
    def not_shown(self) -> list[CountryAnswer]:
        """The countries whose earlier answers hide this question (its conditions do not hold):
        it does not apply to them, and an answer they gave before is not theirs now."""
        return [row for row in self.rows if row.submission and not row.is_shown]

    @property
    def without_submission(self) -> list[Country]:
        """The countries with no submission (in a closed cycle: that did not take part)."""
        return [row.country for row in self.rows if row.submission is None]

    @property
    def no_submission_label(self) -> str:
        return no_submission_label(cycle=self.cycle)

    @property
    def answered_count(self) -> int:
        return len(self.answered)


def _submissions_shown(cycle: ReviewCycle, include_drafts: bool) -> list[Submission]:
    submissions = Submission.objects.filter(cycle=cycle).select_related("country", "cycle")
    if not include_drafts:
        submissions = submissions.filter(status__in=SENT_STATUSES)
    return list(submissions)


def cycle_question_across_countries(
    *, cycle: ReviewCycle, key: str, include_drafts: bool = True
) -> QuestionAcrossCountries:
    """One question of the cycle's questionnaire (by key, else 404) with every country's answer.

    Staff may read drafts: with `include_drafts` they are listed and marked; without, only
    countries that have sent their answers are. Five or six queries whatever the number of
    countries, and three or four more for where the question stands in each submission by the
    one rule (`submissions_progress`: hidden, answered, "Not applicable", carried unreviewed).
    Callers check the permission first (`cycle_get_for_staff`).
    """
    sections = version_sections(version=cycle.version)
    question = next(
        (q for section in sections for q in section.question_list if q.key == key), None
    )
    if question is None:
        raise Http404
    submissions = _submissions_shown(cycle, include_drafts)
    submissions_progress(submissions, rules=version_rules({cycle.version_id}))
    answers = {
        a.submission_id: a
        for a in Answer.objects.filter(
            submission__in=[s.pk for s in submissions], question=question
        )
    }
    by_country = {s.country_id: s for s in submissions}
    countries = (
        _countries_of(cycle, submissions)
        if include_drafts
        else sorted((s.country for s in submissions), key=lambda c: (c.name, c.iso2))
    )
    rows = [
        CountryAnswer(
            country=country,
            submission=by_country.get(country.pk),
            answer=answers.get(by_country[country.pk].pk) if country.pk in by_country else None,
            state=by_country[country.pk].states[question.pk] if country.pk in by_country else None,
        )
        for country in countries
    ]
    objectives = (
        list(Objective.objects.order_by("number"))
        if question.type == QuestionType.OBJECTIVES_GRID
        else []
    )
    return QuestionAcrossCountries(
        cycle=cycle,
        question=question,
        sections=sections,
        rows=rows,
        objectives=objectives,
        include_drafts=include_drafts,
    )


@dataclass
class MatrixCell:
    number: int
    status: str  # the value on the scale; "" when none is given
    label: str
    tone: int  # the status's position on the scale (for its colour); -1 when none is given
    note: str


@dataclass
class MatrixRow:
    country: Country
    submission: Submission | None
    cells: list[MatrixCell]

    @property
    def notes(self) -> list[MatrixCell]:
        return [cell for cell in self.cells if cell.note]

    @property
    def is_draft(self) -> bool:
        return self.submission is not None and self.submission.status == SubmissionStatus.DRAFT

    @property
    def has_answer(self) -> bool:
        return any(cell.status or cell.note for cell in self.cells)


@dataclass
class ScaleStep:
    value: str
    label: str
    tone: int
    count: int = 0  # cells at this step across the matrix


@dataclass
class ObjectivesMatrix:
    cycle: ReviewCycle
    question: Question | None  # None when the questionnaire has no objectives grid
    grid_questions: list[Question]
    objectives: list[Objective]
    scale: list[ScaleStep]
    rows: list[MatrixRow]
    include_drafts: bool

    @property
    def no_submission_label(self) -> str:
        # Not the scale's own "Not started", which is a status of an objective.
        return no_submission_label(cycle=self.cycle)


def cycle_objectives_matrix(
    *, cycle: ReviewCycle, key: str = "", include_drafts: bool = True
) -> ObjectivesMatrix:
    """Countries × the 23 GCM objectives: each country's status (on the version's scale) and
    note for each objective, from the cycle's objectives-grid question (the one named by `key`
    when the questionnaire has several), left empty where the grid does not apply (hidden by its
    conditions, or "Not applicable"). Eight or nine queries whatever the number of countries.
    Callers check the permission first (`cycle_get_for_staff`)."""
    grids = list(
        Question.objects.filter(version=cycle.version_id, type=QuestionType.OBJECTIVES_GRID)
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )
    question = next((q for q in grids if q.key == key), grids[0] if grids else None)
    if key and (question is None or question.key != key):
        raise Http404
    if question is None:
        return ObjectivesMatrix(cycle, None, [], [], [], [], include_drafts)
    scale = [
        ScaleStep(value=step.get("value", ""), label=i18n.option_label(step), tone=index)
        for index, step in enumerate(question.type_handler.scale(question.options or {}))
    ]
    steps = {step.value: step for step in scale}
    objectives = list(Objective.objects.order_by("number"))
    numbers = [o.number for o in objectives] or list(range(1, OBJECTIVE_COUNT + 1))
    submissions = _submissions_shown(cycle, include_drafts)
    submissions_progress(submissions, rules=version_rules({cycle.version_id}))
    shown = {s.pk for s in submissions if s.states[question.pk].printed}
    # A grid that the country's earlier answers hide, or that it answered "Not applicable",
    # shows no status: the value it keeps is not its answer.
    values = {
        submission_id: value
        for submission_id, value, reason in Answer.objects.filter(
            submission__in=[s.pk for s in submissions], question=question
        ).values_list("submission_id", "value", "not_applicable_reason")
        if submission_id in shown and not reason
    }
    by_country = {s.country_id: s for s in submissions}
    countries = (
        _countries_of(cycle, submissions)
        if include_drafts
        else sorted((s.country for s in submissions), key=lambda c: (c.name, c.iso2))
    )
    rows = []
    for country in countries:
        submission = by_country.get(country.pk)
        value = values.get(submission.pk) if submission else None
        value = value if isinstance(value, dict) else {}
        cells = []
        for number in numbers:
            entry = value.get(str(number)) or {}
            status = entry.get("status") or ""
            step = steps.get(status)
            if step is not None:
                step.count += 1
            cells.append(
                MatrixCell(
                    number=number,
                    status=status,
                    label=step.label if step else status,
                    tone=step.tone if step else -1,
                    note=entry.get("note") or "",
                )
            )
        rows.append(MatrixRow(country=country, submission=submission, cells=cells))
    return ObjectivesMatrix(
        cycle=cycle,
        question=question,
        grid_questions=grids,
        objectives=objectives,
        scale=scale,
        rows=rows,
        include_drafts=include_drafts,
    )
