"""The regional report's chapters in the compilation: final revisions only, each a cached part
before the countries, recorded on its part and named on the compilation page and in the PDF."""

import pytest
from django.urls import reverse

from reports import compilation, selectors, services
from reports.models import Compilation, CompilationPart, JobStatus
from tests import factories
from tests.reports.pdfutils import pdf_bookmarks, pdf_text, squash
from tests.reports.test_compilation import accepted

pytestmark = pytest.mark.django_db

INTRO_EN = "ESCWA reads the national reviews together."
INTRO_AR = "تقرأ الإسكوا الاستعراضات الوطنية معا."
SECTION_EN = "The mechanisms differ from one country to the next."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def country_part(cycle, reviewer):
    return accepted(cycle, factories.CountryFactory(name_en="Algeria"), reviewer)


def write(cycle, user, key, text, *, language="en", final=True):
    place = selectors.chapter_slot_get(user=user, cycle=cycle, key=key)
    latest = place.chapter.revisions.filter(language=language).first() if place.chapter else None
    revision = services.chapter_save(
        slot=place,
        language=language,
        body=f"<p>{text}</p>",
        user=user,
        base_number=latest.number if latest else 0,
    )
    if final:
        services.chapter_mark_final(revision=revision, user=user)
    return revision


def run(cycle, language="en"):
    return compilation.run_inline(Compilation.objects.create(cycle=cycle, language=language))


def whole_text(job):
    with job.file.open("rb") as file:
        return squash("".join(pdf_text(file.read())))


def test_drafts_never_leave_the_staff_pages(cycle, reviewer, country_part, client):
    write(cycle, reviewer, "introduction", "Secret draft words.", final=False)
    job = run(cycle)
    assert job.status == JobStatus.SUCCEEDED
    assert not job.parts.filter(chapter_revision__isnull=False).exists()
    assert squash("Secret draft words") not in whole_text(job)
    client.force_login(reviewer)
    page = client.get(reverse("compilation_detail", args=[job.pk])).content.decode()
    page = page[page.index("<main") :]
    assert "Introduction: only a draft in English, no version marked final" in page


def test_the_final_revision_is_printed_before_the_countries_and_recorded(
    cycle, reviewer, country_part, client
):
    final = write(cycle, reviewer, "introduction", INTRO_EN)
    write(cycle, reviewer, "introduction", "A later draft, not printed.", final=False)
    section = write(cycle, reviewer, "section-I", SECTION_EN)
    job = run(cycle)
    # The regional report: the chapters, with the submissions' progress after the introduction
    # (reports.chapters.FIGURE_PLACES), then the countries.
    parts = list(job.parts.order_by("order"))
    assert [p.annex_key for p in parts[:5]] == [
        "chapter-introduction",
        "figure-progress",
        "figure-days-left",
        "chapter-section-I",
        "",
    ]
    assert parts[0].chapter_revision == final and parts[3].chapter_revision == section
    text = whole_text(job)
    assert squash(INTRO_EN) in text and squash(SECTION_EN) in text
    assert squash("A later draft") not in text
    # The contents and the colophon name the version printed.
    assert squash(f"Introduction (version {final.number})") in text
    assert squash(f"Version {final.number} of this text, marked final by") in text

    with job.file.open("rb") as file:
        marks = pdf_bookmarks(file.read())
    titles = [(m.title, m.level) for m in marks]
    report = titles.index(("Regional report", 1))
    assert titles[report + 1 : report + 5] == [
        ("Introduction", 2),
        ("Figure 1: Progress of the submissions", 2),
        ("Figure 2: Days left to the deadline", 2),
        ("Section I: Methodology", 2),
    ]
    assert report < titles.index(("Countries", 1))
    algeria = next(m for m in marks if m.title == "Algeria")
    assert max(m.page for m in marks[report + 1 : report + 5]) < algeria.page
    # The contents give the page each chapter starts on.
    with job.file.open("rb") as file:
        pages = pdf_text(file.read())
    intro_mark = next(m for m in marks if m.title == "Introduction")
    assert INTRO_EN.split()[0] in pages[intro_mark.page - 1]
    assert f"(version {final.number}) {intro_mark.page}" in " ".join(pages[1].split())

    client.force_login(reviewer)
    page = client.get(reverse("compilation_detail", args=[job.pk])).content.decode()
    page = page[page.index("<main") :]
    assert f"Introduction — English, version {final.number}, final, by" in page
    assert "Section I: Methodology — English, version 1, final" in page


def test_the_arabic_compilation_prints_the_arabic_chapter(cycle, reviewer, country_part):
    write(cycle, reviewer, "introduction", INTRO_EN)
    arabic = write(cycle, reviewer, "introduction", INTRO_AR, language="ar")
    job = run(cycle, language="ar")
    assert job.status == JobStatus.SUCCEEDED
    part = job.parts.get(annex_key="chapter-introduction")
    assert part.chapter_revision == arabic
    text = whole_text(job)
    assert squash(INTRO_AR) in text
    assert squash(INTRO_EN) not in text


def test_a_chapter_with_no_final_text_in_the_language_is_left_out(cycle, reviewer, country_part):
    write(cycle, reviewer, "introduction", INTRO_EN)
    job = run(cycle, language="fr")
    assert not job.parts.filter(annex_key__startswith="chapter-").exists()
    left = selectors.compilation_chapters(compilation=job)["left_out"]
    assert left == [{"title": "Introduction", "only_draft": False}]


def test_recompiling_after_a_chapter_changed_renders_only_that_chapter(
    cycle, reviewer, country_part, monkeypatch
):
    write(cycle, reviewer, "introduction", INTRO_EN)
    write(cycle, reviewer, "section-I", SECTION_EN)
    run(cycle)
    laid_out = []
    real_layout, real_country = compilation._layout, compilation.pdf.submission_html

    def counting_layout(html, **options):
        if 'class="chapter ' in html:
            laid_out.append("chapter")
        elif "annex-strings" in html:
            laid_out.append("annex")
        return real_layout(html, **options)

    def counting_country(**kwargs):
        laid_out.append("country")
        return real_country(**kwargs)

    monkeypatch.setattr(compilation, "_layout", counting_layout)
    monkeypatch.setattr(compilation.pdf, "submission_html", counting_country)
    again = run(cycle)
    assert laid_out == []
    changed = write(cycle, reviewer, "section-I", "A better synthesis of section I.")
    third = run(cycle)
    assert laid_out == ["chapter"]
    fresh = third.parts.filter(from_cache=False)
    assert [(p.annex_key, p.chapter_revision) for p in fresh] == [("chapter-section-I", changed)]
    assert again.parts.get(annex_key="chapter-section-I").chapter_revision.number == 1
    assert CompilationPart.objects.filter(chapter_revision=changed).count() == 1
