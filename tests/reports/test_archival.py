"""Archival PDFs (issue 16, points 6 and 8): the submission PDFs and the regional compilation are
PDF/A-3b with their tagging kept, and the compilation carries one structure tree.

What is checked, and how, is said in `pdfchecks`; a PDF/A validator runs too where pikepdf's
optional one (`pikepdf[pdfa]`) is installed.
"""

from __future__ import annotations

import pytest

from questionnaire.models import Submission, SubmissionStatus
from reports import compilation, fingerprint, pdf, pdf_merge, public_pdf
from reports.models import Compilation, JobStatus, RenderedPart
from tests import factories

from .pdfchecks import (
    archival_problems,
    artifacts,
    element_pages,
    kids,
    open_pdf,
    pdfa_identification,
    structure_elements,
    tagging_problems,
)

pytestmark = pytest.mark.django_db
S = SubmissionStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cycle():
    """Six countries answering in English, French and Arabic (the objectives grid among the
    questions), one in each status: one accepted and one published are compiled."""
    return factories.cycle_with_countries(countries=6)


def in_status(cycle, status) -> Submission:
    return Submission.objects.select_related("cycle__version__questionnaire", "country").get(
        cycle=cycle, status=status
    )


def compile_cycle(cycle, language="en") -> tuple[Compilation, bytes]:
    job = compilation.run_inline(Compilation.objects.create(cycle=cycle, language=language))
    assert job.status == JobStatus.SUCCEEDED, job.error
    with job.file.open("rb") as file:
        return job, file.read()


# --- The submission PDF --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.ACCEPTED, S.PUBLISHED, S.DRAFT])
def test_a_submission_pdf_is_pdfa_3b_and_tagged(cycle, status):
    data = pdf.submission_pdf(submission=in_status(cycle, status))
    assert pdfa_identification(data) == ("3", "B")
    assert archival_problems(data) == []
    assert tagging_problems(data) == []


def test_the_stored_public_pdf_is_pdfa_3b(cycle):
    published = in_status(cycle, S.PUBLISHED)
    stored = public_pdf.public_pdf_render(submission=published, language="ar")
    with stored.file.open("rb") as file:
        data = file.read()
    assert pdfa_identification(data) == ("3", "B")
    assert archival_problems(data) == []
    with open_pdf(data) as document:
        assert str(document.Root.Lang) == "ar"


def test_table_headers_are_identified_and_listed(cycle):
    """WeasyPrint names table headers from its object numbers and writes no /IDTree: ours are
    prefixed with the document's hash and listed, so cells' /Headers resolve."""
    data = pdf.submission_pdf(submission=in_status(cycle, S.ACCEPTED))
    with open_pdf(data) as document:
        tree_root = document.Root.StructTreeRoot
        headers = [e for e in structure_elements(tree_root) if "/ID" in e]
        assert headers, "the cover's table has header cells"
        assert "/IDTree" in tree_root
        assert all(bytes(e.ID).count(b"-") == 3 for e in headers)  # hash-object-row-column


# --- The regional compilation --------------------------------------------------------------------


def test_the_compilation_is_pdfa_3b(cycle):
    job, data = compile_cycle(cycle)
    assert pdfa_identification(data) == ("3", "B")
    assert archival_problems(data) == []
    with open_pdf(data) as document:
        title = f"Regional compilation: {cycle.name}"
        assert str(document.docinfo.Title) == title
        assert document.open_metadata()["dc:title"] == title
        assert str(document.docinfo.Producer).startswith("WeasyPrint")
        assert document.pdf_version == "1.7"
        assert len(document.pages) == job.page_count


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_compilation_has_one_structure_tree_in_page_order(cycle, language):
    """One /Document: the front matter's, each country's and each annex piece's elements, in
    page order; every MCID on every page reached from that page's /StructParents."""
    job, data = compile_cycle(cycle, language)
    assert tagging_problems(data) == []
    parts = list(job.parts.select_related("rendered").order_by("order"))
    with open_pdf(data) as document:
        assert str(document.Root.Lang) == language
        page_numbers = {page.obj.objgen: n for n, page in enumerate(document.pages, start=1)}
        (root,) = kids(document.Root.StructTreeRoot)
        pieces = kids(root)
        # the front matter, then each part: a country's a /Part, a figure or an annex a /Div
        expected = ["/Part"] + ["/Part" if part.is_country else "/Div" for part in parts]
        assert [str(piece.S) for piece in pieces] == expected
        assert any(part.annex_key.startswith("figure-") for part in parts)
        # Each piece's elements lie on its own pages, and the pieces follow one another.
        start = 1
        lengths = [job.page_count - sum(p.rendered.page_count for p in parts)]
        lengths += [part.rendered.page_count for part in parts]
        for piece, length in zip(pieces, lengths, strict=True):
            pages = element_pages(piece, page_numbers)
            assert pages and min(pages) == start and max(pages) < start + length
            start += length
        # Table headers come from several pieces (the covers', the annexes'), none named twice.
        identified = [e for e in structure_elements(root) if "/ID" in e]
        assert len({bytes(e.ID).split(b"-")[0] for e in identified}) >= 3


def test_the_page_numbers_are_pagination_artifacts(cycle):
    _job, data = compile_cycle(cycle)
    with open_pdf(data) as document:
        assert artifacts(document.pages[0]) == []  # the cover has no number
        for page in document.pages[1:]:
            assert {"/Type": "/Pagination", "/Subtype": "/Footer"} in artifacts(page)


def test_the_parts_are_cached_tagged_and_no_untagged_part_is_reused(cycle, monkeypatch):
    """Parts cached by other code (here: laid out untagged, as before the compilation kept its
    tags) are filed under other hashes than today's: none of them is merged. The hashes hold
    the code that lays the parts out (`fingerprint.module_digest` of compilation.py, and
    `fingerprint.CODE_VERSION`), so an older release's parts are never reused."""
    real_layout = compilation._layout
    monkeypatch.setattr(fingerprint, "CODE_VERSION", "an older release")
    monkeypatch.setattr(compilation, "_layout", lambda html, **o: real_layout(html, tagged=False))
    fingerprint.clear_caches()  # read once per process: a release starts new processes
    with pytest.raises(pdf_merge.UntaggedPiece):  # the merge refuses them, but they are cached
        compilation.run_inline(Compilation.objects.create(cycle=cycle))
    assert RenderedPart.objects.exists()
    monkeypatch.undo()
    fingerprint.clear_caches()
    job, _data = compile_cycle(cycle)
    assert job.parts.count() > 2
    assert not job.parts.filter(from_cache=True).exists()
    for part in job.parts.select_related("rendered"):
        with part.rendered.file.open("rb") as file, open_pdf(file.read()) as piece:
            assert "/StructTreeRoot" in piece.Root
    assert RenderedPart.objects.count() > job.parts.count()


def test_an_untagged_piece_is_refused():
    from weasyprint import HTML

    merged = pdf_merge.TaggedMerge()
    try:
        with pytest.raises(pdf_merge.UntaggedPiece):
            merged.append(HTML(string="<p lang=en>Untagged</p>").write_pdf())
    finally:
        merged.close()


# --- A validator, where one is installed ---------------------------------------------------------

# What pikepdf's allowlist validator cannot judge (it reports them as "unsupported", never as
# violations): patterns (the contents' dotted leaders are a CSS gradient) and the empty /Pattern
# and /Shading dictionaries WeasyPrint puts in every page's resources.
UNJUDGED = {"pikepdf:schema-Resources", "pikepdf:pattern", "pikepdf:colour-space"}


def test_a_pdfa_validator_finds_no_violation(cycle):
    import io

    from pikepdf import pdfa  # the test extra pikepdf[pdfa]: never skipped

    _job, merged = compile_cycle(cycle, "ar")
    single = pdf.submission_pdf(submission=in_status(cycle, S.PUBLISHED))
    for data in (merged, single):
        report = pdfa.validate_written(io.BytesIO(data), "3b")
        assert [f for f in report.findings if f.kind != "unsupported"] == []
        assert {f.rule for f in report.findings} <= UNJUDGED
