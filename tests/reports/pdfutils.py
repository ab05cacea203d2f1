"""Reading PDFs back in tests: text with poppler's pdftotext, structure with pypdf; and a local
server that records what a rendering tries to fetch."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path

import pypdf

# Bidi controls pdftotext wraps right-to-left runs in; they are not part of the text.
_BIDI_CONTROLS = dict.fromkeys(
    [0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], None
)


def pdf_text(data: bytes, *, raw: bool = False, diagonal: bool = True) -> list[str]:
    """The text of each page. `raw` keeps the order the PDF draws in (row by row, column by
    column); the default reading order is the one that puts right-to-left text in logical order.
    `diagonal=False` leaves out rotated text (the watermark), which reading order scatters."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(data)
        args = [
            "pdftotext",
            "-enc",
            "UTF-8",
            *(["-raw"] if raw else []),
            *([] if diagonal else ["-nodiag"]),
            str(path),
            "-",
        ]
        text = subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(text: str) -> str:
    """Text without whitespace or bidi controls, NFC: line wrapping no longer matters."""
    text = unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS)
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes) -> list[dict]:
    """pdffonts' table: one dict per font (name, type, emb)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout
    rows = out.decode().splitlines()[2:]
    fonts = []
    for row in rows:
        parts = row.split()
        # name type... encoding emb sub uni objectID gen: the flags are counted from the end.
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


@dataclass
class Bookmark:
    title: str
    page: int  # 1-based
    level: int


def pdf_bookmarks(data: bytes) -> list[Bookmark]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    found: list[Bookmark] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                page = reader.get_destination_page_number(item) + 1
                found.append(Bookmark(item.title, page, level))

    walk(reader.outline, 1)
    return found


def pdf_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


@contextlib.contextmanager
def recording_server(handler):
    """A real HTTP server on 127.0.0.1 (any free port), answering with `handler` and recording
    the path of every request it receives in `.paths`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.paths = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass(frozen=True)
class Word:
    """A word as poppler places it on a page (points from the top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


_WORD_RE = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def pdf_words(data: bytes) -> list[list[Word]]:
    """Each page's words with their boxes (`pdftotext -bbox`). Right-to-left words come out with
    their letters in drawing order, reversed."""
    import html

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                Word(html.unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3]))
                for m in _WORD_RE.findall(page)
            ]
        )
    return pages
