"""The regional compilation: one PDF per cycle, built from the countries' parts.

The work is split so that several workers share it and unchanged countries cost nothing:

1. `compilation_request` records a Compilation and enqueues `tasks.prepare_compilation`.
2. `prepare` lists the accepted and published submissions and hashes what each country's part
   shows; a part whose hash is already in `RenderedPart` is done at once, the others are each
   enqueued as `tasks.render_part`.
3. `render_part` renders one country (the same templates as the submission PDF) into the cache.
   Whichever worker finishes the last part enqueues `tasks.assemble_compilation`, exactly once.
4. `assemble` renders the cover and contents (with the page where each country starts) and the
   annexes, merges everything with pypdf, stamps "page X of Y" on every page and stores the file.

`manage.py compile_region` runs the same functions inline.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from questionnaire import permissions, selectors
from questionnaire.models import Answer, ReviewCycle, Submission, SubmissionStatus
from questionnaire.permissions import Action

from . import pdf
from .models import Compilation, CompilationPart, JobStatus, RenderedPart

logger = logging.getLogger(__name__)

# Bump when the part templates change, so cached parts are rendered again.
PART_LAYOUT_VERSION = "2"
COMPILED_STATUSES = (SubmissionStatus.ACCEPTED, SubmissionStatus.PUBLISHED)


# --- Requests ----------------------------------------------------------------------------------


def compilation_request(*, cycle: ReviewCycle, user=None, language: str = "en") -> Compilation:
    """Queue a compilation of `cycle`. ESCWA staff only; the work runs on a worker."""
    from . import tasks

    if user is not None and not permissions.can(user, Action.VIEW_ALL_COUNTRIES):
        raise PermissionDenied
    with transaction.atomic():
        compilation = Compilation.objects.create(cycle=cycle, requested_by=user, language=language)
        transaction.on_commit(lambda: tasks.prepare_compilation.enqueue(compilation.pk))
    return compilation


def compilation_retry(*, compilation: Compilation, user=None) -> Compilation:
    """Start a failed compilation again: parts already rendered are reused from the cache."""
    from . import tasks

    if user is not None and not permissions.can(user, Action.VIEW_ALL_COUNTRIES):
        raise PermissionDenied
    with transaction.atomic():
        compilation = Compilation.objects.select_for_update().get(pk=compilation.pk)
        if compilation.status != JobStatus.FAILED:
            return compilation
        compilation.parts.all().delete()
        compilation.status = JobStatus.QUEUED
        compilation.error = ""
        compilation.assembly_queued = False
        compilation.finished_at = None
        compilation.save()
        transaction.on_commit(lambda: tasks.prepare_compilation.enqueue(compilation.pk))
    return compilation


# --- Hashing -----------------------------------------------------------------------------------


def part_hash(submission: Submission, language: str) -> str:
    """A hash of everything a country's part shows, so an unchanged part is never re-rendered."""
    answers = list(
        Answer.objects.filter(submission=submission)
        .order_by("question_id")
        .values_list("question_id", "revision", "value")
    )
    material = {
        "layout": PART_LAYOUT_VERSION,
        "language": language,
        "submission": submission.pk,
        "status": submission.status,
        "submission_language": submission.language,
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else "",
        "accepted_at": submission.accepted_at.isoformat() if submission.accepted_at else "",
        "country": [
            submission.country.name_en,
            submission.country.name_ar,
            submission.country.name_fr,
        ],  # fmt: skip
        "cycle": [submission.cycle.slug, submission.cycle.name],
        "version": submission.cycle.version_id,
        "answers": answers,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


# --- The steps ---------------------------------------------------------------------------------


def prepare(compilation_id: int, enqueue: Callable[[int], object] | None = None) -> list[int]:
    """List the parts; return the ids of those that need rendering (enqueued when asked)."""
    compilation = Compilation.objects.select_related("cycle").get(pk=compilation_id)
    submissions = list(
        Submission.objects.filter(cycle=compilation.cycle, status__in=COMPILED_STATUSES)
        .select_related("country", "cycle")
        .order_by("country__name_en")
    )
    pending = []
    with transaction.atomic():
        Compilation.objects.filter(pk=compilation_id).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        for order, submission in enumerate(submissions):
            content_hash = part_hash(submission, compilation.language)
            cached = RenderedPart.objects.filter(content_hash=content_hash).first()
            part, _created = CompilationPart.objects.get_or_create(
                compilation=compilation,
                submission=submission,
                defaults={"order": order, "content_hash": content_hash},
            )
            if cached is not None and cached.file and cached.file.storage.exists(cached.file.name):
                part.rendered = cached
                part.from_cache = True
                part.status = JobStatus.SUCCEEDED
                part.finished_at = timezone.now()
                part.save()
            elif part.status != JobStatus.SUCCEEDED:
                pending.append(part.pk)
    if enqueue is not None:
        for part_id in pending:
            transaction.on_commit(lambda part_id=part_id: enqueue(part_id))
    if not pending:
        _queue_assembly_if_complete(compilation_id)
    return pending


def render_part(part_id: int) -> None:
    """Render one country's part into the cache (or reuse a copy another worker just made)."""
    part = CompilationPart.objects.select_related(
        "compilation", "submission__country", "submission__cycle__version__questionnaire"
    ).get(pk=part_id)
    if part.status == JobStatus.SUCCEEDED:
        return
    CompilationPart.objects.filter(pk=part_id).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    Compilation.objects.filter(pk=part.compilation_id).update(heartbeat_at=timezone.now())
    try:
        rendered = RenderedPart.objects.filter(content_hash=part.content_hash).first()
        if rendered is None:
            with translation.override(part.compilation.language):
                data = pdf.submission_pdf(submission=part.submission, in_compilation=True)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            try:
                with transaction.atomic():
                    rendered = RenderedPart(content_hash=part.content_hash, page_count=pages)
                    rendered.file.save(f"{part.content_hash}.pdf", ContentFile(data), save=False)
                    rendered.save()
            except IntegrityError:  # two workers rendered the same content: keep the first
                rendered = RenderedPart.objects.get(content_hash=part.content_hash)
    except Exception as exc:
        logger.exception("Rendering part %s failed", part_id)
        _fail(part, _("%(country)s could not be rendered: %(error)s")
              % {"country": part.submission.country.name, "error": exc})  # fmt: skip
        raise
    CompilationPart.objects.filter(pk=part_id).update(
        status=JobStatus.SUCCEEDED, rendered=rendered, finished_at=timezone.now(), error=""
    )
    _queue_assembly_if_complete(part.compilation_id)


def _fail(part: CompilationPart, message: str) -> None:
    CompilationPart.objects.filter(pk=part.pk).update(status=JobStatus.FAILED, error=message)
    Compilation.objects.filter(pk=part.compilation_id).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _queue_assembly_if_complete(compilation_id: int) -> bool:
    """Enqueue the assembly once every part is rendered; exactly once across workers."""
    from . import tasks

    with transaction.atomic():
        compilation = Compilation.objects.select_for_update().get(pk=compilation_id)
        if compilation.assembly_queued or compilation.status == JobStatus.FAILED:
            return False
        if compilation.parts.exclude(status=JobStatus.SUCCEEDED).exists():
            return False
        compilation.assembly_queued = True
        compilation.save(update_fields=["assembly_queued"])
        transaction.on_commit(lambda: tasks.assemble_compilation.enqueue(compilation_id))
    return True


def assemble(compilation_id: int) -> None:
    """Front matter + cached parts + annexes → one PDF with page numbers and bookmarks."""
    compilation = Compilation.objects.select_related("cycle__version__questionnaire").get(
        pk=compilation_id
    )
    try:
        with translation.override(compilation.language):
            data, pages = _assemble_pdf(compilation)
    except Exception as exc:
        logger.exception("Assembling compilation %s failed", compilation_id)
        Compilation.objects.filter(pk=compilation_id).update(
            status=JobStatus.FAILED,
            error=_("The document could not be assembled: %(error)s") % {"error": exc},
            finished_at=timezone.now(),
        )
        raise
    compilation.file.save(
        f"gcm-{compilation.cycle.slug}-regional-compilation-{compilation.pk}.pdf",
        ContentFile(data),
        save=False,
    )
    Compilation.objects.filter(pk=compilation_id).update(
        file=compilation.file.name,
        page_count=pages,
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        error="",
    )


def run_inline(compilation: Compilation) -> Compilation:
    """Every step in this process, in order: what `compile_region` and the tests use."""
    for part_id in prepare(compilation.pk):
        render_part(part_id)
    compilation.refresh_from_db()
    if compilation.status != JobStatus.SUCCEEDED:
        assemble(compilation.pk)
        compilation.refresh_from_db()
    return compilation


# --- Layout ------------------------------------------------------------------------------------


def _assemble_pdf(compilation: Compilation) -> tuple[bytes, int]:
    parts = list(
        compilation.parts.select_related("submission__country", "rendered").order_by("order")
    )
    readers = [PdfReader(part.rendered.file.open("rb")) for part in parts]
    annex = PdfReader(io.BytesIO(_annex_pdf(compilation)))

    # The contents need the page each country starts on, which depends on how long the front
    # matter is: lay it out once to count its pages, then again with the real numbers.
    front = _front_pdf(compilation, parts, readers, front_pages=1, annex_pages=len(annex.pages))
    front_pages = len(PdfReader(io.BytesIO(front)).pages)
    front = _front_pdf(
        compilation, parts, readers, front_pages=front_pages, annex_pages=len(annex.pages)
    )
    front_reader = PdfReader(io.BytesIO(front))

    writer = PdfWriter()
    writer.append(front_reader, import_outline=False)
    writer.add_outline_item(title=_("Contents"), page_number=1)
    countries = writer.add_outline_item(title=_("Countries"), page_number=len(front_reader.pages))
    for part, reader in zip(parts, readers, strict=True):
        start = len(writer.pages)
        writer.append(reader, import_outline=False)
        writer.add_outline_item(
            title=part.submission.country.name, page_number=start, parent=countries
        )
    annex_start = len(writer.pages)
    writer.append(annex, import_outline=False)
    writer.add_outline_item(title=_("Annexes"), page_number=annex_start)

    total = len(writer.pages)
    numbers = PdfReader(io.BytesIO(_page_numbers_pdf(compilation, total)))
    for index, page in enumerate(writer.pages):
        if index:  # no number on the cover
            page.merge_page(numbers.pages[index])
    writer.add_metadata(
        {
            "/Title": _("Regional compilation: %(cycle)s") % {"cycle": compilation.cycle.name},
            "/Author": pdf.PORTAL_NAME,
        }
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), total


def _front_pdf(compilation, parts, readers, *, front_pages: int, annex_pages: int) -> bytes:
    start = front_pages + 1
    rows = []
    for part, reader in zip(parts, readers, strict=True):
        rows.append({"country": part.submission.country, "submission": part.submission,
                     "page": start})  # fmt: skip
        start += len(reader.pages)
    html = render_to_string(
        "reports/compilation_front.html",
        {
            "compilation": compilation,
            "cycle": compilation.cycle,
            "rows": rows,
            "annex_page": start,
            "generated_at": timezone.now(),
            "portal_name": pdf.PORTAL_NAME,
        },
    )
    return pdf.html_to_pdf(html)


def _annex_pdf(compilation: Compilation) -> bytes:
    context = selectors.cycle_compilation_annex(cycle=compilation.cycle, statuses=COMPILED_STATUSES)
    html = render_to_string(
        "reports/compilation_annex.html",
        {**context, "compilation": compilation, "cycle": compilation.cycle},
    )
    return pdf.html_to_pdf(html)


def _page_numbers_pdf(compilation: Compilation, total: int) -> bytes:
    html = render_to_string(
        "reports/compilation_numbers.html",
        {
            "pages": range(1, total + 1),
            "total": total,
            "cycle": compilation.cycle,
            "page_counter_css": pdf.page_counter_css(),
        },
    )
    return pdf.html_to_pdf(html)
