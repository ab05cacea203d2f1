"""Writes of the reports app: its own jobs (compilations) and ESCWA's own text (the regional
report's chapters), never the questionnaire's state.

Views, commands and benches call these, so the rule of who may compile lives here once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from questionnaire import permissions, richtext
from questionnaire.models import ReviewCycle
from questionnaire.permissions import Action

from . import queue
from .models import Chapter, ChapterRevision, ChapterStatus, Compilation, JobStatus
from .selectors import ChapterSlot, chapter_languages


def _require_may_compile(user) -> None:
    # A compilation shows every country's accepted answers: ESCWA staff only. No user: a
    # system job (a command, a bench), which runs on the operator's word.
    if user is not None and not permissions.can(user, Action.VIEW_ALL_COUNTRIES):
        raise PermissionDenied


def compilation_create(
    *,
    cycle: ReviewCycle,
    language: str = "en",
    user=None,
    include_comparison: bool = False,
) -> Compilation:
    """Record a compilation of `cycle`, queued and not started: `compilation_request` has a
    worker run it, `manage.py compile_region` runs it in its own process. ESCWA staff only
    (`user` None: a system job). `include_comparison`: an annex comparing each country with the
    previous cycle (nothing when there is none)."""
    _require_may_compile(user)
    return Compilation.objects.create(
        cycle=cycle,
        requested_by=user,
        language=language,
        include_comparison=include_comparison,
    )


def compilation_request(
    *,
    cycle: ReviewCycle,
    user=None,
    language: str = "en",
    include_comparison: bool = False,
) -> Compilation:
    """Queue a compilation of `cycle`. ESCWA staff only; the work runs on a worker."""
    with transaction.atomic():
        compilation = compilation_create(
            cycle=cycle, language=language, user=user, include_comparison=include_comparison
        )
        queue.compilation_prepare_later(compilation.pk)
    return compilation


def compilation_retry(*, compilation: Compilation, user=None) -> Compilation:
    """Start a failed compilation again: parts already rendered are reused from the cache. A
    compilation that has not failed is left as it is."""
    _require_may_compile(user)
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
        queue.compilation_prepare_later(compilation.pk)
    return compilation


# --- The regional report's chapters ------------------------------------------------------------


class ChapterConflict(Exception):
    """Someone saved the chapter in this language after the text being saved was opened: nothing
    was saved, so that the person can compare and choose (`latest` is that other text)."""

    def __init__(self, latest: ChapterRevision):
        super().__init__(f"version {latest.number} was saved meanwhile")
        self.latest = latest


def _require_may_write_chapters(user) -> None:
    # The chapters are written beside the compilation, by whoever may compile it: ESCWA staff.
    if not permissions.can(user, Action.VIEW_ALL_COUNTRIES):
        raise PermissionDenied


@transaction.atomic
def chapter_save(
    *, slot: ChapterSlot, language: str, body: str, user, base_number: int
) -> ChapterRevision:
    """Save `body` (cleaned by `richtext.clean_html`) as a new draft revision of the chapter in
    `language`; a save never overwrites one. `base_number` is the revision the text was written
    from (0: none): if another was saved since, `ChapterConflict` is raised and nothing changes.
    A text equal to the latest revision's is not saved again: that revision is returned."""
    _require_may_write_chapters(user)
    if language not in chapter_languages():
        raise ValueError(f"not a portal language: {language!r}")
    chapter, _created = Chapter.objects.get_or_create(
        cycle=slot.cycle, kind=slot.kind, ref=slot.ref
    )
    # One writer at a time per chapter: the revision numbers and the conflict check rely on it.
    Chapter.objects.select_for_update().get(pk=chapter.pk)
    latest = chapter.revisions.filter(language=language).order_by("-number").first()
    if (latest.number if latest else 0) != base_number:
        raise ChapterConflict(latest)
    cleaned = richtext.clean_html(body)
    if latest is not None and latest.body == cleaned:
        return latest
    return ChapterRevision.objects.create(
        chapter=chapter,
        language=language,
        number=(latest.number if latest else 0) + 1,
        body=cleaned,
        author=user,
    )


@transaction.atomic
def chapter_restore(*, revision: ChapterRevision, user) -> ChapterRevision:
    """Bring back an earlier text as a new draft revision (the history keeps both)."""
    _require_may_write_chapters(user)
    Chapter.objects.select_for_update().get(pk=revision.chapter_id)
    latest = (
        ChapterRevision.objects.filter(chapter_id=revision.chapter_id, language=revision.language)
        .order_by("-number")
        .first()
    )
    return ChapterRevision.objects.create(
        chapter_id=revision.chapter_id,
        language=revision.language,
        number=latest.number + 1,
        body=revision.body,
        author=user,
        restored_from=revision,
    )


@transaction.atomic
def chapter_mark_final(*, revision: ChapterRevision, user) -> ChapterRevision:
    """Make `revision` the text the compilation prints in its language. The revision that was
    final before stays in the history as "final, since replaced"; no text changes."""
    _require_may_write_chapters(user)
    Chapter.objects.select_for_update().get(pk=revision.chapter_id)
    if revision.status == ChapterStatus.FINAL:
        return revision
    ChapterRevision.objects.filter(
        chapter_id=revision.chapter_id, language=revision.language, status=ChapterStatus.FINAL
    ).update(status=ChapterStatus.REPLACED)
    revision.status = ChapterStatus.FINAL
    revision.finalized_by = user
    revision.finalized_at = timezone.now()
    revision.save(update_fields=["status", "finalized_by", "finalized_at"])
    return revision
