"""The PDFs as a publications editor reads them (issue 16): each paragraph in its own direction,
questions and answers starting on the same line, the objectives grid across the page, the
numbering in the document's language, and a compilation with one cover, one running header and
a landscape objectives annex with the countries' notes."""

import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from questionnaire import numbering, services
from questionnaire.models import Objective, QuestionType, SubmissionStatus
from reports import compilation, pdf, textdir
from reports.models import Compilation
from tests import factories

from .pdfutils import pdf_text, pdf_words, squash

pytestmark = pytest.mark.django_db

ENGLISH = "The ministries in charge of labour, interior and foreign affairs take part."
ARABIC = "عام 2020، ومن ثم انضم إليها المجلس القومي لحقوق الإنسان."
SHORT_ENGLISH = "See the IOM report."
SHORT_ARABIC = "انظر تقرير المنظمة."
ACRONYMS = "تتعاون الوزارة مع IOM وUNHCR منذ عام 2020، ومن ثم مع ILO."
ARABIC_WORDS = re.compile(r"[\u0621-\u064a]+")


# --- textdir.direct_blocks ------------------------------------------------------------------------


def test_english_then_arabic_each_paragraph_its_own_direction():
    result = textdir.direct_blocks(f"<p>{ENGLISH}</p><p>{ARABIC}</p>", "ar")
    # The cell follows its first block; only what differs from it is written.
    assert result.direction == textdir.TextDirection("ltr", "en")
    assert result.html == f'<p>{ENGLISH}</p><p dir="rtl" lang="ar">{ARABIC}</p>'
    # Inside a cell that runs right to left (an Arabic document's choices), both are stated.
    inherited = textdir.TextDirection("rtl", "ar")
    html = textdir.direct_blocks(f"<p>{ENGLISH}</p><p>{ARABIC}</p>", "ar", inherited).html
    assert html == f'<p dir="ltr" lang="en">{ENGLISH}</p><p>{ARABIC}</p>'


def test_arabic_then_english():
    result = textdir.direct_blocks(f"<p>{ARABIC}</p><p>{ENGLISH}</p>", "en")
    assert result.html == f'<p>{ARABIC}</p><p dir="ltr" lang="en">{ENGLISH}</p>'
    assert result.direction == textdir.TextDirection("rtl", "ar")


def test_arabic_with_english_acronyms_and_numbers_stays_right_to_left():
    # The first strong character decides, as browsers do for dir="auto": digits are neutral.
    assert textdir.direct_blocks(f"<p>{ACRONYMS}</p>").direction.dir == "rtl"
    inherited = textdir.TextDirection("ltr", "en")
    html = textdir.direct_blocks(f"<p>{ACRONYMS}</p>", "en", inherited).html
    assert html.startswith('<p dir="rtl" lang="ar">')
    assert textdir.first_strong("2020، ومن ثم") == "rtl"
    assert textdir.first_strong("2020, then") == "ltr"
    assert textdir.first_strong("2020 – 2024") is None


def test_a_list_mixing_both_directions_gets_room_for_markers_on_both_sides():
    html = textdir.direct_blocks(
        "<ul><li>وزارة الداخلية<ul><li>IOM office</li></ul></li><li>Ministry of Labour</li></ul>"
    ).html
    assert html.startswith('<ul class="bidi-mixed"><li>وزارة')  # as its cell: right to left
    assert '<ul dir="ltr" lang="en"><li>IOM office</li></ul>' in html  # the item as its list
    assert '<li dir="ltr" lang="en">Ministry of Labour</li>' in html


def test_stated_directions_are_kept_and_auto_is_decided():
    html = textdir.direct_blocks(
        '<p class="x">Not applicable: <span dir="rtl">سبب</span></p><div dir="auto">نص</div>'
        '<p class="mb-0">2020</p><td dir="ltr">نص<p>text</p></td>',
        inherited=textdir.TextDirection("rtl", "ar"),
    ).html
    # The reason's own direction does not count for its paragraph (the sentence's does).
    assert '<p class="x" dir="ltr" lang="en">Not applicable: <span dir="rtl">' in html
    assert "<div>نص</div>" in html  # "auto" decided: right to left, as its cell
    assert '<p class="mb-0">2020</p>' in html  # no letters: it takes its cell's direction
    assert '<td dir="ltr">نص<p lang="en">text</p></td>' in html  # the cell states its own


# --- A submission with mixed answers --------------------------------------------------------------


@pytest.fixture
def mixed(db):
    Objective.objects.bulk_create(
        Objective(number=n, title=f"Objective title {n}", short_label=f"Short {n}")
        for n in range(1, 24)
    )
    version = factories.VersionFactory(title="Regional review", title_ar="الاستعراض الإقليمي")
    first = factories.SectionFactory(
        version=version, number="I", order=1, title="Methodology", title_ar="المنهجية"
    )
    second = factories.SectionFactory(
        version=version, number="II", order=2, title="Progress", title_ar="التقدم"
    )
    texts = {
        "mixed": ("Who coordinates the review?", "من ينسق الاستعراض؟"),
        "short-en": ("Which report?", "أي تقرير؟"),
        "short-ar": ("Which organisation?", "أي منظمة؟"),
        "entities": ("Which entities took part?", "ما الجهات المشاركة؟"),
    }
    for order, (key, (text, text_ar)) in enumerate(texts.items(), start=1):
        factories.QuestionFactory(
            section=first, key=key, label="abcd"[order - 1], order=order, text=text,
            text_ar=text_ar,
        )  # fmt: skip
    factories.QuestionFactory(
        section=second, key="grid", label="a", order=1, type=QuestionType.OBJECTIVES_GRID,
        text="Status of each objective", text_ar="حالة كل هدف", required=False,
    )  # fmt: skip
    version = services.questionnaire_version_publish(version=version)
    country = factories.CountryFactory(iso2="EG", iso3="EGY", name_en="Egypt", name_ar="مصر")
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country, language="ar")
    answers = {
        "mixed": f"<p>{ENGLISH}</p><p>{ARABIC}</p>",
        "short-en": f"<p>{SHORT_ENGLISH}</p><p>{ACRONYMS}</p>",
        "short-ar": f"<p>{SHORT_ARABIC}</p>",
        "entities": "<ul><li>وزارة الداخلية</li><li>Ministry of Labour</li></ul>",
        "grid": {"1": {"status": "planned", "note": "ملاحظة"}, "2": {"status": "in_progress"}},
    }
    for question in version.questions.all():
        services.answer_save(submission=submission, question=question, value=answers[question.key])
    return submission


def rendered(submission, language):
    with translation.override("fr"):  # whatever the caller's language
        html = pdf.submission_html(submission=submission, language=language)
    return html, pdf.html_to_pdf(html)


def arabic_runs(sentence):
    """The runs of Arabic words of `sentence` between its Latin words and numbers."""
    runs = re.split(r"[A-Za-z0-9]+", sentence)
    return [ARABIC_WORDS.findall(run) for run in runs if ARABIC_WORDS.search(run)]


def test_each_paragraph_extracts_in_logical_order_and_ends_with_its_punctuation(mixed):
    for language in ("ar", "en"):
        html, data = rendered(mixed, language)
        cell = '<td class="qa-a" dir="ltr" lang="en">'
        assert re.search(re.escape(cell) + r".*?" + re.escape(f"<p>{ENGLISH}</p>"), html)
        assert f'<p>{ENGLISH}</p><p dir="rtl" lang="ar">{ARABIC}</p>' in html
        extracted = "".join(pdf_text(data, diagonal=False))
        # An English paragraph laid out right to left would extract as ".The ministries…".
        assert squash(ENGLISH) in squash(extracted)
        assert squash(SHORT_ENGLISH) in squash(extracted)
        # The Arabic words, first to last, between the Latin words and numbers (poppler orders
        # a line's runs by its own guess of the line's direction, so the runs themselves).
        words = ARABIC_WORDS.findall(extracted)
        for sentence in (ARABIC, ACRONYMS, SHORT_ARABIC):
            for run in arabic_runs(sentence):
                assert any(words[i : i + len(run)] == run for i in range(len(words))), run
        # An Arabic paragraph's full stop is its leftmost mark (its end), in either document.
        page = _answer_page_words(data)
        last = next(w for w in page if "ةمظنملا" in w.text)  # المنظمة, drawn right to left
        line = [w for w in page if abs(w.y0 - last.y0) < 2 and abs(w.x0 - last.x0) < 150]
        assert min(line, key=lambda w: w.x0).text.startswith("."), [w.text for w in line]


def _answer_page_words(data):
    """The words of the page that holds section I's answers."""
    pages = pdf_words(data)
    return next(page for page in pages if any(w.text == "labour," for w in page))


def test_a_short_paragraph_aligns_to_its_own_start_whatever_the_documents_direction(mixed):
    # Arabic document: the answers' column is on the left (x from 51 pt), an English paragraph
    # starts at its left edge, not at its right.
    _html, data = rendered(mixed, "ar")
    words = _answer_page_words(data)
    see = next(w for w in words if w.text == "See")
    assert see.x0 < 70
    # English document: the answers' column is on the right (to 544 pt), an Arabic paragraph ends
    # at its right edge.
    _html, data = rendered(mixed, "en")
    words = _answer_page_words(data)
    english_see = next(w for w in words if w.text == "See")
    arabic_line = [w for w in words if ARABIC_WORDS.search(w.text) and w.x0 > english_see.x0]
    assert max(w.x1 for w in arabic_line) > 530


def test_question_and_answer_start_on_the_same_line_in_every_language(mixed):
    for language in ("ar", "en"):
        html, data = rendered(mixed, language)
        words = _answer_page_words(data)
        # The answer cells are beside the question cells: left of them in Arabic, right in
        # English (the table's columns: 36 % question, 64 % answer of 493 pt from 51 pt).
        split = 51 + 493 * (0.64 if language == "ar" else 0.36)
        for reference in ("I.a", "I.b", "I.c", "I.d"):
            label = next(w for w in words if w.text == reference)
            next_label_y = min(
                (w.y0 for w in words if re.fullmatch(r"I\.[a-d]", w.text) and w.y0 > label.y0),
                default=10_000,
            )
            answer_words = [
                w
                for w in words
                if (w.x1 < split if language == "ar" else w.x0 > split)
                and label.y0 - 4 < w.y0 < next_label_y
                and re.search(r"\w", w.text)
                and not w.text.startswith("•")
            ]
            assert answer_words, (language, reference)
            first = min(w.y0 for w in answer_words)
            assert abs(first - label.y0) < 4, (language, reference, first, label.y0)


def test_the_objectives_grid_runs_across_the_page(mixed):
    html, data = rendered(mixed, "en")
    assert re.search(r'<td colspan="2" class="qa-wide">\s*<div class="qa-q qa-wide-q"', html)
    page = next(p for p in pdf_words(data) if any(w.text == "title" for w in p))
    # The grid's objective titles start in the questions' column, not the answers' (x > 229).
    first = min(w.x0 for w in page if w.text == "Objective")
    assert first < 150


def test_numbering_is_the_pages_in_english_and_arabic_with_the_reference_in_arabic(mixed):
    html, data = rendered(mixed, "en")
    assert ">I. Methodology</h2>" in html
    assert '<span class="qa-label">I.a</span> Who coordinates' in html
    assert "I.a Who coordinates the review?" in squash_spaces(pdf_text(data)[1])  # contents

    html, data = rendered(mixed, "ar")
    assert "أولاً- المنهجية" in html and "ثانياً- التقدم" in html
    assert '<span class="qa-label">أ)</span> <span class="pdf-ref" dir="ltr" lang="en">I.a' in html
    assert "I.a" in pdf_text(data)[2]


def squash_spaces(text):
    return " ".join(text.split())


def test_arabic_labels():
    assert [numbering.section_label(n, "ar") for n in ("I", "II", "V", "IX", "XII")] == [
        "أولاً", "ثانياً", "خامساً", "تاسعاً", "ثاني عشر",
    ]  # fmt: skip
    assert [numbering.question_label("I", x, "ar") for x in "abcdeh"] == [
        "أ)", "ب)", "ج)", "د)", "هـ)", "ح)",
    ]  # fmt: skip
    assert numbering.question_label("III", "e", "fr") == "III.e"
    assert numbering.question_label("I", "a1", "ar") == "a1)"  # not one letter: kept
    assert numbering.section_label("A", "ar") == "A"  # not a Roman numeral: kept
    assert numbering.roman_to_int("XIV") == 14 and numbering.roman_to_int("IIII") is None


# --- The compilation ---------------------------------------------------------------------------


@pytest.fixture
def compiled(mixed, reviewer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = mixed.cycle
    jordan = factories.CountryFactory(iso2="JO", iso3="JOR", name_en="Jordan", name_ar="الأردن")
    cycle.countries.add(jordan)
    other = services.submission_create(cycle=cycle, country=jordan)
    for question in cycle.version.questions.all():
        value = {"3": {"status": "largely_achieved", "note": "Recruitment fees banned."}}
        if question.type != QuestionType.OBJECTIVES_GRID:
            value = "<p>Answer.</p>"
        services.answer_save(submission=other, question=question, value=value)
    for submission in (mixed, other):
        focal = factories.MembershipFactory(country=submission.country).user
        submission = services.submission_transition(
            submission=submission, to_status=SubmissionStatus.SUBMITTED, user=focal
        )
        services.submission_transition(
            submission=submission, to_status=SubmissionStatus.ACCEPTED, user=reviewer
        )
    return cycle


def test_the_compilation_has_one_cover_and_one_running_header(compiled):
    job = compilation.run_inline(Compilation.objects.create(cycle=compiled))
    reader = PdfReader(job.file.open("rb"))
    texts = [page.extract_text() for page in reader.pages]
    assert sum("Generated on" in text or "Compiled" in text for text in texts) == 1
    contents = texts[1]
    assert "Egypt" in contents and "Jordan" in contents
    assert "(Accepted)" not in contents and "(Published)" not in contents
    assert "Annex 1: Status of the GCM objectives by country" in contents
    # The version's own title heads every page of the country parts and the annexes.
    with translation.override("en"):
        parts = [
            pdf.submission_html(submission=s, in_compilation=True)
            for s in compiled.submissions.all()
        ]
        annexes = [piece.html() for piece in compilation.annex_pieces(compiled)]
    for html in [*parts, *annexes]:
        assert 'data-review="Regional review"' in html
        assert "cover-generated" not in html
    assert all('class="country-opening"' in html for html in parts)


def test_the_objectives_annex_is_landscape_with_codes_a_legend_and_the_notes(compiled):
    with translation.override("en"):
        piece = compilation.annex_pieces(compiled)[0]
        html = piece.html()
        data = compilation._layout(html)
    reader = PdfReader(__import__("io").BytesIO(data))
    first = reader.pages[0]
    assert first.mediabox.width > first.mediabox.height  # landscape
    text = pdf_text(data)[0]
    lines = [line.strip() for line in text.splitlines()]
    # Whole names and whole status labels: never a break inside a word.
    assert any(line.startswith("Egypt") for line in lines)
    assert any(line.startswith("Jordan") for line in lines)
    assert "Largely achieved" in text and "Planned" in text
    assert '<td class="obj-tone-3" title="Largely achieved">4<span class="annex-note-mark">' in html
    notes = "".join(pdf_text(data)[1:])
    assert "Recruitment fees banned." in notes and "ملاحظة" in notes
    # Each note in its own direction, whatever the document's.
    assert '<dd><p dir="rtl" lang="ar">ملاحظة</p></dd>' in html
    assert "Objective 3 (Short 3)" in notes


def test_the_compilation_annex_prints_answers_in_their_own_direction(compiled):
    with translation.override("en"):
        htmls = [piece.html() for piece in compilation.annex_pieces(compiled)]
    answers = next(html for html in htmls if ENGLISH in html)
    assert '<div class="answer" dir="ltr" lang="en"><div class="portal-richtext">' in answers
    assert f'<p>{ENGLISH}</p><p dir="rtl" lang="ar">{ARABIC}</p>' in answers
