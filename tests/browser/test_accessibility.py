"""Accessibility of the answering pages, in a real browser.

- axe-core (axe-playwright-python) finds no serious or critical violation on the pages a country's
  team uses to answer, in English and in Arabic, nor on the conflict panel and the session banner;
  lesser findings are printed for whoever reads the test output.
- The whole questionnaire can be answered with the keyboard alone: every question type, from the
  top of the page, with Tab, Shift+Tab, Space, the arrow keys and typing, and each answer is saved.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from questionnaire import services
from questionnaire.models import Answer, Question, Submission
from tests import factories

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
BLOCKING = ("serious", "critical")
# "Saved Dec. 6, 2026 14:02": the date and time as every page writes them (gcmreview.formatting).
SAVED = re.compile(r"^Saved [A-Z][a-z]+\.? \d{1,2}, \d{4} \d\d:\d\d$")


@pytest.fixture
def demo(transactional_db):
    """The demo, and one question of every type in a section of its own, for Jordan's team."""
    call_command("loaddemo", verbosity=0)
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    user = User.objects.get(username="jordan")
    version = factories.every_type_version(sections=1, prefix="t")
    answered = factories.every_type_submission(country=jordan.country, version=version, user=user)
    blank = factories.every_type_submission(country=jordan.country, version=version, answered=False)
    return {"jordan": jordan, "answered": answered, "blank": blank, "user": user}


def log_in(page, base_url, username="jordan"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def switch_language(page, code):
    with page.expect_navigation():
        page.locator(f".portal-language-form button[value={code}]").click()
    assert page.locator("html").get_attribute("lang") == code


def section_url(base_url, submission, number):
    return f"{base_url}/submissions/{submission.pk}/sections/{number}/"


def axe_findings(page, name: str) -> list[str]:
    """Run axe on the page as it is; print every violation, return the serious and critical."""
    results = Axe().run(page)
    blocking = []
    for violation in results.response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        line = (
            f"{name}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} "
            f"nodes) {violation['help']} — {targets}"
        )
        print(line)
        if violation["impact"] in BLOCKING:
            blocking.append(line)
    return blocking


def wait_for_editors(page):
    page.locator(".ql-editor").first.wait_for()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_answering_pages_have_no_serious_violation(demo, live_server, page, language):
    base = live_server.url
    jordan, answered = demo["jordan"], demo["answered"]
    log_in(page, base)
    if language != "en":
        switch_language(page, language)
    found = []

    page.goto(f"{base}/")
    found += axe_findings(page, f"home [{language}]")
    for number in ("I", "III"):
        page.goto(section_url(base, jordan, number))
        wait_for_editors(page)
        found += axe_findings(page, f"demo section {number} [{language}]")
    page.goto(section_url(base, answered, "S1"))
    wait_for_editors(page)
    found += axe_findings(page, f"every question type [{language}]")
    # The grid and the entries fit the column: nothing makes the page scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # A list item's text leaves room for its bullet on the side the line starts from, which is
    # the text's own direction (the editor has dir="auto": English answers on an Arabic page run
    # left to right); Quill's own styles put it on the left whatever the direction.
    gap = page.locator("#question-t-1-0 .ql-editor li").first.evaluate(
        """li => {
            const item = li.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(li.lastChild);
            const text = range.getBoundingClientRect();
            return {start: text.left - item.left, end: item.right - text.right,
                    rtl: getComputedStyle(li).direction === "rtl"};
        }"""
    )
    room = gap["end"] if gap["rtl"] else gap["start"]
    assert 16 <= room <= 48, gap
    page.goto(f"{base}/submissions/{answered.pk}/check/")
    found += axe_findings(page, f"check and submit [{language}]")
    page.goto(f"{base}/submissions/{answered.pk}/answers/t-1-0/history/")
    found += axe_findings(page, f"history [{language}]")
    page.goto(f"{base}/submissions/{answered.pk}/")
    found += axe_findings(page, f"read-only submission [{language}]")
    assert not found, "\n".join(found)


def test_read_only_and_phone_layouts_have_no_serious_violation(demo, live_server, browser):
    base = live_server.url
    found = []
    # ESCWA reads a country's section without editing it.
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    log_in(page, base, "escwa")
    page.goto(section_url(base, demo["answered"], "S1"))
    found += axe_findings(page, "read-only section (ESCWA)")
    context.close()
    # A phone: the grid and the entries are laid out as cards.
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, base)
    for language in ("en", "ar"):
        if language != "en":
            switch_language(page, language)
        page.goto(section_url(base, demo["answered"], "S1"))
        wait_for_editors(page)
        found += axe_findings(page, f"every question type, 390 px [{language}]")
        # Nothing makes the page scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{base}/submissions/{demo['answered'].pk}/")
        found += axe_findings(page, f"read-only submission, 390 px [{language}]")
    context.close()
    assert not found, "\n".join(found)


def test_the_conflict_panel_and_the_banner_have_no_serious_violation(demo, live_server, page):
    base = live_server.url
    answered = demo["answered"]
    log_in(page, base)
    page.goto(section_url(base, answered, "S1"))
    wait_for_editors(page)

    # A colleague saves the short answer while this page still holds the old revision.
    question = Question.objects.get(version=answered.cycle.version, key="t-1-1")
    services.answer_save(
        submission=answered, question=question, value="Ministry of Interior", user=demo["user"]
    )
    field = page.locator("#field-t-1-1")
    field.focus()
    page.keyboard.press("End")
    page.keyboard.type(" and Labour")
    panel = page.locator("#question-t-1-1 .answer-conflict-live")
    expect(panel).to_be_visible(timeout=8000)
    expect(panel).to_have_attribute("role", "alert")
    # Typing on is not interrupted: the focus stays in the field.
    assert page.evaluate("document.activeElement.id") == "field-t-1-1"
    found = axe_findings(page, "conflict panel")

    # The same on the grid: both versions are shown with the scale's words, not stored codes.
    grid = Question.objects.get(version=answered.cycle.version, key="t-1-8")
    services.answer_save(
        submission=answered,
        question=grid,
        value={"4": {"status": "in_progress", "note": "Birth registry"}},
        user=demo["user"],
    )
    page.get_by_label("Status of objective 2", exact=True).focus()
    page.keyboard.type("Not")  # "Not started"
    panel = page.locator("#question-t-1-8 .answer-conflict-live")
    expect(panel).to_be_visible(timeout=8000)
    expect(panel.locator("[data-mine]")).to_contain_text("2. Not started")
    expect(panel.locator("[data-mine]")).to_contain_text("4. Planned — Birth registry")
    expect(panel.locator("[data-theirs]")).to_contain_text("In progress")
    assert "{" not in panel.locator("[data-mine]").inner_text()
    found += axe_findings(page, "conflict panel on the grid")

    # The session ends; the next save shows the banner and a link in the question itself.
    page.context.clear_cookies(name="sessionid")
    page.locator("#field-t-1-6").focus()
    page.keyboard.press("ArrowUp")
    banner = page.locator("#answering-banner")
    expect(banner).to_contain_text("Your session has ended", timeout=8000)
    expect(banner).to_have_attribute("role", "alert")
    expect(page.locator("#question-t-1-6 [data-save-state]").get_by_role("link")).to_have_text(
        "Log in again"
    )
    found += axe_findings(page, "session banner")
    assert not found, "\n".join(found)


# --- The keyboard alone ------------------------------------------------------------------------


def focused(page) -> dict:
    """What has the focus: its question's key, and enough to recognise the field."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const block = el.closest("fieldset.answer-block");
            return {
                key: block ? block.dataset.key : null,
                tag: el.tagName.toLowerCase(),
                type: el.type || null,
                name: el.getAttribute("name"),
                value: el.value === undefined ? null : el.value,
                editor: Boolean(el.closest(".ql-editor")),
                toolbar: Boolean(el.closest("[role=toolbar]")),
                label: el.getAttribute("aria-label"),
            };
        }"""
    )


def tab_until(page, check, *, key="Tab", limit=80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element passes `check`; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if check(now):
            return now
    raise AssertionError(f"{key} never reached the element; last focus: {focused(page)}")


def stored(submission, key):
    answer = Answer.objects.filter(submission=submission, question__key=key).first()
    return answer.value if answer else None


def test_every_question_type_can_be_answered_with_the_keyboard_alone(demo, live_server, page):
    blank = demo["blank"]
    log_in(page, live_server.url)
    page.goto(section_url(live_server.url, blank, "S1"))
    wait_for_editors(page)
    assert focused(page)["tag"] == "body"  # the top of the page

    # Long text: the toolbar is one Tab stop, then the editor.
    now = tab_until(page, lambda f: f["key"] == "t-1-0")
    assert now["toolbar"] and now["label"] == "Bold"
    page.keyboard.press("Tab")
    assert focused(page)["editor"]
    page.keyboard.type("A national committee.")
    page.keyboard.press("Enter")
    # Back to the toolbar, along it with the arrow keys, and a bulleted list with Enter.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["label"] == "Bold"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page)["label"] == "Bulleted list"
    page.keyboard.press("Enter")
    assert focused(page)["editor"]  # the list starts where the caret was
    page.keyboard.type("Interior")
    bullets = page.locator("#question-t-1-0 [role=toolbar] button[value=bullet]")
    expect(bullets).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+]")
    page.keyboard.type("Its statistics unit")
    # Tab leaves the editor (no keyboard trap) for the next question; Shift+Tab comes back.
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "q-t-1-1"
    page.keyboard.press("Shift+Tab")
    assert focused(page)["editor"]
    page.keyboard.press("Tab")

    # Short text.
    page.keyboard.type("Ministry of Labour")

    # Single choice: the group is one Tab stop; the arrow keys choose.
    now = tab_until(page, lambda f: f["key"] == "t-1-2")
    assert now["type"] == "radio" and now["value"] == ""  # "No answer", checked at first
    page.keyboard.press("ArrowDown")  # wraps round to the first choice
    page.keyboard.press("ArrowDown")
    assert focused(page)["value"] == "strategy"

    # Multiple choice: Space ticks a box.
    now = tab_until(page, lambda f: f["key"] == "t-1-3")
    assert now["value"] == "law"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["value"] == "plan"
    page.keyboard.press("Space")

    # Yes / no: Space chooses "Yes"; the explanation editor is reached past its toolbar.
    now = tab_until(page, lambda f: f["key"] == "t-1-4")
    assert now["type"] == "radio" and now["value"] == "yes"
    page.keyboard.press("Space")
    tab_until(page, lambda f: f["editor"], limit=3)
    page.keyboard.type("Through the national observatory.")

    # Number, then date: typed part by part, in the order of the browser's language, so a date
    # whose day and month are the same, as either order puts them.
    tab_until(page, lambda f: f["name"] == "q-t-1-5", limit=3)
    page.keyboard.type("1250.5")
    tab_until(page, lambda f: f["name"] == "q-t-1-6")
    page.keyboard.type("05052024")
    assert focused(page)["value"] == "2024-05-05"

    # List of entries: fill the first row, then add a row with the button and fill it.
    now = tab_until(page, lambda f: f["key"] == "t-1-7")
    assert now["label"] == "Entity, row 1"
    page.keyboard.type("IOM")
    page.keyboard.press("Tab")
    page.keyboard.type("Technical adviser")
    tab_until(page, lambda f: f["tag"] == "button" and f["key"] == "t-1-7")
    page.keyboard.press("Enter")  # "Add a row": the focus moves into the new row
    now = focused(page)
    assert now["label"] == "Entity, row 3", now
    page.keyboard.type("UNHCR")
    page.keyboard.press("Tab")
    assert focused(page)["label"] == "Role in the review, row 3"
    page.keyboard.type("Protection")

    # Objectives grid: a status chosen from the list by typing its first letters, and a note.
    now = tab_until(page, lambda f: f["key"] == "t-1-8")
    assert now["tag"] == "select" and now["label"] == "Status of objective 1"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["label"] == "Status of objective 2"
    page.keyboard.type("Pl")
    assert focused(page)["value"] == "planned"
    page.keyboard.press("Tab")
    page.keyboard.type("Labour migration strategy")
    # Leave the grid by its last field: Shift+Tab back out of it is as good as Tab.
    tab_until(page, lambda f: f["key"] != "t-1-8", key="Shift+Tab", limit=10)

    # Every answer saved itself, and said so in its live region.
    for key in [f"t-1-{i}" for i in range(9)]:
        state = page.locator(f"#question-{key} [data-save-state]")
        expect(state).to_have_attribute("aria-live", "polite")
        expect(state).to_have_text(SAVED, timeout=8000)
    assert stored(blank, "t-1-0") == (
        "<p>A national committee.</p>"
        "<ul><li>Interior<ul><li>Its statistics unit</li></ul></li></ul>"
    )
    assert stored(blank, "t-1-1") == "Ministry of Labour"
    assert stored(blank, "t-1-2") == "strategy"
    assert stored(blank, "t-1-3") == ["law", "plan"]
    assert stored(blank, "t-1-4") == {
        "answer": "yes",
        "explanation": "<p>Through the national observatory.</p>",
    }
    assert stored(blank, "t-1-5") == "1250.5"
    assert stored(blank, "t-1-6") == "2024-05-05"
    assert stored(blank, "t-1-7") == [
        {"entity": "IOM", "role": "Technical adviser"},
        {"entity": "UNHCR", "role": "Protection"},
    ]
    assert stored(blank, "t-1-8") == {
        "2": {"status": "planned", "note": "Labour migration strategy"}
    }


def test_the_word_import_pages_have_no_serious_violation(demo, live_server, browser):
    """The upload page and a preview of every question type (each with its diff, both answers in
    full opened, its checkbox), at desktop and phone width, in English and Arabic."""
    import io

    from questionnaire import services
    from questionnaire.word import writer

    data = writer.submission_docx(submission=demo["answered"], language="en")
    document_import = services.document_import_read(
        submission=demo["blank"], file=io.BytesIO(data), name="answers.docx", user=demo["user"]
    )
    base = live_server.url
    preview = f"{base}/submissions/{demo['blank'].pk}/import/{document_import.pk}/"
    found = []
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(locale="en-GB", viewport=viewport)
        page = context.new_page()
        log_in(page, base)
        for language in ("en", "ar"):
            if page.locator("html").get_attribute("lang") != language:
                switch_language(page, language)  # (the person's language is remembered)
            where = f"{viewport['width']} px [{language}]"
            page.goto(f"{base}/submissions/{demo['blank'].pk}/import/")
            found += axe_findings(page, f"Word import, {where}")
            page.goto(preview)
            expect(page.locator(".portal-import .card")).to_have_count(9)
            for summary in page.locator(".portal-import details summary").all():
                summary.click()
            found += axe_findings(page, f"Word import preview, {where}")
            # An English line of a diff reads left to right on an Arabic page: the hidden
            # "added:" label, in the page's language, does not decide its direction.
            line = page.locator(".portal-diff-line").first
            assert line.evaluate("e => getComputedStyle(e).direction") == "ltr"
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()
    assert not found, "\n".join(found)


def test_the_charts_page_has_no_serious_violation(demo, live_server, browser):
    """A cycle's charts (questionnaire/charts) at 1280 and 390 px, in English and Arabic: no
    serious violation, the page itself never scrolls sideways on a phone (each chart scrolls in
    its own focusable region), and every chart's data table opens from the keyboard."""
    cycle = factories.cycle_with_countries(countries=6)
    base = live_server.url
    found = []
    for width in (1280, 390):
        context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in(page, base, "escwa")
        for language in ("en", "ar"):
            page.goto(f"{base}/cycles/{cycle.slug}/charts/")
            if page.locator("html").get_attribute("lang") != language:
                switch_language(page, language)  # the choice is kept as the person's language
            assert page.locator("svg.chart-svg").count() == 4
            found += axe_findings(page, f"charts, {width} px [{language}]")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            summary = page.locator("#chart-objectives summary")
            summary.focus()
            page.keyboard.press("Enter")
            expect(page.locator("#chart-objectives .chart-table")).to_be_visible()
        context.close()
    assert not found, "\n".join(found)
