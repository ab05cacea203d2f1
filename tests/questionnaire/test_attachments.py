"""Supporting documents: type checked by content, 20 MB at most, names made safe."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import filetypes, services

pytestmark = pytest.mark.django_db


def zip_bytes(members: dict[str, bytes], *, first: str | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first, members.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def ooxml(main_type: str) -> io.BytesIO:
    types = f'<Types><Override PartName="/x.xml" ContentType="{main_type}"/></Types>'
    return zip_bytes({"[Content_Types].xml": types.encode(), "x.xml": b"<x/>"})


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.mark.parametrize(
    ("stream", "kind"),
    [
        (lambda: io.BytesIO(b"%PDF-1.7\n..."), "pdf"),
        (lambda: ooxml(DOCX), "docx"),
        (lambda: ooxml(XLSX), "xlsx"),
        (
            lambda: zip_bytes(
                {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                first="mimetype",
            ),
            "odt",
        ),  # fmt: skip
        (lambda: ooxml(XLSM), None),
        (lambda: zip_bytes({"a.txt": b"hello"}), None),
        (lambda: io.BytesIO(b"MZ\x90\x00 executable"), None),
        (lambda: io.BytesIO(b"<html><script>alert(1)</script>"), None),
        (lambda: io.BytesIO(b"PK\x03\x04 broken zip"), None),
    ],
)
def test_kind_is_detected_by_content(stream, kind):
    assert filetypes.detect_kind(stream()) == kind


def test_a_document_is_stored_with_a_safe_name(submission, contributor, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        submission=submission, file=io.BytesIO(b"%PDF-1.4 report"),
        name="../../etc/Plan d'action.pdf.exe", user=contributor,
    )  # fmt: skip
    assert attachment.original_name == "Plan d'action.pdf.pdf"
    assert attachment.kind == "pdf"
    assert ".." not in attachment.file.name
    assert attachment.file.read() == b"%PDF-1.4 report"


def test_a_renamed_file_is_refused(submission, contributor, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="not a PDF"):
        services.attachment_add(
            submission=submission, file=io.BytesIO(b"MZ fake"), name="report.pdf",
            user=contributor,
        )  # fmt: skip
    assert not submission.attachments.exists()
    assert not list(tmp_path.rglob("*"))


def test_a_file_over_20_mb_is_refused(submission, contributor, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    big = io.BytesIO(b"%PDF-" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="20 MB"):
        services.attachment_add(submission=submission, file=big, name="big.pdf", user=contributor)
    assert not submission.attachments.exists()


@pytest.mark.parametrize("role", ["viewer", "other_focal_point", "reviewer"])
def test_only_editors_attach(request, submission, role, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            submission=submission, file=io.BytesIO(b"%PDF-1.4"), name="a.pdf",
            user=request.getfixturevalue(role),
        )  # fmt: skip
