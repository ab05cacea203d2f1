"""What a supporting document really is, judged by its bytes, never by its name.

PDF starts with `%PDF-`. DOCX, XLSX and ODT are ZIP containers: OOXML files name their main part
in `[Content_Types].xml`; OpenDocument files store their media type in a first, uncompressed
member called `mimetype`. A renamed executable, an HTML page or a macro-enabled document is none
of these and is refused.
"""

from __future__ import annotations

import zipfile
from typing import IO

MAX_ZIP_MEMBERS = 5000
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # zip bombs: refuse what would inflate beyond this

OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}


def detect_kind(stream: IO[bytes]) -> str | None:
    """Return "pdf", "docx", "xlsx" or "odt" for a document of that type, else None."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
                return None
            names = {m.filename for m in members}
            if members and members[0].filename == "mimetype":
                return "odt" if archive.read("mimetype").strip() == ODT_MIMETYPE else None
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                for content_type, kind in OOXML_MAIN_TYPES.items():
                    if f'ContentType="{content_type}"' in types:
                        return kind
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    finally:
        stream.seek(0)
    return None
