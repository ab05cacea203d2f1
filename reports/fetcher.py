"""The only way the PDF renderer may read anything: the project's own static files, from disk.

WeasyPrint fetches every URL a document names (stylesheets, fonts, images, `<link
rel=attachment>`, CSS `url()`), over any protocol, following redirects. Answers are user text,
so a renderer that fetches what a document asks for could be made to call an internal address
(SSRF) or to embed a local file into a PDF. The sanitiser already removes every element and
attribute that could name a URL; this fetcher is the second wall, so that nothing the sanitiser
lets through by mistake can reach the network or the file system.

Allowed: `file:` URLs of regular files inside `settings.STATICFILES_DIRS` (after resolving `..`
and symlinks). Refused: every other scheme (http, https, ftp, data, …), any host in a file URL,
anything outside the static directories, directories and missing files.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

# What the static files of the PDF are; anything else is not something a PDF needs.
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


class FetchRefused(ValueError):
    """A URL the PDF renderer may not read. WeasyPrint logs it and leaves the resource out."""


def static_roots() -> list[Path]:
    """The directories the renderer may read from, resolved once per call."""
    return [Path(directory).resolve() for directory in settings.STATICFILES_DIRS]


def static_base_url() -> str:
    """The base URL of PDF documents: relative URLs resolve inside the first static directory."""
    return static_roots()[0].as_uri() + "/"


def resolve_static(url: str, roots: list[Path] | None = None) -> Path:
    """The file on disk that `url` names, or FetchRefused when it is not a project static file."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise FetchRefused(f"Only the portal's static files may be read, not {url[:80]!r}.")
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"File URLs on another host are refused: {url[:80]!r}.")
    raw_path = unquote(parts.path)
    if "\x00" in raw_path:
        raise FetchRefused("A NUL byte in a file URL is refused.")
    # resolve() removes `..` and follows symlinks, so the check below is on the real location.
    path = Path(raw_path).resolve()
    for root in roots if roots is not None else static_roots():
        if path.is_relative_to(root) and path.is_file():
            return path
    raise FetchRefused(f"Not a static file of the portal: {url[:80]!r}.")


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads static files from disk and nothing else.

    Subclasses WeasyPrint's fetcher for its error handling only: `fetch` never calls the parent,
    so urllib's HTTP, FTP, redirect and data handlers are never reached.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self._roots = static_roots()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = resolve_static(url, self._roots)
        content_type = CONTENT_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )
