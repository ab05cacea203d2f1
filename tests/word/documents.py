"""Word documents made outside the portal, for the import's tests: built with python-docx the way
a ministry's documents are (typed "▪" bullets, plain tables), from the reference answers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
from django.conf import settings
from docx.oxml.ns import qn

from questionnaire.word import format as word_format

REFERENCE = (
    Path(settings.BASE_DIR).parent / "shared" / "reference" / "morocco-2020-national-review.json"
)


def reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def seed_layout_docx(data: dict | None = None, *, edit=None) -> bytes:
    """Morocco's answers in the seed's layout: a title, per section a heading paragraph and a
    "Questions | Answers" table, each answer line a paragraph starting with its typed glyph
    ("▪", "-", "✓", "1.") and indented by its level, as the published document has them."""
    data = data or reference()
    document = docx.Document()
    document.add_paragraph(data["title"])
    for section in data["sections"]:
        document.add_paragraph(f"{section['number']}. {section['title']}")
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Questions"
        table.rows[0].cells[1].text = "Answers"
        for question in section["questions"]:
            question_cell, answer_cell = table.add_row().cells
            question_cell.text = f"{question['label']}) {question['text']}"
            markup = question["answer_markup"]
            if edit:
                markup = edit(section["number"], question["label"], markup)
            for index, line in enumerate(markup.split("\n")):
                paragraph = answer_cell.paragraphs[0] if index == 0 else answer_cell.add_paragraph()
                depth = (len(line) - len(line.lstrip(" "))) // 2
                paragraph.paragraph_format.left_indent = docx.shared.Cm(0.6 * depth)
                paragraph.add_run(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def answer_cell(document, key: str):
    """The answer cell of the row that holds `key`'s bookmark."""
    name = word_format.bookmark_name(key)
    for table in document.tables:
        for row in table.rows:
            if any(
                start.get(qn("w:name")) == name for start in row._tr.iter(qn("w:bookmarkStart"))
            ):
                return row.cells[-1]
    raise AssertionError(key)
