"""A ministry works in Word (issue 17), in a real browser, by clicks from the home page:

Jordan's focal point downloads the 2024 draft as a Word document and sends it round; colleagues
who have no account write in it (here python-docx edits the file, as Word would); the focal point
imports it, looks at the preview (what each answer becomes, the word diff, the checkboxes),
confirms, and finds the import in an answer's history.

`make tour` runs it in English and Arabic and keeps its pictures in docs/tour/word-import/.
"""

from __future__ import annotations

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from questionnaire.models import AnswerRevision, Submission
from tests.word.documents import answer_cell, docx_bytes

from .journeys import TOUR_DIR

pytestmark = [pytest.mark.browser]
LANGUAGES = ["en", "ar"] if TOUR_DIR else ["en"]
CYCLE = "Second regional review of the GCM in the Arab region"
WORDS = {
    "en": {
        "entities": "The Ministry of Labour joined the review in March 2026.",
        "local": "The governorates of Amman, Irbid and Zarqa were consulted in writing.",
    },
    "ar": {
        "entities": "انضمت وزارة العمل إلى الاستعراض في آذار/مارس 2026.",
        "local": "جرت استشارة محافظات عمّان وإربد والزرقاء كتابةً.",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_ministry_answers_in_word(journey_factory, language, tmp_path):
    j = journey_factory("word-import", "A ministry answers in Word", language, {})
    w = WORDS[language]
    j.at("2026-03-04 09:00")
    jordan = j.person("jordan")
    page = jordan.page

    with j.step(jordan, "submission", "Jordan's focal point opens its 2024 draft"):
        card = page.get_by_role("region", name=re.compile(re.escape(j.cycle("arab-2024"))))
        card.get_by_role("link", name=j.t("View the submission")).click()
        expect(page.get_by_role("link", name=j.t("Download as Word"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name=j.t("Download as Word")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".docx"

    # Colleagues write in the document: one answer added to, one written from nothing.
    document = docx.Document(io.BytesIO(path.read_bytes()))
    answer_cell(document, "review-government-entities").add_paragraph(w["entities"])
    answer_cell(document, "review-local-authorities").paragraphs[0].add_run(w["local"])
    edited = tmp_path / "jordan-answers.docx"
    edited.write_bytes(docx_bytes(document))

    with j.step(jordan, "import", "“Import answers from a Word document”: chooses the file"):
        page.get_by_role("link", name=j.t("Import answers from a Word document")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            j.t("Import answers from a Word document")
        )
        page.get_by_label(j.t("Word document")).set_input_files(str(edited))

    preview = page.locator("#import-review-government-entities")
    with j.step(
        jordan, "preview", "The preview: each changed answer, its word diff, ticked", focus=preview
    ):
        page.get_by_role("button", name=j.t("Read the document")).click()
        expect(page.locator(".portal-import .card")).to_have_count(2)
        expect(preview.locator("ins")).to_contain_text(w["entities"])
        expect(preview.get_by_role("checkbox")).to_be_checked()

    with j.step(jordan, "imported", "Confirms: the two answers are imported"):
        page.get_by_role("button", name=j.t("Import the ticked answers")).click()
        expect(page.locator(".portal-messages")).to_contain_text("jordan-answers.docx")

    with j.step(jordan, "history", "The answer's history says where it came from"):
        page.get_by_role("link", name=j.t("Continue answering")).click()
        page.locator("#question-review-local-authorities").get_by_role(
            "link", name=re.compile(j.t("History"))
        ).first.click()
        expect(page.locator(".card-header").first).to_contain_text("jordan-answers.docx")
        expect(page.locator(".portal-answer").first).to_contain_text(w["local"])

    submission = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    imported = AnswerRevision.objects.filter(
        answer__submission=submission,
        kind=AnswerRevision.Kind.IMPORT,
        document_import__isnull=False,
    )
    assert imported.count() == 2
    local = submission.answers.get(question__key="review-local-authorities")
    assert local.value == f"<p>{w['local']}</p>"  # logical order, as typed
    j.finish()
