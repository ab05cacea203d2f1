"""A reviewer's way to the API, in a real browser: from the home page to "Your account" by the
menu, a token made and copied, then used by a script; the account page and the API's
documentation have no serious accessibility violation, in English and Arabic, at desktop and
phone width, under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .test_accessibility import axe_findings, switch_language

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"


@pytest.fixture
def demo(transactional_db):
    call_command("loaddemo", verbosity=0)


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def test_a_reviewer_makes_a_token_from_the_home_page_and_uses_it(demo, live_server, page):
    base = live_server.url
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, base, "escwa")
    page.get_by_role("button", name="Account of Nadia Haddad").click()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    page.get_by_label("What the token is for").fill("Regional dashboard")
    page.get_by_role("button", name="Create a token").click()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("gcm_")
    expect(page.get_by_role("cell", name="Regional dashboard", exact=True)).to_be_visible()

    public = page.request.get(f"{base}/api/v1/submissions")
    staff = page.request.get(
        f"{base}/api/v1/submissions", headers={"Authorization": f"Bearer {secret}"}
    )
    assert public.ok and staff.ok
    published = {item["status"] for item in public.json()["items"]}
    assert published == {"published"}
    assert "draft" in {item["status"] for item in staff.json()["items"]}
    assert staff.headers["cache-control"] == "private, no-cache"

    # Shown once: the page again lists the token by its first characters only.
    page.goto(f"{base}/accounts/profile/")
    expect(page.get_by_label("Your new token")).to_have_count(0)
    page.get_by_role("button", name="Revoke the token “Regional dashboard”").click()
    expect(page.get_by_text("it no longer opens anything")).to_be_visible()
    refused = page.request.get(
        f"{base}/api/v1/submissions", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_account_page_and_the_api_documentation_have_no_serious_violation(
    demo, live_server, browser
):
    base = live_server.url
    found = []
    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        context = browser.new_context(locale="en-GB", viewport=viewport)
        page = context.new_page()
        log_in(page, base, "jordan")
        for language in ("en", "ar"):
            if page.locator("html").get_attribute("lang") != language:
                switch_language(page, language)
            where = f"{viewport['width']} px [{language}]"
            page.goto(f"{base}/accounts/profile/")
            found += axe_findings(page, f"Your account, {where}")
            page.goto(f"{base}/api/v1/docs")
            found += axe_findings(page, f"API documentation, {where}")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()
    assert not found, "\n".join(found)
