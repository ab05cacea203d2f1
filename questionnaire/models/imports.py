"""Answers read from a Word document (docs/word.md): what was read is kept until the person
confirms which answers to take, and afterwards as the record each imported revision points to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .submissions import Submission


class DocumentImport(models.Model):
    """One Word document read for one submission.

    `items` holds, per matched question, the value read (already cleaned by the question's type)
    and how it was matched; `origin` what the document's hidden part said about where it came
    from; `notes` what was left out or read otherwise (pictures, comments, tracked changes);
    `unplaced` the text that matched no question. Nothing of it is an answer until confirmed:
    `answer_import_confirm` then writes the chosen answers as revisions of kind "import" that
    point here, and sets `confirmed_at` once.
    """

    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="document_imports",
        verbose_name=_("submission"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, editable=False)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    origin = models.JSONField(_("origin"), default=dict, blank=True)
    items = models.JSONField(_("answers read"), default=list, blank=True)
    unmatched = models.JSONField(_("questions not found"), default=list, blank=True)
    unplaced = models.JSONField(_("text not placed"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("read at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Word document import")
        verbose_name_plural = _("Word document imports")

    def __str__(self) -> str:
        return f"{self.submission}: {self.file_name}"
