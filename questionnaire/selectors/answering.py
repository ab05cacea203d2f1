"""A submission's answers by section, its progress, the answering page, an answer's history, what
is still missing, its documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import Http404

from .. import richtext
from ..conditions import (
    AnswerState,
    Rule,
    answer_facts_of,
    answer_states,
    condition_note,
    lone_answer_state,
    rule_for,
    rule_results,
    sources_of,
)
from ..models import (
    Answer,
    Attachment,
    Comment,
    Objective,
    Question,
    QuestionCondition,
    Section,
    Submission,
    SubmissionEvent,
)
from .changes import previous_cycle_answers
from .comments import _attach_comments, comment_threads, submission_return_notice
from .lookups import submission_get
from .progress import submissions_progress
from .versions import objectives_for, version_conditions, version_sections

if TYPE_CHECKING:
    from .changes import AnswerChange, PreviousCycle


@dataclass
class QuestionAnswer:
    question: Question
    answer: Answer | None
    # Filled by the pages that show them (review, submission, answering): the question's comment
    # thread and, on the review page, what changed since the previous submission.
    comments: list[Comment] = field(default_factory=list)
    change: AnswerChange | None = None
    # Where it stands by the one rule (conditions.answer_states), and the conditions that decide
    # whether it is shown; filled by `submission_sections`.
    state: AnswerState | None = None
    conditions: list[QuestionCondition] = field(default_factory=list)
    held: list[bool] = field(default_factory=list)  # whether each condition holds, saved answers
    # The country's answer to the same question (by key) in its previous cycle, on the pages
    # that show it, and what changed since.
    previous: Answer | None = None
    previous_change: AnswerChange | None = None

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
    def rule_state(self) -> AnswerState:
        """`state`, or, for an item made on its own (an autosave's reply), the rule's verdict on
        its answer alone."""
        if self.state is None:
            self.state = lone_answer_state(self.question, self.answer)
        return self.state

    @property
    def is_answered(self) -> bool:
        """Answered by the country (conditions.AnswerState.answered): a value or "Not
        applicable", not an answer carried forward and not yet reviewed."""
        return self.rule_state.answered

    @property
    def has_value(self) -> bool:
        return self.answer is not None and bool(self.answer.text)

    @property
    def is_shown(self) -> bool:
        return self.rule_state.shown

    @property
    def is_not_applicable(self) -> bool:
        return self.answer is not None and bool(self.answer.not_applicable_reason)

    @property
    def is_unreviewed(self) -> bool:
        """Carried forward from the previous cycle, neither edited nor confirmed since."""
        return self.rule_state.unreviewed

    @property
    def previous_type_changed(self) -> bool:
        """The previous cycle asked this question with another kind of answer (its answer was
        not carried forward: it is shown for reference)."""
        return self.previous is not None and self.previous.question.type != self.question.type

    @property
    def previous_html(self) -> str:
        """The previous cycle's answer as the editor takes it, when it was long text (its
        paragraphs and lists then start the new explanation); empty otherwise."""
        if self.previous is None or self.previous.question.type != "long_text":
            return ""
        return richtext.clean_html(self.previous.value or "")

    @property
    def is_missing(self) -> bool:
        return self.rule_state.missing

    @property
    def condition_note(self) -> str:
        """ "Applies only when I.a is “Yes”." (empty for a question always shown)."""
        return condition_note(self.question, self.conditions)

    @property
    def shown_when(self) -> str:
        """The conditions as JSON for answering.js (empty for a question always shown)."""
        if not self.conditions:
            return ""
        rules = [
            {
                **Rule(c.source_id, c.operator, tuple(c.operands)).as_json(
                    c.source.key, c.source.type
                ),
                "held": held,
            }
            for c, held in zip(
                self.conditions, self.held or [True] * len(self.conditions), strict=True
            )
        ]
        return json.dumps({"mode": self.question.shown_when, "rules": rules})


@dataclass
class SectionAnswers:
    section: Section
    items: list[QuestionAnswer] = field(default_factory=list)

    @property
    def question_list(self) -> list[Question]:
        """The section's questions, as `version_sections` gives them on a `Section`."""
        return [item.question for item in self.items]

    @property
    def shown_items(self) -> list[QuestionAnswer]:
        """The questions the submission shows (conditions may hide some)."""
        return [item for item in self.items if item.is_shown]

    @property
    def total(self) -> int:
        return len(self.shown_items)

    @property
    def answered_count(self) -> int:
        return sum(1 for item in self.items if item.is_answered)

    @property
    def unreviewed_count(self) -> int:
        return sum(1 for item in self.items if item.is_unreviewed)

    @property
    def missing_required(self) -> list[QuestionAnswer]:
        return [item for item in self.items if item.is_missing]


def submission_sections(*, submission: Submission, authors: bool = True) -> list[SectionAnswers]:
    """Every section of the submission's version with each question, its answer, its conditions
    and its state by the one rule (conditions.answer_states). Four queries.

    `authors=False` leaves out who saved each answer (`Answer.updated_by`, not loaded), for a
    page that does not name them: the answering page, with 200 questions."""
    answers = Answer.objects.filter(submission=submission)
    if authors:
        answers = answers.select_related("updated_by")
    answers = {a.question_id: a for a in answers}
    sections = version_sections(version=submission.cycle.version)
    questions = {q.pk: q for section in sections for q in section.question_list}
    conditions = version_conditions(version_id=submission.cycle.version_id, questions=questions)
    rules = [rule_for(q, conditions.get(q.pk, ())) for q in questions.values()]
    sources = sources_of(rules)
    facts = {
        pk: answer_facts_of(answer, questions[pk].type, with_subject=pk in sources)
        for pk, answer in answers.items()
    }
    states = answer_states(rules, facts)
    held = {rule.pk: rule_results(rule, states, facts) for rule in rules if rule.rules}
    return [
        SectionAnswers(
            section=section,
            items=[
                QuestionAnswer(
                    q,
                    answers.get(q.pk),
                    state=states[q.pk],
                    conditions=conditions.get(q.pk, []),
                    held=held.get(q.pk, []),
                )
                for q in section.question_list
            ],
        )
        for section in sections
    ]


def submission_progress(*, submission: Submission) -> dict:
    """Answered, carried forward and not yet reviewed, shown (`total`) and required still
    missing, per section and overall, by the one rule. Four queries whatever the number of
    questions (every autosave runs it)."""
    submissions_progress([submission])
    return submission.progress


@dataclass
class AnsweringPage:
    submission: Submission
    sections: list[SectionAnswers]
    current: SectionAnswers
    objectives: list[Objective]
    # Why ESCWA returned the submission, while it is returned.
    return_notice: SubmissionEvent | None = None
    # The country's previous cycle, whose answers the section's questions show beside theirs.
    previous_cycle: PreviousCycle | None = None

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
    # The page does not say who saved each answer (its history does).
    sections = submission_sections(submission=submission, authors=False)
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
        previous_cycle=attach_previous_cycle(submission=submission, items=current.items),
    )


def attach_previous_cycle(*, submission: Submission, items: list[QuestionAnswer]):
    """Give each item its answer in the country's previous cycle (same question key) and what
    changed since; returns that cycle's answers (None without one). Two queries at most."""
    previous = previous_cycle_answers(
        submission=submission,
        questions=[item.question for item in items],
        answers={item.question.pk: item.answer for item in items if item.answer},
    )
    if previous is not None:
        for item in items:
            item.previous = previous.answers.get(item.question.pk)
            item.previous_change = previous.changes.get(item.question.pk)
    return previous


def answer_history(*, submission: Submission, question: Question):
    """The answer (or None) and all its revisions, newest first, with who saved each."""
    answer = (
        Answer.objects.filter(submission=submission, question=question)
        .select_related("updated_by")
        .first()
    )
    if answer is None:
        return None, []
    revisions = list(
        answer.revisions.select_related("created_by", "document_import").order_by("-revision")
    )
    return answer, revisions


def submission_attachments(*, submission: Submission) -> list[Attachment]:
    """The submission's supporting documents, oldest first, with who uploaded each. One query."""
    return list(
        Attachment.objects.filter(submission=submission)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


@dataclass
class SubmissionCheck:
    """What the check page lists before submitting, by the one rule."""

    progress: dict  # as submission_progress
    missing: list[Question]  # required, shown, without an answer
    unreviewed: list[Question]  # carried forward, neither edited nor confirmed


def submission_check(*, submission: Submission) -> SubmissionCheck:
    """The submission's progress, its required questions still unanswered and its answers carried
    forward and not yet reviewed, in questionnaire order. Five queries."""
    submissions_progress([submission])
    states = submission.states
    missing = [pk for pk, state in states.items() if state.missing]
    unreviewed = [pk for pk, state in states.items() if state.unreviewed]
    by_pk = Question.objects.select_related("section").in_bulk(missing + unreviewed)
    return SubmissionCheck(
        progress=submission.progress,
        missing=[by_pk[pk] for pk in missing],
        unreviewed=[by_pk[pk] for pk in unreviewed],
    )


def submission_missing_required(*, submission: Submission) -> list[Question]:
    """Required questions the submission shows that have no answer, in questionnaire order."""
    return submission_check(submission=submission).missing
