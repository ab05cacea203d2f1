"""One fingerprint of what a submission's PDF shows (reports/fingerprint.py), for the
compilation's cached parts and the stored public PDFs: a stale PDF is never reused, an unchanged
one always is (issue 16, point 9)."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings as django_settings
from django.test.signals import template_rendered

from questionnaire.models import (
    Answer,
    Country,
    Objective,
    Question,
    QuestionnaireVersion,
    ReviewCycle,
    Section,
    Submission,
)
from reports import compilation, fingerprint, pdf, public_pdf
from reports.fetcher import StaticFilesFetcher, resolve_static
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_digests():
    """The digests are read once per process: each test starts from the files as they are."""
    fingerprint.clear_caches()
    yield
    fingerprint.clear_caches()


def loaded(submission) -> Submission:
    """The submission as the compilation and the public PDF view load it."""
    return Submission.objects.select_related("country", "cycle__version__questionnaire").get(
        pk=submission.pk
    )


@pytest.fixture
def published(db) -> Submission:
    """A published review of the cross-country version (the objectives grid among its
    questions), answered in English."""
    cycle = factories.cycle_with_countries(countries=1, statuses=("published",))
    return loaded(Submission.objects.get(cycle=cycle))


def hashes(submission, language: str) -> tuple[str, str]:
    """(the compilation part's hash, the public PDF's fingerprint) of `submission` now."""
    submission = loaded(submission)
    part = compilation._digest(compilation._part_material(submission, language))
    return part, public_pdf.source_fingerprint(submission=submission, language=language)


@pytest.fixture
def every_type(country) -> Submission:
    """A draft answering a question of every type, one answer "Not applicable" and one
    question left unanswered."""
    version = factories.every_type_version()
    submission = factories.every_type_submission(country=country, version=version)
    answers = Answer.objects.filter(submission=submission)
    answers.filter(question__type="date").update(value="")  # shown as "Not answered"
    answers.filter(question__type="short_text").update(not_applicable_reason="No such body.")
    return loaded(submission)


# --- What the layout digest covers -------------------------------------------------------------


def test_every_template_a_pdf_renders_is_in_the_layout_digest(every_type):
    used = set()

    def record(sender, template, **kwargs):
        if template.origin is not None and template.origin.template_name:
            used.add(template.origin.template_name)

    template_rendered.connect(record)
    try:
        for language in ("en", "ar"):
            for in_compilation in (False, True):
                pdf.submission_html(
                    submission=every_type, in_compilation=in_compilation, language=language
                )
    finally:
        template_rendered.disconnect(record)

    # The rendering went through every kind of template the digest has to find: a type's
    # display, one it includes, and the two the answer tags render.
    assert {
        fingerprint.PDF_TEMPLATE,
        "questionnaire/types/long_text/display.html",
        "questionnaire/types/objectives_grid/table.html",
        "questionnaire/types/not_answered.html",
        "questionnaire/includes/not_applicable.html",
    } <= used
    assert used - set(fingerprint.pdf_templates()) == set()


@pytest.fixture
def files_read(monkeypatch) -> list:
    """The static files the PDF renderer reads, as they are read."""
    read = []
    real = StaticFilesFetcher.fetch

    def recording(self, url, headers=None):
        response = real(self, url, headers)
        read.append(resolve_static(url))
        return response

    monkeypatch.setattr(StaticFilesFetcher, "fetch", recording)
    return read


def test_every_file_the_renderer_reads_is_in_the_layout_digest(every_type, files_read):
    for language in ("en", "ar"):
        pdf.submission_pdf(submission=every_type, language=language)
    names = {path.name for path in files_read}
    assert {"pdf.css", "NotoSerif-Regular.ttf", "NotoNaskhArabic-Regular.ttf"} <= names
    assert set(files_read) - set(fingerprint.pdf_static_files()) == set()


def test_every_file_an_annex_piece_is_laid_out_with_is_in_its_hash(files_read):
    cycle = factories.cycle_with_countries(countries=2, statuses=("accepted",))
    pieces = compilation.annex_pieces(cycle)
    assert pieces[0].key == compilation.OBJECTIVES_PIECE
    for piece in pieces[:2]:
        html = piece.html()
        files_read.clear()
        compilation._layout(html)
        assert {path.name for path in files_read} >= {"pdf.css", "compilation.css"}
        assert set(files_read) - set(fingerprint.linked_files(html)) == set()


# --- What changes it ---------------------------------------------------------------------------


def _question(submission) -> Question:
    return Question.objects.filter(version=submission.cycle.version_id, type="long_text").first()


def _with_choice_label(submission, language: str) -> None:
    question = Question.objects.get(version=submission.cycle.version_id, type="single_choice")
    options = question.options
    options["choices"][0][f"label_{language}"] = "Autre libellé / تسمية أخرى"
    Question.objects.filter(pk=question.pk).update(options=options)


# Published versions refuse save(): what changes them after publication (translations, an
# import) writes rows directly, as these do.
ARABIC_CHANGES = {
    "question text": lambda s: Question.objects.filter(pk=_question(s).pk).update(
        text_ar="نص آخر للسؤال"
    ),
    "choice label": lambda s: _with_choice_label(s, "ar"),
    "section title": lambda s: Section.objects.filter(version=s.cycle.version_id).update(
        title_ar="عنوان آخر"
    ),
    "section intro": lambda s: Section.objects.filter(version=s.cycle.version_id).update(
        intro_ar="مقدمة أخرى"
    ),
    "objective title": lambda s: Objective.objects.filter(number=4).update(title_ar="هدف آخر"),
    "objective short label": lambda s: Objective.objects.filter(number=4).update(
        short_label_ar="قصير"
    ),
    "version title": lambda s: QuestionnaireVersion.objects.filter(pk=s.cycle.version_id).update(
        title_ar="استعراض آخر"
    ),
    "cycle name": lambda s: ReviewCycle.objects.filter(pk=s.cycle_id).update(name_ar="دورة"),
    "country name": lambda s: Country.objects.filter(pk=s.country_id).update(name_ar="بلد"),
}


@pytest.mark.parametrize("change", ARABIC_CHANGES.values(), ids=ARABIC_CHANGES.keys())
def test_an_arabic_text_makes_the_arabic_pdfs_stale_and_only_them(published, change):
    before = {language: hashes(published, language) for language in ("ar", "fr")}
    change(published)
    after = {language: hashes(published, language) for language in ("ar", "fr")}
    part, public = after["ar"]
    assert part != before["ar"][0]
    assert public != before["ar"][1]
    assert after["fr"] == before["fr"]  # the French PDF does not show it


ANSWER_CHANGES = {
    "value": lambda s: Answer.objects.filter(submission=s, question=_question(s)).update(
        value="<p>Changed.</p>"
    ),
    "not applicable": lambda s: Answer.objects.filter(submission=s, question=_question(s)).update(
        not_applicable_reason="Does not apply."
    ),
    "carried forward": lambda s: Answer.objects.filter(submission=s).update(prefilled=True),
}


@pytest.mark.parametrize("change", ANSWER_CHANGES.values(), ids=ANSWER_CHANGES.keys())
def test_an_answer_makes_the_pdfs_stale_in_every_language(published, change):
    before = {language: hashes(published, language) for language in ("en", "ar")}
    change(published)
    for language in ("en", "ar"):
        part, public = hashes(published, language)
        assert part != before[language][0] and public != before[language][1]


def test_an_unchanged_submission_keeps_its_hash(published):
    before = hashes(published, "ar")
    fingerprint.clear_caches()  # a new process reads the files again
    assert hashes(published, "ar") == before


@pytest.fixture
def template_copy(settings, tmp_path):
    """The project's templates, served from a copy this test may change."""
    copy = tmp_path / "templates"
    shutil.copytree(django_settings.BASE_DIR / "templates", copy)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [copy]}]
    return copy


@pytest.mark.parametrize(
    "name",
    [
        "reports/pdf/section.html",  # included by the document
        "questionnaire/types/objectives_grid/table.html",  # included by a type's display
        "questionnaire/includes/not_applicable.html",  # rendered by a template tag
    ],
)
def test_a_changed_template_makes_every_pdf_stale(published, template_copy, name):
    assert fingerprint.pdf_templates()[name] == str(template_copy / name)
    before = hashes(published, "en")
    path = template_copy / name
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    fingerprint.clear_caches()
    part, public = hashes(published, "en")
    assert part != before[0] and public != before[1]


@pytest.fixture
def static_copy(settings, tmp_path):
    """The project's static files, served from a copy this test may change."""
    copy = tmp_path / "static"
    shutil.copytree(django_settings.STATICFILES_DIRS[0], copy)
    settings.STATICFILES_DIRS = [copy]
    return copy


@pytest.mark.parametrize("name", ["css/pdf.css", "fonts/NotoNaskhArabic-Regular.ttf"])
def test_a_changed_stylesheet_or_font_makes_parts_pdfs_and_annexes_stale(
    published, static_copy, name
):
    piece = compilation.annex_pieces(published.cycle)[0].html()
    before = hashes(published, "ar"), compilation.document_hash(piece, "ar")
    with (static_copy / name).open("ab") as file:
        file.write(b"\n/* changed */\n" if name.endswith(".css") else b"\0")
    fingerprint.clear_caches()
    (part, public), annex = hashes(published, "ar"), compilation.document_hash(piece, "ar")
    assert part != before[0][0] and public != before[0][1] and annex != before[1]


def test_a_changed_catalogue_makes_that_languages_pdfs_stale(published, settings, tmp_path):
    copy = tmp_path / "locale"
    shutil.copytree(django_settings.LOCALE_PATHS[0], copy)
    settings.LOCALE_PATHS = [copy]
    before = {language: hashes(published, language) for language in ("ar", "fr")}
    with (copy / "ar/LC_MESSAGES/django.po").open("a", encoding="utf-8") as file:
        file.write('\nmsgid "A new sentence"\nmsgstr "جملة جديدة"\n')
    fingerprint.clear_caches()
    assert hashes(published, "ar") != before["ar"]
    assert hashes(published, "fr") == before["fr"]


def test_the_code_version_is_in_the_digest(published, monkeypatch):
    before = hashes(published, "en")
    monkeypatch.setattr(fingerprint, "CODE_VERSION", fingerprint.CODE_VERSION + "-next")
    fingerprint.clear_caches()
    assert hashes(published, "en")[1] != before[1]


# --- What it costs -----------------------------------------------------------------------------


@pytest.mark.parametrize("sections", [1, 4])
def test_the_fingerprint_costs_three_queries_whatever_the_size(
    country, django_assert_num_queries, sections
):
    """The answers, the version's texts, the objectives; the layout's files are read once per
    process."""
    version = factories.every_type_version(sections=sections)
    submission = loaded(factories.every_type_submission(country=country, version=version))
    fingerprint.layout_digest("ar")
    with django_assert_num_queries(3):
        fingerprint.submission_fingerprint(submission=submission, language="ar")
    with django_assert_num_queries(3):
        compilation._part_material(submission, "ar")
