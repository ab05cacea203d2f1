"""The PDF of one submission: Django templates laid out by WeasyPrint.

The view, the `render_submission` command and the benchmark all call `submission_pdf`, so a PDF
downloaded from the page and one rendered on the command line are the same document. It is laid
out in the submission's language (its headings, and the questions in the version's translation,
English where there is none), unless a caller names another: an Arabic submission's PDF runs right
to left. Numbers, page numbers included, keep Western digits (0-9) in every language, as the
portal's pages and dates do and as the Maghreb's administrations write them. Answers go
through the pages' own `show_answer` (and so `richtext.clean_html`, and "Not applicable: reason"),
and only the questions the submission shows are printed (conditions.answer_states); the renderer
reads only the project's static files (`fetcher.StaticFilesFetcher`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from gcmreview.downloads import ascii_name
from questionnaire import i18n, numbering, selectors
from questionnaire.models import Objective, Submission
from questionnaire.templatetags.answers import show_answer

from . import textdir

BOOKMARK_WORDS = 14
# The portal's name in PDF metadata (Creator); the cover shows it translated.
PORTAL_NAME = "ESCWA GCM Review Portal"


@dataclass
class PdfQuestion:
    item: selectors.QuestionAnswer
    anchor: str
    label: str  # "I.a", or in Arabic "أ)" (numbering.question_label)
    reference: str  # "I.a" where the label is another ("أ"), else ""
    text: str  # in the document's language, else English
    short_text: str
    question_dir: textdir.TextDirection
    # The cell's direction: its first block's (the alignment follows it), each block has its own.
    answer_dir: textdir.TextDirection
    answer_html: SafeString  # the answer as the pages show it, every block with its direction
    # Printed across the page's width under its question (the objectives grid), not beside it.
    full_width: bool = False

    @property
    def question(self):
        return self.item.question


@dataclass
class PdfSection:
    entry: selectors.SectionAnswers
    anchor: str
    heading: str  # "I. Title", or in Arabic "أولاً- Title" (numbering.section_heading)
    reference: str  # "I" where the heading labels it otherwise, else ""
    title: str  # in the document's language, else English
    intro: str
    title_dir: textdir.TextDirection
    questions: list[PdfQuestion] = field(default_factory=list)

    @property
    def section(self):
        return self.entry.section


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that cannot close the string or the <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ").replace(">", "\\3E ") + '"'


def page_counter_css() -> SafeString:
    """The footer's CSS `content`, e.g. `"Page " counter(page) " of " counter(pages)`.

    Built from one translatable sentence, so a translation may put the numbers in any order.
    """
    sentence = _("Page %(page)s of %(pages)s") % {"page": "\0page\0", "pages": "\0pages\0"}
    tokens = []
    for index, part in enumerate(sentence.split("\0")):
        if index % 2:
            tokens.append(f"counter({part})")
        elif part:
            tokens.append(css_string(part))
    # Only counter(page), counter(pages) and css_string()s, which escape quotes, backslashes,
    # line breaks and angle brackets: nothing can close the string or the <style> element.
    return mark_safe(" ".join(tokens))  # noqa: S308  # nosec


def short_question(text: str) -> str:
    """A question shortened for the contents and the bookmarks."""
    return Truncator(" ".join(text.split())).words(BOOKMARK_WORDS, truncate="…")


def answer_cell(
    question, answer, objectives, default_lang: str, *, unreviewed: bool = False
) -> tuple[SafeString, textdir.TextDirection]:
    """An answer as the pages show it (`show_answer`), with a direction and a language on every
    block (`textdir.direct_blocks`), and the direction of the cell that holds it: its first
    block's, or the document's for the questionnaire's own words (choices), for digits and for
    "Not applicable: reason". `default_lang`: the submission's language, for text whose script
    does not say. The submission PDF and the compilation's annexes print answers through it."""
    reason = answer.not_applicable_reason if answer is not None else ""
    parts = []
    if unreviewed:
        parts.append(
            format_html(
                '<p class="qa-prefilled">{}</p>',
                _("Carried forward from the previous cycle, not yet reviewed by the country"),
            )
        )
    # "Not applicable: …" is the document's sentence, the reason the country's.
    reason_dir = textdir.detect(reason, default_lang).dir if reason else ""
    parts.append(show_answer(question, answer, objectives, reason_dir))
    document = textdir.TextDirection(
        "rtl" if get_language_bidi() else "ltr", get_language() or "en"
    )
    own_words = bool(reason) or not question.type_handler.holds_typed_text
    directed = textdir.direct_blocks(
        "".join(parts), default_lang, inherited=document if own_words else None
    )
    cell = document if own_words else directed.direction or document
    # Blocks of the portal's templates and of clean_html, directed: nothing typed is unescaped.
    return mark_safe(directed.html), cell  # noqa: S308  # nosec


def pdf_sections(
    *, submission: Submission, entries: list[selectors.SectionAnswers] | None = None
) -> tuple[list[PdfSection], list[Objective]]:
    """The submission's sections and the questions it shows (a question its earlier answers
    hide is not printed: conditions.answer_states), in the active language, each with its
    direction, its labels and anchor, and its answer cell."""
    if entries is None:
        entries = selectors.submission_sections(submission=submission)
    objectives = selectors.objectives_for(sections=entries)
    default_lang = submission.language or "en"
    language = get_language()
    sections = []
    for index, entry in enumerate(entries, start=1):
        title = i18n.tr(entry.section, "title")
        number = entry.section.number
        section = PdfSection(
            entry=entry,
            anchor=f"section-{index}",
            heading=numbering.section_heading(number, title, language),
            reference=number if numbering.has_own_labels(language) else "",
            title=title,
            intro=i18n.tr(entry.section, "intro"),
            title_dir=textdir.detect(title, default_lang),
        )
        for item in entry.shown_items:
            question = item.question
            text = i18n.tr(question, "text")
            answer_html, answer_dir = answer_cell(
                question, item.answer, objectives, default_lang, unreviewed=item.is_unreviewed
            )
            label, reference = numbering.question_labels(number, question.label, language)
            section.questions.append(
                PdfQuestion(
                    item=item,
                    anchor=f"question-{question.key}",
                    label=label,
                    reference=reference,
                    text=text,
                    short_text=short_question(text),
                    question_dir=textdir.detect(text, default_lang),
                    answer_dir=answer_dir,
                    answer_html=answer_html,
                    full_width=question.type_handler.prints_full_width,
                )
            )
        sections.append(section)
    return sections, objectives


def submission_context(*, submission: Submission, in_compilation: bool = False) -> dict:
    entries = selectors.submission_sections(submission=submission)
    sections, objectives = pdf_sections(submission=submission, entries=entries)
    version = submission.cycle.version
    country = submission.country.name
    return {
        "submission": submission,
        "country": country,
        "cycle": submission.cycle,
        "version": version,
        # The version's own title (a later review's), else the questionnaire's.
        "review_title": version.display_title,
        # The questions are in a translation ESCWA has not made official: the cover says so.
        "unofficial_translation": not version.official_translations
        and i18n.shows_translation(entries),
        "sections": sections,
        "objectives": objectives,
        # A submission stops being a draft, for its reader, once ESCWA has accepted it.
        "is_draft": not submission.is_final,
        "generated_at": timezone.now(),
        "lang": get_language() or "en",
        "dir": "rtl" if get_language_bidi() else "ltr",
        "portal_name": _("ESCWA GCM Review Portal"),
        "creator": PORTAL_NAME,
        # A regional compilation numbers its merged pages itself.
        "page_counter_css": None if in_compilation else page_counter_css(),
        # In the regional compilation the country's own contents would give its local pages.
        "in_compilation": in_compilation,
    }


def submission_html(
    *, submission: Submission, in_compilation: bool = False, language: str | None = None
) -> str:
    """The HTML document the PDF is laid out from, in `language` (else the active language)."""
    with translation.override(language or get_language()):
        context = submission_context(submission=submission, in_compilation=in_compilation)
        return render_to_string("reports/submission_pdf.html", context)


def html_to_pdf(html: str, *, archival: bool = True) -> bytes:
    """Lay out a document of ours: static files only, tagged for screen readers (PDF/UA's
    structure tree), and by default archival: PDF/A-3b (`archival.PDF_VARIANT`), its fonts
    embedded (the bundled TTFs), the sRGB output intent and XMP metadata.

    Every submission PDF is archival, drafts included: PDF/A costs no measurable time (within
    the noise of `bench/reports.py`) and 3 KB (the colour profile), and one kind of file is
    simpler than a draft that would change kind when ESCWA accepts it. `archival=False` is for
    the pieces of the regional compilation, which is made PDF/A as a whole when its pieces are
    merged (`compilation._assemble_pdf`): each piece would carry its own copy of the profile."""
    # WeasyPrint (half a second to import, and Pango's memory) loads only when a PDF is laid
    # out: the public PDF view imports this module to serve stored files too.
    from weasyprint import HTML

    from .archival import PDF_VARIANT
    from .fetcher import StaticFilesFetcher, static_base_url
    from .pdf_merge import unique_element_ids

    document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticFilesFetcher())
    return document.write_pdf(
        pdf_tags=True,
        pdf_variant=PDF_VARIANT if archival else None,
        # Table headers' identifiers unique across the pieces of a compilation, and listed.
        finisher=unique_element_ids(html),
    )


def submission_pdf(
    *, submission: Submission, in_compilation: bool = False, language: str | None = None
) -> bytes:
    """The submission's PDF in `language` (else the active language; the download and the
    command pass the submission's own), tagged and PDF/A-3b (`html_to_pdf`). `in_compilation`:
    without the footer's page counter, for a part of the regional compilation, which stamps its
    own numbers on the merged document."""
    return html_to_pdf(
        submission_html(submission=submission, in_compilation=in_compilation, language=language)
    )


def submission_pdf_language(submission: Submission, requested: str | None = None) -> str:
    """The language a submission's PDF is laid out in: `requested` when it is one of the
    portal's, else the submission's own."""
    return i18n.portal_language(requested, submission.language)


def submission_pdf_filename(submission: Submission) -> str:
    """`GCM-review-Morocco-arab-2020.pdf`: ASCII, no spaces, safe in any download dialog."""
    country, cycle = ascii_name(submission.country.name_en), ascii_name(submission.cycle.slug)
    return f"GCM-review-{country}-{cycle}.pdf"
