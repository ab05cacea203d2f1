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

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from questionnaire import i18n, selectors
from questionnaire.models import Objective, Submission

from . import textdir

BOOKMARK_WORDS = 14
# The portal's name in PDF metadata (Creator); the cover shows it translated.
PORTAL_NAME = "ESCWA GCM Review Portal"


@dataclass
class PdfQuestion:
    item: selectors.QuestionAnswer
    anchor: str
    text: str  # in the document's language, else English
    short_text: str
    question_dir: textdir.TextDirection
    answer_dir: textdir.TextDirection
    # "Not applicable": the reason's own direction (WeasyPrint does not honour dir="auto").
    reason_dir: str = ""

    @property
    def question(self):
        return self.item.question


@dataclass
class PdfSection:
    entry: selectors.SectionAnswers
    anchor: str
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


def _answer_direction(question, value: Any, default_lang: str) -> textdir.TextDirection:
    # Choice labels come from the questionnaire, not from the country (and numbers are digits):
    # their language is the submission's, whatever the stored codes look like.
    if not question.type_handler.holds_typed_text:
        return textdir.TextDirection(textdir.direction_of_language(default_lang), default_lang)
    return textdir.detect_answer(value, default_lang)


def pdf_sections(
    *, submission: Submission, entries: list[selectors.SectionAnswers] | None = None
) -> tuple[list[PdfSection], list[Objective]]:
    """The submission's sections and the questions it shows (a question its earlier answers
    hide is not printed: conditions.answer_states), in the active language, each with its
    direction and anchor."""
    if entries is None:
        entries = selectors.submission_sections(submission=submission)
    default_lang = submission.language or "en"
    sections = []
    for index, entry in enumerate(entries, start=1):
        title = i18n.tr(entry.section, "title")
        section = PdfSection(
            entry=entry,
            anchor=f"section-{index}",
            title=title,
            intro=i18n.tr(entry.section, "intro"),
            title_dir=textdir.detect(title, default_lang),
        )
        for item in entry.shown_items:
            question = item.question
            text = i18n.tr(question, "text")
            reason = item.answer.not_applicable_reason if item.is_not_applicable else ""
            section.questions.append(
                PdfQuestion(
                    item=item,
                    anchor=f"question-{question.key}",
                    text=text,
                    short_text=short_question(text),
                    question_dir=textdir.detect(text, default_lang),
                    # "Not applicable: …" is the document's sentence, the reason the country's.
                    answer_dir=textdir.TextDirection(
                        "rtl" if get_language_bidi() else "ltr", get_language() or "en"
                    )
                    if reason
                    else _answer_direction(question, item.value, default_lang),
                    reason_dir=textdir.detect(reason, default_lang).dir if reason else "",
                )
            )
        sections.append(section)
    return sections, selectors.objectives_for(sections=entries)


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
    codes = {code for code, _name in settings.LANGUAGES}
    if requested in codes:
        return requested
    return submission.language if submission.language in codes else settings.LANGUAGE_CODE


def submission_pdf_filename(submission: Submission) -> str:
    """`GCM-review-Morocco-arab-2020.pdf`: ASCII, no spaces, safe in any download dialog."""

    def clean(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")

    return f"GCM-review-{clean(submission.country.name_en)}-{clean(submission.cycle.slug)}.pdf"
