"""A country's submission for a cycle: its status and history, its answers and their revisions,
its supporting documents, its agreement to publication."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ._base import AppendOnlyModel
from .cycles import ReviewCycle
from .reference import Country
from .versions import Question


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")
    PUBLISHED = "published", _("Published")


# The groups of statuses the rest of the code asks about, each named once. Tuples keep the
# workflow's order, for pages and exports that list them.
# The country's team may change answers (while the cycle is open: `Submission.is_editable`).
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


# The country has sent its answers to ESCWA at least once; drafts are its work in progress,
# which staff may read, clearly marked, but which pages and exports leave out unless asked.
SENT_STATUSES = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.RETURNED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.PUBLISHED,
)


# ESCWA accepted the answers: final for the country, compiled into the regional report, the
# source a later cycle may start from, no longer marked as a draft in PDFs.
FINAL_STATUSES = (SubmissionStatus.ACCEPTED, SubmissionStatus.PUBLISHED)


class Submission(models.Model):
    """One country's answers in one cycle. The status changes only through the workflow service."""

    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("review cycle"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("country")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)
    # Denormalised from the event log for dashboards; the events are the record.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    carried_forward_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefilled from"),
    )

    class Meta:
        ordering = ["cycle", "country__name_en"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "country"], name="one_submission_per_country_and_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} — {self.cycle}"

    # What pages and e-mails ask about a submission's status, so that no template compares
    # statuses itself. The moves between statuses are the workflow service's business.

    @property
    def is_editable(self) -> bool:
        """The country may change its answers: a draft, or returned for revision, in a cycle that
        is not closed."""
        return self.status in EDITABLE_STATUSES and not self.cycle.is_closed

    @property
    def is_with_escwa(self) -> bool:
        """The answers are with ESCWA now (submitted, accepted or published): not a draft, not
        returned for revision. (`SENT_STATUSES` is wider: sent at least once, returned included.)"""
        return self.status not in EDITABLE_STATUSES

    @property
    def is_draft(self) -> bool:
        """Never sent to ESCWA yet."""
        return self.status == SubmissionStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        """ESCWA returned the answers for revision; the country is to send them again."""
        return self.status == SubmissionStatus.RETURNED

    @property
    def is_accepted(self) -> bool:
        """ESCWA accepted the answers, not yet published: the country may agree to publication."""
        return self.status == SubmissionStatus.ACCEPTED

    @property
    def is_published(self) -> bool:
        """ESCWA published the answers on the public pages: the review is complete."""
        return self.status == SubmissionStatus.PUBLISHED

    @property
    def is_final(self) -> bool:
        """Accepted or published: ESCWA accepted the answers, which are final."""
        return self.status in FINAL_STATUSES


class SubmissionEvent(AppendOnlyModel):
    """One move of a submission's status: who, from, to, why, when."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="events", verbose_name=_("submission")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=SubmissionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=SubmissionStatus.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status or '—'} → {self.to_status}"


class PublicationAgreement(AppendOnlyModel):
    """A country's agreement that ESCWA publish its accepted answers on the public pages.

    Given once, by one of the country's focal points, on an accepted submission; publishing
    needs it (services.submission_transition). A history row: never changed or deleted.
    """

    submission = models.OneToOneField(
        Submission,
        on_delete=models.PROTECT,
        related_name="publication_agreement",
        verbose_name=_("submission"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed by"),
    )
    created_at = models.DateTimeField(
        _("agreed at"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("publication agreement")
        verbose_name_plural = _("publication agreements")

    def __str__(self) -> str:
        return f"{self.submission}: agreed to publication"

    # Told apart from the status moves beside it in a submission's timeline.
    is_publication_agreement = True


NOT_APPLICABLE_MAX_LENGTH = 300


class Answer(models.Model):
    """The current value of one question in one submission.

    `revision` counts saves: a save must name the revision it started from, so that two people
    editing the same answer never overwrite each other silently.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="answers", verbose_name=_("submission")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    value = models.JSONField(_("value"), null=True, blank=True)
    # The value as plain text (question type's as_text), kept in step by services.answer_save,
    # for search and exports.
    text = models.TextField(_("text"), blank=True, default="", editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    prefilled = models.BooleanField(
        _("prefilled from the previous cycle"),
        default=False,
        help_text=_("Carried forward and not yet edited or confirmed as still accurate."),
    )
    # Why the question does not apply to the country (questions that allow it); not empty: the
    # answer is "Not applicable", and `value` is kept for when it applies again.
    not_applicable_reason = models.CharField(
        _("not applicable because"), max_length=NOT_APPLICABLE_MAX_LENGTH, blank=True, default=""
    )

    class Meta:
        ordering = ["question__section__order", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} / {self.question.key}"


class AnswerRevision(AppendOnlyModel):
    """Every value an answer ever had, in order. A restore is a new revision."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        RESTORE = "restore", _("Restored")
        CARRY_FORWARD = "carry_forward", _("Carried forward")
        IMPORT = "import", _("Imported")
        CONFIRM = "confirm", _("Confirmed as still accurate")

    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("answer")
    )
    revision = models.PositiveIntegerField(_("revision"))
    value = models.JSONField(_("value"), null=True, blank=True)
    not_applicable_reason = models.CharField(
        _("not applicable because"), max_length=NOT_APPLICABLE_MAX_LENGTH, blank=True, default=""
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SAVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True, db_index=True)
    # The Word document a revision of kind "import" was read from (docs/word.md).
    document_import = models.ForeignKey(
        "questionnaire.DocumentImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("imported from"),
    )

    class Meta:
        ordering = ["answer", "revision"]
        verbose_name = _("answer revision")
        verbose_name_plural = _("answer revisions")
        constraints = [
            models.UniqueConstraint(fields=["answer", "revision"], name="answer_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.answer} r{self.revision}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the user: no path tricks, no clashes, no guessing.
    return f"attachments/{instance.submission_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A supporting document of a submission (PDF, DOCX, XLSX, ODT), checked by content."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        ODT = "odt", "OpenDocument text (ODT)"

    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("submission"),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
