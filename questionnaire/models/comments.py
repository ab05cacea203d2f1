"""Comment threads between ESCWA and a country on single questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import escwa_accounts

from .submissions import Submission
from .versions import Question

# Comments written by ESCWA's accounts (reviewers, admins), as a filter.
ESCWA_AUTHORED = escwa_accounts("author__")


COMMENT_MAX_LENGTH = 5000  # characters of one comment's plain text


class Comment(models.Model):
    """A remark on one question of a submission, between ESCWA and the country.

    A comment without `parent` opens a thread; the thread is open until someone marks it
    resolved. Replies (`parent` set) belong to that thread and are never open or resolved on
    their own. `notified_at` is when the other side was e-mailed about it: comments travel in one
    message with the next review decision or submission (or when their author sends them), not
    one e-mail each.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="comments", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="comments", verbose_name=_("question")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    notified_at = models.DateTimeField(_("sent by e-mail at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["submission", "question"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False),
                name="comment_resolution_consistent",
            ),
            # A thread is resolved as a whole: its replies carry no state of their own.
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(resolved_at__isnull=True),
                name="comment_reply_not_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} / {self.question.key}: {self.body[:40]}"

    @property
    def is_open(self) -> bool:
        """Whether the thread this comment opens still waits for an answer (replies: never)."""
        return self.parent_id is None and self.resolved_at is None
