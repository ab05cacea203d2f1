"""Data exports of a review cycle, for ESCWA's regional report.

Shapes (`KINDS`), all built from one read of the cycle (`selectors.cycle_answers`):

- ``answers-long`` (CSV, XLSX): one row per exported submission and question, unanswered questions
  included, so the table pivots any way; a question the submission's earlier answers hide (its
  conditions do not hold) has no row, and an answer "Not applicable" has an empty answer and its
  reason in a column of its own;
- ``answers-wide`` (CSV, XLSX): one row per participating country, one column per question headed
  by its label and key (``III.a progress-implementation-plans``); a hidden question's cell is
  empty, a "Not applicable" one reads ``Not applicable: <reason>``;
- ``answers`` (JSON): the cycle, the questionnaire version, its questions, and per country its
  status and answers, each with the stored value, its text and its ``not_applicable_reason``
  (value null and text empty when that is not empty), hidden questions left out;
- ``objectives`` (XLSX, versions with an objectives grid): country × objectives 1–23, each cell
  the status label from the version's scale, and a second sheet with the notes.

What counts as an answer is the one rule (`questionnaire.conditions`, through
`selectors.cycle_answers`): the answer a question kept while earlier answers hide it is not
exported, nor the value an answer "Not applicable" keeps.

Which submissions: those a country has sent (`models.SENT_STATUSES`: submitted, returned,
accepted, published), and drafts only when a staff member asks for them. Every row says the
status. Exports are for ESCWA staff only (`selectors.export_cycle_get`).

Answer text is the question type's `as_text`, worked out at export time so that every row is in
the export's language (the stored `Answer.text` is in whatever language the saver used).

The questionnaire's own words: section titles and question texts stay in English, the base every
analysis can join on, whatever the export's language; an Arabic or French export adds the
version's translation in two last columns (English where there is none), so no column moves with
the language. Objective headings and status labels are in the export's language; the JSON
document carries the English and every translation.

Spreadsheet safety (OWASP "CSV Injection", ASVS 1.2.10), which differs by format:

- CSV is read by a spreadsheet as if each cell were typed in, so text that opens like a formula
  becomes one. OWASP's rule: a cell must not begin with ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return or a line feed; such a cell gets a leading apostrophe, the mark of text. That
  includes a long answer whose first line is a list item (``- Ministry of Interior``): Excel
  takes a leading minus as the start of a formula, so the cell would show ``#NAME?``, and
  ``- 1+cmd|…`` would be run. LibreOffice is narrower (its 7.4 CSV import, checked: ``=1+1``
  became a formula; ``- 1+2``, ``+1+1`` and ``@SUM(1,2)`` stayed text) and shows the apostrophe,
  the price of a list that stays safe in Excel. Plain numbers (``-2.5``, what a number answer
  stores) cannot be formulas and are left alone. Every field is quoted and its quotes doubled
  (RFC 4180), so no separator, quote or line break in the text can start a new cell.
- XLSX keeps the text exactly as typed: every cell is written as a string cell (data type
  ``s``), which Excel and LibreOffice show as text and never evaluate, so ``=1+1`` stays
  ``=1+1`` and ``-5`` stays text, not a number; nothing is ever written as a formula.

Both drop the characters XML cannot hold (NUL among them), before the CSV's check.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from questionnaire import i18n, selectors
from questionnaire.conditions import not_applicable_text
from questionnaire.models import Answer, Question, QuestionType, ReviewCycle, SubmissionStatus
from questionnaire.selectors import CountryAnswers, CycleAnswers
from questionnaire.types.objectives_grid import OBJECTIVE_COUNT

CSV = "csv"
XLSX = "xlsx"
JSON = "json"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JSON: "application/json",
}
FORMAT_NAMES = {CSV: "CSV", XLSX: "Excel (XLSX)", JSON: "JSON"}

# Excel reads a CSV as UTF-8 (and Arabic correctly) only when the file starts with a BOM.
UTF8_BOM = "\ufeff"
# What makes a spreadsheet read a CSV cell as a formula (OWASP CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
# Excel refuses to open a workbook with a longer cell.
XLSX_CELL_LIMIT = 32_767
XLSX_SHEET_TITLE_LIMIT = 31


class ExportError(ValueError):
    """The export asked for does not exist (unknown kind or format, or nothing to export)."""


@dataclass(frozen=True)
class ExportKind:
    slug: str
    title: Promise
    description: Promise
    formats: tuple[str, ...]
    needs_objectives_grid: bool = False


KINDS: dict[str, ExportKind] = {
    kind.slug: kind
    for kind in (
        ExportKind(
            "answers-long",
            gettext_lazy("Answers, one row per country and question"),
            gettext_lazy(
                "Country, section, question label, key and text, the answer as text, the "
                "submission's status and when the answer was last updated."
            ),
            (XLSX, CSV),
        ),
        ExportKind(
            "answers-wide",
            gettext_lazy("Answers, one row per country"),
            gettext_lazy(
                "Every participating country with its status, and one column per question headed "
                "by its label and key."
            ),
            (XLSX, CSV),
        ),
        ExportKind(
            "answers",
            gettext_lazy("Structured document"),
            gettext_lazy(
                "The cycle, the questionnaire version and its questions, and per country its "
                "status and answers, each with the stored value and its text."
            ),
            (JSON,),
        ),
        ExportKind(
            "objectives",
            gettext_lazy("Objectives matrix"),
            gettext_lazy(
                "Countries × the 23 GCM objectives, each cell the status of implementation; the "
                "countries' notes on a second sheet."
            ),
            (XLSX,),
            needs_objectives_grid=True,
        ),
    )
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


# --- Cells ---------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """The text of a cell as typed, without the characters XML cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def csv_cell_text(value: Any) -> str:
    """The text of a CSV cell: a leading apostrophe when a spreadsheet would read it as a
    formula (it begins with one of `FORMULA_TRIGGERS` and is not a plain number)."""
    text = cell_text(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def answer_text(question: Question, answer: Answer | None) -> str:
    """The answer as text; empty for none and for "Not applicable" (its kept value is not the
    answer: the reason is, `not_applicable_reason`)."""
    if answer is None or answer.not_applicable_reason:
        return ""
    return question.type_handler.as_text(answer.value, question.options or {})


def not_applicable_reason(answer: Answer | None) -> str:
    return answer.not_applicable_reason if answer is not None else ""


def answer_cell(question: Question, answer: Answer | None) -> str:
    """One cell for the whole answer (the wide table): its text, or “Not applicable: reason”."""
    reason = not_applicable_reason(answer)
    if reason:
        return not_applicable_text(reason)
    return answer_text(question, answer)


def question_label(question: Question) -> str:
    """``III.a``: how the questionnaire and ESCWA's reports refer to a question."""
    return f"{question.section.number}.{question.label}"


def iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def status_text(row: CountryAnswers) -> str:
    if row.submission is None:
        return _("No submission")
    if not row.included:
        return _("%(status)s (not included)") % {"status": row.submission.get_status_display()}
    return row.submission.get_status_display()


# --- Tables --------------------------------------------------------------------------------------


@dataclass
class Column:
    header: str
    width: float = 14
    wrap: bool = False


@dataclass
class Table:
    """One sheet: what both the CSV and the XLSX writers turn into a file."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    freeze: str = "A2"
    filters: bool = True


def long_table(data: CycleAnswers) -> Table:
    questions = data.questions
    table = Table(
        title=_("Answers"),
        columns=[
            Column(_("Cycle"), 12),
            Column(_("Country code"), 9),
            Column(_("Country"), 18, wrap=True),
            Column(_("Section"), 30, wrap=True),
            Column(_("Question key"), 28, wrap=True),
            Column(_("Label"), 7),
            Column(_("Question"), 50, wrap=True),
            Column(_("Answer"), 80, wrap=True),
            Column(_("Not applicable because"), 40, wrap=True),
            Column(_("Status"), 14, wrap=True),
            Column(_("Last updated"), 20),
        ],
        freeze="D2",
    )
    translated = i18n.language() != i18n.BASE_LANGUAGE
    if translated:
        name = i18n.LANGUAGE_NAMES[i18n.language()]
        table.columns += [
            Column(_("Section (%(language)s)") % {"language": name}, 30, wrap=True),
            Column(_("Question (%(language)s)") % {"language": name}, 50, wrap=True),
        ]
    for row in data.included:
        status = status_text(row)
        for question in questions:
            if not row.shows(question):
                continue  # hidden by its conditions: not part of the submission (no row)
            answer = row.answers.get(question.pk)
            cells = [
                data.cycle.slug,
                row.country.iso2,
                row.country.name,
                f"{question.section.number}. {question.section.title}",
                question.key,
                question_label(question),
                question.text,
                answer_text(question, answer),
                not_applicable_reason(answer),
                status,
                iso(answer.updated_at) if answer else "",
            ]
            if translated:
                cells += [
                    f"{question.section.number}. {i18n.tr(question.section, 'title')}",
                    i18n.tr(question, "text"),
                ]
            table.rows.append(cells)
    return table


def wide_table(data: CycleAnswers) -> Table:
    questions = data.questions
    table = Table(
        title=_("Answers"),
        columns=[
            Column(_("Country code"), 9),
            Column(_("Country"), 18, wrap=True),
            Column(_("Status"), 14, wrap=True),
            Column(_("Last updated"), 20),
            *(Column(f"{question_label(q)} {q.key}", 45, wrap=True) for q in questions),
        ],
        freeze="C2",
    )
    for row in data.rows:
        table.rows.append(
            [
                row.country.iso2,
                row.country.name,
                status_text(row),
                iso(row.submission.updated_at) if row.included else "",
                *(answer_cell(q, row.answers.get(q.pk)) for q in questions),
            ]
        )
    return table


def grid_questions(data: CycleAnswers) -> list[Question]:
    return [q for q in data.questions if q.type == QuestionType.OBJECTIVES_GRID]


def objective_headings(data: CycleAnswers) -> dict[int, str]:
    """``4. Legal identity`` per objective number; the bare number if the objective is missing."""
    short = {o.number: i18n.tr(o, "short_label") for o in data.objectives}
    return {n: f"{n}. {short[n]}" if n in short else str(n) for n in range(1, OBJECTIVE_COUNT + 1)}


def grid_status(entry: dict | None, scale: dict[str, str]) -> str:
    """The scale's label for an objective's status; the stored value if the scale lacks it."""
    status = (entry or {}).get("status") or ""
    return scale.get(status, status)


def objectives_tables(data: CycleAnswers) -> list[Table]:
    questions = grid_questions(data)
    if not questions:
        raise ExportError(_("This questionnaire version has no objectives grid."))
    headings = objective_headings(data)
    tables = []
    for question in questions:
        # Several grids are unusual; each gets its own pair of sheets, named by its label.
        prefix = f"{question_label(question)} " if len(questions) > 1 else ""
        scale = i18n.option_labels(question.type_handler.scale(question.options))
        matrix = Table(
            title=prefix + _("Objectives"),
            columns=[
                Column(_("Country code"), 9),
                Column(_("Country"), 18, wrap=True),
                Column(_("Status"), 14, wrap=True),
                *(Column(headings[n], 14, wrap=True) for n in headings),
            ],
            freeze="C2",
        )
        notes = Table(
            title=prefix + _("Notes"),
            columns=[
                Column(_("Country code"), 9),
                Column(_("Country"), 18, wrap=True),
                Column(_("Objective"), 30, wrap=True),
                Column(_("Status of implementation"), 18, wrap=True),
                Column(_("Note"), 80, wrap=True),
            ],
            freeze="C2",
        )
        for row in data.rows:
            answer = row.answers.get(question.pk)
            grid = (answer.value if answer and not answer.not_applicable_reason else None) or {}
            matrix.rows.append(
                [
                    row.country.iso2,
                    row.country.name,
                    status_text(row),
                    *(grid_status(grid.get(str(n)), scale) for n in headings),
                ]
            )
            for number, entry in grid.items():
                if entry.get("note"):
                    notes.rows.append(
                        [
                            row.country.iso2,
                            row.country.name,
                            headings.get(int(number), number),
                            grid_status(entry, scale),
                            entry["note"],
                        ]
                    )
        tables += [matrix, notes]
    return tables


def about_table(data: CycleAnswers) -> Table:
    cycle = data.cycle
    version = cycle.version
    statuses = ", ".join(str(SubmissionStatus(s).label) for s in data.statuses)
    table = Table(
        title=_("About"),
        columns=[Column(_("About this export"), 28), Column("", 90, wrap=True)],
        filters=False,
    )
    table.rows = [
        [_("Review cycle"), f"{i18n.tr(cycle, 'name')} ({cycle.slug})"],
        [
            _("Questionnaire"),
            _("%(title)s, version %(number)s")
            % {"title": version.display_title, "number": version.number},
        ],
        [_("Submissions included"), statuses],
        [_("Countries included"), str(len(data.included))],
        [_("Exported at"), iso(timezone.now())],
        [
            _("Questions that do not apply"),
            _(
                "A question that applies only for some answers to an earlier one, and that the "
                "country's answers leave out, is not exported: no row in the long table, an "
                "empty cell in the wide one. An answer “Not applicable” has no answer text; its "
                "reason is in its own column (“Not applicable: reason” in the wide table)."
            ),
        ],
        [
            _("Text as typed"),
            _(
                "Every cell holds text exactly as it was typed, numbers and dates included: no "
                "cell is a formula or a number to compute. In the CSV exports, text that a "
                "spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a line "
                "break; a list item, for instance) starts with an apostrophe (')."
            ),
        ],
    ]
    return table


# --- Writers -------------------------------------------------------------------------------------


def write_csv(table: Table) -> bytes:
    """RFC 4180 (every field quoted, CRLF between records), UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([csv_cell_text(c.header) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell_text(value) for value in row])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TRUNCATED = gettext_lazy("… [cut here: the full text is in the CSV and JSON exports]")


def xlsx_cell_text(value: Any) -> str:
    """The text of an XLSX cell as typed (written as a string cell, it is never a formula), cut
    at Excel's limit."""
    text = cell_text(value)
    if len(text) > XLSX_CELL_LIMIT:
        marker = str(TRUNCATED)
        text = text[: XLSX_CELL_LIMIT - len(marker)] + marker
    return text


def sheet_title(title: str, taken: set[str]) -> str:
    title = INVALID_TITLE_REGEX.sub(" ", title).strip()[:XLSX_SHEET_TITLE_LIMIT] or "Sheet"
    candidate, n = title, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = title[: XLSX_SHEET_TITLE_LIMIT - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def write_xlsx(tables: list[Table], *, title: str) -> bytes:
    """A workbook with a sheet per table: bold frozen header row, filters, set widths, wrapped
    text, and every cell a string (data type ``s``, set after the value, from which openpyxl
    would infer a formula or a number), so nothing in it is ever a formula or a number."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    workbook.properties.creator = "GCM Review Portal"
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))
        alignments = [Alignment(wrap_text=c.wrap, vertical="top") for c in table.columns]
        for col, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = column.width
            if not column.header:
                continue
            cell = sheet.cell(row=1, column=col)
            cell.value = xlsx_cell_text(column.header)
            cell.data_type = "s"
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, values in enumerate(table.rows, start=2):
            for col, value in enumerate(values, start=1):
                text = xlsx_cell_text(value)
                if not text:
                    continue  # an empty cell is no cell: a blank answer reads back as None
                cell = sheet.cell(row=r, column=col)
                cell.value = text
                cell.data_type = "s"
                cell.alignment = alignments[col - 1]
        sheet.freeze_panes = table.freeze
        if table.filters and table.rows:
            last = get_column_letter(len(table.columns))
            sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def version_titles(version) -> dict[str, dict[str, str]]:
    """The title a version's readers see (its own, else the questionnaire's) in each language
    it has one in besides English, shaped like `translations`."""
    english = i18n.version_title(version, i18n.BASE_LANGUAGE)
    result = {}
    for code in i18n.TRANSLATION_LANGUAGES:
        title = i18n.version_title(version, code)
        if title != english:
            result[code] = {"title": title}
    return result


def translations(obj) -> dict[str, dict[str, str]]:
    """`{"ar": {"title": …}, "fr": {…}}`: the translations `obj` has (none: `{}`)."""
    result: dict[str, dict[str, str]] = {}
    for code in i18n.TRANSLATION_LANGUAGES:
        texts = {
            name: getattr(obj, f"{name}_{code}")
            for name in i18n.TRANSLATED_FIELDS[obj._meta.model_name]
            if i18n.is_translated(obj, name, code)
        }
        if texts:
            result[code] = texts
    return result


def json_document(data: CycleAnswers) -> dict:
    cycle = data.cycle
    version = cycle.version
    questions = data.questions
    countries = []
    for row in data.rows:
        submission = row.submission
        countries.append(
            {
                "iso2": row.country.iso2,
                "iso3": row.country.iso3,
                "name": {
                    "en": row.country.name_en,
                    "ar": row.country.name_ar,
                    "fr": row.country.name_fr,
                },
                "status": submission.status if submission else None,
                "status_label": status_text(row),
                "included": row.included,
                "submission": {
                    "language": submission.language,
                    "submitted_at": iso(submission.submitted_at) or None,
                    "accepted_at": iso(submission.accepted_at) or None,
                    "updated_at": iso(submission.updated_at),
                    "answers": {
                        q.key: {
                            "value": None
                            if row.answers[q.pk].not_applicable_reason
                            else row.answers[q.pk].value,
                            "text": answer_text(q, row.answers[q.pk]),
                            "not_applicable_reason": row.answers[q.pk].not_applicable_reason,
                            "updated_at": iso(row.answers[q.pk].updated_at),
                        }
                        for q in questions
                        if q.pk in row.answers
                    },
                }
                if row.included
                else None,
            }
        )
    return {
        "format": "gcm-review-portal/cycle-answers",
        "format_version": 1,
        "exported_at": iso(timezone.now()),
        "cycle": {
            "slug": cycle.slug,
            "name": cycle.name,
            "translations": translations(cycle),
            "opens_on": cycle.opens_on.isoformat(),
            "deadline": cycle.deadline.isoformat(),
            "is_closed": cycle.is_closed,
        },
        "questionnaire": {
            "slug": version.questionnaire.slug,
            # The version's title (its own, else the questionnaire's): what the cycle answered.
            "title": i18n.version_title(version, i18n.BASE_LANGUAGE),
            "translations": version_titles(version),
            "official_translations": version.official_translations,
            "version": version.number,
            "published_at": iso(version.published_at) or None,
        },
        "included_statuses": list(data.statuses),
        "sections": [
            {
                "number": section.number,
                "title": section.title,
                "translations": translations(section),
                "questions": [
                    {
                        "key": q.key,
                        "label": question_label(q),
                        "text": q.text,
                        "translations": translations(q),
                        "type": q.type,
                        "required": q.required,
                        "options": q.options or {},
                    }
                    for q in section.question_list
                ],
            }
            for section in data.sections
        ],
        "objectives": [
            {
                "number": o.number,
                "short_label": o.short_label,
                "title": o.title,
                "translations": translations(o),
            }
            for o in data.objectives
        ],
        "countries": countries,
    }


def write_json(data: CycleAnswers) -> bytes:
    return json.dumps(json_document(data), ensure_ascii=False, indent=2).encode("utf-8")


# --- Entry point ---------------------------------------------------------------------------------


def _workbook(tables: Callable[[CycleAnswers], list[Table]]):
    def render(data: CycleAnswers) -> bytes:
        title = f"{i18n.tr(data.cycle, 'name')} ({data.cycle.slug})"
        return write_xlsx([*tables(data), about_table(data)], title=title)

    return render


RENDERERS: dict[tuple[str, str], Callable[[CycleAnswers], bytes]] = {
    ("answers-long", CSV): lambda data: write_csv(long_table(data)),
    ("answers-long", XLSX): _workbook(lambda data: [long_table(data)]),
    ("answers-wide", CSV): lambda data: write_csv(wide_table(data)),
    ("answers-wide", XLSX): _workbook(lambda data: [wide_table(data)]),
    ("answers", JSON): write_json,
    ("objectives", XLSX): _workbook(objectives_tables),
}


def export_filename(*, cycle: ReviewCycle, kind: str, fmt: str, include_drafts: bool) -> str:
    """``gcm-arab-2020-answers-long.xlsx``; ``…-with-drafts.xlsx`` when drafts are in it."""
    suffix = "-with-drafts" if include_drafts else ""
    return f"gcm-{cycle.slug}-{kind}{suffix}.{fmt}"


def has_objectives_grid(*, cycle: ReviewCycle) -> bool:
    return Question.objects.filter(
        version=cycle.version_id, type=QuestionType.OBJECTIVES_GRID
    ).exists()


def kinds_for(*, cycle: ReviewCycle) -> list[ExportKind]:
    """The exports that make sense for the cycle: the matrix only when there is a grid."""
    grid = has_objectives_grid(cycle=cycle)
    return [kind for kind in KINDS.values() if grid or not kind.needs_objectives_grid]


def build_export(
    *, cycle: ReviewCycle, kind: str, fmt: str, include_drafts: bool = False
) -> ExportFile:
    """The file for one export of the cycle. The caller has checked that the user may export
    (`selectors.export_cycle_get`); ExportError for an export that does not exist."""
    if kind not in KINDS:
        raise ExportError(_("There is no export “%(kind)s”.") % {"kind": kind})
    if fmt not in KINDS[kind].formats:
        raise ExportError(
            _("The “%(kind)s” export comes as %(formats)s, not “%(fmt)s”.")
            % {"kind": kind, "formats": ", ".join(KINDS[kind].formats), "fmt": fmt}
        )
    data = selectors.cycle_answers(cycle=cycle, include_drafts=include_drafts)
    return ExportFile(
        filename=export_filename(cycle=cycle, kind=kind, fmt=fmt, include_drafts=include_drafts),
        content_type=CONTENT_TYPES[fmt],
        content=RENDERERS[(kind, fmt)](data),
    )
