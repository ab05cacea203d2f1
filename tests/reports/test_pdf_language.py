"""A submission's PDF in the submission's language: an Arabic one runs right to left with the
questions in Arabic (the version's translation, English where there is none)."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from questionnaire import services
from questionnaire.models import QuestionType
from reports import pdf
from tests import factories

from .pdfutils import pdf_reader, pdf_text, squash

pytestmark = pytest.mark.django_db

SECTION_AR = "المنهجية المتبعة في الاستعراض"
QUESTION_AR = "ما الجهات الحكومية التي شاركت في عملية الاستعراض؟"
QUESTION_EN = "Which government entities have been involved in the review process?"
UNTRANSLATED = "Were local authorities consulted?"
PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_WORDS = re.compile(r"[\u0621-\u064a]+")


@pytest.fixture
def arabic_submission(db):
    version = factories.VersionFactory(
        questionnaire__title="Regional review", questionnaire__title_ar="الاستعراض الإقليمي"
    )
    section = factories.SectionFactory(
        version=version, number="I", order=1, title="Methodology", title_ar=SECTION_AR
    )
    factories.QuestionFactory(
        section=section, key="entities", label="a", order=1, text=QUESTION_EN, text_ar=QUESTION_AR
    )
    factories.QuestionFactory(
        section=section, key="local", label="b", order=2, text=UNTRANSLATED, required=False
    )
    factories.QuestionFactory(
        section=section,
        key="kind",
        label="c",
        order=3,
        type=QuestionType.SINGLE_CHOICE,
        required=False,
        text="Which instrument?",
        options={"choices": [{"value": "law", "label": "A law", "label_ar": "قانون"}]},
    )
    version = services.questionnaire_version_publish(version=version)
    country = factories.CountryFactory(iso2="JO", iso3="JOR", name_en="Jordan", name_ar="الأردن")
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country, language="ar")
    services.answer_save(
        submission=submission,
        question=version.questions.get(key="entities"),
        value="<p>وزارة الداخلية ووزارة العمل</p>",
    )
    services.answer_save(
        submission=submission, question=version.questions.get(key="kind"), value="law"
    )
    return submission


def extracted(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_reader(data).pages)


def test_an_arabic_submissions_pdf_runs_right_to_left_with_arabic_questions(arabic_submission):
    with translation.override("en"):  # whatever the caller's language
        html = pdf.submission_html(submission=arabic_submission, language="ar")
    data = pdf.html_to_pdf(html)

    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert re.search(r'<th scope="row" class="qa-q" [^>]*dir="rtl" lang="ar"', html)
    # Arabic numbering, with the reference the other languages use beside it.
    assert f"أولاً- {SECTION_AR}" in html
    label = r'<span class="qa-label">أ\)</span> <span class="pdf-ref"[^>]*>I\.a</span>'
    assert re.search(label, html)
    assert "الاستعراض الإقليمي" in html  # the questionnaire's title on the cover
    assert "cover-translation" in html  # the notice that the translation is unofficial
    text = extracted(data)
    # Logical order (the words as typed, first to last), not glyphs of presentation forms.
    assert not PRESENTATION_FORMS.search(text)
    words = ARABIC_WORDS.findall(text)
    question = ARABIC_WORDS.findall(QUESTION_AR)
    assert any(words[i : i + len(question)] == question for i in range(len(words)))
    assert "قانون" in text  # the choice's Arabic label
    # A question without Arabic falls back to English, left to right.
    assert squash(UNTRANSLATED) in squash(text)
    assert re.search(r'dir="ltr" lang="en"><div class="qa-q-text"><span class="qa-label">ب\)', html)


def test_the_pdf_in_english_keeps_the_english_questions(arabic_submission):
    html = pdf.submission_html(submission=arabic_submission, language="en")
    assert '<html lang="en" dir="ltr">' in html
    assert QUESTION_EN in html
    assert QUESTION_AR not in html
    assert "cover-translation" not in html


def test_the_download_is_in_the_submissions_language(client, arabic_submission, reviewer):
    client.force_login(reviewer)  # an English-speaking reviewer
    url = reverse("submission_pdf", args=[arabic_submission.pk])

    arabic = client.get(url)
    english = client.get(url, {"language": "en"})
    unknown = client.get(url, {"language": "xx"})

    assert arabic.status_code == english.status_code == 200
    assert QUESTION_AR.rstrip("؟").split()[-1] in extracted(arabic.content)
    assert squash(QUESTION_EN) in squash("".join(pdf_text(english.content)))
    assert squash(QUESTION_EN) not in squash("".join(pdf_text(unknown.content)))


def test_the_command_renders_in_the_submissions_language_unless_told(arabic_submission, tmp_path):
    slug = arabic_submission.cycle.slug
    call_command("render_submission", "JO", "--cycle", slug, "-o", str(tmp_path / "ar.pdf"))
    call_command(
        "render_submission", "JO", "--cycle", slug, "--language", "en", "-o", str(tmp_path / "en")
    )
    assert ARABIC_WORDS.findall(QUESTION_AR)[0] in extracted((tmp_path / "ar.pdf").read_bytes())
    assert squash(QUESTION_EN) in squash("".join(pdf_text((tmp_path / "en").read_bytes())))
