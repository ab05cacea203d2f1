"""Comment threads on questions: who reads which, how many are open, the return message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    Q,
)
from django.utils.translation import gettext_lazy

from .. import permissions
from ..models import (
    ESCWA_AUTHORED,
    Comment,
    Question,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from .answering import SectionAnswers


def submission_return_notice(
    *, submission: Submission, events: list[SubmissionEvent] | None = None
) -> SubmissionEvent | None:
    """While the submission is returned, the event that returned it: its message says what the
    country should change. No query unless the submission is returned and `events` are not given.
    """
    if submission.status != SubmissionStatus.RETURNED:
        return None
    if events is not None:
        returns = [e for e in events if e.to_status == SubmissionStatus.RETURNED]
        return returns[-1] if returns else None
    return (
        SubmissionEvent.objects.filter(submission=submission, to_status=SubmissionStatus.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def comments_visible_to(*, user) -> Q:
    """A comment reaches the other side when it is sent (with the next review decision or
    submission, or by its author's "send"): until then only its own side sees it, so that a
    reviewer's remarks reach the country together, once the review is done."""
    own_side = ESCWA_AUTHORED if permissions.is_reviewer(user) else ~ESCWA_AUTHORED
    return Q(notified_at__isnull=False) | own_side


def comment_threads(
    *,
    submission: Submission,
    user,
    questions: list[Question] | None = None,
    open_only: bool = False,
) -> dict[int, list[Comment]]:
    """Question id → the threads on it that `user` may read, oldest first: each thread is the
    comment that opened it, with its replies in `comment.thread_replies` (oldest first). Every
    comment carries its author, who resolved it, and `from_escwa` (written by ESCWA staff). Only
    `questions`' threads when given; only unresolved threads with `open_only`. One query."""
    comments = (
        Comment.objects.filter(submission=submission)
        .filter(comments_visible_to(user=user))
        .select_related("author", "resolved_by", "question__section")
        .order_by("created_at", "pk")
    )
    if questions is not None:
        comments = comments.filter(question_id__in=[q.pk for q in questions])
    if open_only:
        comments = comments.filter(
            Q(parent__isnull=True, resolved_at__isnull=True)
            | Q(parent__isnull=False, parent__resolved_at__isnull=True)
        )
    roots: dict[int, Comment] = {}
    replies: list[Comment] = []
    for comment in comments:
        comment.submission = submission  # permissions read it; no query per comment
        # Whether ESCWA wrote it stays true after the author's account is closed.
        comment.from_escwa = permissions.is_escwa_account(comment.author)
        if comment.parent_id is None:
            comment.thread_replies = []
            roots[comment.pk] = comment
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in roots:
            roots[reply.parent_id].thread_replies.append(reply)
    threads: dict[int, list[Comment]] = {}
    for root in roots.values():
        threads.setdefault(root.question_id, []).append(root)
    return threads


def _attach_comments(sections: list[SectionAnswers], threads: dict[int, list[Comment]]) -> None:
    for entry in sections:
        for item in entry.items:
            item.comments = threads.get(item.question.pk, [])


def open_comment_counts(*, submissions) -> dict[int, int]:
    """Submission id → how many of its threads are still unresolved (0 included), for the given
    submissions (objects or ids; a queryset is evaluated), as ESCWA's pages count them: the
    country's threads once sent, ESCWA's own at once. One query."""
    ids = [getattr(s, "pk", s) for s in submissions]
    counts = dict.fromkeys(ids, 0)
    rows = (
        Comment.objects.filter(submission_id__in=ids, parent__isnull=True, resolved_at__isnull=True)
        .filter(Q(notified_at__isnull=False) | ESCWA_AUTHORED)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["submission_id"]: row["n"] for row in rows})
    return counts


# Who receives a side's comments, and when: they travel together (workflow.COMMENTS_SENT_WITH).
# Keyed by whether the writer is ESCWA's.
COMMENT_DELIVERY = {
    True: gettext_lazy(
        "The country's team receives your comments together by e-mail when you return or "
        "accept the submission, or when you send them."
    ),
    False: gettext_lazy(
        "ESCWA's reviewers receive your comments together by e-mail when your answers are "
        "submitted, or when you send them."
    ),
}


@dataclass
class OpenThread:
    """An open thread as the check page lists it: where it is and what was said."""

    question: Question
    comment: Comment

    @property
    def said(self) -> list[Comment]:
        """What the check page quotes: the comment that opened the thread, and the latest reply."""
        return [self.comment, *self.comment.thread_replies[-1:]]


def submission_open_threads(*, submission: Submission, user) -> list[OpenThread]:
    """Every unresolved thread of the submission that `user` may read, in questionnaire order,
    with its replies, for the check page. One query."""
    threads = comment_threads(submission=submission, user=user, open_only=True)
    return sorted(
        (
            OpenThread(question=root.question, comment=root)
            for roots in threads.values()
            for root in roots
        ),
        key=lambda t: (t.question.section.order, t.question.order, t.comment.created_at),
    )
