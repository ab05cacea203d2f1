"""Comment threads on questions, and sending them to the other side."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gcmreview import formatting

from .. import notifications, permissions
from ..models import (
    COMMENT_MAX_LENGTH,
    ESCWA_AUTHORED,
    Comment,
    Question,
    Submission,
)
from ..permissions import Action
from ._common import _plain_text


@transaction.atomic
def comment_add(
    *, submission: Submission, question: Question, user, body: str, parent: Comment | None = None
) -> Comment:
    """Open a thread on one question of a submission, or reply to one (`parent`).

    Who may write is `permissions` (Action.COMMENT): ESCWA staff and anyone on the country's team,
    until the submission is published or its cycle closed. A reply goes into an open thread of
    the same question. The body is plain text (shown escaped, with its line breaks), required and
    at most COMMENT_MAX_LENGTH characters. Nobody is e-mailed yet: comments travel together with
    the next review decision or submission, or when their author sends them (`comments_send`).
    """
    permissions.require(user, Action.COMMENT, submission)
    if question.version_id != submission.cycle.version_id:
        raise ValidationError(_("This question is not part of this submission's questionnaire."))
    if parent is not None:
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.submission_id != submission.pk or parent.question_id != question.pk:
            raise ValidationError(_("This thread belongs to another question."))
        if parent.parent_id is not None:
            parent = Comment.objects.select_for_update().get(pk=parent.parent_id)
        if not parent.is_open:
            raise ValidationError(
                _("This thread was marked as resolved; start a new comment instead.")
            )
    body = _plain_text(body)
    if not body:
        raise ValidationError(_("Write a comment first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            ngettext(
                "A comment can be at most %(max)s character long; this one has %(count)s.",
                "A comment can be at most %(max)s characters long; this one has %(count)s.",
                COMMENT_MAX_LENGTH,
            )
            % {
                "max": formatting.number_text(COMMENT_MAX_LENGTH),
                "count": formatting.number_text(len(body)),
            }
        )
    return Comment.objects.create(
        submission=submission, question=question, author=user, body=body, parent=parent
    )


@transaction.atomic
def comment_resolve(*, comment: Comment, user) -> Comment:
    """Mark a thread as dealt with (Action.RESOLVE_COMMENT on the comment: ESCWA staff or the
    thread's author; the country's editors only for threads the country opened).

    Resolving twice keeps the first resolution: who closed a thread, and when, is not rewritten.
    """
    permissions.require(user, Action.RESOLVE_COMMENT, comment)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.parent_id is not None:
        raise ValidationError(_("A reply cannot be resolved on its own: resolve its thread."))
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


def _comments_take_unsent(*, submission: Submission, from_escwa: bool) -> list[Comment]:
    """One side's comments on the submission that nobody was e-mailed about yet, oldest first,
    marked sent now (the caller e-mails them after the commit). Inside the caller's
    transaction, so two requests never send the same comment."""
    unsent = list(
        Comment.objects.select_for_update(of=("self",))
        .filter(submission=submission, notified_at__isnull=True)
        .filter(ESCWA_AUTHORED if from_escwa else ~ESCWA_AUTHORED)
        .select_related("author", "question__section", "parent__author")
        .order_by("question__section__order", "question__order", "created_at", "pk")
    )
    if unsent:
        Comment.objects.filter(pk__in=[c.pk for c in unsent]).update(notified_at=timezone.now())
    return unsent


@transaction.atomic
def comments_send(*, submission: Submission, user) -> int:
    """E-mail the other side, in one message, the comments the user's side wrote on the
    submission since its last message; return how many. ESCWA's go to the country's team, the
    country's to ESCWA's reviewers (Action.COMMENT). Sending nothing sends no e-mail."""
    permissions.require(user, Action.COMMENT, submission)
    from_escwa = permissions.is_reviewer(user)
    comments = _comments_take_unsent(submission=submission, from_escwa=from_escwa)
    if comments:
        transaction.on_commit(
            lambda: notifications.comments_sent(
                submission=submission, sender=user, comments=comments, from_escwa=from_escwa
            )
        )
    return len(comments)
