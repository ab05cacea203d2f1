"""The regional report's chapters in a real browser: no serious accessibility violation (axe-core)
on the chapters, editor and history pages at 1280 and 390 px in English and Arabic, the editor's
direction following the text's language, and a staff member's journey from the home page to a
compilation that names the version of the introduction it printed."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from reports import selectors, services
from reports.models import ChapterRevision, ChapterStatus
from tests import factories

pytestmark = [pytest.mark.browser]
BLOCKING = ("serious", "critical")
ARABIC = "تقرأ الإسكوا الاستعراضات الوطنية معا"


@pytest.fixture
def data(transactional_db):
    factories.gcm_objectives()
    cycle = factories.cycle_with_countries(countries=3)
    reviewer = factories.ReviewerFactory(
        username="reviewer", first_name="Nadia", last_name="Haddad"
    )
    place = selectors.chapter_slot_get(user=reviewer, cycle=cycle, key="introduction")
    for number, text in enumerate(("<p>First draft.</p>", "<p>Second draft.</p>")):
        revision = services.chapter_save(
            slot=place, language="en", body=text, user=reviewer, base_number=number
        )
    services.chapter_mark_final(revision=revision, user=reviewer)
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


def findings(page, name):
    blocking = []
    for violation in Axe().run(page).response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        line = f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}"
        print(line)
        if violation["impact"] in BLOCKING:
            blocking.append(line)
    return blocking


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_chapters_pages_have_no_serious_violation(data, live_server, browser, language):
    base, slug = live_server.url, data["cycle"].slug
    found = []
    for width in (1280, 390):
        context = browser.new_context(
            locale="en-GB", viewport={"width": width, "height": 900}, reduced_motion="reduce"
        )
        page = context.new_page()
        log_in(page, base)
        if page.locator("html").get_attribute("lang") != language:
            switch_language(page, language)
        for name, path in (
            ("chapters", f"/cycles/{slug}/report/"),
            ("editor (Arabic text)", f"/cycles/{slug}/report/introduction/ar/"),
            ("editor (English text)", f"/cycles/{slug}/report/introduction/en/"),
            ("history", f"/cycles/{slug}/report/introduction/en/history/"),
        ):
            page.goto(base + path)
            if "editor" in name:
                page.locator(".ql-editor").wait_for()
            found += findings(page, f"{name}, {width} px [{language}]")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        context.close()
    assert not found, "\n".join(found)


def test_the_editor_takes_the_direction_of_the_text_not_the_page(data, live_server, page):
    base, slug = live_server.url, data["cycle"].slug
    log_in(page, base)
    page.goto(f"{base}/cycles/{slug}/report/introduction/ar/")
    editor = page.locator(".ql-editor")
    expect(editor).to_have_attribute("dir", "rtl")
    expect(editor).to_have_attribute("lang", "ar")
    page.goto(f"{base}/cycles/{slug}/report/introduction/en/")
    switch_language(page, "ar")
    expect(page.locator(".ql-editor")).to_have_attribute("dir", "ltr")
    expect(page.locator(".ql-editor")).to_contain_text("Second draft.")


def test_without_javascript_the_text_area_is_the_editor(data, live_server, browser):
    base, slug = live_server.url, data["cycle"].slug
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, base)
    page.goto(f"{base}/cycles/{slug}/report/introduction/ar/")
    field = page.get_by_label("Text in Arabic")
    expect(field).to_have_attribute("dir", "rtl")
    field.fill(f"{ARABIC}\n\n- بند")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text("version 1")
    assert (
        ChapterRevision.objects.get(language="ar").body == f"<p>{ARABIC}</p><ul><li>بند</li></ul>"
    )
    context.close()


def test_staff_write_the_introduction_in_arabic_and_compile_it(data, live_server, page):
    base = live_server.url
    log_in(page, base)
    page.get_by_role("link", name="Dashboard of all countries").click()
    page.get_by_role("link", name="Regional report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regional report")
    page.get_by_role("link", name="Write Introduction in Arabic").click()
    # With the keyboard: Tab from the label's field into the editor, and type.
    editor = page.locator(".ql-editor")
    editor.wait_for()
    page.locator(".answer-toolbar button").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('ql-editor')")
    page.keyboard.type(ARABIC)
    page.get_by_role("button", name="Save and mark as final").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("version 1 and marked final")
    revision = ChapterRevision.objects.get(language="ar")
    assert revision.status == ChapterStatus.FINAL and ARABIC in revision.body

    page.get_by_role("link", name="Compilation", exact=True).click()
    page.get_by_label(re.compile("Language of the cover")).select_option("ar")
    page.get_by_role("button", name="Compile now").click()
    page.wait_for_url(re.compile(r"/compilations/\d+/"))
    # The tasks run inline in the tests: the compilation is done when the page shows.
    page.reload()
    expect(page.locator("main")).to_contain_text(
        re.compile(r"Introduction — Arabic, version 1, final, by Nadia Haddad on ")
    )
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
