"""A submission's answers by section, its progress, the answering page, an answer's history, what
is still missing, its documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    FilteredRelation,
    Q,
)
from django.http import Http404

from ..models import (
    FINAL_STATUSES,
    Answer,
    Attachment,
    Comment,
    Country,
    Objective,
    Question,
    ReviewCycle,
    Section,
    Submission,
    SubmissionEvent,
)
from ..types import get_type
from .comments import _attach_comments, comment_threads, submission_return_notice
from .lookups import submission_get
from .versions import objectives_for, version_sections

if TYPE_CHECKING:
    from .changes import AnswerChange


@dataclass
class QuestionAnswer:
    question: Question
    answer: Answer | None
    # Filled by the pages that show them (review, submission, answering): the question's comment
    # thread and, on the review page, what changed since the previous submission.
    comments: list[Comment] = field(default_factory=list)
    change: AnswerChange | None = None

    @property
    def open_comment_count(self) -> int:
        return sum(1 for comment in self.comments if comment.is_open)

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def answer_revision(self) -> int:
        return self.answer.revision if self.answer else 0

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and not self.question.type_handler.is_empty(
            self.answer.value
        )


@dataclass
class SectionAnswers:
    section: Section
    items: list[QuestionAnswer] = field(default_factory=list)

    @property
    def question_list(self) -> list[Question]:
        """The section's questions, as `version_sections` gives them on a `Section`."""
        return [item.question for item in self.items]

    @property
    def answered_count(self) -> int:
        return sum(1 for item in self.items if item.is_answered)

    @property
    def missing_required(self) -> list[QuestionAnswer]:
        return [i for i in self.items if i.question.required and not i.is_answered]


def submission_sections(*, submission: Submission) -> list[SectionAnswers]:
    """Every section of the submission's version with each question and its answer. 3 queries."""
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(submission=submission).select_related("updated_by")
    }
    return [
        SectionAnswers(
            section=section,
            items=[QuestionAnswer(q, answers.get(q.pk)) for q in section.question_list],
        )
        for section in version_sections(version=submission.cycle.version)
    ]


def submission_progress(*, submission: Submission) -> dict:
    """Answered / total and required-still-missing, per section and overall. One query."""
    sections: dict[str, dict] = {}
    # Every autosave runs this over the whole questionnaire: one query that joins each question
    # to this submission's answer, read as tuples rather than model instances.
    questions = (
        Question.objects.filter(version=submission.cycle.version_id)
        .annotate(
            this_answer=FilteredRelation("answers", condition=Q(answers__submission=submission))
        )
        .order_by("section__order", "section__pk", "order", "pk")
        .values_list("section__number", "type", "required", "this_answer__value")
    )
    for number, kind, required, value in questions:
        entry = sections.setdefault(number, {"answered": 0, "total": 0, "missing_required": 0})
        entry["total"] += 1
        if not get_type(kind).is_empty(value):
            entry["answered"] += 1
        elif required:
            entry["missing_required"] += 1
    overall = {
        key: sum(s[key] for s in sections.values())
        for key in ("answered", "total", "missing_required")
    }
    return {"sections": sections, **overall}


@dataclass
class AnsweringPage:
    submission: Submission
    sections: list[SectionAnswers]
    current: SectionAnswers
    objectives: list[Objective]
    # Why ESCWA returned the submission, while it is returned.
    return_notice: SubmissionEvent | None = None

    @property
    def index(self) -> int:
        return self.sections.index(self.current)

    @property
    def previous(self) -> SectionAnswers | None:
        return self.sections[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> SectionAnswers | None:
        following = self.sections[self.index + 1 :]
        return following[0] if following else None


def answering_section(
    *, user, pk: int, number: str, submission: Submission | None = None
) -> AnsweringPage:
    """One section of a submission with every section's progress, for the answering page.

    A fixed number of queries however many questions there are (asserted in the tests).
    """
    submission = submission or submission_get(user=user, pk=pk)
    sections = submission_sections(submission=submission)
    current = next((s for s in sections if s.section.number == number), None)
    if current is None:
        raise Http404
    # The open comments of this section's questions, in one query.
    _attach_comments(
        [current],
        comment_threads(
            submission=submission,
            user=user,
            questions=[item.question for item in current.items],
            open_only=True,
        ),
    )
    return AnsweringPage(
        submission=submission,
        sections=sections,
        current=current,
        objectives=objectives_for(sections=[current]),
        return_notice=submission_return_notice(submission=submission),
    )


def answer_history(*, submission: Submission, question: Question):
    """The answer (or None) and all its revisions, newest first, with who saved each."""
    answer = (
        Answer.objects.filter(submission=submission, question=question)
        .select_related("updated_by")
        .first()
    )
    if answer is None:
        return None, []
    revisions = list(answer.revisions.select_related("created_by").order_by("-revision"))
    return answer, revisions


def submission_attachments(*, submission: Submission) -> list[Attachment]:
    """The submission's supporting documents, oldest first, with who uploaded each. One query."""
    return list(
        Attachment.objects.filter(submission=submission)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


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


def submission_missing_required(*, submission: Submission) -> list[Question]:
    """Required questions of the submission that are still unanswered, in questionnaire order."""
    answers = dict(Answer.objects.filter(submission=submission).values_list("question_id", "value"))
    return [
        q
        for q in Question.objects.filter(version=submission.cycle.version_id, required=True)
        .select_related("section")
        .order_by("section__order", "order")
        if q.type_handler.is_empty(answers.get(q.pk))
    ]
