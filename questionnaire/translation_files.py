"""A version's texts in the files translators work in, and back: XLIFF 2.0, gettext PO and XLSX.

Translators work outside the portal, in their own tools. `export_file` writes the units of
`selectors.version_translation_units` (one per text, keyed `section.I.intro`,
`question.<key>.choices.<value>`, …) for one language; `read_file` reads a returned file (any of
the three, told apart by its content) into entries; `review` compares them with the current
texts and says, for each, whether it would change the translation or why it is refused. Nothing
here writes to the database: `services.questionnaire_version_translations_import` does, once an
administrator has seen the review and confirmed it.

A returned file is untrusted: XLIFF is parsed with defusedxml (no entity expansion, no external
references), a PO file is read from a temporary file (polib would otherwise take content that
happens to name a path for that path), and an XLSX workbook through openpyxl (which itself uses
defusedxml when it is installed, as here).
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field

import polib
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from . import i18n

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
# The format's name → (file extension, content type).
FORMATS = {
    "xliff": ("xlf", "application/xliff+xml"),
    "po": ("po", "text/x-gettext-translation"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# gettext's plural rules for the header of a PO file, as locale/*/LC_MESSAGES/django.po have them.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
    ": n%100>=11 && n%100<=99 ? 4 : 5;",
    "fr": "nplurals=2; plural=(n > 1);",
}
# A returned file larger than this, or a sheet longer than this, is not a version's texts.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class TranslationFileError(Exception):
    """A file that cannot be read as a translation of a version: nothing of it is used."""


@dataclass
class Entry:
    """One text as a returned file has it."""

    key: str
    source: str
    target: str
    fuzzy: bool = False  # a PO entry its translator flagged as still to check


@dataclass
class TranslationFile:
    format: str  # "xliff", "po", "xlsx"
    language: str  # the language the file says it translates into ("" when it says none)
    entries: list[Entry]


def file_name(version, language: str, fmt: str) -> str:
    """`gcm-arab-regional-review-v2-ar.xlf`: the questionnaire, the version, the language."""
    slug = version.questionnaire.slug
    base = slug if slug.startswith("gcm") else f"gcm-{slug}"
    return f"{base}-v{version.number}-{language}.{FORMATS[fmt][0]}"


def _language_code(value: str | None) -> str:
    """`ar` from "ar", "ar_SA", "ar-EG", "AR"; "" from nothing."""
    return re.split(r"[-_]", (value or "").strip())[0].lower()


def _normalised(text: str | None) -> str:
    """A text as compared and stored: one kind of line ending, no space around it (spreadsheet
    programs and editors change both)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# --- Writing ------------------------------------------------------------------------------------


def export_file(*, version, language: str, fmt: str, units) -> bytes:
    """The units of `version` in `fmt` ("xliff", "po", "xlsx"), to translate into `language`."""
    writer = {"xliff": _xliff, "po": _po, "xlsx": _xlsx}[fmt]
    return writer(version, language, units)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text escaped for XML content or a double-quoted attribute; characters XML 1.0 forbids
    dropped (a carriage return kept as a reference so that it survives parsing)."""
    text = _XML_ILLEGAL.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def _xliff(version, language: str, units) -> bytes:
    # Written by hand: the format is small, and no XML library that bandit trusts writes it.
    original = file_name(version, language, "xliff")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<xliff xmlns="{XLIFF_NS}" version="2.0" srcLang="{i18n.BASE_LANGUAGE}" '
        f'trgLang="{language}">',
        f'  <file id="f1" original="{_xml(original)}" xml:space="preserve">',
    ]
    for unit in units:
        state = "translated" if unit.is_translated else "initial"
        lines += [
            f'    <unit id="{_xml(unit.key)}">',
            f'      <notes><note category="location">{_xml(unit.where)}</note></notes>',
            f'      <segment state="{state}">',
            f"        <source>{_xml(unit.source)}</source>",
            f'        <target xml:lang="{language}">{_xml(unit.target)}</target>',
            "      </segment>",
            "    </unit>",
        ]
    lines += ["  </file>", "</xliff>", ""]
    return "\n".join(lines).encode("utf-8")


def _po(version, language: str, units) -> bytes:

    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": f"{version.questionnaire.slug} v{version.number}",
        "POT-Creation-Date": timezone.now().strftime("%Y-%m-%d %H:%M%z"),
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[language],
    }
    for unit in units:
        # msgctxt keeps two equal English texts (two "Other" choices) apart.
        po.append(
            polib.POEntry(
                msgctxt=unit.key, msgid=unit.source, msgstr=unit.target, comment=unit.where
            )
        )
    return str(po).encode("utf-8")


def _cell_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx(version, language: str, units) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(i18n.LANGUAGE_NAMES[language])[:31]
    # The codes in brackets are what `read_file` looks for: the header words are in the
    # exporting administrator's language.
    headers = [
        _("key"),
        _("where"),
        f"{_('English')} ({i18n.BASE_LANGUAGE})",
        f"{i18n.LANGUAGE_NAMES[language]} ({language})",
        _("status"),
    ]
    sheet.append(headers)
    wrap = Alignment(wrap_text=True, vertical="top")
    target_alignment = Alignment(
        wrap_text=True,
        vertical="top",
        horizontal="right" if language == "ar" else "left",
        readingOrder=2 if language == "ar" else 1,
    )
    for unit in units:
        row = [
            unit.key,
            unit.where,
            unit.source,
            unit.target,
            _("translated") if unit.is_translated else _("missing"),
        ]
        sheet.append([_cell_text(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            # A text that starts with "=" is a text, never a formula.
            cell.data_type = "s"
            cell.alignment = target_alignment if cell.column == 4 else wrap
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet["D1"].alignment = target_alignment
    for column, width in zip("ABCDE", (30, 36, 60, 60, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:E{max(sheet.max_row, 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Reading -------------------------------------------------------------------------------------


def read_file(*, name: str, data: bytes) -> TranslationFile:
    """A returned file as entries, whichever of the three formats it is (told by its content, its
    name's extension deciding only between PO and nothing). Raises TranslationFileError."""
    if len(data) > MAX_FILE_BYTES:
        raise TranslationFileError(
            _("The file is larger than %(size)s MB: it cannot be a version's texts.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise TranslationFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _read_xliff(data)
    if name.lower().endswith((".po", ".pot")) or re.search(rb"^\s*msgid\s", data, re.MULTILINE):
        return _read_po(data)
    raise TranslationFileError(
        _("This is not an XLIFF 2.0, PO or XLSX file exported from this page.")
    )


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _element_text(element) -> str:
    return "" if element is None else "".join(element.itertext())


def _read_xliff(data: bytes) -> TranslationFile:
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise TranslationFileError(
            _("The XLIFF file declares entities or a document type, which are not accepted.")
        ) from exc
    except (SafeElementTree.ParseError, ValueError) as exc:
        raise TranslationFileError(
            _("The XLIFF file is not well-formed XML: %(error)s") % {"error": exc}
        ) from exc
    if root.tag != _q("xliff"):
        if root.tag.endswith("xliff"):
            raise TranslationFileError(
                _("Only XLIFF 2.0 files are read; this one is another version of XLIFF.")
            )
        raise TranslationFileError(_("The XML file is not an XLIFF 2.0 document."))
    entries = []
    for unit in root.iter(_q("unit")):
        sources, targets = [], []
        # A tool may split a unit into several segments (and ignorables between them).
        for part in unit:
            if part.tag in (_q("segment"), _q("ignorable")):
                sources.append(_element_text(part.find(_q("source"))))
                targets.append(_element_text(part.find(_q("target"))))
        entries.append(
            Entry(key=unit.get("id") or "", source="".join(sources), target="".join(targets))
        )
    return TranslationFile(
        format="xliff", language=_language_code(root.get("trgLang")), entries=entries
    )


def _read_po(data: bytes) -> TranslationFile:

    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TranslationFileError(_("The PO file is not encoded in UTF-8.")) from exc
    with tempfile.NamedTemporaryFile(suffix=".po") as handle:
        handle.write(data)
        handle.flush()
        try:
            po = polib.pofile(handle.name, encoding="utf-8", check_for_duplicates=False)
        except (OSError, ValueError) as exc:
            raise TranslationFileError(
                _("The PO file cannot be read: %(error)s") % {"error": exc}
            ) from exc
    entries = [
        Entry(
            key=entry.msgctxt or "",
            source=entry.msgid,
            target=entry.msgstr,
            fuzzy="fuzzy" in entry.flags,
        )
        for entry in po
        if not entry.obsolete
    ]
    return TranslationFile(
        format="po", language=_language_code(po.metadata.get("Language")), entries=entries
    )


_HEADER_LANGUAGE = re.compile(r"\(([A-Za-z]{2})\)\s*$")


def _read_xlsx(data: bytes) -> TranslationFile:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TranslationFileError(_("The XLSX file cannot be opened as a workbook.")) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True) if book.worksheets else iter(())
        header = next(rows, None) or ()
        columns = {}
        for index, value in enumerate(header):
            found = _HEADER_LANGUAGE.search(str(value or ""))
            if found:
                code = found.group(1).lower()
                columns["source" if code == i18n.BASE_LANGUAGE else "target"] = (index, code)
        if "source" not in columns or "target" not in columns:
            raise TranslationFileError(
                _(
                    "The sheet's first row must name the English column “(en)” and the "
                    "translation's column with its language, such as “(ar)” or “(fr)”, as the "
                    "exported sheet does."
                )
            )
        (source_col, _en), (target_col, language) = columns["source"], columns["target"]
        entries = []
        for number, row in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise TranslationFileError(_("The sheet has too many rows."))
            key = _cell(row, 0)
            if not key:
                continue  # a blank row, or a translator's note below the table
            entries.append(
                Entry(key=key, source=_cell(row, source_col), target=_cell(row, target_col))
            )
    finally:
        book.close()
    return TranslationFile(format="xlsx", language=language, entries=entries)


def _cell(row, index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value)


# --- Comparing with the current texts -----------------------------------------------------------

_MARKUP = [
    # printf-style placeholders, named and not ("%%" is a percent sign)
    re.compile(r"(?<!%)%(?:\([A-Za-z_]\w*\))?[sdifr]"),
    # format-style placeholders: {name}, {0}, {}
    re.compile(r"\{[A-Za-z_0-9]*\}"),
    # character references: &amp; &nbsp; &#160; &#xA0;
    re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);"),
]
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?/?>")
_LINK_ATTRIBUTE = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_URL = re.compile(r"""(?:https?://|mailto:|www\.)[^\s<>"']+""", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}،؛؟»”’"


def markup_tokens(text: str) -> set[str]:
    """The placeholders, HTML tags, character references and addresses of `text`: what a
    translation must keep as the English has it."""
    tokens = {match.group(0) for pattern in _MARKUP for match in pattern.finditer(text)}
    tokens |= {f"<{slash}{name.lower()}>" for slash, name in _TAG.findall(text)}
    tokens |= set(_LINK_ATTRIBUTE.findall(text))
    tokens |= {url.rstrip(_URL_TRAILING) for url in _URL.findall(text)}
    return tokens


def markup_differences(source: str, target: str) -> str:
    """ "" when `target` keeps the placeholders, markup and addresses of `source`; else what it
    lacks and what it adds."""
    expected, found = markup_tokens(source), markup_tokens(target)
    parts = []
    if expected - found:
        parts.append(_("missing %(tokens)s") % {"tokens": " ".join(sorted(expected - found))})
    if found - expected:
        parts.append(_("added %(tokens)s") % {"tokens": " ".join(sorted(found - expected))})
    return "; ".join(parts)


@dataclass
class Change:
    """A translation the import would write."""

    key: str
    where: str
    source: str
    current: str
    new: str
    shared: bool = False


@dataclass
class Refusal:
    """An entry of the file the import leaves aside, and why."""

    key: str
    where: str
    source: str
    target: str
    reason: str


@dataclass
class Review:
    changes: list[Change] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    # Entries with no translation: the current one (if any) is kept.
    left_empty: list[Refusal] = field(default_factory=list)
    unchanged: int = 0
    # Texts of the version that the file does not have (a file exported before they were added).
    not_in_file: int = 0

    @property
    def touches_shared_texts(self) -> bool:
        return any(change.shared for change in self.changes)


def review(*, units, entries: list[Entry]) -> Review:
    """What importing `entries` would do to the translations of `units` (the version's texts in
    one language, as they are now): the changes, and each entry refused with its reason. Reads
    and writes nothing."""
    by_key = {unit.key: unit for unit in units}
    order = {unit.key: index for index, unit in enumerate(units)}
    result = Review()
    seen: set[str] = set()
    for entry in entries:
        unit = by_key.get(entry.key)
        where = unit.where if unit else ""
        source, target = _normalised(entry.source), _normalised(entry.target)

        def refuse(reason: str, bucket=None, entry=entry, where=where, source=source) -> None:
            refusal = Refusal(entry.key, where, source, _normalised(entry.target), reason)
            (bucket if bucket is not None else result.refused).append(refusal)

        if unit is None:
            refuse(_("Unknown key: this version has no such text."))
        elif entry.key in seen:
            refuse(_("The key appears more than once in the file; only its first entry is read."))
        elif source != _normalised(unit.source):
            seen.add(entry.key)
            refuse(
                _(
                    "The English has changed since the file was exported: translate the current "
                    "English (export again)."
                )
            )
        elif not target:
            seen.add(entry.key)
            refuse(
                _("No translation in the file: the current one is kept.")
                if unit.is_translated
                else _("No translation in the file: the text stays untranslated."),
                bucket=result.left_empty,
            )
        elif entry.fuzzy:
            seen.add(entry.key)
            refuse(_("Marked “fuzzy” (to be checked) in the file."))
        elif problems := markup_differences(unit.source, target):
            seen.add(entry.key)
            refuse(
                _("Placeholders, markup or addresses differ from the English: %(problems)s.")
                % {"problems": problems}
            )
        else:
            seen.add(entry.key)
            if target == _normalised(unit.target):
                result.unchanged += 1
            else:
                result.changes.append(
                    Change(
                        key=unit.key,
                        where=unit.where,
                        source=unit.source,
                        current=unit.target,
                        new=target,
                        shared=unit.shared,
                    )
                )
    result.changes.sort(key=lambda change: order[change.key])
    result.not_in_file = len(by_key.keys() - {entry.key for entry in entries})
    return result
