"""Every file the portal hands out (documents, exports, PDFs, compilations) goes through
`file_download`, so that each gets the same headers:

- Content-Type as the caller knows it, and `X-Content-Type-Options: nosniff`, so that no browser
  guesses another type from the bytes (and runs an uploaded file as a page);
- Content-Disposition in RFC 6266's form (Django's `content_disposition_header`): a plain
  `filename="…"` for ASCII names, `filename*=utf-8''…` for the others (Arabic, accents), and
  `attachment` (save it) unless the file is shown in the browser (`inline`);
- `Cache-Control: private, no-store` for what holds a country's or a user's data, so that no
  shared cache, and no browser cache, keeps a copy. A public file's caller says instead how long
  caches may keep it.
"""

from __future__ import annotations

import re
from typing import IO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def file_download(
    content: bytes | IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    private: bool = True,
) -> HttpResponse:
    """A response that hands out `content` (bytes, or an open binary file, streamed and closed
    once sent) as `filename`. `inline`: shown in the browser rather than saved. `private`: never
    kept by a cache; pass False only for a file anyone may have, and set its caching."""
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def ascii_name(text: str) -> str:
    """`text` as a piece of a file name: ASCII letters and digits, each other run a hyphen
    ("Morocco", "arab-2020"), so the name is the same in every download dialog."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
