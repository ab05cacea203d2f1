"""Progress and deadlines as the home page and the staff dashboard count them (one rule for
both)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Value,
    When,
)
from django.utils.translation import gettext_lazy

from ..conditions import (
    AnswerFacts,
    QuestionRule,
    Rule,
    answer_states,
    facts_for,
    operands_of,
    progress_from_states,
    sources_of,
)
from ..models import (
    Answer,
    DeadlineExtension,
    Question,
    QuestionCondition,
    ReviewCycle,
    Submission,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from .home import CountryRow


class DaysLeft:
    """For rows with `days_left`: days from today to the deadline while the next move is the
    country's (negative: overdue), None otherwise."""

    days_left: int | None

    @property
    def is_overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.is_overdue else 0


def _add_progress_and_deadline(
    row: CountryRow,
    *,
    cycle: ReviewCycle,
    questions: list[QuestionRule],
    extension: DeadlineExtension | None,
    today: datetime.date,
) -> None:
    """Fill a country team's row: the same counts as `submission_progress` (the submission comes
    with its `progress` from `submissions_progress`), and the deadline as the staff dashboard
    reckons it."""
    submission = row.submission
    progress = submission.progress if submission else blank_progress(questions)
    row.total = progress["total"]
    row.answered = progress["answered"]
    row.unreviewed = progress["unreviewed"]
    row.missing_required = progress["missing_required"]
    row.extension = extension
    row.deadline, row.days_left = _deadline(
        cycle=cycle, submission=submission, extension=extension, today=today
    )


def _deadline(
    *,
    cycle: ReviewCycle,
    submission: Submission | None,
    extension: DeadlineExtension | None,
    today: datetime.date,
) -> tuple[datetime.date, int | None]:
    """A country's deadline in a cycle (its extension's, else the cycle's) and the days left to
    it while the next move is the country's in an open cycle (negative: overdue; else None)."""
    deadline = extension.deadline if extension else cycle.deadline
    current = submission.status if submission else NO_SUBMISSION
    awaiting = current in AWAITING_COUNTRY and not cycle.is_closed
    return deadline, (deadline - today).days if awaiting else None


# A participating country without a submission. Named apart from the objectives grid's own "Not
# started" (a status of implementation, in the questionnaire's words), which the same pages show.
NO_SUBMISSION = "no_submission"


NO_SUBMISSION_LABEL = gettext_lazy("No submission yet")


# In a closed cycle a country without a submission never took part: nothing is "yet" about it.
DID_NOT_TAKE_PART_LABEL = gettext_lazy("Did not take part")


# The dashboard's statuses in workflow order, "no submission" first.
DASHBOARD_STATUSES: list[tuple[str, str]] = [
    (NO_SUBMISSION, NO_SUBMISSION_LABEL),
    *SubmissionStatus.choices,
]


DASHBOARD_STATUS_LABELS = dict(DASHBOARD_STATUSES)


_STATUS_ORDER = {value: index for index, (value, _label) in enumerate(DASHBOARD_STATUSES)}


# Statuses in which the next move is the country's: the deadline still concerns them.
AWAITING_COUNTRY = frozenset({NO_SUBMISSION, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})


def dashboard_statuses(*, cycle: ReviewCycle) -> list[tuple[str, str]]:
    """DASHBOARD_STATUSES as the cycle's pages name them: in a closed cycle, a country without a
    submission "did not take part"."""
    if not cycle.is_closed:
        return DASHBOARD_STATUSES
    return [(NO_SUBMISSION, DID_NOT_TAKE_PART_LABEL), *DASHBOARD_STATUSES[1:]]


def no_submission_label(*, cycle: ReviewCycle) -> str:
    """What the cycle's pages call a country without a submission."""
    return DID_NOT_TAKE_PART_LABEL if cycle.is_closed else NO_SUBMISSION_LABEL


def version_rules(version_ids) -> dict[int, list[QuestionRule]]:
    """version id → its questions' rules (conditions.QuestionRule) in questionnaire order. Two
    queries (none for no version), whatever the number of questions and conditions."""
    version_ids = set(version_ids)
    if not version_ids:
        return {}
    by_question: dict[int, list[Rule]] = {}
    for question_id, source_id, operator, value in (
        QuestionCondition.objects.filter(question__version__in=version_ids)
        .order_by("order", "pk")
        .values_list("question_id", "source_id", "operator", "value")
    ):
        by_question.setdefault(question_id, []).append(
            Rule(source=source_id, operator=operator, operands=tuple(operands_of(operator, value)))
        )
    rules: dict[int, list[QuestionRule]] = {pk: [] for pk in version_ids}
    for pk, version_id, section, kind, required, mode in (
        Question.objects.filter(version__in=version_ids)
        .order_by("section__order", "section__pk", "order", "pk")
        .values_list("pk", "version", "section__number", "type", "required", "shown_when")
    ):
        rules[version_id].append(
            QuestionRule(
                pk=pk,
                section=section,
                kind=kind,
                required=required,
                mode=mode,
                rules=tuple(by_question.get(pk, ())),
            )
        )
    return rules


def answer_facts(submission_ids, *, sources: set[int]) -> dict[int, dict[int, AnswerFacts]]:
    """submission id → question id → what the rule needs of its answer. One query, and one more
    for the values of the questions others depend on (`sources`). An answer has a value when its
    plain text (`Answer.text`, kept by `services.answer_save`) is not empty: every question
    type's `as_text` is empty exactly when its `is_empty` is true (a test holds them together),
    so long answers are not read."""
    submission_ids = set(submission_ids)
    if not submission_ids:
        return {}
    values = {}
    if sources:
        values = {
            (submission_id, question_id): value
            for submission_id, question_id, value in Answer.objects.filter(
                submission__in=submission_ids, question__in=sources
            ).values_list("submission_id", "question_id", "value")
        }
    facts: dict[int, dict[int, AnswerFacts]] = {pk: {} for pk in submission_ids}
    for submission_id, question_id, kind, has_value, reason, prefilled in (
        Answer.objects.filter(submission__in=submission_ids)
        .annotate(
            has_value=Case(When(text="", then=Value(False)), default=Value(True)),
        )
        .values_list(
            "submission_id",
            "question_id",
            "question__type",
            "has_value",
            "not_applicable_reason",
            "prefilled",
        )
    ):
        facts[submission_id][question_id] = facts_for(
            kind,
            has_value=has_value,
            value=values.get((submission_id, question_id)),
            not_applicable_reason=reason,
            prefilled=prefilled,
        )
    return facts


def submissions_progress(submissions, *, rules=None) -> dict[int, list[QuestionRule]]:
    """Give each submission its `progress` (conditions.progress_from_states: answered,
    unreviewed, total and required missing, per section and overall) and `states` by question.
    Four queries for any number of submissions (two with `rules`, version id → its rules, for
    every submission's version); returns the rules by version."""
    submissions = list(submissions)
    versions = _version_ids(submissions)
    if rules is None:
        rules = version_rules(set(versions.values()))
    facts = answer_facts(
        [s.pk for s in submissions],
        sources=sources_of(q for questions in rules.values() for q in questions),
    )
    for submission in submissions:
        questions = rules[versions[submission.pk]]
        submission.states = answer_states(questions, facts[submission.pk])
        submission.progress = progress_from_states(questions, submission.states)
    return rules


def _version_ids(submissions: list[Submission]) -> dict[int, int]:
    """submission id → its cycle's version id: from the loaded cycles, else in one query."""
    if all(Submission.cycle.is_cached(s) for s in submissions):
        return {s.pk: s.cycle.version_id for s in submissions}
    return dict(
        Submission.objects.filter(pk__in=[s.pk for s in submissions]).values_list(
            "pk", "cycle__version"
        )
    )


def blank_progress(questions: list[QuestionRule]) -> dict:
    """The progress of a submission not started yet: nothing answered, the questions shown
    without any answer."""
    return progress_from_states(questions, answer_states(questions, {}))
