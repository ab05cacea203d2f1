"""The staff pages that compare countries, and the public pages, in a real browser: sorting with
the keyboard, the matrix's country column staying in view while it scrolls sideways (both
directions of writing), and no serious accessibility violation (axe-core) in English or Arabic."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser]
BLOCKING = ("serious", "critical")


@pytest.fixture
def data(transactional_db):
    cycle = factories.cycle_with_countries(countries=12)
    reviewer = factories.ReviewerFactory(username="reviewer")
    return {"cycle": cycle, "reviewer": reviewer}


def log_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def switch_language(page, code):
    with page.expect_navigation():
        page.locator(f".portal-language-form button[value={code}]").click()
    assert page.locator("html").get_attribute("lang") == code


def test_columns_sort_from_the_keyboard(data, live_server, page):
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/cycles/{data['cycle'].slug}/")
    status = page.locator("th").filter(has=page.get_by_role("link", name=re.compile("^Status")))
    expect(status).not_to_have_attribute("aria-sort", re.compile("."))
    status.get_by_role("link").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(status).to_have_attribute("aria-sort", "ascending")
    first_badge = page.locator("tbody tr").first.locator(".status-badge")
    expect(first_badge).to_have_text("No submission yet")
    status.get_by_role("link").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(status).to_have_attribute("aria-sort", "descending")
    expect(first_badge).to_have_text("Published")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_matrix_scrolls_sideways_with_the_countries_in_view(data, live_server, page, language):
    base = live_server.url
    log_in(page, base)
    page.set_viewport_size({"width": 480, "height": 800})
    page.goto(f"{base}/cycles/{data['cycle'].slug}/objectives/")
    if language != "en":
        switch_language(page, language)
    # The page itself does not scroll sideways: only the matrix does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 480
    box = page.locator(".dash-matrix-scroll")
    country = page.locator(".dash-matrix tbody th.dash-sticky").first
    before = country.bounding_box()
    sign = -1 if language == "ar" else 1  # right-to-left boxes scroll towards negative offsets
    box.evaluate(f"el => {{ el.scrollLeft = {sign * 600}; }}")
    assert abs(box.evaluate("el => el.scrollLeft")) > 100
    after = country.bounding_box()
    assert abs(after["x"] - before["x"]) < 1


def axe_findings(page, name: str) -> list[str]:
    results = Axe().run(page)
    blocking = []
    for violation in results.response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        line = f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}"
        print(line)
        if violation["impact"] in BLOCKING:
            blocking.append(line)
    return blocking


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pages_have_no_serious_accessibility_violation(data, live_server, page, language):
    base = live_server.url
    slug = data["cycle"].slug
    published = data["cycle"].submissions.filter(status="published").first()
    log_in(page, base)
    page.goto(f"{base}/cycles/{slug}/")
    if language != "en":
        switch_language(page, language)
    blocking = []
    for path in [
        f"/cycles/{slug}/",
        f"/cycles/{slug}/?status=draft&sort=deadline&dir=desc",
        f"/cycles/{slug}/questions/committee/",
        f"/cycles/{slug}/questions/objectives/",
        f"/cycles/{slug}/objectives/",
        f"/cycles/{slug}/search/?q=ministry",
        "/public/",
        f"/public/{slug}/",
        f"/public/submissions/{published.pk}/",
    ]:
        page.goto(base + path)
        blocking += axe_findings(page, path)
    assert blocking == []
