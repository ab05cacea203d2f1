"""What changed since the previous cycle, in a real browser (issue 18, part 2): ESCWA's way
there by clicks, and both pages' accessibility in English and Arabic, on a laptop and a phone.
The demo's invented Morocco 2024 review is compared with its 2020 one."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questionnaire.models import Submission
from tests.browser.test_accessibility import axe_findings, log_in, switch_language

pytestmark = [pytest.mark.browser]
REGION = "/cycles/arab-2024/changes/"
MOROCCO = "/cycles/arab-2024/changes/MA/"


@pytest.fixture
def demo(transactional_db):
    call_command("loaddemo", verbosity=0)


def test_escwa_goes_from_the_home_page_to_what_changed_in_morocco(demo, live_server, page):
    base = live_server.url
    log_in(page, base, "escwa")
    card = page.get_by_role("region", name=re.compile("Second regional review"))
    card.get_by_role("link", name="Dashboard of all countries").click()
    expect(page).to_have_url(f"{base}/cycles/arab-2024/")
    page.get_by_role("navigation", name="Views of this cycle").get_by_role(
        "link", name="What changed"
    ).click()
    expect(page).to_have_url(f"{base}{REGION}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed since First")
    page.get_by_role("table").first.get_by_role("link", name="Morocco").click()
    expect(page).to_have_url(f"{base}{MOROCCO}")
    changed = page.locator("#q-policy-institutional-reforms")
    expect(changed.locator("ins")).to_contain_text("A national committee now follows")
    expect(page.locator("#q-review-coordination-mechanism")).to_contain_text(
        "the question changed type"
    )
    # Unchanged answers are collapsed; the keyboard opens them.
    summary = page.locator("details.cmp-unchanged > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.cmp-unchanged").first).to_have_attribute("open", "")


@pytest.mark.parametrize("width", [1280, 390])
def test_both_pages_have_no_serious_violation(demo, live_server, browser, width):
    base = live_server.url
    found = []
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, base, "escwa")
    for language in ("en", "ar"):
        if language != "en":
            switch_language(page, language)
        for path in (REGION, MOROCCO):
            page.goto(f"{base}{path}")
            found += axe_findings(page, f"{path} [{language}, {width} px]")
            # Nothing makes the page scroll sideways: the side-by-side answers stack on phones.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    context.close()
    assert not found, "\n".join(found)


def test_moroccos_focal_point_reaches_its_own_comparison(demo, live_server, page):
    base = live_server.url
    log_in(page, base, "morocco")
    submission = Submission.objects.get(cycle__slug="arab-2024", country__iso2="MA")
    page.goto(f"{base}/submissions/{submission.pk}/")
    page.get_by_role("link", name=re.compile("What changed since")).click()
    expect(page).to_have_url(f"{base}{MOROCCO}")
    found = axe_findings(page, "Morocco's own comparison")
    assert not found, "\n".join(found)
