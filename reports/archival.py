"""PDF/A-3b (ISO 19005-3, level B): what makes our documents fit to be archived.

A submission's PDF is laid out as PDF/A-3b by WeasyPrint itself (`pdf.html_to_pdf`). The regional
compilation is merged from pieces (`pdf_merge`), so `make_archival` gives the merged document what
WeasyPrint gives one: the sRGB output intent (with its ICC profile embedded; the pieces paint in
DeviceRGB, which PDF/A allows under an RGB output intent), XMP metadata naming PDF/A-3 level B and
agreeing with the document information dictionary (title, author, creator, producer, dates), the
document's language, its title shown by viewers. `SAVE_OPTIONS` writes it as PDF/A requires: a
file identifier, no encryption, PDF 1.7, the metadata stream left uncompressed and as written.
The fonts are the bundled TTFs of static/fonts, embedded (subset) in every piece.
"""

from __future__ import annotations

import datetime
from importlib.resources import files

import pikepdf
from pikepdf import Array, Dictionary, Name

# WeasyPrint's name for PDF/A-3b (ISO 19005-3, level B: the appearance is preserved).
PDF_VARIANT = "pdf/a-3b"
PDFA_PART, PDFA_CONFORMANCE = "3", "B"
# The profile WeasyPrint embeds in the PDF/A it writes (IEC 61966-2-1, sRGB; read from its
# package, `srgb_profile`), under its name.
SRGB_NAME = "IEC 61966-2-1 Default RGB Colour Space - sRGB"

SAVE_OPTIONS = {
    "min_version": "1.7",  # PDF/A-3 is based on PDF 1.7
    "object_stream_mode": pikepdf.ObjectStreamMode.generate,  # allowed since PDF/A-2
    "preserve_pdfa": True,  # qpdf keeps what PDF/A requires (no encryption, the XMP as is)
    "fix_metadata_version": False,  # the XMP is written once, here, consistent with /Info
}


def srgb_profile() -> bytes:
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def producer() -> str:
    import weasyprint

    return f"WeasyPrint {weasyprint.__version__}, pikepdf {pikepdf.__version__}"


def make_archival(
    pdf: pikepdf.Pdf,
    *,
    title: str,
    author: str,
    creator: str,
    language: str,
    moment: datetime.datetime,
) -> None:
    """Make `pdf` (pages painted in sRGB or DeviceRGB, fonts embedded) a PDF/A-3b document:
    output intent, XMP metadata and the matching information dictionary, language, title."""
    profile = pdf.make_stream(srgb_profile(), N=3)
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,  # the subtype every part of PDF/A uses
        OutputConditionIdentifier=SRGB_NAME,
        Info=SRGB_NAME,
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = Array([intent])
    pdf.Root.Lang = language
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    # The information dictionary holds what the XMP says and nothing else: pikepdf writes each
    # field below into both (update_docinfo), so they cannot disagree.
    for key in list(pdf.docinfo.keys()):
        del pdf.docinfo[key]
    stamp = moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = title
        meta["dc:creator"] = [author]
        meta["dc:language"] = [language]
        meta["xmp:CreatorTool"] = creator
        meta["pdf:Producer"] = producer()
        meta["xmp:CreateDate"] = stamp
        meta["xmp:ModifyDate"] = stamp
        meta["xmp:MetadataDate"] = stamp
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
