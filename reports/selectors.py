"""Reads of the reports' own state (regional compilations), with the permission applied.

Like `questionnaire.selectors`, every lookup a view makes from an id in the URL goes through here,
so that the permission is checked before the database says whether the object exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from questionnaire import i18n, permissions
from questionnaire.models import Objective, ReviewCycle, Section
from questionnaire.permissions import Action

from .models import Chapter, ChapterKind, ChapterRevision, ChapterStatus, Compilation

# The questionnaire's section on progress on the GCM objectives: the objectives' chapters follow
# its synthesis in the regional report.
OBJECTIVES_SECTION = "III"


def compilation_get(*, user, pk: int) -> Compilation:
    """A regional compilation, for ESCWA staff only: it gathers every country's answers.

    PermissionDenied for everyone else, whatever the id (a country's user learns nothing, not
    even which compilations exist); 404 for a staff member asking for an unknown one.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    # The cycle's questionnaire too: the page shows the cycle's header and tabs.
    compilations = Compilation.objects.select_related(
        "cycle__version__questionnaire", "requested_by"
    )
    return get_object_or_404(compilations, pk=pk)


def cycle_compilations(*, cycle, limit: int = 20) -> list[Compilation]:
    """The cycle's latest compilations, newest first, with who asked for each. One query.
    Callers check the permission first (`questionnaire.selectors.cycle_get_for_staff`)."""
    return list(Compilation.objects.filter(cycle=cycle).select_related("requested_by")[:limit])


# --- The regional report's chapters ------------------------------------------------------------


def chapter_languages() -> dict[str, str]:
    """code → name of the languages a chapter is written in: the portal's."""
    return {code: str(name) for code, name in settings.LANGUAGES}


@dataclass
class ChapterSlot:
    """A chapter a cycle's regional report can have, written or not: the introduction, a
    section of the cycle's version, or one of the 23 objectives (`chapter_slots`)."""

    cycle: ReviewCycle
    kind: str
    ref: str = ""
    section: Section | None = None
    objective: Objective | None = None
    chapter: Chapter | None = None
    # language → {"latest": revision or None, "final": revision or None}, for the chapters page
    states: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.kind if self.kind == ChapterKind.INTRODUCTION else f"{self.kind}-{self.ref}"

    @property
    def title(self) -> str:
        """The chapter's heading in the active language."""
        if self.section is not None:
            return _("Section %(number)s: %(title)s") % {
                "number": self.section.number,
                "title": i18n.tr(self.section, "title"),
            }
        if self.objective is not None:
            return _("Objective %(number)s: %(title)s") % {
                "number": self.objective.number,
                "title": i18n.tr(self.objective, "title"),
            }
        return _("Introduction")


def chapter_slots(*, cycle: ReviewCycle) -> list[ChapterSlot]:
    """Every chapter the cycle's report can have, in the report's order: the introduction, the
    sections in the version's order, with the objectives 1–23 after section III (progress on the
    GCM objectives), or at the end when the version has no section III. Two queries."""
    objectives = [
        ChapterSlot(cycle, ChapterKind.OBJECTIVE, str(objective.number), objective=objective)
        for objective in Objective.objects.order_by("number")
    ]
    slots = [ChapterSlot(cycle, ChapterKind.INTRODUCTION)]
    for section in Section.objects.filter(version_id=cycle.version_id).order_by("order", "pk"):
        slots.append(ChapterSlot(cycle, ChapterKind.SECTION, section.number, section=section))
        if section.number == OBJECTIVES_SECTION:
            slots.extend(objectives)
            objectives = []
    return slots + objectives


def chapter_slot_get(*, user, cycle: ReviewCycle, key: str) -> ChapterSlot:
    """The chapter `key` names ("introduction", "section-III", "objective-7") with its row when
    it has one; 404 for a key the cycle has no chapter for. Staff only, as the cycle's pages."""
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    for slot in chapter_slots(cycle=cycle):
        if slot.key == key:
            slot.chapter = Chapter.objects.filter(cycle=cycle, kind=slot.kind, ref=slot.ref).first()
            return slot
    raise Http404


def cycle_chapters(*, cycle: ReviewCycle) -> list[ChapterSlot]:
    """The chapters page: every slot, each language's latest and final revision (who, when).
    Four queries, whatever the number of chapters and revisions. Callers check the permission
    (`questionnaire.selectors.cycle_get_for_staff`)."""
    slots = chapter_slots(cycle=cycle)
    chapters = {(c.kind, c.ref): c for c in Chapter.objects.filter(cycle=cycle)}
    revisions = (
        ChapterRevision.objects.filter(chapter__cycle=cycle)
        .select_related("author", "finalized_by")
        .defer("body")
        .order_by("number")
    )
    by_chapter: dict[int, dict[str, dict]] = {}
    for revision in revisions:
        state = by_chapter.setdefault(revision.chapter_id, {}).setdefault(
            revision.language, {"latest": None, "final": None}
        )
        state["latest"] = revision
        if revision.status == ChapterStatus.FINAL:
            state["final"] = revision
    for slot in slots:
        slot.chapter = chapters.get((slot.kind, slot.ref))
        known = by_chapter.get(slot.chapter.pk, {}) if slot.chapter else {}
        slot.states = {
            code: known.get(code, {"latest": None, "final": None}) for code in chapter_languages()
        }
    return slots


def chapter_revisions(*, slot: ChapterSlot, language: str) -> list[ChapterRevision]:
    """The chapter's revisions in `language`, newest first, with who saved and who marked them
    final. One query (none when the chapter was never saved)."""
    if slot.chapter is None:
        return []
    return list(
        slot.chapter.revisions.filter(language=language)
        .select_related("author", "finalized_by", "restored_from")
        .order_by("-number")
    )


def chapter_revision_get(*, slot: ChapterSlot, language: str, number: int) -> ChapterRevision:
    if slot.chapter is None:
        raise Http404
    return get_object_or_404(
        ChapterRevision.objects.select_related("chapter"),
        chapter=slot.chapter,
        language=language,
        number=number,
    )


def chapters_final(*, cycle: ReviewCycle, language: str) -> dict[tuple[str, str], ChapterRevision]:
    """(kind, ref) → the final revision in `language` of each chapter that has one: what the
    compilation prints. One query."""
    revisions = ChapterRevision.objects.filter(
        chapter__cycle=cycle, language=language, status=ChapterStatus.FINAL
    ).select_related("chapter", "author", "finalized_by")
    return {(r.chapter.kind, r.chapter.ref): r for r in revisions}


def compilation_chapters(*, compilation: Compilation) -> dict:
    """What the compilation page says of the regional report: the chapters it printed (part by
    part, the revision each printed), and those left out, with why: written, but with no final
    version in the compilation's language when it was compiled. Four queries."""
    printed = list(
        compilation.parts.filter(chapter_revision__isnull=False)
        .select_related("chapter_revision__chapter", "chapter_revision__finalized_by")
        .select_related("chapter_revision__author")
        .order_by("order")
    )
    printed_ids = {part.chapter_revision.chapter_id for part in printed}
    revisions = (
        ChapterRevision.objects.filter(
            chapter__cycle_id=compilation.cycle_id, created_at__lte=compilation.created_at
        )
        .exclude(chapter_id__in=printed_ids)
        .select_related("chapter")
        .defer("body")
    )
    here: dict[tuple[str, str], bool] = {}  # (kind, ref) → has a revision in this language
    for revision in revisions:
        place = (revision.chapter.kind, revision.chapter.ref)
        here[place] = here.get(place, False) or revision.language == compilation.language
    slots = chapter_slots(cycle=compilation.cycle)
    titles = {(s.kind, s.ref): s.title for s in slots}
    left_out = [
        {"title": s.title, "only_draft": here[(s.kind, s.ref)]}
        for s in slots
        if (s.kind, s.ref) in here
    ]
    return {
        "printed": [
            {
                "part": part,
                "revision": part.chapter_revision,
                "title": titles.get(
                    (part.chapter_revision.chapter.kind, part.chapter_revision.chapter.ref), ""
                ),
            }
            for part in printed
        ],
        "left_out": left_out,
    }
