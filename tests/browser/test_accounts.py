"""Accounts in a real browser: ESCWA staff set up two-factor authentication at their first login,
a session that ends for lack of use loses no typed text, and no page breaks the
Content-Security-Policy.
"""

import base64
import datetime
import re
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import hotp
from playwright.sync_api import expect

from gcmreview import formatting
from questionnaire.models import Answer, Submission, SubmissionStatus

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
LEAD = "review-lead-entity"  # I b, unanswered in Jordan's demo draft


@pytest.fixture
def demo(transactional_db):
    call_command("loaddemo", verbosity=0)


def code_for(secret: str, *, ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` (base32, as the setup page prints it)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return str(hotp(key, int(time.time()) // 30 + ahead)).zfill(6)


def log_in(page, base_url, username, next_path="/"):
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


@pytest.mark.real_two_factor
def test_escwa_sets_up_two_factor_authentication_at_the_first_login(demo, live_server, page):
    log_in(page, live_server.url, "escwa")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    # Until it is set up, the menu offers nothing but the way out.
    expect(page.get_by_role("link", name="Review cycles")).to_have_count(0)

    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator(".two-factor-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("link", name="Review cycles")).to_be_visible()

    # The next login asks for a code (the next one: each code works once)...
    log_out(page)
    log_in(page, live_server.url, "escwa")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(code_for(secret, ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Review cycles")).to_be_visible()

    # ...and a backup code does instead, once.
    log_out(page)
    log_in(page, live_server.url, "escwa", next_path="/cycles/arab-2024/")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/cycles/arab-2024/")
    expect(page.get_by_text("You used a backup code: 9 left.")).to_be_visible()


def test_text_typed_after_an_idle_end_is_saved_after_logging_in(demo, live_server, page, settings):
    settings.SESSION_IDLE_TIMEOUT = 6
    settings.SESSION_WARNING_BEFORE = 4
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    section = f"{live_server.url}/submissions/{jordan.pk}/sections/I/"
    log_in(page, live_server.url, "jordan", next_path=section)
    page.wait_for_url(section)

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Are you still there?", timeout=8000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_visible()
    # Nobody answers: the session ends and the dialog says so.
    expect(dialog).to_contain_text("You have been signed out", timeout=10000)
    dialog.get_by_role("button", name="Close").click()

    page.locator(f"#question-{LEAD} .ql-editor").click()
    page.keyboard.type("Typed after the idle end.")
    banner = page.locator("#answering-banner")
    expect(banner).to_contain_text("Your session has ended", timeout=8000)
    assert not Answer.objects.filter(submission=jordan, question__key=LEAD).exists()

    settings.SESSION_IDLE_TIMEOUT = 1800  # the rest of the test takes its time
    banner.get_by_role("link", name="Log in again").click()
    expect(page.get_by_text("signed out because the portal was not used")).to_be_visible()
    page.get_by_label("Username").fill("jordan")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(section)
    expect(page.locator("#answering-banner")).to_contain_text(
        "Saved the answers you typed before your session ended", timeout=8000
    )
    answer = Answer.objects.get(submission=jordan, question__key=LEAD)
    assert answer.value == "<p>Typed after the idle end.</p>"


def test_staying_signed_in_keeps_the_session(demo, live_server, page, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_WARNING_BEFORE = 6
    started = timezone.now()
    log_in(page, live_server.url, "jordan")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Are you still there?", timeout=8000)
    # The time is the server's (its clock and time zone), written as the pages write times.
    expect(dialog).to_contain_text(re.compile(r"you will be signed out at \d\d:\d\d\."))
    shown = re.search(r"signed out at (\d\d:\d\d)", dialog.text_content()).group(1)
    assert shown in {
        formatting.time_text(started + datetime.timedelta(seconds=seconds)) for seconds in range(40)
    }
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # The keep-alive restarted the clock: the session outlives its first 8 seconds.
    page.wait_for_timeout(4000)
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


# --- Content-Security-Policy ---------------------------------------------------------------------


def csp_violations(page, paths, base_url):
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    return seen


def test_the_main_pages_break_no_rule_of_the_content_security_policy(demo, live_server, browser):
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    morocco = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    published = Submission.objects.filter(status=SubmissionStatus.PUBLISHED).first()
    pages = {
        None: ["/accounts/login/", "/accounts/password/reset/", "/public/"]
        + ([f"/public/submissions/{published.pk}/"] if published else []),
        "jordan": [
            "/",
            f"/submissions/{jordan.pk}/",
            f"/submissions/{jordan.pk}/sections/I/",  # the editor (Quill)
            f"/submissions/{jordan.pk}/check/",
            "/accounts/two-factor/",
            "/accounts/password/",
        ],
        "escwa": [
            "/",
            "/cycles/arab-2024/",
            f"/submissions/{morocco.pk}/",
        ],
        "admin": [
            "/admin/",
            "/admin/questionnaire/questionnaireversion/",
            "/admin/accounts/user/",
            "/admin/accounts/user/add/",
            "/admin/axes/accessattempt/",
        ],
    }
    violations = {}
    for user, paths in pages.items():
        context = browser.new_context(locale="en-GB")
        context.set_default_timeout(10_000)
        page = context.new_page()
        if user:
            log_in(page, live_server.url, user)
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
        found = csp_violations(page, paths, live_server.url)
        if found:
            violations[user] = found
        context.close()
    assert violations == {}


def test_the_editor_still_formats_under_the_policy(demo, live_server, page):
    """Quill styles through the DOM (allowed), never through inline style attributes."""
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    log_in(page, live_server.url, "jordan", next_path=f"/submissions/{jordan.pk}/sections/I/")
    editor = page.locator(f"#question-{LEAD} .ql-editor")
    editor.click()
    page.locator(f"#question-{LEAD} button.ql-bold").click()
    page.keyboard.type("Bold words")
    expect(editor.locator("strong")).to_have_text("Bold words")
    expect(page.locator(f"#question-{LEAD} [data-save-state]")).to_have_text(
        re.compile("^Saved"), timeout=8000
    )
