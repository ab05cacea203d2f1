"""Answering in a real browser: autosave, conflicts, an expired session, submitting.

Each test runs against the demo data (Jordan's 2024 draft) on a live server, in Debian's Chromium.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questionnaire import selectors, services
from questionnaire.models import (
    Answer,
    CountryRole,
    Question,
    QuestionType,
    Submission,
    SubmissionStatus,
)
from tests import factories

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
LEAD = "review-lead-entity"  # I b, unanswered in Jordan's demo draft
# "Saved Dec. 6, 2026 14:02": as the page itself writes the date and time, not the browser.
SAVED = re.compile(r"^Saved [A-Z][a-z]+\.? \d{1,2}, \d{4} \d\d:\d\d$")


@pytest.fixture
def jordan(transactional_db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")


def log_in(page, base_url, username, password=PASSWORD, next_path="/"):
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()


def section_url(base_url, submission, number="I"):
    return f"{base_url}/submissions/{submission.pk}/sections/{number}/"


def editor(page, key):
    return page.locator(f"#question-{key} .ql-editor")


def state(page, key):
    return page.locator(f"#question-{key} [data-save-state]")


def stored(submission, key):
    answer = Answer.objects.filter(submission=submission, question__key=key).first()
    return answer.value if answer else None


def test_an_answer_saves_itself_and_is_there_after_reload(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    box = editor(page, LEAD)
    box.click()
    page.keyboard.type("The Ministry of Interior leads the review.")
    page.keyboard.press("Enter")
    page.locator(f"#question-{LEAD} button.ql-list[value=bullet]").click()
    page.keyboard.type("Department of Statistics")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+]")
    page.keyboard.type("Labour surveys")
    expect(state(page, LEAD)).to_have_text(SAVED, timeout=8000)

    assert stored(jordan, LEAD) == (
        "<p>The Ministry of Interior leads the review.</p>"
        "<ul><li>Department of Statistics<ul><li>Labour surveys</li></ul></li></ul>"
    )
    page.reload()
    expect(editor(page, LEAD)).to_contain_text("Labour surveys")
    nested = editor(page, LEAD).locator("li.ql-indent-1")
    expect(nested).to_have_text("Labour surveys")
    # The section list counts the new answer.
    expect(page.locator("[data-section=I] [data-progress-text]")).to_contain_text("4 of 8")


def test_leaving_the_field_saves_at_once_and_html_stays_text(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    editor(page, LEAD).click()
    page.keyboard.type("<script>alert('x')</script> & <b>not bold</b>")
    page.keyboard.press("Tab")  # no keyboard trap: Tab leaves the editor
    assert page.evaluate("document.activeElement.closest('.ql-editor') === null")
    expect(state(page, LEAD)).to_have_text(re.compile("^Saved"), timeout=5000)
    assert stored(jordan, LEAD) == (
        "<p>&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;</p>"
    )


def test_two_people_on_the_same_answer_never_overwrite_each_other(jordan, live_server, browser):
    colleague = factories.MembershipFactory(
        country=jordan.country, role=CountryRole.CONTRIBUTOR, user__username="colleague"
    ).user
    colleague.set_password(PASSWORD)
    colleague.save()
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    for page, user in ((first, "jordan"), (second, "colleague")):
        log_in(page, live_server.url, user)
        page.goto(section_url(live_server.url, jordan))

    editor(first, LEAD).click()
    first.keyboard.type("Ministry of Interior.")
    expect(state(first, LEAD)).to_have_text(re.compile("^Saved"), timeout=8000)

    # The colleague's page still holds revision 0: their save must be refused, not applied.
    editor(second, LEAD).click()
    second.keyboard.type("Ministry of Labour.")
    conflict = second.locator(f"#question-{LEAD} .answer-conflict-live")
    expect(conflict).to_be_visible(timeout=8000)
    expect(conflict.locator("[data-theirs]")).to_contain_text("Ministry of Interior.")
    expect(conflict.locator("[data-mine]")).to_contain_text("Ministry of Labour.")
    assert stored(jordan, LEAD) == "<p>Ministry of Interior.</p>"

    conflict.get_by_role("button", name="Merge by hand").click()
    merged = editor(second, LEAD)
    expect(merged).to_contain_text("Ministry of Interior.")
    expect(merged).to_contain_text("Ministry of Labour.")
    second.keyboard.type(" Both.")
    expect(state(second, LEAD)).to_have_text(re.compile("^Saved"), timeout=8000)
    value = stored(jordan, LEAD)
    assert "Ministry of Interior." in value and "Ministry of Labour." in value

    # Now the first page is stale; it keeps its own text and takes theirs only when asked.
    editor(first, LEAD).click()
    first.keyboard.type(" Updated.")
    conflict = first.locator(f"#question-{LEAD} .answer-conflict-live")
    expect(conflict).to_be_visible(timeout=8000)
    conflict.get_by_role("button", name="Take theirs").click()
    expect(editor(first, LEAD)).to_contain_text("Both.")
    assert stored(jordan, LEAD) == value
    for page in (first, second):
        page.context.close()


def test_text_typed_after_the_session_expired_is_saved_after_logging_in(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    # The session ends on the server while the page stays open.
    page.context.clear_cookies(name="sessionid")
    editor(page, LEAD).click()
    page.keyboard.type("Typed after the session ended.")
    banner = page.locator("#answering-banner")
    expect(banner).to_contain_text("Your session has ended", timeout=8000)
    assert stored(jordan, LEAD) is None

    banner.get_by_role("link", name="Log in again").click()
    page.get_by_label("Username").fill("jordan")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(section_url(live_server.url, jordan))
    expect(page.locator("#answering-banner")).to_contain_text(
        "Saved the answers you typed before your session ended", timeout=8000
    )
    assert stored(jordan, LEAD) == "<p>Typed after the session ended.</p>"
    expect(editor(page, LEAD)).to_contain_text("Typed after the session ended.")


def test_without_javascript_the_save_button_does_the_job(jordan, live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    page.locator(f"#question-{LEAD} textarea").fill(
        "- Ministry of Interior\n  - Its statistics unit"
    )
    # The page without JavaScript keeps its Save buttons; the autosave's help and status do not
    # show, nor does the way on that replaces the buttons.
    expect(page.get_by_role("button", name="Save and go to the next section")).to_be_visible()
    expect(page.get_by_text("Your answers are saved as you type.")).to_be_hidden()
    expect(page.locator("[data-save-summary]")).to_be_hidden()
    expect(page.get_by_role("link", name="Next section")).to_have_class("btn btn-link")
    page.get_by_role("button", name="Save this section").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")
    assert stored(jordan, LEAD) == (
        "<ul><li>Ministry of Interior<ul><li>Its statistics unit</li></ul></li></ul>"
    )
    context.close()


def test_submitting_is_blocked_until_required_answers_are_given(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(f"{live_server.url}/submissions/{jordan.pk}/check/")
    missing = page.get_by_role("alert").get_by_role("link")
    expect(missing.first).to_be_visible()
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()

    # Answer every missing required question but one through the service, the last in the page.
    required = selectors.submission_missing_required(submission=jordan)
    for question in required[1:]:
        services.answer_save(submission=jordan, question=question, value="<p>Answer.</p>")
    page.reload()
    expect(missing).to_have_count(1)
    missing.first.click()
    last = required[0]
    editor(page, last.key).click()
    page.keyboard.type("The last required answer.")
    expect(state(page, last.key)).to_have_text(re.compile("^Saved"), timeout=8000)

    page.goto(f"{live_server.url}/submissions/{jordan.pk}/check/")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted")
    jordan.refresh_from_db()
    assert jordan.status == SubmissionStatus.SUBMITTED
    # Read-only from now on: the section page has no editor.
    page.goto(section_url(live_server.url, jordan))
    expect(page.locator(".ql-editor")).to_have_count(0)
    assert Question.objects.filter(version=jordan.cycle.version).exists()


def test_with_autosave_the_page_offers_one_way_on_and_says_what_is_saved(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    summary = page.locator("[data-save-summary]")
    expect(summary).to_have_text("All answers on this page are saved.")
    # No Save buttons: answers save themselves, and the page says so once, at the top.
    expect(page.get_by_role("button", name="Save this section")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and go to the next section")).to_have_count(0)
    expect(page.get_by_text("Your answers are saved as you type.")).to_be_visible()
    # The keys are there for those who look for them, and in the toolbar's tooltips.
    keys = page.locator("[data-editor-keys]")
    expect(keys.get_by_text("Ctrl+] moves an item one level in")).to_be_hidden()
    keys.get_by_text("Keyboard shortcuts").click()
    expect(keys.get_by_text("Ctrl+] moves an item one level in")).to_be_visible()
    indent = page.locator(f"#question-{LEAD} button.ql-indent[value='+1']")
    expect(indent).to_have_attribute("title", "Increase indent (Ctrl+])")
    expect(indent).to_have_attribute("aria-label", "Increase indent")
    expect(indent).to_have_attribute("aria-keyshortcuts", "Control+] Meta+]")

    # One way on, which saves what is not saved yet before leaving.
    next_section = page.get_by_role("link", name="Next section")
    expect(next_section).to_have_class(re.compile(r"\bbtn-primary\b"))
    editor(page, LEAD).click()
    page.keyboard.type("Typed just before moving on.")
    expect(summary).not_to_have_text("All answers on this page are saved.")
    next_section.click()
    page.wait_for_url(section_url(live_server.url, jordan, "II"))
    assert stored(jordan, LEAD) == "<p>Typed just before moving on.</p>"

    # The last section's way on is the check before submitting.
    page.goto(section_url(live_server.url, jordan, "V"))
    expect(page.get_by_role("link", name="Next section")).to_have_count(0)
    check = page.locator("main form").get_by_role("link", name="Check and submit")
    expect(check).to_have_class(re.compile(r"\bbtn-primary\b"))
    check.click()
    page.wait_for_url(f"{live_server.url}/submissions/{jordan.pk}/check/")


@pytest.fixture
def numbers(jordan):
    """Jordan's draft with a number question added to section I (a copy of the demo's version,
    published, for a cycle of its own)."""
    version = services.questionnaire_version_create_draft(source=jordan.cycle.version)
    section = version.sections.get(number="I")
    factories.QuestionFactory(
        section=section, key="staff-count", label="z", type=QuestionType.NUMBER, order=99,
        text="How many people worked on the review?", required=False,
    )  # fmt: skip
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version, slug="numbers")
    cycle.countries.add(jordan.country)
    return services.submission_create(cycle=cycle, country=jordan.country)


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("en", "1250000.5", "1,250,000.5"),
        ("fr", "1250000,5", "1\u00a0250\u00a0000,5"),
        ("ar", "١٬٢٥٠٬٠٠٠٫٥", "1,250,000.5"),
    ],
)
def test_a_number_is_read_in_the_page_s_language_and_shown_back_its_way(
    numbers, live_server, page, language, typed, shown
):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, numbers))
    if language != "en":
        page.locator(f"form[action*=setlang] button[value={language}]").first.click()
        page.wait_for_url(section_url(live_server.url, numbers))
    field = page.locator("#field-staff-count")
    field.fill(typed)
    field.press("Tab")  # leaving the field saves it at once
    expect(field).to_have_value(shown, timeout=8000)
    assert stored(numbers, "staff-count") == "1250000.5"
    page.reload()
    expect(field).to_have_value(shown)
