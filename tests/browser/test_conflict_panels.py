"""The conflict panel shows the person's own version of any type of answer as the page shows
answers: with the questionnaire's words for choices, columns and answers, never stored codes.

Each type's handler (static/js/types/<type>.js) reads its fields and shows its value; this test
goes through the types the other browser tests leave out (long text, short text and the grid are
in test_answering.py and test_accessibility.py).
"""

import pytest
from playwright.sync_api import expect

from questionnaire import services
from questionnaire.models import Question
from tests.browser.test_accessibility import (  # noqa: F401  (the fixture)
    demo,
    log_in,
    section_url,
    wait_for_editors,
)

pytestmark = [pytest.mark.browser]

# key: what a colleague saves meanwhile, and how the page's own version then reads in the panel.
THEIRS = {
    "t-1-2": "law",
    "t-1-3": ["strategy"],
    "t-1-4": {"answer": "no", "explanation": "<p>None.</p>"},
    "t-1-5": "7",
    "t-1-7": [{"entity": "UNHCR", "role": "Protection"}],
}
MINE = {
    "t-1-2": "An action plan",
    "t-1-3": "A law\nA national strategy\nAn action plan",
    "t-1-4": "No\n\nThrough the national observatory.",
    "t-1-5": "1,250.55",
    "t-1-7": "Entity: IOM Jordan · Role in the review: Technical adviser",
}


def test_my_version_of_every_type_reads_as_the_page_shows_answers(demo, live_server, page):  # noqa: F811
    answered = demo["answered"]
    log_in(page, live_server.url)
    page.goto(section_url(live_server.url, answered, "S1"))
    wait_for_editors(page)
    for key, value in THEIRS.items():
        question = Question.objects.get(version=answered.cycle.version, key=key)
        services.answer_save(submission=answered, question=question, value=value, user=demo["user"])

    page.get_by_label("An action plan").first.check()  # the single choice comes first
    page.locator("#question-t-1-3").get_by_label("A national strategy").check()
    page.locator("#question-t-1-4").get_by_label("No", exact=True).check()
    page.locator("#field-t-1-5").focus()
    page.keyboard.press("End")
    page.keyboard.type("5")
    page.get_by_label("Entity, row 1").focus()
    page.keyboard.press("End")
    page.keyboard.type(" Jordan")
    page.keyboard.press("Tab")

    for key, text in MINE.items():
        panel = page.locator(f"#question-{key} .answer-conflict-live")
        expect(panel).to_be_visible(timeout=8000)
        # (The editor writes the explanation's spaces as no-break spaces.)
        assert panel.locator("[data-mine]").inner_text().replace("\xa0", " ") == text, key
