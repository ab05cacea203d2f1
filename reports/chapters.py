"""The regional report's chapters in the compilation: ESCWA's own text, printed before the
countries under the heading "Regional report", with the figures where they belong
(`report_pieces`).

Only final revisions leave the staff pages: a chapter with no final revision in the
compilation's language is left out (the compilation page says so). Each chapter is a part of its
own (`annex_key` "chapter-<kind>-<ref>"), cached under the hash of its document like the annex
pieces, so that changing one chapter renders that chapter again and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi

from questionnaire import charts, richtext
from questionnaire.models import ReviewCycle

from . import figures, selectors, textdir
from .models import ChapterRevision

CHAPTER_PIECE = "chapter-"


@dataclass
class ChapterPiece:
    """One chapter as the compilation prints it: its final revision in the document's language."""

    key: str  # the part's annex_key
    title: str
    revision: ChapterRevision
    context: dict

    def html(self) -> str:
        """The chapter's document, in the active language (the revision's)."""
        return render_to_string("reports/compilation_chapter.html", self.context)


def piece_key(slot: selectors.ChapterSlot) -> str:
    return f"{CHAPTER_PIECE}{slot.kind}-{slot.ref}" if slot.ref else CHAPTER_PIECE + slot.kind


def chapter_pieces(cycle: ReviewCycle, language: str) -> Iterator[ChapterPiece]:
    """The chapters the compilation prints, in the report's order (the introduction, sections
    I–V, objectives 1–23): those with a final revision in `language`. Call it with `language`
    active. The first carries the heading "Regional report". Three queries.

    Figures that belong with a chapter are placed around these pieces by the caller."""
    finals = selectors.chapters_final(cycle=cycle, language=language)
    first = True
    for slot in selectors.chapter_slots(cycle=cycle):
        revision = finals.get((slot.kind, slot.ref))
        if revision is not None:
            yield _piece(slot, revision, first=first)
            first = False


# Where each figure goes in the regional report: after the chapter it belongs with (its place
# when that chapter is not printed). The submissions' progress and the days left after the
# introduction; the objectives' statuses after the synthesis of section III, before the
# objectives' chapters.
FIGURE_PLACES = {
    charts.PROGRESS: CHAPTER_PIECE + "introduction",
    charts.DAYS_LEFT: CHAPTER_PIECE + "introduction",
    charts.HEATMAP: CHAPTER_PIECE + "section-III",
    charts.OBJECTIVE_STATUS: CHAPTER_PIECE + "section-III",
}


def report_pieces(cycle: ReviewCycle, language: str) -> list[ChapterPiece | figures.FigurePiece]:
    """The regional report as the compilation prints it, before the countries: the chapters
    with a final revision in `language` (`chapter_pieces`) and the figures (`figures`), each
    figure after the chapter it belongs with (`FIGURE_PLACES`); the first piece carries the
    report's heading. Call it with `language` active."""
    places = [piece_key(slot) for slot in selectors.chapter_slots(cycle=cycle)]
    rank = {key: index for index, key in enumerate(places)}
    ordered = [((rank[piece.key], 0), piece) for piece in chapter_pieces(cycle, language)]
    for index, piece in enumerate(figures.figure_pieces(cycle), start=1):
        anchor = FIGURE_PLACES.get(piece.key.removeprefix(figures.FIGURE_PIECE))
        ordered.append(((rank.get(anchor, len(places)), index), piece))
    pieces = [piece for _rank, piece in sorted(ordered, key=lambda pair: pair[0])]
    for index, piece in enumerate(pieces):
        piece.context["first"] = index == 0
    return pieces


def chapter_piece(
    cycle: ReviewCycle, key: str, revision: ChapterRevision, *, first: bool
) -> ChapterPiece:
    """The piece `key` names, printing `revision` (the one its part recorded), laid out as
    `chapter_pieces` lays it out (`first`: it opens the regional report)."""
    for slot in selectors.chapter_slots(cycle=cycle):
        if piece_key(slot) == key:
            return _piece(slot, revision, first=first)
    raise LookupError(f"the cycle has no chapter {key!r}")


def _piece(slot: selectors.ChapterSlot, revision: ChapterRevision, *, first: bool) -> ChapterPiece:
    return ChapterPiece(
        key=piece_key(slot),
        title=slot.title,
        revision=revision,
        context={
            "first": first,
            "title": slot.title,
            "revision": revision,
            "body": _directed(revision.body, revision.language),
            "review_title": slot.cycle.version.display_title,
        },
    )


def _directed(body: str, language: str) -> str:
    """The chapter's cleaned HTML with a direction on every block whose script says otherwise
    than the document (an English name in an Arabic paragraph's list, say)."""
    document = textdir.TextDirection("rtl" if get_language_bidi() else "ltr", get_language())
    html = textdir.direct_blocks(richtext.clean_html(body), language, inherited=document).html
    # clean_html escaped the text; direct_blocks only adds dir and lang to its blocks.
    return mark_safe(html)  # noqa: S308  # nosec
