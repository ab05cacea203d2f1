"""What changed in a submission since it was last submitted: the timeline and the word diffs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import JSONField, OuterRef, Subquery

from ..models import (
    Answer,
    AnswerRevision,
    Question,
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


def _answer_text(question: Question, value) -> str:
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
        before = _answer_text(answer.question, answer.value_then)
        after = _answer_text(answer.question, answer.value)
        changes[answer.question_id] = AnswerChange(
            question=answer.question,
            before=before,
            after=after,
            lines=diff_lines(before, after) if before != after else [],
        )
    return SubmissionChanges(since=since, by_question=changes)
