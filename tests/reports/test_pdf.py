"""The submission PDF: Morocco's 2020 review read back from the PDF, drafts, Arabic, the view and
the command. Morocco is rendered once for the module (about a second)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from questionnaire import selectors, services
from questionnaire.models import Question, QuestionType, SubmissionStatus
from questionnaire.templatetags.answers import render_answer
from reports import pdf
from tests import factories

from .pdfutils import pdf_bookmarks, pdf_fonts, pdf_reader, pdf_text, squash

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
QUESTIONNAIRE = json.loads((FIXTURES / "questionnaire-v1.json").read_text(encoding="utf-8"))
MOROCCO = json.loads((FIXTURES / "morocco-2020.json").read_text(encoding="utf-8"))
ARABIC = (
    "<p>تعمل الحكومة على تعزيز حماية العمال المهاجرين، بما في ذلك العمال المنزليون.</p>"
    "<ul><li>تحسين بيانات الهجرة وربط السجلات بين المؤسسات</li>"
    "<li>العمل اللائق للعمال المهاجرين</li></ul>"
)
ARABIC_TEXT = [
    "تعمل الحكومة على تعزيز حماية العمال المهاجرين، بما في ذلك العمال المنزليون.",
    "تحسين بيانات الهجرة وربط السجلات بين المؤسسات",
    "العمل اللائق للعمال المهاجرين",
]
FRENCH = "<p>Le gouvernement a adopté une stratégie nationale d’immigration et d’asile.</p>"
PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_LETTERS = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Rendered:
    data: bytes
    html: str
    pages: list[str]  # reading order (pdftotext)
    raw_pages: list[str]  # drawing order (pdftotext -raw)
    facts: dict
    page_answers: list[str]  # what the submission page's render_answer gives, per question


@pytest.fixture(scope="module")
def morocco(django_db_setup, django_db_blocker) -> Rendered:
    """Morocco's accepted 2020 review from the demo data, rendered once; the data is rolled back
    so the rest of the suite starts from an empty database."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        translation.override("en"),
        transaction.atomic(),
    ):
        call_command("loaddemo", verbosity=0)
        submission = selectors.submission_for_country_and_cycle(iso2="MA", cycle_slug="arab-2020")
        html = pdf.submission_html(submission=submission)
        data = pdf.html_to_pdf(html)
        sections = selectors.submission_sections(submission=submission)
        objectives = selectors.objectives_for(sections=sections)
        page_answers = [
            render_answer(item.question, item.value, objectives)
            for entry in sections
            for item in entry.items
        ]
        facts = {
            "cycle_name": submission.cycle.name,
            "submitted": formats.date_format(
                timezone.localtime(submission.submitted_at), "DATE_FORMAT"
            ),
            "accepted": formats.date_format(
                timezone.localtime(submission.accepted_at), "DATE_FORMAT"
            ),
            "status": submission.get_status_display(),
        }
        transaction.set_rollback(True)
    return Rendered(
        data=data,
        html=html,
        pages=pdf_text(data),
        raw_pages=pdf_text(data, raw=True),
        facts=facts,
        page_answers=page_answers,
    )


def arabic_words(text: str) -> list[str]:
    return ARABIC_LETTERS.findall(text)


def body_text(rendered: Rendered, *, country: str, title: str) -> str:
    """The drawn text of the section pages without what repeats on every page: the running
    header, the footer, the table header and the list markers (drawn after a page's text)."""
    chrome = re.compile(
        r"^(?:\s|"
        + "|".join(map(re.escape, (country, title, "Questions", "Answers")))
        + r"|Page \d+ of \d+|[•–·]|\d+\.)+$"
    )
    first = next(i for i, page in enumerate(rendered.raw_pages) if "I. Questions" in page[:400])
    lines = [
        line
        for page in rendered.raw_pages[first:]
        for line in page.splitlines()
        if not chrome.match(line)
    ]
    return squash("".join(lines))


# --- Morocco's accepted review ------------------------------------------------------------------


def test_every_question_and_answer_entry_of_the_reference_is_in_the_pdf_in_order(morocco):
    text = body_text(morocco, country="Morocco", title=QUESTIONNAIRE["title"])
    position = 0
    expected = []
    for section in QUESTIONNAIRE["sections"]:
        expected.append(f"{section['number']}. {section['title']}")
        for question in section["questions"]:
            # The page's own numbering: "I.a", not "a)".
            expected.append(f"{section['number']}.{question['label']} {question['text']}")
            expected.extend(MOROCCO["entries"][question["key"]])
    assert len(expected) == 5 + 24 + 123
    for piece in expected:
        found = text.find(squash(piece), position)
        assert found >= 0, f"missing or out of order: {piece[:80]!r}"
        position = found + len(squash(piece))


def test_answers_are_rendered_by_the_submission_pages_own_code(morocco):
    # The PDF gives each block its direction and language (textdir.direct_blocks); the markup is
    # otherwise the page's own.
    html = re.sub(r' (?:dir|lang)="[^"]*"', "", morocco.html)
    for fragment in morocco.page_answers:
        assert re.sub(r' (?:dir|lang)="[^"]*"', "", fragment) in html


def test_cover_names_the_review_the_country_the_cycle_the_version_the_status_and_dates(morocco):
    cover = squash(morocco.pages[0])
    for expected in (
        QUESTIONNAIRE["title"],
        "Morocco",
        morocco.facts["cycle_name"],
        "(arab-2020)",
        "Version 1",
        morocco.facts["status"],
        morocco.facts["submitted"],
        morocco.facts["accepted"],
    ):
        assert squash(expected) in cover


def test_every_section_and_question_has_a_bookmark_on_its_page(morocco):
    bookmarks = pdf_bookmarks(morocco.data)
    sections = [b for b in bookmarks if b.level == 1]
    questions = [b for b in bookmarks if b.level == 2]
    assert [b.title for b in sections] == [
        f"{s['number']}. {s['title']}" for s in QUESTIONNAIRE["sections"]
    ]
    assert len(questions) == 24
    reference = [q for s in QUESTIONNAIRE["sections"] for q in s["questions"]]
    for section, bookmark in zip(QUESTIONNAIRE["sections"], sections, strict=True):
        assert squash(section["title"]) in squash(morocco.raw_pages[bookmark.page - 1])
    numbers = [s["number"] for s in QUESTIONNAIRE["sections"] for _q in s["questions"]]
    for number, question, bookmark in zip(numbers, reference, questions, strict=True):
        assert bookmark.title.startswith(f"{number}.{question['label']} {question['text'][:30]}")
        # The whole question is on the page its row starts on: it is never split.
        assert squash(question["text"]) in squash(morocco.raw_pages[bookmark.page - 1])


def test_no_section_heading_is_left_alone_at_the_bottom_of_a_page(morocco):
    bookmarks = pdf_bookmarks(morocco.data)
    for heading, first in zip(bookmarks, bookmarks[1:], strict=False):
        if heading.level == 1:
            assert first.level == 2
            assert first.page == heading.page, heading.title


def test_contents_page_numbers_are_the_bookmarks_pages(morocco):
    bookmarks = pdf_bookmarks(morocco.data)
    first_section = bookmarks[0].page
    assert first_section > 2
    contents = squash("".join(morocco.raw_pages[1 : first_section - 1]))
    position = contents.index("Contents")
    for bookmark in bookmarks:
        # The entry, its dotted leader, its page number.
        match = re.compile(re.escape(squash(bookmark.title)) + r"\.*(\d+)").search(
            contents, position
        )
        assert match, f"{bookmark.title!r} is not in the contents"
        assert int(match[1]) == bookmark.page, bookmark.title
        position = match.end()


def test_every_page_but_the_cover_has_the_running_header_and_page_x_of_y(morocco):
    total = len(morocco.pages)
    assert "Page 1 of" not in morocco.pages[0]
    for number, page in enumerate(morocco.pages[1:], start=2):
        assert "Morocco" in page
        assert squash(QUESTIONNAIRE["title"]) in squash(page)
        assert f"Page {number} of {total}" in page


def test_the_questions_answers_header_repeats_on_every_section_page(morocco):
    first_section = pdf_bookmarks(morocco.data)[0].page
    for page in morocco.raw_pages[first_section - 1 :]:
        assert re.search(r"^Questions Answers$", page, re.MULTILINE)


def test_metadata_title_author_language_and_tags(morocco):
    reader = pdf_reader(morocco.data)
    assert reader.metadata.title == f"{QUESTIONNAIRE['title']} — Morocco"
    assert reader.metadata.author == "Morocco"
    assert reader.metadata.creator == "ESCWA GCM Review Portal"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_only_the_bundled_fonts_are_used_and_all_are_embedded(morocco):
    fonts = pdf_fonts(morocco.data)
    assert fonts
    for font in fonts:
        assert font["name"].split("+")[-1].startswith(("GCM-Serif", "GCM-Naskh")), font
        assert font["emb"] == "yes", font


def test_an_accepted_review_has_no_draft_watermark(morocco):
    assert not any("DRAFT" in page for page in morocco.raw_pages)


# --- Drafts, languages, every question type ------------------------------------------------------


def render(submission) -> tuple[str, bytes]:
    with translation.override("en"):
        html = pdf.submission_html(submission=submission)
    return html, pdf.html_to_pdf(html)


LONG_ANSWER = (
    "<ul>" + "".join(f"<li>Measure {n} of the national plan.</li>" for n in range(90)) + "</ul>"
)


def test_a_draft_has_the_watermark_on_every_page(complete_submission):
    services.answer_save(
        submission=complete_submission,
        question=Question.objects.get(key="policies"),
        value=LONG_ANSWER,
    )
    _html, data = render(complete_submission)
    # Drawing order: the watermark is rotated, which reading order scatters letter by letter.
    pages = pdf_text(data, raw=True)
    assert len(pages) >= 5  # cover, contents, answers over several pages
    assert all(re.search(r"^DRAFT$", page, re.MULTILINE) for page in pages)


@pytest.mark.parametrize("status", [SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED])
def test_a_submission_not_yet_accepted_is_still_marked_draft(complete_submission, status):
    services.submission_transition(submission=complete_submission, to_status="submitted")
    if status == SubmissionStatus.RETURNED:
        services.submission_transition(
            submission=complete_submission, to_status=status, message="More detail"
        )
    _html, data = render(complete_submission)
    assert all("DRAFT" in page for page in pdf_text(data, raw=True))


def test_a_part_of_the_regional_compilation_leaves_the_page_numbers_to_it(submission):
    with translation.override("en"):
        alone = pdf_text(pdf.submission_pdf(submission=submission))
        part = pdf_text(pdf.submission_pdf(submission=submission, in_compilation=True))
    assert "Page 2 of" in alone[1]
    assert not any("Page " in page for page in part)


def test_unanswered_questions_read_not_answered(submission):
    _html, data = render(submission)
    text = "".join(pdf_text(data))
    assert text.count("Not answered") == 3


def test_an_arabic_answer_reads_right_to_left_and_a_french_one_left_to_right(submission):
    services.answer_save(
        submission=submission, question=Question.objects.get(key="mechanism"), value=ARABIC
    )
    services.answer_save(
        submission=submission, question=Question.objects.get(key="policies"), value=FRENCH
    )
    html, data = render(submission)

    assert re.search(r'<td class="qa-a" dir="rtl" lang="ar">', html)
    assert re.search(r'<td class="qa-a" dir="ltr" lang="fr">', html)

    # pypdf puts each line's Arabic words in logical order (pdftotext reverses the runs of a
    # right-to-left line on a page that is mostly left to right).
    text = "\n".join(page.extract_text() for page in pdf_reader(data).pages)
    assert not PRESENTATION_FORMS.search(text)
    assert arabic_words(text) == arabic_words(" ".join(ARABIC_TEXT))
    assert squash("Le gouvernement a adopté une stratégie nationale") in squash(text)
    assert any(font["name"].endswith("GCM-Naskh") for font in pdf_fonts(data))


CHOICES = [{"value": "a", "label": "A law"}, {"value": "b", "label": "A strategy"}]
EVERY_TYPE = {
    QuestionType.SHORT_TEXT: ({}, "Ministry of Labour"),
    QuestionType.SINGLE_CHOICE: ({"choices": CHOICES}, "b"),
    QuestionType.MULTIPLE_CHOICE: ({"choices": CHOICES}, ["a", "b"]),
    QuestionType.YES_NO: ({}, {"answer": "yes", "explanation": "<p>Through the observatory.</p>"}),
    QuestionType.NUMBER: ({}, "1250"),
    QuestionType.DATE: ({}, "2024-05-17"),
    QuestionType.ENTRY_LIST: (
        {"columns": [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role"}]},
        [{"entity": "IOM", "role": "Adviser"}],
    ),
    QuestionType.OBJECTIVES_GRID: ({}, {"4": {"status": "planned", "note": "Birth registry"}}),
}


def test_every_question_type_is_rendered_by_its_page_include(country):
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    for order, (kind, (options, _value)) in enumerate(EVERY_TYPE.items()):
        factories.QuestionFactory(
            section=section, key=f"t-{order}", type=kind, order=order, options=options
        )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    draft = services.submission_create(cycle=cycle, country=country)
    for question in version.questions.all():
        services.answer_save(
            submission=draft, question=question, value=EVERY_TYPE[question.type][1]
        )
    _html, data = render(draft)
    pages = pdf_text(data)
    text = squash("".join(pages))
    for expected in (
        "Ministry of Labour",
        "A strategy",
        "A law",
        "Yes",
        "Through the observatory.",
        "1,250",  # a number is written as the PDF's language writes it
        "2024",
        "IOM",
        "Adviser",
        "Planned",
        "Birth registry",
    ):
        assert squash(expected) in text
    assert "Not answered" not in "".join(pages)


# --- Names and the page counter ------------------------------------------------------------------


def test_the_file_name_is_ascii_without_spaces(submission):
    submission.country.name_en = "Syrian Arab Republic"
    submission.cycle.slug = "arab-2024"
    assert (
        pdf.submission_pdf_filename(submission) == "GCM-review-Syrian-Arab-Republic-arab-2024.pdf"
    )


def test_translated_text_cannot_break_out_of_the_css_string():
    assert pdf.css_string('Page "x" </style>\\') == '"Page \\"x\\" \\3C /style\\3E \\\\"'


def test_the_page_counter_follows_the_translations_word_order(monkeypatch):
    monkeypatch.setattr(pdf, "_", lambda s: "%(pages)s: %(page)s")
    assert pdf.page_counter_css() == 'counter(pages) ": " counter(page)'


# --- The download view and the command ----------------------------------------------------------


@pytest.mark.parametrize("who", ["focal_point", "contributor", "viewer", "reviewer", "admin_user"])
def test_everyone_who_may_see_the_submission_downloads_its_pdf(client, request, submission, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("submission_pdf", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    cycle = submission.cycle.slug
    assert response["Content-Disposition"] == (
        f'attachment; filename="GCM-review-Morocco-{cycle}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


def test_another_countrys_team_gets_404(client, submission, other_focal_point):
    client.force_login(other_focal_point)
    assert client.get(reverse("submission_pdf", args=[submission.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, submission):
    response = client.get(reverse("submission_pdf", args=[submission.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_submission_page_offers_the_download(client, submission, viewer):
    client.force_login(viewer)
    response = client.get(reverse("submission_detail", args=[submission.pk]))
    assert reverse("submission_pdf", args=[submission.pk]).encode() in response.content


def test_the_command_writes_the_pdf(submission, tmp_path):
    output = tmp_path / "review.pdf"
    call_command(
        "render_submission", "ma", "--cycle", submission.cycle.slug, "-o", str(output), verbosity=0
    )
    assert output.read_bytes().startswith(b"%PDF-")
    assert "Morocco" in pdf_text(output.read_bytes())[0]


def test_the_command_names_the_file_like_the_download(submission, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("render_submission", "MA", "--cycle", submission.cycle.slug, verbosity=0)
    assert (tmp_path / pdf.submission_pdf_filename(submission)).exists()


@pytest.mark.parametrize(
    ("iso2", "slug", "message"),
    [
        ("XX", None, "No country has the ISO code 'XX'."),
        ("MA", "no-such-cycle", "There is no cycle 'no-such-cycle'."),
        ("JO", None, "Jordan has no submission in"),
    ],
)
def test_the_command_says_what_is_unknown(submission, iso2, slug, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "render_submission", iso2, "--cycle", slug or submission.cycle.slug, verbosity=0
        )
