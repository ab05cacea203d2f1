"""A question's choices edited as rows in the admin, in a real browser: a choice added and moved
up from the keyboard is stored in its new place (questionnaire/admin/options.py,
static/js/admin_options.js)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questionnaire import services
from questionnaire.models import Question, QuestionnaireVersion, QuestionType, VersionStatus
from tests import factories

from .test_answering import log_in

pytestmark = [pytest.mark.browser]
CHOICES = [
    {"value": "law", "label": "A law", "label_ar": "قانون"},
    {"value": "plan", "label": "A plan"},
    {"value": "none", "label": "None of these"},
]


@pytest.fixture
def choice_question(transactional_db):
    call_command("loaddemo", verbosity=0)
    published = QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    draft = services.questionnaire_version_create_draft(source=published)
    section = draft.sections.order_by("order").first()
    return factories.QuestionFactory(
        section=section,
        key="instrument",
        label="z",
        order=99,
        text="Which instrument sets it up?",
        type=QuestionType.SINGLE_CHOICE,
        options={"choices": CHOICES},
    )


def test_a_choice_added_and_moved_up_from_the_keyboard_is_stored_in_its_place(
    choice_question, live_server, page
):
    path = f"/admin/questionnaire/question/{choice_question.pk}/change/"
    log_in(page, live_server.url, "admin", next_path=path)
    choices = page.locator('[data-options-list="choices"]')
    expect(choices.get_by_role("button", name="Move Choice 3 up")).to_be_visible()

    choices.get_by_role("button", name="Add a row").click()
    value = choices.get_by_role("textbox", name="Value, Choice 4")
    expect(value).to_be_focused()
    page.keyboard.type("policy")
    choices.get_by_role("textbox", name="English, Choice 4").fill("A policy")
    choices.get_by_role("textbox", name="Arabic, Choice 4").fill("سياسة")

    up = choices.get_by_role("button", name="Move Choice 4 up")
    up.focus()
    page.keyboard.press("Enter")
    # The button moved with its row, kept the focus and now names the row's new place.
    moved = choices.get_by_role("button", name="Move Choice 3 up")
    expect(moved).to_be_focused()
    page.keyboard.press("Space")
    expect(choices.get_by_role("button", name="Move Choice 2 up")).to_be_focused()
    expect(page.locator("[data-options-status]")).to_have_text(
        "Choice 2 (A policy) is now row 2 of 4."
    )
    expect(choices.get_by_role("textbox", name="Value, Choice 2")).to_have_value("policy")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    choice_question.refresh_from_db()
    assert choice_question.options["choices"] == [
        CHOICES[0],
        {"value": "policy", "label": "A policy", "label_ar": "سياسة"},
        CHOICES[1],
        CHOICES[2],
    ]
    assert Question.objects.filter(key="instrument").count() == 1
