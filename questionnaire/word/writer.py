"""The questionnaire and a country's answers as Word documents (docs/word.md, "Out").

`questionnaire_docx` writes a version's blank questionnaire and `submission_docx` a submission
with its current answers, in English, French or Arabic: a title, a line saying what the document
is, an instruction, then per section a heading and a two-column table "Questions | Answers" (its
header row repeated on each page), one row per question, the objectives grid in a row spanning
both columns below its question. Every paragraph has a style of the document: answers' list items
take the list styles of their level ("List Bullet", "List Number" and their levels 2 and 3) on
multilevel Word lists (`ooxml.Numbering`), each numbered list starting at 1. Arabic documents run
right to left (sections, paragraphs, tables) and set the complex-script font; in any document a
paragraph takes the direction of its first strong character, so an English paragraph of an
Arabic answer reads left to right.

Each question's text is inside a bookmark (`format.bookmark_name`) and the custom XML part says
where the document came from (`format.Origin`): the reader (reader.py) finds its way back by
them. Every question of the version is written, those the submission's conditions hide too (with
the condition they apply under): colleagues filling in the document may change the answer a
condition depends on.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

import docx
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Emu

from gcmreview import bidi, formatting
from gcmreview.downloads import ascii_name
from questionnaire import i18n, numbering, selectors
from questionnaire.conditions import condition_note, not_applicable_text
from questionnaire.models import Answer, Objective, Question, Section
from questionnaire.selectors.versions import version_conditions

from . import format as word_format
from . import ooxml
from .blocks import Block, Run, html_blocks

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUTHOR = "GCM Review Portal"
# The complex-script font (docs/word.md, "Arabic"): installed with Windows and Office, the font
# UN Arabic documents are set in; Word elsewhere substitutes an Arabic font of its own.
ARABIC_FONT = "Simplified Arabic"
# Complex-script sizes as a share of the Latin ones: 11 pt text, 14 pt Arabic, as UN Arabic
# documents set Simplified Arabic.
ARABIC_SIZE_RATIO = 14 / 11
CHECKED, UNCHECKED = "☒", "☐"
BLANK_ENTRY_ROWS = 3
REFERENCE_SIZE = 16  # half-points: the "I.a" beside an Arabic label, in small type
# A4, 2 cm margins: 17 cm of text, the questions' column and the answers'.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2)
QUESTION_WIDTH, ANSWER_WIDTH = Cm(6.5), Cm(10.5)
# No. (room for "الرقم" at 14 pt), objective, status, note
GRID_WIDTHS = (Cm(1.5), Cm(6.1), Cm(3.2), Cm(6.0))
BULLET_STYLES = ("List Bullet", "List Bullet 2", "List Bullet 3")
NUMBER_STYLES = ("List Number", "List Number 2", "List Number 3")
CONTINUE_STYLES = ("List Continue", "List Continue 2", "List Continue 3")


@dataclass
class _Item:
    question: Question
    answer: Answer | None = None
    conditions: list = field(default_factory=list)


@dataclass
class _Section:
    section: Section
    items: list[_Item]


# --- What the documents hold -----------------------------------------------------------------


def questionnaire_docx(*, version, language: str, cycle=None, portal_url: str = "") -> bytes:
    """The blank questionnaire of `version` in `language` ("en", "fr" or "ar"): every question,
    unticked choices and empty answer cells. `cycle`: the review cycle it is handed out for
    (named in the document and its origin). Four queries."""
    sections = selectors.version_sections(version=version)
    conditions = version_conditions(
        version_id=version.pk, questions={q.pk: q for s in sections for q in s.question_list}
    )
    entries = [
        _Section(s, [_Item(q, None, conditions.get(q.pk, [])) for q in s.question_list])
        for s in sections
    ]
    objectives = selectors.objectives_for(sections=sections)
    with translation.override(language):
        writer = _Writer(language=language, objectives=objectives, blank=True)
        what = _("Blank questionnaire, version %(number)s") % {"number": version.number}
        if cycle is not None:
            what = _("Blank questionnaire, version %(number)s, for %(cycle)s") % {
                "number": version.number,
                "cycle": i18n.tr(cycle, "name", language),
            }
        origin = _origin(
            word_format.KIND_QUESTIONNAIRE, version, language, portal_url, entries, cycle=cycle
        )
        return writer.write(
            title=i18n.version_title(version, language), what=what, entries=entries, origin=origin
        )


def submission_docx(*, submission, language: str, portal_url: str = "") -> bytes:
    """`submission` with its current answers in `language` ("en", "fr" or "ar"); a question not
    answered has an empty answer cell. Five queries (the submission with its cycle, version,
    questionnaire and country loaded, as `selectors.submission_get` gives it)."""
    loaded = selectors.submission_sections(submission=submission, authors=False)
    entries = [
        _Section(entry.section, [_Item(i.question, i.answer, i.conditions) for i in entry.items])
        for entry in loaded
    ]
    objectives = selectors.objectives_for(sections=loaded)
    cycle, version, country = submission.cycle, submission.cycle.version, submission.country
    exported_at = timezone.now()
    with translation.override(language):
        writer = _Writer(language=language, objectives=objectives, blank=False)
        what = _("Answers of %(country)s, %(cycle)s, as they stood on %(date)s") % {
            "country": country.name,  # in `language`, as the override makes it
            "cycle": i18n.tr(cycle, "name", language),
            "date": formatting.date_text(exported_at),
        }
        origin = _origin(
            word_format.KIND_SUBMISSION,
            version,
            language,
            portal_url,
            entries,
            cycle=cycle,
            submission_id=submission.pk,
            country=country.iso2,
            exported_at=exported_at.isoformat(),
        )
        return writer.write(
            title=i18n.version_title(version, language), what=what, entries=entries, origin=origin
        )


def _origin(kind, version, language, portal_url, entries, *, cycle=None, **submission):
    """What the document's hidden part says of it: the version, the cycle (if any), the
    submission (`submission_id`, `country`, `exported_at`) and every question's mark."""
    return word_format.Origin(
        kind=kind,
        language=language,
        version_id=version.pk,
        version_slug=version.questionnaire.slug,
        version_number=version.number,
        portal=portal_url,
        cycle_slug=cycle.slug if cycle is not None else "",
        questions=_marks(entries),
        **submission,
    )


def _marks(entries: list[_Section]) -> tuple[word_format.QuestionMark, ...]:
    return tuple(
        word_format.QuestionMark(
            key=item.question.key,
            section=entry.section.number,
            label=item.question.label,
            revision=item.answer.revision if item.answer is not None else 0,
            type=item.question.type,
        )
        for entry in entries
        for item in entry.items
    )


def submission_filename(submission, language: str) -> str:
    """ "Morocco-arab-2020-answers-en.docx": ASCII, safe in any download dialog."""
    country, cycle = ascii_name(submission.country.name_en), ascii_name(submission.cycle.slug)
    return f"{country}-{cycle}-answers-{language}.docx"


def questionnaire_filename(cycle, language: str) -> str:
    """ "arab-2024-questionnaire-ar.docx"."""
    return f"{ascii_name(cycle.slug)}-questionnaire-{language}.docx"


def version_filename(version, language: str) -> str:
    """ "gcm-arab-regional-review-v2-questionnaire-ar.docx"."""
    slug = ascii_name(version.questionnaire.slug)
    return f"{slug}-v{version.number}-questionnaire-{language}.docx"


# --- Laying it out ---------------------------------------------------------------------------


class _Flow:
    """Paragraphs and tables added one after the other to a table cell, starting with the empty
    paragraph every new cell holds."""

    def __init__(self, cell) -> None:
        self.cell = cell
        self.unused = cell.paragraphs[0]
        self.written = []

    def paragraph(self, style: str | None = None):
        if self.unused is not None:
            paragraph, self.unused = self.unused, None
            if style:
                paragraph.style = style
        else:
            paragraph = self.cell.add_paragraph(style=style)
        self.written.append(paragraph)
        return paragraph

    def table(self, rows: int, cols: int):
        if self.unused is not None:  # a cell starting with a table: no empty line above it
            self.unused._p.getparent().remove(self.unused._p)
        table = self.cell.add_table(rows, cols)
        # Word needs a paragraph after a table in a cell: python-docx adds it; the next
        # paragraph written is that one.
        self.unused = self.cell.paragraphs[-1]
        return table


class _Writer:
    def __init__(self, *, language: str, objectives: list[Objective], blank: bool) -> None:
        self.language = language
        self.rtl = numbering.is_arabic(language)
        self.objectives = objectives
        self.blank = blank
        self.document = docx.Document()
        self.bookmarks = ooxml.Bookmarks()
        self.numbering = ooxml.Numbering(self.document)

    # --- the document ------------------------------------------------------------------------

    def write(self, *, title: str, what: str, entries: list[_Section], origin) -> bytes:
        document = self.document
        self._set_up(title)
        self.text(document.add_paragraph(style="Title"), title)
        self.text(document.add_paragraph(), what)
        instruction = _(
            "Write your answers in the “Answers” column. Keep the tables' rows and the "
            "questions' texts as they are: the portal matches each answer to its question by "
            "them."
        )
        self.runs(document.add_paragraph(), [Run(instruction, italic=True)])
        for entry in entries:
            self.section(entry)
        if self.rtl:
            self._empty_paragraphs_rtl()
        ooxml.add_custom_xml(document, word_format.origin_to_xml(origin))
        output = io.BytesIO()
        document.save(output)
        return output.getvalue()

    def _set_up(self, title: str) -> None:
        document = self.document
        for section in document.sections:
            section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
            section.left_margin = section.right_margin = MARGIN
            section.top_margin = section.bottom_margin = MARGIN
            if self.rtl:
                ooxml.set_section_rtl(section)
        ooxml.set_complex_script_font(document, ARABIC_FONT, size_ratio=ARABIC_SIZE_RATIO)
        latin = {"fr": "fr-FR"}.get(self.language, "en-GB")
        ooxml.set_default_languages(document, latin=latin, bidi="ar-SA")
        properties = document.core_properties
        properties.title = title
        properties.language = self.language
        properties.author = properties.last_modified_by = AUTHOR
        properties.comments = ""
        properties.revision = 1
        now = timezone.now().astimezone(datetime.UTC).replace(tzinfo=None)
        properties.created = properties.modified = now

    def _empty_paragraphs_rtl(self) -> None:
        """Empty paragraphs (answer cells waiting for text) right to left in an Arabic
        document, so that what is typed there starts on the right."""
        for paragraph in self.document.element.body.iter(qn("w:p")):
            if not "".join(paragraph.itertext()).strip():
                ooxml.set_on(paragraph.get_or_add_pPr(), "bidi", ooxml.PPR_ORDER)

    def section(self, entry: _Section) -> None:
        section, document = entry.section, self.document
        title = i18n.tr(section, "title", self.language)
        heading = numbering.section_heading(section.number, title, self.language)
        self.text(document.add_paragraph(style="Heading 1"), heading, rtl=self._rtl(title))
        intro = i18n.tr(section, "intro", self.language)
        for line in intro.split("\n"):
            if line.strip():
                self.text(document.add_paragraph(), line.strip())
        if not entry.items:
            return
        table = document.add_table(rows=1, cols=2)
        self._table_look(table, (QUESTION_WIDTH, ANSWER_WIDTH))
        header = table.rows[0]
        ooxml.set_header_row(header)
        for cell, words in zip(header.cells, (_("Questions"), _("Answers")), strict=True):
            self.runs(cell.paragraphs[0], [Run(words, bold=True)])
        for item in entry.items:
            self.question_rows(table, section, item)

    def _table_look(self, table, widths) -> None:
        table.style = self.document.styles["Table Grid"]
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if self.rtl:
            ooxml.set_table_rtl(table)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width

    def _new_row(self, table, widths):
        row = table.add_row()
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
        return row

    # --- one question ------------------------------------------------------------------------

    def question_rows(self, table, section: Section, item: _Item) -> None:
        question, answer = item.question, item.answer
        row = self._new_row(table, (QUESTION_WIDTH, ANSWER_WIDTH))
        self.question_cell(row.cells[0], section, item)
        flow = _Flow(row.cells[1])
        reason = answer.not_applicable_reason if answer is not None else ""
        if reason:
            self.text(flow.paragraph(), not_applicable_text(reason))
            return
        if question.type_handler.prints_full_width:
            spanning = self._new_row(table, (QUESTION_WIDTH, ANSWER_WIDTH))
            merged = spanning.cells[0].merge(spanning.cells[1])
            self.objectives_grid(_Flow(merged), question, answer)
            return
        value = answer.value if answer is not None else None
        if not self.blank and (answer is None or question.type_handler.is_empty(value)):
            return  # not answered yet: an empty cell
        self.answer(flow, question, None if self.blank else value)

    def question_cell(self, cell, section: Section, item: _Item) -> None:
        question = item.question
        flow = _Flow(cell)
        label, reference = numbering.question_labels(section.number, question.label, self.language)
        text = i18n.tr(question, "text", self.language)
        runs = [Run(label, bold=True)]
        if reference:
            runs += [Run(" "), Run(reference, small=True)]
        runs.append(Run(" "))
        for index, line in enumerate(text.split("\n")):
            if index:
                runs.append(Run(line_break=True))
            runs.append(Run(line))
        first = self.runs(flow.paragraph(), runs, rtl=self._rtl(text))
        last = first
        note = condition_note(question, item.conditions)
        if note:
            last = self.runs(flow.paragraph(), [Run(note, italic=True)])
        self.bookmarks.wrap(first, last, word_format.bookmark_name(question.key))

    def answer(self, flow: _Flow, question: Question, value) -> None:
        """The answer cell of `value` (None: the blank questionnaire's)."""
        options = question.options or {}
        kind, handler = question.type, question.type_handler
        if kind == "long_text":
            self.blocks(flow, html_blocks(value or ""))
        elif kind == "yes_no":
            value = value if isinstance(value, dict) else {}
            for key, word in (("yes", _("Yes")), ("no", _("No"))):
                self.text(flow.paragraph(), _box(value.get("answer") == key, word))
            self.blocks(flow, html_blocks(value.get("explanation") or ""))
        elif kind in ("single_choice", "multiple_choice"):
            chosen = set(value) if isinstance(value, list) else {value}
            for choice in options.get("choices") or []:
                label = i18n.option_label(choice)
                self.text(flow.paragraph(), _box(choice.get("value") in chosen, label))
        elif kind == "entry_list":
            self.entry_list(flow, options, value)
        elif value in (None, ""):
            flow.paragraph()
        elif kind == "number":
            self.text(flow.paragraph(), handler.display_text(value, options))
        elif kind == "date":
            self.text(flow.paragraph(), _date_text(value))
        else:  # short text, and any type added later: as the pages write it in plain text
            for line in handler.display_text(value, options).split("\n"):
                self.text(flow.paragraph(), line)

    def entry_list(self, flow: _Flow, options: dict, value) -> None:
        columns = [c for c in options.get("columns") or [] if isinstance(c, dict)]
        if not columns:
            return
        rows = [r for r in value or [] if isinstance(r, dict)] if value else []
        table = flow.table(1 + (len(rows) if rows else BLANK_ENTRY_ROWS), len(columns))
        width = ANSWER_WIDTH - Cm(0.4)
        self._table_look(table, [Emu(int(width / len(columns)))] * len(columns))
        ooxml.set_header_row(table.rows[0])
        for cell, column in zip(table.rows[0].cells, columns, strict=True):
            self.runs(cell.paragraphs[0], [Run(i18n.option_label(column), bold=True)])
        for row, entry in zip(table.rows[1:], rows, strict=False):
            for cell, column in zip(row.cells, columns, strict=True):
                self.text(cell.paragraphs[0], str(entry.get(column.get("key"), "") or ""))

    def objectives_grid(self, flow: _Flow, question: Question, answer: Answer | None) -> None:
        """The scale, then the 23 objectives: number, title, status (its label on the scale),
        note; status and note empty in the blank questionnaire."""
        handler = question.type_handler
        value = answer.value if answer is not None and not self.blank else {}
        scale = [i18n.option_label(step) for step in handler.scale(question.options or {})]
        self.text(
            flow.paragraph(),
            _("For each of the 23 GCM objectives, a status and a note. The statuses are:"),
        )
        self.text(flow.paragraph(), " · ".join(scale))
        rows = handler.display_rows(question, value, self.objectives)
        table = flow.table(1 + len(rows), 4)
        self._table_look(table, GRID_WIDTHS)
        ooxml.set_header_row(table.rows[0])
        headings = (_("No."), _("GCM objective"), _("Status"), _("Note"))
        for cell, words in zip(table.rows[0].cells, headings, strict=True):
            self.runs(cell.paragraphs[0], [Run(words, bold=True)])
        for row, grid_row in zip(table.rows[1:], rows, strict=True):
            cells = row.cells
            self.text(cells[0].paragraphs[0], str(grid_row["number"]), rtl=self.rtl)
            self.text(cells[1].paragraphs[0], grid_row["title"])
            self.text(cells[2].paragraphs[0], grid_row["status"])
            note_flow = _Flow(cells[3])
            for line in (grid_row["note"] or "").split("\n") or [""]:
                self.text(note_flow.paragraph(), line)

    # --- paragraphs --------------------------------------------------------------------------

    def _rtl(self, text: str) -> bool:
        """Whether a paragraph starting with `text` runs right to left: its first strong
        character's direction, the document's when it has none."""
        found = bidi.first_strong(text)
        return self.rtl if found is None else found == "rtl"

    def text(self, paragraph, text: str, *, rtl: bool | None = None):
        return self.runs(paragraph, [Run(text)] if text else [], rtl=rtl)

    def runs(self, paragraph, runs: list[Run], *, rtl: bool | None = None):
        """`runs` written into `paragraph`, right to left (w:bidi) when `rtl` (else as its text
        starts), each cut where the script changes direction and Arabic pieces marked w:rtl."""
        if rtl is None:
            rtl = self._rtl("".join(run.text for run in runs))
        if rtl:
            ooxml.set_paragraph_rtl(paragraph)
        for run in runs:
            if run.line_break:
                paragraph.add_run().add_break()
                continue
            for piece, piece_rtl in ooxml.direction_segments(run.text, rtl):
                ooxml.set_run(
                    paragraph.add_run(piece),
                    rtl=piece_rtl,
                    bold=run.bold,
                    italic=run.italic,
                    size=REFERENCE_SIZE if run.small else None,
                )
        return paragraph

    def blocks(self, flow: _Flow, blocks: list[Block]) -> None:
        """Answer HTML's paragraphs and list items: each list item in the list style of its
        level and kind, on a multilevel Word list at that level (`ooxml.Numbering`: Tab in Word
        indents it further), each list its own, numbered ones starting at 1."""
        lists: dict[int, str] = {}
        for block in blocks:
            level = max(block.level, 1) - 1
            if not block.list_kind:
                paragraph = flow.paragraph()
            elif block.continued:
                paragraph = flow.paragraph(CONTINUE_STYLES[level])
            else:
                styles = NUMBER_STYLES if block.list_kind == "ol" else BULLET_STYLES
                paragraph = flow.paragraph(styles[level])
                if block.list_id not in lists:
                    lists[block.list_id] = self.numbering.new_list(block.list_kind)
                ooxml.set_numbering(paragraph, lists[block.list_id], level)
            self.runs(paragraph, block.runs)


def _box(checked: bool, label: str) -> str:
    return f"{CHECKED if checked else UNCHECKED} {label}"


def _date_text(value) -> str:
    try:
        return formatting.date_text(datetime.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)
