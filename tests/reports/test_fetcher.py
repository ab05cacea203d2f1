"""The PDF renderer reads the portal's static files and nothing else, whatever an answer says.

Each attack is tried three ways: against the fetcher alone, in a document that bypasses the
sanitiser (so the fetcher is the only wall), and saved as answers (the way a user would try).
A control renders the same document with WeasyPrint's own fetcher, to prove the payloads would
work without ours.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from questionnaire import services
from questionnaire.models import Answer, Question
from reports import pdf
from reports.fetcher import FetchRefused, StaticFilesFetcher, static_base_url

from .pdfutils import pdf_reader, pdf_text, recording_server

STATIC = Path(settings.STATICFILES_DIRS[0]).resolve()
SECRET_FILE = Path("/etc/passwd")  # "root:" is its first line on every Debian machine


class _CountingHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        # A redirect to a local file: what an attacker's server would answer.
        self.send_response(302)
        self.send_header("Location", SECRET_FILE.as_uri())
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 that records every request it receives."""
    with recording_server(_CountingHandler) as httpd:
        yield httpd


def payloads(port: int) -> list[str]:
    """Every way HTML and CSS can make WeasyPrint read a URL."""
    url = f"http://127.0.0.1:{port}"
    return [
        f'<img src="{url}/img.png" alt="">',
        f'<img src="{SECRET_FILE.as_uri()}" alt="">',
        f'<link rel="stylesheet" href="{url}/link.css">',
        f'<link rel="attachment" href="{SECRET_FILE.as_uri()}" title="passwd">',
        f'<a rel="attachment" href="{SECRET_FILE.as_uri()}">passwd</a>',
        f'<p style="background: url({url}/style-attribute.png)">styled</p>',
        f"<style>@import url({url}/import.css);"
        f" body {{ background: url({url}/style-element.png) }}"
        f' @font-face {{ font-family: "X"; src: url({url}/font.ttf) }} p {{ font-family: "X" }}'
        "</style>",
        f'<object data="{url}/object.svg" type="image/svg+xml"></object>',
        f'<embed src="{url}/embed.svg" type="image/svg+xml">',
        f'<svg width="10" height="10"><image href="{url}/svg-image.png" width="10" height="10"/>'
        "</svg>",
    ]


def document(port: int) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="css/pdf.css"></head>'
        f"<body><p>Answer</p>{''.join(payloads(port))}</body></html>"
    )


def embedded_files(data: bytes) -> list[str]:
    """Names of the files a PDF carries: the EmbeddedFiles tree and file annotations."""
    reader = pdf_reader(data)
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get_object().get("/F")))
    return names


# --- The fetcher alone ----------------------------------------------------------------------------


def test_it_serves_the_pdf_stylesheet_and_fonts():
    fetcher = StaticFilesFetcher()
    css = fetcher.fetch(static_base_url() + "css/pdf.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch(static_base_url() + "fonts/NotoSerif-Regular.ttf")
    assert font.content_type == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "data:text/css,body{color:red}",
        "javascript:alert(1)",
        SECRET_FILE.as_uri(),
        (STATIC / "css").as_uri() + "/../../gcmreview/settings.py",
        (STATIC / "css").as_uri() + "/%2e%2e/%2e%2e/gcmreview/settings.py",
        STATIC.as_uri() + "/css/pdf.css%00.png",
        "file://attacker.example/etc/passwd",
        STATIC.as_uri() + "/",
        STATIC.as_uri() + "/css/no-such-file.css",
        "relative/path.css",
    ],
)
def test_it_refuses_anything_but_a_static_file(url):
    with pytest.raises(FetchRefused):
        StaticFilesFetcher().fetch(url)


def test_a_symlink_out_of_the_static_directory_is_refused(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: black }")
    (static / "leak.css").symlink_to(SECRET_FILE)
    settings.STATICFILES_DIRS = [static]
    fetcher = StaticFilesFetcher()
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p { color: black }"
    with pytest.raises(FetchRefused):
        fetcher.fetch((static / "leak.css").as_uri())


# --- A document that bypasses the sanitiser -----------------------------------------------------


def test_control_weasyprints_own_fetcher_would_follow_the_payloads(server):
    data = HTML(
        string=document(server.server_port), base_url=static_base_url(), url_fetcher=URLFetcher()
    ).write_pdf()
    assert len(server.paths) >= 5
    assert embedded_files(data)


def test_our_renderer_fetches_nothing_the_document_names(server):
    data = pdf.html_to_pdf(document(server.server_port))
    assert server.paths == []
    assert embedded_files(data) == []
    assert not any("root:" in page for page in pdf_text(data))


# --- Payloads saved as answers ------------------------------------------------------------------


def test_answers_cannot_make_the_pdf_fetch_or_embed_anything(submission, server):
    html = "".join(payloads(server.server_port))
    mechanism = Question.objects.get(key="mechanism")
    services.answer_save(submission=submission, question=mechanism, value=html)
    services.answer_save(
        submission=submission, question=Question.objects.get(key="lead"), value=html[:500]
    )
    # And a value that never went through the save-time cleaning, as if written by hand.
    services.answer_save(
        submission=submission, question=Question.objects.get(key="policies"), value="<p>x</p>"
    )
    Answer.objects.filter(submission=submission, question__key="policies").update(value=html)

    data = pdf.submission_pdf(submission=submission)

    assert server.paths == []
    assert embedded_files(data) == []
    assert not any("root:" in page for page in pdf_text(data))
