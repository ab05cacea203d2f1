"""What a supporting document really is, judged by its bytes, never by its name, and whether the
portal accepts it.

PDF starts with `%PDF-`, and must parse as a PDF; DOCX, XLSX and ODT are ZIP containers: OOXML
files name their main part in `[Content_Types].xml`; OpenDocument files store their media type in
a first, uncompressed member called `mimetype`. A renamed executable or an HTML page is none of
these and is refused. So is a document that carries active content, which would run on the
reviewer's computer when opened: macros and ActiveX controls in Office files (whatever the main
type says), Basic or scripts in OpenDocument, and JavaScript, launch actions, automatic actions,
embedded files or multimedia in PDFs.

Every read is bounded, whatever the file claims about itself (a 189 KB "DOCX" can inflate to
190 MB): the ZIP's directory, its number of members, their total inflated size and compression
ratio are checked before anything is inflated; each member is then inflated in small chunks and
only counted (it must inflate to exactly its declared size), and the few small parts that are
parsed ([Content_Types].xml, the relationships, `mimetype`) are kept in memory up to
MAX_PART_BYTES each. A PDF's objects are counted before they are read, pypdf works within
lowered limits and forgets the objects already looked at, and the walk stops after
PDF_MAX_SECONDS.

Pure functions: `check` returns the kind or raises `Refused`, whose `reason` (one of the REASONS)
the caller turns into a message for the person uploading.
"""

from __future__ import annotations

import collections
import copy
import re
import time
import urllib.parse
import zipfile
from typing import IO
from xml.parsers import expat

# Why a file is refused.
NOT_A_DOCUMENT = "not_a_document"
DAMAGED = "damaged"  # a ZIP that cannot be read as it describes itself
TOO_COMPLEX = "too_complex"  # beyond the limits below
ACTIVE_CONTENT = "active_content"  # macros, ActiveX, OpenDocument Basic or scripts
PDF_DAMAGED = "pdf_damaged"  # starts like a PDF but does not parse as one
PDF_ENCRYPTED = "pdf_encrypted"
PDF_ACTIVE_CONTENT = "pdf_active_content"  # JavaScript, launch, automatic actions, attachments
REASONS = (
    NOT_A_DOCUMENT,
    DAMAGED,
    TOO_COMPLEX,
    ACTIVE_CONTENT,
    PDF_DAMAGED,
    PDF_ENCRYPTED,
    PDF_ACTIVE_CONTENT,
)

# ZIP containers. A real DOCX of a few hundred pages with pictures has some hundreds of members,
# a central directory of some tens of kilobytes and inflates to a few times its size.
MAX_ZIP_MEMBERS = 5000
MAX_CENTRAL_DIRECTORY = 1024 * 1024  # read whole by zipfile, as one object per member
MAX_UNPACKED = 100 * 1024 * 1024  # all members together, inflated
MAX_RATIO = 100  # inflated / compressed, for members larger than RATIO_FROM
RATIO_FROM = 1024 * 1024  # small members (XML full of repeats) may pack tighter, harmlessly
MAX_PART_BYTES = 1024 * 1024  # each part that is parsed, inflated
CHUNK = 64 * 1024

# PDFs: each object is read and looked at (a tagged report of a few hundred pages has tens of
# thousands). Pages' contents, pictures and fonts are never decoded; object streams (which
# writers fill with a hundred objects or so) and cross-reference streams are, up to
# PDF_MAX_DECODED_BYTES each.
PDF_MAX_OBJECTS = 100_000
PDF_MAX_OBJECTS_PER_STREAM = 10_000
PDF_MAX_PAGES = 10_000
PDF_MAX_DECODED_BYTES = 2 * 1024 * 1024
PDF_CACHE_OBJECTS = 2000
# A damaged file makes pypdf search the whole file for each object it cannot find where the
# cross-reference table says: the walk gives up after this long (a genuine PDF of 100,000
# objects takes some seconds).
PDF_MAX_SECONDS = 20

OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# Office's active content, wherever it shows: part names, content types, relationship types.
# (vbaProject.bin holds the macros, vbaData.xml their variables, activeX/ the controls,
# macrosheets/ Excel 4 macros; the macro-enabled main types are docm, xlsm, dotm...)
OOXML_ACTIVE_PART = re.compile(
    r"(^|/)(vbaproject[^/]*\.bin|vbadata[^/]*\.xml|activex[^/]*\.(xml|bin)|activex/"
    r"|macrosheets/)"
)
OOXML_ACTIVE_WORDS = (
    "macroenabled",
    "vbaproject",
    "vbadata",
    "activex",
    "macrosheet",
    "keymapcustomizations",
    "attachedtoolbars",
)
# Relationships to something outside the document that Office fetches and runs: a linked OLE
# object or frame (the "Follina" documents), a template from the web (it brings its macros).
OOXML_EXTERNAL_ACTIVE = ("/oleobject", "/frame", "/subdocument")
OOXML_TEMPLATE = "/attachedtemplate"
LOCAL_FILE = re.compile(r"^file:///|^[a-z]:[\\/]|^[^:\\/]+([\\/]|$)", re.IGNORECASE)
ODT_ACTIVE_PART = re.compile(r"^(basic|scripts)/")

# PDF: keys and values that make a PDF run something. Names are compared as pypdf decodes them
# (`/J#61vaScript` is `/JavaScript`), in every object, compressed object streams included.
PDF_ACTIVE_KEYS = frozenset(
    {
        "/JS",  # a JavaScript action's script
        "/JavaScript",  # the document-level scripts (in /Names)
        "/AA",  # additional actions: run when a page opens, a field changes...
        "/EmbeddedFiles",  # attachments (in /Names)
        "/EF",  # a file specification's embedded file
        "/XFA",  # XML forms, which carry their own scripts
        "/RichMediaContent",
    }
)
PDF_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/Rendition", "/GoToE"}
)
PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMedia", "/FileAttachment", "/3D"})

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}


class Refused(Exception):
    """The file is not accepted. `reason` is one of REASONS; `detail` is for logs and tests."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def check(stream: IO[bytes]) -> str:
    """Return "pdf", "docx", "xlsx" or "odt" for an accepted document; raise Refused otherwise.

    The stream must be seekable; it is left at its start.
    """
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return _check_pdf(stream)
        if head.startswith(b"PK\x03\x04"):
            return _check_zip(stream)
        raise Refused(NOT_A_DOCUMENT)
    finally:
        stream.seek(0)


# --- ZIP containers: DOCX, XLSX, ODT ------------------------------------------------------------


def _check_zip(stream: IO[bytes]) -> str:
    try:
        return _read_zip(stream)
    except Refused:
        raise
    except Exception as exc:  # hostile input: whatever zipfile or expat raise, it is refused
        raise Refused(DAMAGED, repr(exc)) from exc


def _read_zip(stream: IO[bytes]) -> str:
    # zipfile reads the whole central directory, making an object per member, before anything
    # can be counted: its size and member count are read first from the end record, which is
    # how ZipFile itself finds them (zip64 included).
    end = zipfile._EndRecData(stream)  # private, but what ZipFile.__init__ itself calls
    if end is None:
        raise Refused(DAMAGED, "no end of central directory")
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > MAX_ZIP_MEMBERS or directory > MAX_CENTRAL_DIRECTORY:
        raise Refused(TOO_COMPLEX, f"{entries} members, a directory of {directory} bytes")
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        members = archive.infolist()
        _check_sizes(members)
        names = [_part_name(m.filename) for m in members]
        if len(set(names)) != len(names):
            # Two members one reader would take for the same part: which one counts?
            raise Refused(DAMAGED, "duplicate member names")
        parsed = {}
        for info, name in zip(members, names, strict=True):
            keep = name in ("[content_types].xml", "mimetype") or name.endswith(".rels")
            data = _inflate(archive, info, keep=keep)
            if keep:
                parsed[name] = data
    if names and names[0] == "mimetype":
        return _odt_kind(names, parsed["mimetype"])
    if "[content_types].xml" in parsed:
        return _ooxml_kind(names, parsed)
    raise Refused(NOT_A_DOCUMENT, "neither OOXML nor OpenDocument")


def _part_name(filename: str) -> str:
    """A member's name as Office compares part names: unescaped, case-insensitive."""
    return urllib.parse.unquote(filename).replace("\\", "/").lstrip("/").casefold()


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    """The declared sizes, before anything is inflated (`_inflate` holds members to them)."""
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(TOO_COMPLEX, f"{len(members)} members")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        raise Refused(TOO_COMPLEX, f"inflates to {total} bytes")
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise Refused(TOO_COMPLEX, f"{m.filename} packs {m.file_size}/{m.compress_size}")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool) -> bytes:
    """Inflate one member in chunks and check that it is exactly as large as it says (and its
    checksum, which zipfile checks at the end). Return its bytes when `keep` (up to
    MAX_PART_BYTES), else nothing: no member is ever held whole in memory to be checked."""
    if keep and info.file_size > MAX_PART_BYTES:
        raise Refused(TOO_COMPLEX, f"{info.filename} is {info.file_size} bytes")
    # zipfile stops at the declared size; one byte more shows a member that inflates further.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    kept, count = [], 0
    with archive.open(probe) as member:
        while chunk := member.read(CHUNK):
            count += len(chunk)
            if count > info.file_size:
                raise Refused(DAMAGED, f"{info.filename} inflates beyond its declared size")
            if keep:
                kept.append(chunk)
    if count != info.file_size:
        raise Refused(DAMAGED, f"{info.filename} is shorter than declared")
    return b"".join(kept)


def _xml_elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of each element of a small XML part. A document type declaration
    is refused outright: these parts never have one, and entities are how XML explodes."""

    def no_doctype(*args) -> None:
        raise Refused(DAMAGED, "XML with a document type declaration")

    elements: list[tuple[str, dict[str, str]]] = []
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = lambda name, attrs: elements.append(
        (name.rpartition("}")[2], {k.rpartition("}")[2]: v for k, v in attrs.items()})
    )
    parser.Parse(data, True)
    return elements


def _ooxml_kind(names: list[str], parsed: dict[str, bytes]) -> str:
    if any(OOXML_ACTIVE_PART.search(name) for name in names):
        raise Refused(ACTIVE_CONTENT, "a macro or ActiveX part")
    overrides, defaults = {}, {}
    for tag, attrs in _xml_elements(parsed["[content_types].xml"]):
        content_type = attrs.get("ContentType", "").strip().casefold()
        if any(word in content_type for word in OOXML_ACTIVE_WORDS):
            raise Refused(ACTIVE_CONTENT, f"content type {content_type}")
        if tag == "Override":
            overrides[_part_name(attrs.get("PartName", ""))] = content_type
        elif tag == "Default":
            defaults[attrs.get("Extension", "").casefold()] = content_type
    for name, data in parsed.items():
        if name.endswith(".rels"):
            _check_relationships(name, data)
    present = set(names)
    extensions = {name.rpartition(".")[2] for name in names if "." in name}
    main_types = {k.casefold(): v for k, v in OOXML_MAIN_TYPES.items()}
    kinds = {main_types[t] for part, t in overrides.items() if t in main_types and part in present}
    kinds |= {main_types[t] for ext, t in defaults.items() if t in main_types and ext in extensions}
    if len(kinds) != 1:
        raise Refused(NOT_A_DOCUMENT, f"main parts: {sorted(kinds)}")
    return kinds.pop()


def _check_relationships(name: str, data: bytes) -> None:
    for tag, attrs in _xml_elements(data):
        if tag != "Relationship":
            continue
        kind = attrs.get("Type", "").strip().casefold()
        if any(word in kind for word in OOXML_ACTIVE_WORDS):
            raise Refused(ACTIVE_CONTENT, f"{name}: relationship {kind}")
        if attrs.get("TargetMode", "").casefold() != "external":
            continue
        target = attrs.get("Target", "").strip()
        if kind.endswith(OOXML_EXTERNAL_ACTIVE) or (
            kind.endswith(OOXML_TEMPLATE) and not LOCAL_FILE.match(target)
        ):
            raise Refused(ACTIVE_CONTENT, f"{name}: external {kind} {target[:100]}")


def _odt_kind(names: list[str], mimetype: bytes) -> str:
    if mimetype.strip() != ODT_MIMETYPE:
        raise Refused(NOT_A_DOCUMENT, "another OpenDocument type")
    if any(ODT_ACTIVE_PART.match(name) for name in names):
        raise Refused(ACTIVE_CONTENT, "Basic or scripts")
    return "odt"


# --- PDF ----------------------------------------------------------------------------------------


def _check_pdf(stream: IO[bytes]) -> str:
    import pypdf
    import pypdf.errors

    limits = {
        "zlib_maximum_output_length": PDF_MAX_DECODED_BYTES,
        "lzw_maximum_output_length": PDF_MAX_DECODED_BYTES,
        "run_length_maximum_output_length": PDF_MAX_DECODED_BYTES,
        "brotli_maximum_output_length": PDF_MAX_DECODED_BYTES,
        "array_based_stream_maximum_output_length": PDF_MAX_DECODED_BYTES,
        "page_tree_maximum_entries": PDF_MAX_PAGES,
    }
    try:
        with pypdf.apply_configuration(**limits):
            _read_pdf(pypdf.PdfReader(stream, strict=False))
    except Refused:
        raise
    except pypdf.errors.LimitReachedError as exc:
        raise Refused(TOO_COMPLEX, repr(exc)) from exc
    except Exception as exc:  # hostile input: whatever pypdf raises, it is not a PDF we can read
        raise Refused(PDF_DAMAGED, repr(exc)) from exc
    return "pdf"


def _read_pdf(reader) -> None:
    from pypdf.generic import DictionaryObject, IndirectObject

    if reader.is_encrypted:
        raise Refused(PDF_ENCRYPTED)
    root = reader.trailer["/Root"].get_object()
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        raise Refused(PDF_DAMAGED, "no document catalogue")
    pages = len(reader.pages)
    if not pages:
        raise Refused(PDF_DAMAGED, "no page")
    if pages > PDF_MAX_PAGES:
        raise Refused(TOO_COMPLEX, f"{pages} pages")
    loose = sorted({(None, idnum, gen) for gen, ids in reader.xref.items() for idnum in ids})
    # The objects of one object stream one after the other: pypdf parses each stream once.
    packed = sorted((stream, idnum, 0) for idnum, (stream, _i) in reader.xref_objStm.items())
    if len(loose) + len(packed) > PDF_MAX_OBJECTS:
        raise Refused(TOO_COMPLEX, f"{len(loose) + len(packed)} objects")
    per_stream = collections.Counter(stream for stream, _idnum, _gen in packed)
    if per_stream and max(per_stream.values()) > PDF_MAX_OBJECTS_PER_STREAM:
        raise Refused(TOO_COMPLEX, f"{max(per_stream.values())} objects in one object stream")
    # pypdf keeps every object it has read (some kilobytes each): forgotten as the walk goes on,
    # between object streams, so that memory does not grow with the number of objects.
    cache = getattr(reader, "resolved_objects", None)
    deadline = time.monotonic() + PDF_MAX_SECONDS
    previous_stream = None
    for stream, idnum, generation in (*loose, *packed):
        if time.monotonic() > deadline:
            raise Refused(TOO_COMPLEX, f"still reading objects after {PDF_MAX_SECONDS} s")
        if (
            isinstance(cache, dict)
            and len(cache) > PDF_CACHE_OBJECTS
            and (stream is None or stream != previous_stream)
        ):
            cache.clear()
        previous_stream = stream
        found = _active_content(IndirectObject(idnum, generation, reader).get_object())
        if found:
            raise Refused(PDF_ACTIVE_CONTENT, f"object {idnum}: {found}")


def _active_content(obj) -> str | None:
    """What in this object (and the dictionaries and arrays written inside it, not the objects it
    refers to: those are looked at in their turn) would make a viewer run something."""
    from pypdf.generic import ArrayObject, DictionaryObject

    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):  # streams too (their dictionary)
            for key, value in dict.items(item):  # raw values: references stay unresolved
                if key in PDF_ACTIVE_KEYS:
                    return key
                if key == "/S" and value in PDF_ACTIVE_ACTIONS:
                    return f"/S {value}"
                if key in ("/Type", "/Subtype") and value in PDF_ACTIVE_TYPES:
                    return f"{key} {value}"
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))
    return None
