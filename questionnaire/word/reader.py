"""A filled Word document read back (docs/word.md): checked as an uploaded document is, turned
into HTML by mammoth, then cut into the rows of its "Questions | Answers" tables.

`read_docx` returns a `ReadDocument`: where the document says it came from (its custom XML
part), each table row's question cell (text and question bookmarks) and answer cell (HTML, its
nested tables kept for the types that read tables), the text outside any row, and notes on what
was read otherwise than written (pictures and comments left out, tracked changes accepted).
Which question a row answers is `matching`'s business; what its answer means is the type's
(`reading`).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import mammoth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import html as lxml_html

from .. import filetypes, numbering
from ..services.attachments import check_size, refusal_message
from . import format as word_format

# What mammoth is told beyond its defaults. A paragraph in the Title style is the title (it would
# otherwise warn about an unknown style). Word's list styles "List Bullet 2", "List Number 3"…
# (the portal's documents use them, and so do people) each carry a one-level numbering of their
# own, so mammoth, which nests by the numbering's level, would read every level as the first:
# their names say the level. The first level's styles are left to mammoth's own rule, by the
# numbering's level, so that an item someone indented with Tab in Word stays indented.
STYLE_MAP = "\n".join(
    [
        "p[style-name='Title'] => h1.title:fresh",
        "p[style-name='Subtitle'] => p:fresh",
        "p[style-name='List Bullet 2'] => ul|ol > li > ul > li:fresh",
        "p[style-name='List Number 2'] => ul|ol > li > ol > li:fresh",
        "p[style-name='List Bullet 3'] => ul|ol > li > ul|ol > li > ul > li:fresh",
        "p[style-name='List Number 3'] => ul|ol > li > ul|ol > li > ol > li:fresh",
    ]
)
# An OLE compound file: Word 97–2003 documents, and every encrypted Office document (the
# encrypted package sits in a compound file beside its EncryptionInfo stream).
COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
# The header row of the answers' tables, in the three languages (and their singulars).
HEADER_WORDS = frozenset(
    {
        "question",
        "questions",
        "answer",
        "answers",
        "réponse",
        "réponses",
        "السؤال",
        "الأسئلة",
        "الاسئلة",
        "الإجابة",
        "الإجابات",
        "الاجابات",
        "الأجوبة",
        "الجواب",
        "الردود",
    }
)
# Notes on the reading, shown on the preview (`NOTE_MESSAGES`).
NOTE_IMAGES = "images"
NOTE_COMMENTS = "comments"
NOTE_TRACKED = "tracked_changes"


class DocumentRefused(ValidationError):
    """The file cannot be imported; the message says why and what to do."""


@dataclasses.dataclass
class Row:
    """One row of an answers' table: the question cell and the answer cell, as read."""

    section: str  # the heading above the table, as text ("" when there is none)
    question_text: str
    answer_html: str  # the answer cell's content, nested tables included
    bookmarks: tuple[str, ...] = ()  # the question bookmarks in the row
    position: int = 0  # the row's place in the document, counting from 1


@dataclasses.dataclass
class ReadDocument:
    origin: word_format.Origin | None
    rows: list[Row]
    loose: list[str]  # text outside the tables, after the first one: the title is not loose
    notes: list[dict]  # {"code": NOTE_*, "count": n}
    words: int  # how many words the document holds in all

    @property
    def is_empty(self) -> bool:
        return self.words == 0


def read_docx(data: bytes) -> ReadDocument:
    """Read `data` as a filled questionnaire; DocumentRefused when it cannot be one."""
    _check(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        origin = _origin(archive)
        notes = _notes(archive)
    images = []

    def drop_image(image):
        images.append(image)
        return []

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), style_map=STYLE_MAP, convert_image=drop_image
        )
    except Exception as exc:  # noqa: BLE001 — a document mammoth cannot read is damaged
        raise DocumentRefused(
            _("This Word document is damaged: it cannot be read."), code="damaged"
        ) from exc
    if images:
        notes.insert(0, {"code": NOTE_IMAGES, "count": len(images)})
    rows, loose, words = _rows(result.value)
    return ReadDocument(origin=origin, rows=rows, loose=loose, notes=notes, words=words)


def _check(data: bytes) -> None:
    """Refuse what is not a DOCX the portal may read, with the reason."""
    check_size(len(data))
    if data.startswith(COMPOUND_FILE):
        if ENCRYPTION_INFO in data:
            raise DocumentRefused(
                _(
                    "This document is protected by a password. Save a copy without the "
                    "password (File, Info, Protect Document) and import that."
                ),
                code="encrypted",
            )
        raise DocumentRefused(
            _(
                "This is a Word 97–2003 document (.doc). Save it as a Word document (.docx) "
                "and import that."
            ),
            code="legacy_doc",
        )
    if not data.startswith(b"PK\x03\x04"):  # a DOCX is a ZIP package
        raise DocumentRefused(_not_docx(), code="not_docx")
    try:
        kind = filetypes.check(io.BytesIO(data))
    except filetypes.Refused as refused:
        if refused.reason == filetypes.NOT_A_DOCUMENT:
            raise DocumentRefused(_not_docx(), code="not_docx") from None
        raise DocumentRefused(refusal_message(refused.reason), code=refused.reason) from None
    if kind != "docx":
        raise DocumentRefused(_not_docx(), code="not_docx")


def _not_docx() -> str:
    return _("This file is not a Word document (.docx). Save it as .docx and import that.")


def _origin(archive: zipfile.ZipFile) -> word_format.Origin | None:
    """What the document's custom XML part (ours, if any) says about where it came from."""
    for info in archive.infolist():
        name = info.filename
        if (
            name.lower().startswith("customxml/item")
            and name.lower().endswith(".xml")
            and "props" not in name.lower()
            and info.file_size <= filetypes.MAX_PART_BYTES
        ):
            origin = word_format.origin_from_xml(archive.read(info))
            if origin is not None:
                return origin
    return None


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    # filetypes.check has bounded every member's inflated size (MAX_UNPACKED in all).
    return archive.read(info)


def _notes(archive: zipfile.ZipFile) -> list[dict]:
    notes = []
    comments = _member(archive, "word/comments.xml").count(b"<w:comment ")
    if comments:
        notes.append({"code": NOTE_COMMENTS, "count": comments})
    body = _member(archive, "word/document.xml")
    tracked = sum(
        body.count(tag) for tag in (b"<w:ins ", b"<w:del ", b"<w:moveTo ", b"<w:moveFrom ")
    )
    if tracked:
        notes.append({"code": NOTE_TRACKED, "count": tracked})
    return notes


# --- Cutting mammoth's HTML into rows -------------------------------------------------------------

_SPACES_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")


def text_of(element) -> str:
    return _SPACES_RE.sub(" ", element.text_content()).strip()


def _rows(html: str) -> tuple[list[Row], list[str], int]:
    if not html.strip():
        return [], [], 0
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    words = len(_WORD_RE.findall(root.text_content()))
    rows: list[Row] = []
    loose: list[str] = []
    section = ""
    seen_table = False
    for element in root:
        if element.tag == "table":
            seen_table = True
            _table_rows(element, section, rows)
            continue
        text = text_of(element)
        if not text:
            continue
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or numbering.section_number_of(text):
            if "title" not in (element.get("class") or ""):
                section = text
            continue
        if seen_table:
            loose.append(text)
    return rows, loose, words


def _cells(row) -> list:
    return [cell for cell in row if cell.tag in ("td", "th")]


def _table_rows(table, section: str, rows: list[Row]) -> None:
    for tr in table.iter("tr"):
        if tr.getparent() is not table and tr.getparent().getparent() is not table:
            continue  # a row of a table nested in a cell: part of that cell's answer
        cells = _cells(tr)
        if not cells:
            continue
        texts = [text_of(cell) for cell in cells]
        if all(_normal_header(text) in HEADER_WORDS for text in texts if text):
            continue  # "Questions | Answers"
        bookmarks = tuple(
            anchor.get("id")
            for anchor in tr.iter("a")
            if word_format.is_question_bookmark(anchor.get("id") or "")
        )
        if len(cells) == 1:
            # A row across the table: the rest of the answer above (the objectives grid), or,
            # before any question, text to place.
            answer = _inner_html(cells[0])
            if rows and not bookmarks:
                rows[-1].answer_html += answer
                continue
            rows.append(Row(section, "", answer, bookmarks, position=len(rows) + 1))
            continue
        question = " ".join(text for text in texts[:-1] if text)
        rows.append(
            Row(
                section=section,
                question_text=question,
                answer_html=_inner_html(cells[-1]),
                bookmarks=bookmarks,
                position=len(rows) + 1,
            )
        )


def _normal_header(text: str) -> str:
    return text.strip(" :.").lower()


def _inner_html(cell) -> str:
    """The cell's content as HTML, without the question bookmarks' anchors."""
    for anchor in list(cell.iter("a")):
        if word_format.is_question_bookmark(anchor.get("id") or "") and not text_of(anchor):
            anchor.drop_tree()
    parts = [lxml_html.tostring(child, encoding="unicode") for child in cell]
    return (cell.text or "") + "".join(parts)
