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
    # A chapter of the regional report: the final revision this compilation printed.
    chapter_revision = models.ForeignKey(
        "ChapterRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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

    @property
    def is_chapter(self) -> bool:
        return self.chapter_revision_id is not None


class ChapterKind(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction")
    SECTION = "section", _("Synthesis of a section")
    OBJECTIVE = "objective", _("Synthesis of an objective")


class ChapterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
    # Was final until another revision of the same language was marked final.
    REPLACED = "replaced", _("Final, since replaced")


class Chapter(models.Model):
    """A chapter of ESCWA's regional report for a cycle, written by staff in the portal: the
    introduction, the synthesis of a section (`ref`: its number in the cycle's version) or of an
    objective (`ref`: 1–23). Its text lives in its revisions, per language.

    The row is made by the first save (`services.chapter_save`): the chapters page lists the
    chapters a cycle can have, written or not."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="chapters")
    kind = models.CharField(_("kind"), max_length=12, choices=ChapterKind.choices)
    ref = models.CharField(_("reference"), max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chapter of the regional report")
        verbose_name_plural = _("chapters of the regional report")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind", "ref"], name="one_chapter_per_ref"),
            models.CheckConstraint(
                condition=models.Q(kind="introduction", ref="")
                | (models.Q(kind__in=["section", "objective"]) & ~models.Q(ref="")),
                name="chapter_ref_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.key}"

    @property
    def key(self) -> str:
        """What names the chapter in URLs and compilation parts: "introduction", "section-III",
        "objective-7"."""
        return self.kind if self.kind == ChapterKind.INTRODUCTION else f"{self.kind}-{self.ref}"


class ChapterRevision(models.Model):
    """One saved text of a chapter in one language. Append-only: saving, restoring and
    "mark as final" never change an earlier text; the only change a row takes is its status
    (draft → final → replaced), so that one final revision per language is the printed one."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(_("language"), max_length=8)
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ChapterStatus.choices, default=ChapterStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finalized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["chapter", "language", "-number"]
        verbose_name = _("chapter revision")
        verbose_name_plural = _("chapter revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "language", "number"], name="one_chapter_revision_number"
            ),
            models.UniqueConstraint(
                fields=["chapter", "language"],
                condition=models.Q(status="final"),
                name="one_final_chapter_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chapter} {self.language} v{self.number}"

    @property
    def is_final(self) -> bool:
        return self.status == ChapterStatus.FINAL


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
