"""What changed in a submission since it was last submitted: the timeline and the word diffs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import JSONField, OuterRef, Subquery

from ..conditions import not_applicable_text
from ..models import (
    FINAL_STATUSES,
    Answer,
    AnswerRevision,
    Country,
    Question,
    ReviewCycle,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from ..textdiff import diff_lines


def submission_timeline(*, submission: Submission) -> list[SubmissionEvent]:
    """Every move of the submission, oldest first, with who made it. One query."""
    return list(
        SubmissionEvent.objects.filter(submission=submission)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


@dataclass
class AnswerChange:
    """One answer then (at the previous submission) and now, as text, and the lines between."""

    question: Question
    before: str
    after: str
    lines: list = field(default_factory=list)  # textdiff.DiffLine

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def kind(self) -> str:
        if not self.changed:
            return "unchanged"
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed"


@dataclass
class SubmissionChanges:
    since: SubmissionEvent  # the previous submission
    by_question: dict[int, AnswerChange]

    @property
    def changed(self) -> list[AnswerChange]:
        return [c for c in self.by_question.values() if c.changed]


def answer_text(question: Question, value, not_applicable_reason: str = "") -> str:
    """An answer as the plain text people compare ("" when unanswered): "Not applicable:
    reason", or its type's `display_text`."""
    if not_applicable_reason:
        return not_applicable_text(not_applicable_reason)
    if question.type_handler.is_empty(value):
        return ""
    try:
        return question.type_handler.display_text(value, question.options or {})
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        # A value that no longer fits its type (an old import): show it rather than fail.
        return str(value)


def submission_changes(
    *, submission: Submission, events: list[SubmissionEvent] | None = None
) -> SubmissionChanges | None:
    """What changed in each answer since the submission was previously submitted, or None when
    it has not been submitted before.

    "Then" is the latest revision saved at or before the previous `submitted` event (while the
    submission is returned: the last one); "now" is the current value. Both are compared as the
    question type's text, line by line. Two queries (one when `events` are given).
    """
    events = submission_timeline(submission=submission) if events is None else events
    submitted = [e for e in events if e.to_status == SubmissionStatus.SUBMITTED]
    if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
        submitted = submitted[:-1]  # the latest submission is what is being read now
    if not submitted:
        return None
    since = submitted[-1]
    then = (
        AnswerRevision.objects.filter(answer=OuterRef("pk"), created_at__lte=since.created_at)
        .order_by("-revision")
        .values("value")[:1]
    )
    answers = (
        Answer.objects.filter(submission=submission)
        .select_related("question__section")
        .annotate(value_then=Subquery(then, output_field=JSONField()))
    )
    changes = {}
    for answer in answers:
        before = answer_text(answer.question, answer.value_then)
        after = answer_text(answer.question, answer.value)
        changes[answer.question_id] = AnswerChange(
            question=answer.question,
            before=before,
            after=after,
            lines=diff_lines(before, after) if before != after else [],
        )
    return SubmissionChanges(since=since, by_question=changes)


def submission_previous_for_carry_forward(*, cycle: ReviewCycle, country: Country):
    """The country's accepted (or published) submission of the latest earlier cycle of the same
    questionnaire, from which a new submission may be prefilled; None when there is none."""
    return (
        Submission.objects.filter(
            country=country,
            cycle__version__questionnaire_id=cycle.version.questionnaire_id,
            cycle__opens_on__lt=cycle.opens_on,
            status__in=FINAL_STATUSES,
        )
        .select_related("cycle")
        .order_by("-cycle__opens_on")
        .first()
    )


@dataclass
class PreviousCycle:
    """The country's submission in its previous cycle, and per question of this submission (by
    key) its answer there and what changed since."""

    submission: Submission
    answers: dict[int, Answer]  # this submission's question pk → the previous cycle's answer
    changes: dict[int, AnswerChange]


def _shown_text(question: Question, answer: Answer | None) -> str:
    """An answer as text, "Not applicable: reason" for one that does not apply."""
    if answer is None:
        return ""
    return answer_text(question, answer.value, answer.not_applicable_reason)


def previous_cycle_answers(
    *, submission: Submission, questions: list[Question], answers: dict[int, Answer]
) -> PreviousCycle | None:
    """For each of `questions` whose key the country answered in its previous cycle (the
    submission this one was carried forward from, else its latest accepted one of an earlier
    cycle of the questionnaire): that answer, and what changed since, as words (`answers`: this
    submission's answers by question pk). None without a previous cycle. Two queries at most."""
    previous = submission.carried_forward_from
    if previous is None:
        previous = submission_previous_for_carry_forward(
            cycle=submission.cycle, country=submission.country
        )
    else:
        previous = Submission.objects.select_related("cycle").get(pk=previous.pk)
    if previous is None:
        return None
    by_key = {q.key: q for q in questions}
    then = {}
    for answer in Answer.objects.filter(
        submission=previous, question__key__in=list(by_key)
    ).select_related("question__section"):
        if answer.text or answer.not_applicable_reason:
            then[by_key[answer.question.key].pk] = answer
    changes = {}
    for pk, old in then.items():
        question = next(q for q in questions if q.pk == pk)
        before = _shown_text(old.question, old)
        after = _shown_text(question, answers.get(pk))
        changes[pk] = AnswerChange(
            question=question,
            before=before,
            after=after,
            lines=diff_lines(before, after) if after and before != after else [],
        )
    return PreviousCycle(submission=previous, answers=then, changes=changes)
