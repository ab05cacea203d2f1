"""The reports app's own state: regional compilations and the cache of rendered country parts.

Reports never write the questionnaire's state; these tables only record the work of rendering it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questionnaire.models import ReviewCycle, Submission


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


class RenderedPart(models.Model):
    """A part of a compilation (a country's review, or one piece of the annexes), cached under a
    hash of everything it shows.

    Recompiling after one answer changed renders only that country and the annex piece of that
    question: every other part's hash is unchanged, so its PDF is taken from here.
    """

    content_hash = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="compilations/parts/", max_length=200)
    page_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rendered part")
        verbose_name_plural = _("rendered parts")

    def __str__(self) -> str:
        return self.content_hash[:12]


class Compilation(models.Model):
    """One run of the regional compilation of a cycle: a cover, contents, countries, annexes."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="compilations")
    language = models.CharField(_("language"), max_length=8, default="en")
    # An annex comparing each country with the previous cycle (compilation.comparison_pieces).
    include_comparison = models.BooleanField(
        _("annex comparing with the previous cycle"), default=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Last sign of life from a worker; a running job that stops beating is retried.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Set once, by whichever worker finishes the last part, so the document is assembled once.
    assembly_queued = models.BooleanField(default=False)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(upload_to="compilations/", max_length=200, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("regional compilation")
        verbose_name_plural = _("regional compilations")

    def __str__(self) -> str:
        return f"{self.cycle} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class CompilationPart(models.Model):
    """One piece of a compilation, rendered on its own: a country's submission, or a piece of
    the annexes (`annex_key`: the objectives matrix, or the answers to one question)."""

    compilation = models.ForeignKey(Compilation, on_delete=models.CASCADE, related_name="parts")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    annex_key = models.CharField(max_length=120, blank=True, default="")
    # Place in the document: the countries first, then the annex pieces.
    order = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rendered = models.ForeignKey(
        RenderedPart, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_cache = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["compilation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["compilation", "submission"], name="one_part_per_submission"
            ),
            models.UniqueConstraint(
                fields=["compilation", "annex_key"],
                condition=~models.Q(annex_key=""),
                name="one_part_per_annex_piece",
            ),
            models.CheckConstraint(
                condition=models.Q(submission__isnull=False, annex_key="")
                | (models.Q(submission__isnull=True) & ~models.Q(annex_key="")),
                name="part_is_a_country_or_an_annex_piece",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compilation_id}/{self.submission_id or self.annex_key}"

    @property
    def is_country(self) -> bool:
        return self.submission_id is not None


class PublishedPdf(models.Model):
    """The stored PDF of a published review in one language, served to the public as it is.

    Rendered when the review is published (a task per language, `public_pdf`), or on demand, under
    a limit, when none is stored yet or it no longer matches what it was rendered from: the
    `fingerprint` is a hash of everything the document shows (`public_pdf.source_fingerprint`).
    `sha256` is the file's, and the response's ETag.
    """

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("submission")
    )
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(upload_to="public-pdfs/", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(_("rendered at"), default=timezone.now)

    class Meta:
        verbose_name = _("published PDF")
        verbose_name_plural = _("published PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "language"], name="one_published_pdf_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.language}"


class RenderSlot(models.Model):
    """One of the PUBLIC_PDF_RENDERS_AT_ONCE places in which a public PDF may be rendered on
    demand, shared by every app server through the database (`throttle`).

    A slot is taken by a conditional UPDATE (free, or its lease has run out) and given back when
    the render ends; a server that dies mid-render loses its slot when the lease runs out.
    """

    number = models.PositiveSmallIntegerField(primary_key=True)
    # What is being rendered in it ("<submission>:<language>"), so a second request for the same
    # document waits for the first instead of rendering it again.
    document = models.CharField(max_length=40, blank=True, default="")
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.number}: {self.document or '-'}"
