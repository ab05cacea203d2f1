"""The public PDF of a published national review: rendered once, served from storage.

Rendering a review takes a second or more of CPU, so the public view (open to anyone) never
renders one per request. Instead:

1. Publishing a submission (`questionnaire.signals.submission_published`, any actor) queues one
   `tasks.render_public_pdf` per portal language once the publication commits; a worker renders
   each into a `PublishedPdf` (default storage, so S3 when configured).
2. Each stored PDF carries the fingerprint of what it was rendered from (`source_fingerprint`,
   the one `reports.fingerprint` the compilation's parts use too: the answers, the submission's
   dates and status, the names and titles, the version's texts in the PDF's language, the
   objectives, and the PDF's templates, stylesheets, fonts and translations).
   `public_pdf_current` returns the stored PDF only while its fingerprint is still the current
   one: a review whose data changed is never shown in its old form.
3. When there is no current PDF (published before PDFs were stored, the worker has not run yet,
   or the data changed), `public_pdf_render_on_demand` renders it in the request under the limits
   of `throttle` and stores it, so it is rendered once. Beyond the limits the request is refused
   (503 or 429 with Retry-After), never queued.

`manage.py render_public_pdfs` renders (or queues) whatever is missing or stale, for operators
after a deploy that changes the PDF's templates (docs/deploy.md).

Writes here are the reports app's own cache of rendered files; the questionnaire's state is only
read.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from questionnaire import selectors
from questionnaire.models import Submission, SubmissionStatus

from . import fingerprint, pdf, queue, throttle
from .models import PublishedPdf

logger = logging.getLogger(__name__)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def source_fingerprint(*, submission: Submission, language: str) -> str:
    """A hash of everything the PDF of `submission` in `language` shows
    (`fingerprint.submission_fingerprint`: its templates, stylesheets, fonts and translations,
    the version's texts in `language`, the answers). Three queries; the submission comes with
    its cycle, version, questionnaire and country (`selectors.public_submission_get`)."""
    return fingerprint.submission_fingerprint(submission=submission, language=language)


# --- Reads -------------------------------------------------------------------------------------


def public_pdf_current(*, submission: Submission, language: str) -> PublishedPdf | None:
    """The stored PDF of a published `submission` in `language`, if it was rendered from what the
    submission is now; None when there is none or it is stale. Four queries, no rendering."""
    stored = PublishedPdf.objects.filter(submission=submission, language=language).first()
    if stored is None or not stored.file:
        return None
    if stored.fingerprint != source_fingerprint(submission=submission, language=language):
        return None
    return stored


def public_pdfs_pending(
    *, submissions=None, force: bool = False
) -> Iterator[tuple[Submission, str]]:
    """(submission, language) of every published review whose PDF is missing (no row, or a row
    whose file left the storage), stale, or, with `force`, any."""
    if submissions is None:
        submissions = Submission.objects.filter(status=SubmissionStatus.PUBLISHED)
    submissions = submissions.select_related("cycle__version__questionnaire", "country")
    for submission in submissions.order_by("pk"):
        for language in languages():
            stored = public_pdf_current(submission=submission, language=language)
            if force or stored is None or not stored.file.storage.exists(stored.file.name):
                yield submission, language


# --- Writes (the reports app's own cache) --------------------------------------------------------


def public_pdf_render(*, submission: Submission, language: str) -> PublishedPdf:
    """Render the PDF of a published `submission` in `language` and store it in place of the
    one stored before. No limit: for the worker and the command; requests go through
    `public_pdf_render_on_demand`."""
    # Taken before the render reads the data: a change during the render leaves the stored PDF
    # stale (rendered again), never a stale PDF marked current.
    fingerprint = source_fingerprint(submission=submission, language=language)
    data = pdf.submission_pdf(submission=submission, language=language)
    return _store(submission=submission, language=language, data=data, fingerprint=fingerprint)


def public_pdf_render_on_demand(
    *, submission: Submission, language: str, client: str, lost: PublishedPdf | None = None
) -> PublishedPdf:
    """The current PDF, rendered now under the limits of `throttle` (RenderRefused beyond them)
    and stored, unless another request stored it while this one took its slot. `lost`: a stored
    PDF whose file is missing from the storage, rendered again even though it is current."""
    with throttle.render_allowed(client=client, document=f"{submission.pk}:{language}"):
        stored = public_pdf_current(submission=submission, language=language)
        if stored is not None and (lost is None or stored.file.name != lost.file.name):
            return stored
        return public_pdf_render(submission=submission, language=language)


def _store(*, submission: Submission, language: str, data: bytes, fingerprint: str) -> PublishedPdf:
    sha256 = hashlib.sha256(data).hexdigest()
    # A new name for each rendering: a response streaming the previous file is not cut short,
    # and storages that never overwrite (S3 here) need none.
    name = PublishedPdf.file.field.generate_filename(
        None, f"{submission.pk}-{language}-{sha256[:16]}.pdf"
    )
    storage = PublishedPdf.file.field.storage
    name = storage.save(name, ContentFile(data))
    with transaction.atomic():
        stored, created = PublishedPdf.objects.select_for_update().get_or_create(
            submission=submission,
            language=language,
            defaults={"file": name, "sha256": sha256, "size": len(data),
                      "fingerprint": fingerprint},
        )  # fmt: skip
        if not created:
            previous = stored.file.name
            stored.file = name
            stored.sha256 = sha256
            stored.size = len(data)
            stored.fingerprint = fingerprint
            stored.rendered_at = timezone.now()
            stored.save()
            if previous and previous != name:
                transaction.on_commit(lambda: _delete_quietly(storage, previous))
    return stored


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # a file left behind costs space, not correctness
        logger.warning("Could not delete the replaced public PDF %s", name, exc_info=True)


def public_pdf_render_task(*, submission_id: int, language: str) -> bool:
    """What `tasks.render_public_pdf` runs: render unless the stored PDF is current. False when
    there was nothing to do (current already, or no longer published)."""
    try:
        submission = selectors.public_submission_get(pk=submission_id)
    except Http404:
        return False
    if public_pdf_current(submission=submission, language=language) is not None:
        return False
    public_pdf_render(submission=submission, language=language)
    return True


def public_pdfs_queue(*, submission: Submission) -> None:
    """Queue the rendering of `submission`'s PDF in every portal language, its own first, once
    the current transaction commits."""
    own = submission.language
    for language in sorted(languages(), key=lambda code: code != own):
        queue.public_pdf_render_later(submission.pk, language)


def on_submission_published(sender, submission: Submission, **kwargs) -> None:
    """Receiver of `questionnaire.signals.submission_published` (connected in apps.py)."""
    public_pdfs_queue(submission=submission)
