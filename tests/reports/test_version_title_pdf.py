"""What a PDF calls the review: the version's own title (the demo's 2024 cycle answers version 2,
the second regional review's questionnaire) and the cycle's name, in the document's language, on
the cover, in the running header and in the metadata; of a submission and of the regional
compilation. A change of either makes stored and cached PDFs stale."""

import re

import pytest
from django.core.management import call_command

from questionnaire import selectors, services
from questionnaire.models import Question, SubmissionStatus
from reports import compilation, pdf, public_pdf
from reports.models import Compilation, JobStatus
from tests import factories

from .pdfutils import pdf_reader, pdf_text, squash

pytestmark = pytest.mark.django_db

ARABIC_WORDS = re.compile(r"[\u0621-\u064a]+")
SECOND = {
    "fr": (
        "Deuxième examen régional du Pacte mondial pour des migrations sûres, ordonnées et "
        "régulières dans la région arabe\u202f: questionnaire"
    ),
    "ar": (
        "الاستعراض الإقليمي الثاني للاتفاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية في "
        "المنطقة العربية: استبيان"
    ),
}
CYCLE = {
    "fr": "Deuxième examen régional du Pacte mondial sur les migrations dans la région arabe",
    "ar": "الاستعراض الإقليمي الثاني للاتفاق العالمي بشأن الهجرة في المنطقة العربية",
}
COUNTRY = {"fr": "Jordanie", "ar": "الأردن"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def jordan_2024(db):
    call_command("loaddemo", verbosity=0)
    return selectors.submission_for_country_and_cycle(iso2="JO", cycle_slug="arab-2024")


def words(text: str) -> list[str]:
    return ARABIC_WORDS.findall(text)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_2024_pdf_names_the_second_review_and_its_cycle_in_its_language(jordan_2024, language):
    data = pdf.submission_pdf(submission=jordan_2024, language=language)
    pages = pdf_text(data, diagonal=False)
    title, cycle, country = SECOND[language], CYCLE[language], COUNTRY[language]
    cover = pages[0]
    if language == "ar":
        # Right-to-left lines wrapped on the cover come out line by line: every word is there.
        assert set(words(title)) <= set(words(cover))
        assert "الأول" not in words(cover)  # the first review's title
    else:
        assert squash(title) in squash(cover)
        assert "Premier" not in cover
    assert squash(cycle) in squash(cover)
    # The running header: the country and the title atop every page after the cover.
    headed = [page for page in pages[1:] if squash(page).startswith(squash(country))]
    assert len(headed) >= len(pages) - 2  # the cover may run onto a second page
    for page in headed:
        assert squash(page).startswith(squash(country + title)), page[:300]
    assert pdf_reader(data).metadata.title == f"{title} — {country}"


@pytest.fixture
def titled_cycle(db):
    """A cycle in French and Arabic answering a version with its own titles; one country's review
    accepted."""
    version = factories.VersionFactory(
        questionnaire__title="First review",
        questionnaire__title_fr="Premier examen",
        title="Second review",
        title_fr="Deuxième examen régional",
    )
    section = factories.SectionFactory(version=version, number="I", title="Methodology", order=1)
    factories.QuestionFactory(section=section, key="mechanism", label="a", order=1)
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(
        version=version, name="Second cycle", name_fr="Deuxième cycle", name_ar="الدورة الثانية"
    )
    country = factories.CountryFactory(name_en="Tunisia", name_fr="Tunisie")
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    for question in Question.objects.filter(version=version):
        services.answer_save(submission=submission, question=question, value="<p>Oui.</p>")
    focal = factories.MembershipFactory(country=country).user
    reviewer = factories.ReviewerFactory()
    services.submission_transition(
        submission=submission, to_status=SubmissionStatus.SUBMITTED, user=focal
    )
    services.submission_transition(
        submission=submission, to_status=SubmissionStatus.ACCEPTED, user=reviewer
    )
    return cycle


def test_the_compilation_names_the_versions_title_and_the_cycle_in_its_language(titled_cycle):
    job = compilation.run_inline(Compilation.objects.create(cycle=titled_cycle, language="fr"))
    assert job.status == JobStatus.SUCCEEDED
    with job.file.open("rb") as file:
        data = file.read()
    pages = pdf_text(data, diagonal=False)
    cover = squash(pages[0])
    assert squash("Deuxième examen régional") in cover
    assert squash("Premier examen") not in cover
    assert squash("Deuxième cycle") in cover
    assert "Second cycle" not in pages[0]
    # The country's part: its running header carries the version's title.
    country_pages = [page for page in pages if squash(page).startswith("Tunisie")]
    assert country_pages
    for page in country_pages:
        assert squash("TunisieDeuxième examen régional") in squash(page)
    assert pdf_reader(data).metadata.title.endswith("Deuxième cycle")


def test_a_cycles_translated_name_makes_cached_parts_and_stored_pdfs_stale(titled_cycle):
    submission = titled_cycle.submissions.select_related(
        "cycle__version__questionnaire", "country"
    ).get()
    part = compilation._part_material(submission, "ar")
    stored = public_pdf.source_fingerprint(submission=submission, language="ar")
    titled_cycle.name_ar = "اسم آخر"
    titled_cycle.save()
    submission.cycle.refresh_from_db()
    assert compilation._part_material(submission, "ar") != part
    assert public_pdf.source_fingerprint(submission=submission, language="ar") != stored


def test_the_questionnaires_title_makes_parts_of_an_untitled_version_stale(published_version):
    cycle = factories.CycleFactory(version=published_version)
    country = factories.CountryFactory()
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    before = compilation._part_material(submission, "fr")
    questionnaire = published_version.questionnaire
    questionnaire.title_fr = "Un autre titre"
    questionnaire.save()
    submission = (
        type(submission)
        .objects.select_related("cycle__version__questionnaire")
        .get(pk=submission.pk)
    )
    assert compilation._part_material(submission, "fr") != before
