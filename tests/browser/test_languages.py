"""Languages in a real browser: Jordan's focal point switches to Arabic, answers in a page laid
out right to left with the questionnaire's (unofficial) Arabic, and finds Arabic again when
logging in from another browser."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from questionnaire.models import Submission

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
QUESTION_AR = "هل أُنشئت آلية لتنسيق الاستعراض؟"


@pytest.fixture
def jordan(transactional_db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")


def log_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill("jordan")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_arabic_is_chosen_once_and_kept_from_browser_to_browser(jordan, live_server, browser):
    base = live_server.url
    first = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = first.new_page()
    log_in(page, base)
    assert page.locator("html").get_attribute("dir") == "ltr"
    with page.expect_navigation():
        page.locator(".portal-language-form button[value=ar]").click()

    page.goto(f"{base}/submissions/{jordan.pk}/sections/I/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    question = page.locator("#question-review-coordination-mechanism legend")
    expect(question).to_contain_text(QUESTION_AR)
    expect(page.locator(".portal-translation-notice")).to_be_visible()
    # The question reads from the right: its number (I.a) stands right of its text.
    label = question.locator(".portal-question-label").bounding_box()
    text = question.locator("span[dir=auto]").bounding_box()
    assert label["x"] > text["x"]
    first.close()
    assert User.objects.get(username="jordan").language == "ar"

    # Another browser, with nothing saved in it: Arabic straight after logging in.
    second = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = second.new_page()
    log_in(page, base)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    second.close()
