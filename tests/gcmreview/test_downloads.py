"""One helper hands out every file (gcmreview/downloads.py): its headers, and nobody else's."""

import io
import re
from pathlib import Path

import pytest
from django.http import FileResponse

from gcmreview.downloads import file_download

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "questionnaire", "reports", "gcmreview")


def test_a_private_file_is_saved_never_sniffed_and_never_cached():
    response = file_download(b"%PDF-1.7", filename="plan.pdf", content_type="application/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == b"%PDF-1.7"


def test_a_name_beyond_ascii_is_given_as_rfc_6266_says():
    response = file_download(b"x", filename="خطة وطنية.pdf", content_type="application/pdf")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D8%AE%D8%B7%D8%A9%20%D9%88%D8%B7%D9%86%D9%8A%D8%A9.pdf"
    )


def test_an_open_file_is_streamed():
    response = file_download(
        io.BytesIO(b"a,b\n"), filename="answers.csv", content_type="text/csv; charset=utf-8"
    )
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert response["Content-Disposition"] == 'attachment; filename="answers.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_public_file_is_shown_and_its_caching_left_to_the_caller():
    response = file_download(
        b"%PDF", filename="review.pdf", content_type="application/pdf", inline=True, private=False
    )
    assert response["Content-Disposition"] == 'inline; filename="review.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" not in response


DOWNLOAD_BY_HAND = re.compile(r"FileResponse\(|Content-Disposition|content_disposition_header")


@pytest.mark.parametrize("app", APPS)
def test_no_view_builds_a_download_by_hand(app):
    helper = ROOT / "gcmreview" / "downloads.py"
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / app).rglob("*.py")
        if path != helper
        and "migrations" not in path.parts
        and DOWNLOAD_BY_HAND.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use gcmreview.downloads.file_download"
