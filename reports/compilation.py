"""The regional compilation: one PDF per cycle, built from parts rendered on their own.

The work is split so that several workers share it and unchanged parts cost nothing:

1. `reports.services.compilation_request` records a Compilation and enqueues
   `tasks.prepare_compilation`.
2. `prepare` lists the parts: the figures of the regional overview (`figures.figure_pieces`,
   before the countries), each accepted and published submission (a country's part), and the
   pieces of the annexes (the objectives matrix when the questionnaire has a grid, then the
   answers to each question, every country side by side). It hashes what each part shows; a part
   whose hash is already in `RenderedPart` is done at once, the others are each enqueued as
   `tasks.render_part`, largest first, so that the workers finish at about the same time.
3. `render_part` renders one part into the cache (the same templates as the submission PDF for a
   country). Whichever worker finishes the last part enqueues `tasks.assemble_compilation`,
   exactly once.
4. `assemble` renders the cover and contents (with the page where each country starts), merges
   everything into one tagged PDF/A-3b (`pdf_merge`, `archival`), draws "page X of Y" on every
   page but the cover and stores the file.

After one answer changed, a compilation renders two parts (that country's, and the annex piece of
that question) and the assembly. `manage.py compile_region` runs the same functions inline.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pikepdf import Array, Dictionary, OutlineItem, Pdf
from weasyprint import HTML

from questionnaire import i18n, selectors
from questionnaire.models import FINAL_STATUSES, Country, ReviewCycle, Submission

from . import archival, chapters, figures, fingerprint, pdf, pdf_merge, queue
from . import selectors as report_selectors
from .fetcher import StaticFilesFetcher, static_base_url
from .models import Compilation, CompilationPart, JobStatus, RenderedPart

logger = logging.getLogger(__name__)

# What a country's part and an annex piece are hashed with besides what they show: this module,
# whose `_layout` writes them (its options, tags or PDF variant, change the file made from the
# same HTML). The rest is `fingerprint`'s: templates, stylesheets, fonts, translations, texts.
PART_CODE_MODULE = __name__
OBJECTIVES_PIECE = "objectives"
QUESTION_PIECE = "question-"
# The optional annex comparing each country with the previous cycle: one piece per country.
COMPARISON_PIECE = "comparison-"
# The cover and one page of contents: the front matter is laid out again only when it is longer.
FRONT_PAGES_GUESS = 2
# The name the page numbers drawn over the merged pages go by in each page's resources.
PAGE_NUMBER_XOBJECT = "/GcmPageNumber"


# --- Hashing -----------------------------------------------------------------------------------


def _part_material(submission: Submission, language: str) -> str:
    """What a country's part shows (`fingerprint.submission_material`: the layout's files, the
    version's texts in `language`, the answers) and the code that writes it. Three queries."""
    shown = fingerprint.submission_material(submission=submission, language=language)
    return f"{fingerprint.module_digest(PART_CODE_MODULE)}\n{shown}"


def _digest(material: str) -> str:
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class AnnexPiece:
    """A piece of the annexes, rendered and cached on its own; each starts on a new page."""

    key: str
    context: dict
    template: str = "reports/compilation_annex.html"

    def html(self) -> str:
        """The piece's document, in the active language."""
        return render_to_string(self.template, self.context)


def annex_pieces(cycle: ReviewCycle, *, comparison: bool = False) -> list[AnnexPiece]:
    """The annexes cut where one answer's change stays inside one piece: the objectives matrix
    (when the questionnaire has a grid), then each question with every compiled country's answer,
    then (with `comparison`) each country compared with the previous cycle. The first piece
    carries the annexes' title, the first of each annex its heading."""
    data = selectors.cycle_compilation_annex(cycle=cycle, statuses=FINAL_STATUSES)
    base = {
        "cycle": cycle,
        # The whole compilation's running header: the review's own title (the version's).
        "review_title": cycle.version.display_title,
        "objectives": data["objectives"],
        "matrix": [],
        "by_question": [],
        "by_question_number": None,
        "first": False,
    }
    pieces = []
    if data["matrix"]:
        pieces.append(AnnexPiece(OBJECTIVES_PIECE, {**base, "matrix": data["matrix"]}))
    for index, entry in enumerate(data["by_question"]):
        context = {**base, "by_question": [entry]}
        if index == 0:
            context["by_question_number"] = len(data["matrix"]) + 1
        pieces.append(AnnexPiece(QUESTION_PIECE + entry["question"].key, context))
    if comparison:
        number = len(data["matrix"]) + bool(data["by_question"]) + 1
        pieces += comparison_pieces(cycle, base, number=number)
    if pieces:
        pieces[0].context["first"] = True
    return pieces


def comparison_pieces(cycle: ReviewCycle, base: dict, *, number: int) -> list[AnnexPiece]:
    """The annex comparing each country whose reviews of this cycle and of the previous one were
    both accepted: one piece per country (`comparison-<iso2>`), so that one country's change
    renders one piece again. None without a previous cycle."""
    data = selectors.cycle_comparison(cycle=cycle, final_only=True)
    pieces = []
    for index, country in enumerate(data.countries):
        context = {
            **base,
            "previous_cycle": data.previous_cycle,
            "comparison": country,
            "annex_number": number if index == 0 else None,
        }
        pieces.append(
            AnnexPiece(
                COMPARISON_PIECE + country.country.iso2.lower(),
                context,
                template="reports/compilation_comparison.html",
            )
        )
    return pieces


def document_hash(html: str, language: str) -> str:
    """A hash of a document of the compilation laid out from `html` alone (an annex piece, the
    front matter, the page numbers): the HTML (its templates, texts and translations are in it),
    the static files it links (stylesheets, their fonts) and the code that lays it out."""
    material = {
        "code": [fingerprint.CODE_VERSION, fingerprint.module_digest(PART_CODE_MODULE)],
        "language": language,
        "document": fingerprint.document_digest(html),
        "html": html,
    }
    return _digest(json.dumps(material, sort_keys=True))


# --- The steps ---------------------------------------------------------------------------------


def prepare(compilation_id: int, enqueue: Callable[[int], object] | None = None) -> list[int]:
    """List the parts; return the ids of those that need rendering, largest first (and enqueue
    them when asked)."""
    compilation = Compilation.objects.select_related("cycle").get(pk=compilation_id)
    language = compilation.language
    submissions = list(
        Submission.objects.filter(cycle=compilation.cycle, status__in=FINAL_STATUSES)
        .select_related("country", "cycle__version__questionnaire")
        .order_by("country__name_en")
    )
    with translation.override(language):
        # ESCWA's chapters (final revisions only, each recorded on its part) with the figures
        # where they belong: the regional report, before the countries.
        report = chapters.report_pieces(compilation.cycle, language)
        annexes = [
            (piece.key, piece.html())
            for piece in annex_pieces(compilation.cycle, comparison=compilation.include_comparison)
        ]
    pending = []  # (size of what the part shows, part id): the largest are started first
    with transaction.atomic():
        Compilation.objects.filter(pk=compilation_id).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        # The document's order, in one place: the regional report, the countries, the annexes.
        pieces = [
            *[(piece.key, piece.html(), getattr(piece, "revision", None)) for piece in report],
            *[(None, submission, None) for submission in submissions],
            *[(key, html, None) for key, html in annexes],
        ]
        for order, (key, content, revision) in enumerate(pieces):
            if key is None:
                material = _part_material(content, language)
                part = _plan_part(compilation, order, _digest(material), submission=content)
            else:
                material = content
                part = _plan_part(
                    compilation,
                    order,
                    document_hash(content, language),
                    annex_key=key,
                    defaults={"chapter_revision": revision},
                )
            if part is not None:
                pending.append((len(material), part.pk))
    part_ids = [part_id for _size, part_id in sorted(pending, reverse=True)]
    if enqueue is not None:
        for part_id in part_ids:
            transaction.on_commit(lambda part_id=part_id: enqueue(part_id))
    if not part_ids:
        _queue_assembly_if_complete(compilation_id)
    return part_ids


def _plan_part(
    compilation, order: int, content_hash: str, defaults: dict | None = None, **identity
) -> CompilationPart | None:
    """The part's row, taken from the cache when it can be; None when it needs no rendering."""
    part, _created = CompilationPart.objects.get_or_create(
        compilation=compilation,
        **identity,
        defaults={"order": order, "content_hash": content_hash, **(defaults or {})},
    )
    cached = _cached(content_hash)
    if cached is not None:
        part.rendered = cached
        part.from_cache = True
        part.status = JobStatus.SUCCEEDED
        part.finished_at = timezone.now()
        part.save()
        return None
    return None if part.status == JobStatus.SUCCEEDED else part


def render_part(part_id: int) -> None:
    """Render one part into the cache (or reuse a copy another worker just made)."""
    part = CompilationPart.objects.select_related(
        "compilation__cycle", "submission__country", "submission__cycle__version__questionnaire"
    ).get(pk=part_id)
    if part.status == JobStatus.SUCCEEDED:
        return
    CompilationPart.objects.filter(pk=part_id).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    Compilation.objects.filter(pk=part.compilation_id).update(heartbeat_at=timezone.now())
    try:
        if part.is_country:
            rendered = _render_country(part)
        elif part.is_chapter:
            rendered = _render_chapter(part)
        else:
            rendered = _render_annex_piece(part)
    except Exception as exc:
        logger.exception("Rendering part %s failed", part_id)
        if part.is_country:
            message = _("%(country)s could not be rendered: %(error)s") % {
                "country": part.submission.country.name,
                "error": exc,
            }
        elif part.is_chapter:
            message = _("A chapter of the regional report could not be rendered: %(error)s") % {
                "error": exc
            }
        else:
            message = _("The annexes could not be rendered: %(error)s") % {"error": exc}
        _fail(part, message)
        raise
    CompilationPart.objects.filter(pk=part_id).update(
        status=JobStatus.SUCCEEDED,
        rendered=rendered,
        content_hash=rendered.content_hash,
        finished_at=timezone.now(),
        error="",
    )
    _queue_assembly_if_complete(part.compilation_id)


def _render_country(part: CompilationPart) -> RenderedPart:
    rendered = _cached(part.content_hash)
    if rendered is None:
        with translation.override(part.compilation.language):
            html = pdf.submission_html(submission=part.submission, in_compilation=True)
        rendered = _store(part.content_hash, _layout(html))
    return rendered


def _render_annex_piece(part: CompilationPart) -> RenderedPart:
    """The piece as the answers are now: if one changed since `prepare`, the PDF is stored under
    the hash of what it shows, never under the older hash."""
    language = part.compilation.language
    with translation.override(language):
        cycle = part.compilation.cycle
        if figures.is_figure(part.annex_key):
            pieces = {piece.key: piece for piece in figures.figure_pieces(cycle)}
        else:
            comparison = part.compilation.include_comparison
            pieces = {piece.key: piece for piece in annex_pieces(cycle, comparison=comparison)}
        if part.annex_key not in pieces:
            raise LookupError(f"the questionnaire has no annex piece {part.annex_key!r}")
        piece = pieces[part.annex_key]
        if figures.is_figure(part.annex_key):  # the regional report opens the document
            piece.context["first"] = part.order == 0
        html = piece.html()
    content_hash = document_hash(html, language)
    rendered = _cached(content_hash)
    if rendered is None:
        rendered = _store(content_hash, _layout(html))
    return rendered


def _render_chapter(part: CompilationPart) -> RenderedPart:
    """The chapter as `prepare` planned it: the revision recorded on the part, which is what the
    compilation page says was printed, even if another was marked final since."""
    language = part.compilation.language
    with translation.override(language):
        # The regional report opens the document: its first piece carries its heading.
        piece = chapters.chapter_piece(
            part.compilation.cycle, part.annex_key, part.chapter_revision, first=part.order == 0
        )
        html = piece.html()
    content_hash = document_hash(html, language)
    return _cached(content_hash) or _store(content_hash, _layout(html))


def _cached(content_hash: str) -> RenderedPart | None:
    """The cached PDF of this content, if its file is still in storage."""
    rendered = RenderedPart.objects.filter(content_hash=content_hash).first()
    return rendered if rendered is not None and _on_disk(rendered) else None


def _on_disk(rendered: RenderedPart) -> bool:
    return bool(rendered.file) and rendered.file.storage.exists(rendered.file.name)


def _store(content_hash: str, data: bytes) -> RenderedPart:
    """File `data` in the cache under `content_hash` (again, if the row lost its file)."""
    pages = pdf_merge.page_count(data)
    with transaction.atomic():
        rendered = (
            RenderedPart.objects.select_for_update().filter(content_hash=content_hash).first()
        )
        if rendered is not None and _on_disk(rendered):
            return rendered  # another worker rendered the same content meanwhile
        try:
            with transaction.atomic():
                rendered = rendered or RenderedPart(content_hash=content_hash)
                rendered.page_count = pages
                rendered.file.save(f"{content_hash}.pdf", ContentFile(data), save=False)
                rendered.save()
        except IntegrityError:  # two workers rendered the same content: keep the first
            rendered = RenderedPart.objects.get(content_hash=content_hash)
    return rendered


def _fail(part: CompilationPart, message: str) -> None:
    CompilationPart.objects.filter(pk=part.pk).update(status=JobStatus.FAILED, error=message)
    Compilation.objects.filter(pk=part.compilation_id).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _queue_assembly_if_complete(compilation_id: int) -> bool:
    """Enqueue the assembly once every part is rendered; exactly once across workers."""
    with transaction.atomic():
        compilation = Compilation.objects.select_for_update().get(pk=compilation_id)
        if compilation.assembly_queued or compilation.status == JobStatus.FAILED:
            return False
        if compilation.parts.exclude(status=JobStatus.SUCCEEDED).exists():
            return False
        compilation.assembly_queued = True
        compilation.save(update_fields=["assembly_queued"])
        queue.compilation_assemble_later(compilation_id)
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
    """The front matter, the parts and the page numbers merged into one PDF/A-3b document with
    one structure tree (`pdf_merge.TaggedMerge`, `archival.make_archival`)."""
    parts = list(
        compilation.parts.select_related(
            "submission__country", "rendered", "chapter_revision__chapter"
        ).order_by("order")
    )
    titles = _report_titles(compilation, parts)

    # The contents need the page each country starts on, which depends on how long the front
    # matter is: laid out for a cover and one page of contents, and again if that was wrong.
    names = {c.iso2: c.name for c in Country.objects.all()}  # the comparison's bookmarks
    front = _front_pdf(compilation, parts, FRONT_PAGES_GUESS, titles)
    if (front_pages := pdf_merge.page_count(front)) != FRONT_PAGES_GUESS:
        front = _front_pdf(compilation, parts, front_pages, titles)

    merged = pdf_merge.TaggedMerge()
    try:
        merged.append(front)
        outline = [OutlineItem(_("Contents"), 1)]
        countries_item = annexes_item = report_item = comparison_item = None
        for part in parts:
            with part.rendered.file.open("rb") as file:
                data = file.read()
            if part.is_country:
                start = merged.append(data, group=pdf_merge.PART)
                if countries_item is None:
                    countries_item = OutlineItem(_("Countries"), start)
                    outline.append(countries_item)
                countries_item.children.append(OutlineItem(part.submission.country.name, start))
            elif part.is_chapter or figures.is_figure(part.annex_key):
                # A chapter is a /Part of the document, as a country's review is; a figure a /Div.
                start = merged.append(
                    data, group=pdf_merge.PART if part.is_chapter else pdf_merge.DIV
                )
                if report_item is None:
                    report_item = OutlineItem(_("Regional report"), start)
                    outline.append(report_item)
                report_item.children.append(OutlineItem(titles[part.pk], start))
            else:
                start = merged.append(data, group=pdf_merge.DIV)
                if annexes_item is None:
                    annexes_item = OutlineItem(_("Annexes"), start)
                    outline.append(annexes_item)
                if part.annex_key.startswith(COMPARISON_PIECE):
                    if comparison_item is None:
                        comparison_item = OutlineItem(_comparison_title(compilation), start)
                        annexes_item.children.append(comparison_item)
                    iso2 = part.annex_key.removeprefix(COMPARISON_PIECE).upper()
                    comparison_item.children.append(OutlineItem(names.get(iso2, iso2), start))
        with merged.pdf.open_outline() as tree:
            tree.root.extend(outline)

        total = len(merged)
        _stamp_page_numbers(merged, compilation, total)
        archival.make_archival(
            merged.pdf,
            title=_("Regional compilation: %(cycle)s")
            % {"cycle": i18n.tr(compilation.cycle, "name", compilation.language)},
            author=pdf.PORTAL_NAME,
            creator=pdf.PORTAL_NAME,
            language=compilation.language,
            moment=timezone.now(),
        )
        return merged.save(**archival.SAVE_OPTIONS), total
    finally:
        merged.close()


def _report_titles(compilation: Compilation, parts: list[CompilationPart]) -> dict[int, str]:
    """part id → the heading of the regional report's piece it prints, in the active language:
    a chapter's title, or "Figure n: title". Two queries."""
    titles = {
        (slot.kind, slot.ref): slot.title
        for slot in report_selectors.chapter_slots(cycle=compilation.cycle)
    }
    found, figure = {}, 0
    for part in parts:
        if part.is_chapter:
            chapter = part.chapter_revision.chapter
            found[part.pk] = titles.get((chapter.kind, chapter.ref)) or part.annex_key
        elif figures.is_figure(part.annex_key):
            figure += 1
            found[part.pk] = _("Figure %(number)s: %(title)s") % {
                "number": figure,
                "title": figures.title(part.annex_key),
            }
    return found


def _front_pdf(compilation, parts, front_pages: int, titles: dict[int, str]) -> bytes:
    """The cover and the contents: each chapter of the regional report (with the version it
    prints), each country, and each annex, with the page it starts on."""
    start = front_pages + 1
    rows, annexes, report = [], [], []
    answers_listed = comparison_listed = False
    for part in parts:
        if part.is_country:
            rows.append({"country": part.submission.country, "page": start})
        elif part.is_chapter:
            report.append(
                {"title": titles[part.pk], "revision": part.chapter_revision, "page": start}
            )
        elif figures.is_figure(part.annex_key):
            report.append({"title": titles[part.pk], "page": start})
        elif part.annex_key == OBJECTIVES_PIECE:
            annexes.append({"title": _("Status of the GCM objectives by country"), "page": start})
        elif part.annex_key.startswith(COMPARISON_PIECE):
            if not comparison_listed:  # the first country's piece opens the comparison
                annexes.append({"title": _comparison_title(compilation), "page": start})
                comparison_listed = True
        elif not answers_listed:  # the first question's piece opens the answers by question
            annexes.append({"title": _("Answers by question"), "page": start})
            answers_listed = True
        start += part.rendered.page_count
    for number, annex in enumerate(annexes, start=1):
        annex["number"] = number
    html = render_to_string(
        "reports/compilation_front.html",
        {
            "compilation": compilation,
            "cycle": compilation.cycle,
            "review_title": compilation.cycle.version.display_title,
            "rows": rows,
            "report": report,
            "annexes": annexes,
            "annex_page": annexes[0]["page"] if annexes else start,
            "generated_at": timezone.now(),
            "portal_name": pdf.PORTAL_NAME,
        },
    )
    # Its document holds the day it was compiled: a recompilation the same day with as many pages
    # per country reuses it.
    with _laid_out(html, compilation.language).file.open("rb") as file:
        return file.read()


def _comparison_title(compilation: Compilation) -> str:
    """The comparison annex's name in the contents and the bookmarks."""
    previous = selectors.cycle_previous(cycle=compilation.cycle)
    name = i18n.tr(previous, "name", compilation.language) if previous else ""
    return _("Comparison with %(cycle)s") % {"cycle": name}


def _stamp_page_numbers(
    merged: pdf_merge.TaggedMerge, compilation: Compilation, total: int
) -> None:
    """Draw "Page X of Y" on every page but the cover.

    WeasyPrint lays the numbers out (in the document's language and fonts), one page each; each
    is drawn over its page as a form XObject, marked as a pagination artifact, so that screen
    readers skip it and the structure tree has nothing to say of it. No content stream is parsed
    or rewritten: each page gets two more streams in its /Contents and one XObject in its
    resources.
    """
    if total < 2:
        return
    with _page_numbers(compilation, range(2, total + 1)).file.open("rb") as file:
        numbers = merged.open(file.read())
    _draw_over(merged.pdf, numbers)


def _draw_over(document: Pdf, numbers: Pdf) -> None:
    """Page i + 1 of `numbers` over page i + 1 of `document`, for every page but the first."""
    before = document.make_stream(b"q\n")
    after = document.make_stream(
        b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q "
        + PAGE_NUMBER_XOBJECT.encode()
        + b" Do Q EMC\n"
    )
    for index in range(1, len(document.pages)):
        page = document.pages[index].obj
        # The numbers' pages share their resources (the font): qpdf copies them once.
        form = document.copy_foreign(
            numbers.make_indirect(numbers.pages[index - 1].as_form_xobject())
        )
        # A page's resources may be shared with the other pages of its part: each page gets its
        # own copy, naming its own number.
        resources = Dictionary(dict(page.get("/Resources", Dictionary()).items()))
        xobjects = Dictionary(dict(resources.get("/XObject", Dictionary()).items()))
        xobjects[PAGE_NUMBER_XOBJECT] = form
        resources.XObject = xobjects
        page.Resources = resources
        contents = page.get("/Contents", Array())
        streams = list(contents) if isinstance(contents, Array) else [contents]
        page.Contents = Array([before, *streams, after])


def _page_numbers(compilation: Compilation, pages: range) -> RenderedPart:
    """One page per number, the text alone where the footer goes; cached like the parts (under
    a hash of its document), as most recompilations have as many pages as the one before."""
    total = pages[-1]
    html = render_to_string(
        "reports/compilation_numbers.html",
        {
            "numbers": [
                _("Page %(page)s of %(pages)s") % {"page": page, "pages": total} for page in pages
            ],
        },
    )
    return _laid_out(html, compilation.language, tagged=False)


def _laid_out(html: str, language: str, **options) -> RenderedPart:
    """`html` laid out (`_layout`'s `options`), from the cache of rendered parts when the same
    document was laid out before (`document_hash`)."""
    content_hash = document_hash(html, language)
    return _cached(content_hash) or _store(content_hash, _layout(html, **options))


def _layout(html: str, *, tagged: bool = True) -> bytes:
    """A document of the compilation laid out by the renderer of every document of ours
    (`pdf.html_to_pdf`): tagged, so that the compilation keeps each piece's structure tree, but
    not archival on its own, as the merged document is made PDF/A as a whole (`_assemble_pdf`).
    `tagged=False` for the page numbers, drawn over the merged pages as artifacts: marked content
    of theirs would have no element to belong to."""
    if tagged:
        return pdf.html_to_pdf(html, archival=False)
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticFilesFetcher())
    return document.write_pdf()
