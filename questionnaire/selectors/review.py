"""The submission page: the answers with their threads, the review decisions, the timeline,
publication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import permissions, workflow
from ..models import (
    COMMENT_MAX_LENGTH,
    Objective,
    PublicationAgreement,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from ..permissions import Action
from .answering import attach_previous_cycle, submission_sections
from .changes import submission_changes, submission_timeline
from .comments import COMMENT_DELIVERY, _attach_comments, comment_threads, submission_return_notice
from .lookups import submission_get
from .versions import objectives_for

if TYPE_CHECKING:
    from .answering import SectionAnswers
    from .changes import PreviousCycle, SubmissionChanges


def submission_publication_agreement(*, submission: Submission) -> PublicationAgreement | None:
    """The country's agreement to publish the submission, with who gave it, or None. One query."""
    return (
        PublicationAgreement.objects.filter(submission=submission).select_related("actor").first()
    )


@dataclass
class SubmissionActivity:
    """What the submission page (and the check page) shows around the answers: the timeline,
    the return message, the review decisions, the comment threads' state, publication."""

    timeline: list[SubmissionEvent]
    return_notice: SubmissionEvent | None
    moves: list[workflow.WorkflowMove]
    may_review: bool
    may_comment: bool
    open_comments: int
    # Comments the user's side wrote that the other side was not e-mailed about yet.
    unsent_comments: int = 0
    publication_agreement: PublicationAgreement | None = None
    may_agree_to_publish: bool = False

    @property
    def comment_max_length(self) -> int:
        return COMMENT_MAX_LENGTH

    @property
    def comment_delivery(self) -> str:
        return str(COMMENT_DELIVERY[self.may_review])

    @property
    def timeline_entries(self) -> list:
        """The status moves and the country's agreement to publication, oldest first."""
        entries = list(self.timeline)
        if self.publication_agreement is not None:
            entries.append(self.publication_agreement)
            entries.sort(key=lambda entry: entry.created_at)
        return entries


def submission_activity(
    *, user, submission: Submission, sections: list[SectionAnswers]
) -> SubmissionActivity:
    """The timeline, the return message while returned, the decisions open to the user, the
    publication agreement, and every question's comment threads attached to `sections`
    (`item.comments`). Three queries."""
    timeline = submission_timeline(submission=submission)
    threads = comment_threads(submission=submission, user=user)
    _attach_comments(sections, threads)
    roots = [root for thread in threads.values() for root in thread]
    mine_escwa = permissions.is_reviewer(user)
    unsent = sum(
        1
        for root in roots
        for comment in (root, *root.thread_replies)
        if comment.notified_at is None and comment.from_escwa == mine_escwa
    )
    may_comment = permissions.can(user, Action.COMMENT, submission)
    return SubmissionActivity(
        timeline=timeline,
        return_notice=submission_return_notice(submission=submission, events=timeline),
        moves=workflow.submission_moves(user=user, submission=submission),
        may_review=permissions.can(user, Action.REVIEW, submission),
        may_comment=may_comment,
        open_comments=sum(1 for root in roots if root.is_open),
        # Once threads are closed (published, cycle closed) nothing more is sent.
        unsent_comments=unsent if may_comment else 0,
        publication_agreement=submission_publication_agreement(submission=submission),
        may_agree_to_publish=permissions.can(user, Action.AGREE_TO_PUBLISH, submission),
    )


@dataclass
class SubmissionPage:
    """One submission as its page shows it, to its country's team and to ESCWA alike; the review
    tools (decisions, what changed since the previous submission) for those who may review."""

    submission: Submission
    sections: list[SectionAnswers]
    objectives: list[Objective]
    activity: SubmissionActivity
    changes: SubmissionChanges | None
    previous_cycle: PreviousCycle | None
    may_edit: bool
    may_submit: bool


def submission_page(*, user, pk: int) -> SubmissionPage:
    """A submission for its page: every answer with its comment threads and, for ESCWA's
    reviewers once it was submitted again, what changed since the previous submission. 404 for
    whoever may not see the submission. A fixed number of queries."""
    submission = submission_get(user=user, pk=pk)
    sections = submission_sections(submission=submission)
    activity = submission_activity(user=user, submission=submission, sections=sections)
    changes = None
    if activity.may_review:
        changes = submission_changes(submission=submission, events=activity.timeline)
        # While the country revises, its changes so far; nothing changed yet: just the answers.
        if (
            changes is not None
            and not changes.changed
            and submission.status != SubmissionStatus.SUBMITTED
        ):
            changes = None
    if changes is not None:
        for entry in sections:
            for item in entry.items:
                item.change = changes.by_question.get(item.question.pk)
    # What changed since the country's previous cycle, beside what changed since it last submitted.
    previous_cycle = attach_previous_cycle(
        submission=submission, items=[item for entry in sections for item in entry.items]
    )
    return SubmissionPage(
        submission=submission,
        sections=sections,
        objectives=objectives_for(sections=sections),
        activity=activity,
        changes=changes,
        previous_cycle=previous_cycle,
        may_edit=permissions.can(user, Action.EDIT_ANSWERS, submission),
        may_submit=permissions.can(user, Action.SUBMIT, submission),
    )
