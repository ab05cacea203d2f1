"""The objectives grid in a real browser: every status label shows whole in English, French and
Arabic, on a desktop and a phone; a note is a text area that grows, keeps its limit and saves
itself (and, without JavaScript, with the form); on a phone the grid stacks per objective, on
the answering page and where it is read."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questionnaire import services
from questionnaire.models import Answer, Question, Submission
from questionnaire.types.objectives_grid import OBJECTIVE_NOTE_MAX_LENGTH

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
GRID = "objectives-status-grid"  # III.e of the demo questionnaire (version 2)
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def jordan(transactional_db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")


def log_in(page, base_url, username="jordan"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def use_language(page, base_url, code):
    """The user's language, as the language links set it (saved on the user)."""
    if code == "en":
        return
    page.goto(f"{base_url}/")
    with page.expect_navigation():
        page.locator(f".portal-language-form button[value={code}]").click()
    assert page.locator("html").get_attribute("lang") == code


def grid_url(base_url, submission):
    return f"{base_url}/submissions/{submission.pk}/sections/III/"


def stored(submission):
    answer = Answer.objects.filter(submission=submission, question__key=GRID).first()
    return answer.value if answer else None


# How much room the widest option of a <select> lacks in it (<= 0: every label shows whole).
CUT_BY = """el => {
  const style = getComputedStyle(el);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const widest = Math.max(...[...el.options].map((o) => context.measureText(o.text).width));
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return widest - room;
}"""


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_every_status_label_shows_whole(jordan, live_server, page, language, screen):
    page.set_viewport_size({"width": WIDTHS[screen], "height": 900})
    log_in(page, live_server.url)
    use_language(page, live_server.url, language)
    page.goto(grid_url(live_server.url, jordan))
    selects = page.locator(f"#question-{GRID} select[data-field=status]")
    expect(selects).to_have_count(23)
    for index in (0, 22):
        assert selects.nth(index).evaluate(CUT_BY) <= 0.5
    # Nothing of the grid is cut off at the side: no scroll box, every field in view.
    wrap = page.locator(f"#question-{GRID} .answer-grid-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    if screen == "phone":
        status, note = (
            page.locator(f"#question-{GRID} [data-objective='1'] [data-field={name}]")
            for name in ("status", "note")
        )
        objective = page.locator(f"#question-{GRID} [data-objective='1'] th").bounding_box()
        # Stacked: the objective, then its status, then its note, each the grid's full width.
        assert objective["y"] < status.bounding_box()["y"] < note.bounding_box()["y"]
        assert status.bounding_box()["width"] > 0.8 * wrap.bounding_box()["width"]
        assert note.bounding_box()["width"] > 0.8 * wrap.bounding_box()["width"]


def test_a_note_grows_keeps_its_limit_and_saves_itself(jordan, live_server, page):
    log_in(page, live_server.url)
    page.goto(grid_url(live_server.url, jordan))
    note = page.get_by_label("Note on objective 5", exact=True)
    assert note.evaluate("el => el.tagName") == "TEXTAREA"
    empty_height = note.bounding_box()["height"]
    text = "\n".join(f"Line {n} of the note on pathways." for n in range(1, 7))
    note.fill(text)
    assert note.bounding_box()["height"] > 2 * empty_height
    page.get_by_label("Status of objective 5", exact=True).select_option("largely_achieved")
    state = page.locator(f"#question-{GRID} [data-save-state]")
    expect(state).to_have_text(re.compile(r"^Saved"), timeout=8000)
    assert stored(jordan)["5"] == {"status": "largely_achieved", "note": text}

    # Near the limit the note says how much is left, and takes no more than the limit.
    left = page.locator("#note-left-objectives-status-grid-5")
    expect(left).to_be_hidden()
    note.fill("x" * (OBJECTIVE_NOTE_MAX_LENGTH - 60))
    expect(left).to_have_text("Characters left: 60")
    note.press("End")
    page.keyboard.type("y" * 80)
    assert note.evaluate("el => el.value.length") == OBJECTIVE_NOTE_MAX_LENGTH
    expect(left).to_have_text("Characters left: 0")
    expect(state).to_have_text(re.compile(r"^Saved"), timeout=8000)
    assert len(stored(jordan)["5"]["note"]) == OBJECTIVE_NOTE_MAX_LENGTH

    page.reload()
    note = page.get_by_label("Note on objective 5", exact=True)
    assert note.input_value() == "x" * (OBJECTIVE_NOTE_MAX_LENGTH - 60) + "y" * 60


def test_a_note_grows_in_a_browser_that_cannot_size_fields_to_their_content(
    jordan, live_server, browser
):
    """Where CSS field-sizing is missing (Firefox, Safari), answering.js grows the note."""
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    context.add_init_script(
        "const supports = CSS.supports.bind(CSS);"
        "CSS.supports = (p, v) => (p === 'field-sizing' ? false : supports(p, v));"
    )
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(grid_url(live_server.url, jordan))
    page.add_style_tag(content="textarea { field-sizing: fixed !important; }")
    note = page.get_by_label("Note on objective 7", exact=True)
    empty_height = note.bounding_box()["height"]
    note.fill("\n".join(f"Line {n}" for n in range(1, 9)))
    assert note.bounding_box()["height"] > 2 * empty_height
    assert note.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    context.close()


def test_without_javascript_the_form_saves_a_note_of_several_lines(jordan, live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(grid_url(live_server.url, jordan))
    page.get_by_label("Note on objective 2", exact=True).fill("First line\nSecond line")
    page.get_by_label("Status of objective 2", exact=True).select_option("in_progress")
    page.locator("#answering-form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert stored(jordan)["2"] == {"status": "in_progress", "note": "First line\nSecond line"}
    expect(page.get_by_label("Note on objective 2", exact=True)).to_have_value(
        "First line\nSecond line"
    )
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_read_grid_stacks_on_a_phone(jordan, live_server, page, language):
    grid = Question.objects.get(version=jordan.cycle.version, key=GRID)
    services.answer_save(
        submission=jordan,
        question=grid,
        value={"1": {"status": "largely_achieved", "note": "A long note. " * 20}},
    )
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server.url)
    use_language(page, live_server.url, language)
    page.goto(f"{live_server.url}/submissions/{jordan.pk}/")
    table = page.locator(f"#question-{GRID} .portal-objectives-table")
    wrap = table.locator("xpath=..")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    first = table.locator("tbody tr").first
    title, status, note = (first.locator(s) for s in ("th", "td >> nth=1", "td >> nth=2"))
    assert title.bounding_box()["y"] < status.bounding_box()["y"] < note.bounding_box()["y"]
    assert note.bounding_box()["width"] > 0.7 * wrap.bounding_box()["width"]
