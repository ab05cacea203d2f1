"""ESCWA's regional report and open data (issue 18), in a real browser, by clicks from home:

ESCWA's reviewer looks at the 2024 cycle's charts and at what changed in Morocco's answers since
2020, writes the report's introduction and marks it final, compiles the report (which names the
version of the introduction it printed), and creates an API token for a statistics office; then,
logged out, anyone finds the 2020 cycle's open data (CSV, JSON, the licence) and the API's docs.

`make tour` runs it in English and Arabic and keeps its pictures in docs/tour/regional-report/.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from reports.models import ChapterRevision, ChapterStatus, Compilation, JobStatus

from .journeys import TOUR_DIR

pytestmark = [pytest.mark.browser]
LANGUAGES = ["en", "ar"] if TOUR_DIR else ["en"]
WORDS = {
    "en": "ESCWA read the national reviews of the Arab region together: what follows is what "
    "they say, objective by objective.",
    "ar": "قرأت الإسكوا الاستعراضات الوطنية في المنطقة العربية معاً: ما يلي هو ما تقوله، هدفاً هدفاً.",
}
TOKEN = "Statistics office"
API_SENTENCE = (
    "Scripts may read the same data, and the questionnaire, through the "
    '<a href="%(url)s">portal\'s read-only API</a>.'
)
PRINTED = "%(title)s — %(language)s, version %(n)s, final, by %(who)s on %(when)s"


@pytest.mark.parametrize("language", LANGUAGES)
def test_escwa_writes_the_regional_report_and_opens_the_data(journey_factory, language):
    j = journey_factory("regional-report", "ESCWA's regional report and open data", language, {})
    # The journeys' world leaves out the demo's Morocco 2024 review (Morocco starts it itself in
    # test_journeys.py); here it is there, accepted, as in the demo: a country to compare.
    call_command("loaddemo", verbosity=0)
    with translation.override(language):
        language_name = str(dict(settings.LANGUAGES)[language])
    intro = j.t("Introduction")
    j.at("2026-03-04 09:00")
    escwa = j.person("escwa")
    page = escwa.page
    tabs = page.get_by_role("navigation", name=j.t("Views of this cycle"))

    with j.step(escwa, "charts", "The 2024 cycle's charts: the objectives country by country"):
        card = page.get_by_role("region", name=re.compile(re.escape(j.cycle("arab-2024"))))
        card.get_by_role("link", name=j.t("Dashboard of all countries")).click()
        expect(tabs.get_by_role("link", name=j.t("Countries"))).to_have_attribute(
            "aria-current", "page"
        )
        tabs.get_by_role("link", name=j.t("Charts")).click()
        heatmap = page.get_by_role("heading", name=j.t("Status of the GCM objectives by country"))
        expect(heatmap).to_be_visible()

    with j.step(escwa, "changes", "What changed since 2020, and Morocco's answers word by word"):
        tabs.get_by_role("link", name=j.t("What changed")).click()
        countries = page.get_by_role("region", name=j.t("Countries that answered both cycles"))
        countries.get_by_role("link", name=j.country("MA")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(j.country("MA"))
        expect(page.locator("main ins").first).to_be_attached()

    editor = page.locator(".ql-editor")
    with j.step(escwa, "introduction", "Writes the regional report's introduction"):
        page.get_by_role("navigation", name=j.t("Breadcrumb")).get_by_role(
            "link", name=j.t("What changed")
        ).click()
        tabs.get_by_role("link", name=j.t("Regional report"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Regional report"))
        where = j.t("%(title)s in %(language)s") % {"title": intro, "language": language_name}
        page.get_by_role("link", name=f"{j.t('Write')} {where}").click()
        editor.wait_for()
        expect(editor).to_have_attribute("lang", language)
        editor.click()
        page.keyboard.type(WORDS[language])

    with j.step(escwa, "final", "Saves it and marks it final: the compilation prints it"):
        page.get_by_role("button", name=j.t("Save and mark as final")).click()
        expect(page.locator(".portal-messages")).to_contain_text(
            j.t("Saved as version %(n)s and marked final: the compilation prints it.", n=1)
        )
        page.get_by_role("link", name=j.t("All chapters")).click()
        introduction = page.get_by_role("table").first
        expect(introduction).to_contain_text(j.t("Final, version %(n)s", n=1))
    revision = ChapterRevision.objects.get(chapter__kind="introduction", language=language)
    assert revision.status == ChapterStatus.FINAL and WORDS[language] in revision.body

    printed = page.locator("#report-chapters").locator("..")
    with j.step(
        escwa, "compiled", "Compiles the report: it names the introduction's version", focus=printed
    ):
        tabs.get_by_role("link", name=j.t("Compilation"), exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(j.t("Regional compilation"))
        page.get_by_label(j.t("Language of the cover, contents and annexes")).select_option(
            language
        )
        # The tasks run inline in the tests (workers do in production): the request returns
        # once the compilation is made, and PDFs take seconds to render.
        page.get_by_role("button", name=j.t("Compile now")).click(timeout=300_000)
        page.wait_for_url(re.compile(r"/compilations/\d+/"))
        ready = page.get_by_role("status").filter(has_text=j.t("The compilation is ready."))
        expect(ready).to_be_visible()
        head = j.t(PRINTED).split("%(who)s")[0] % {
            "title": intro,
            "language": language_name,
            "n": 1,
        }
        expect(page.locator("main")).to_contain_text(head.strip())
    compilation = Compilation.objects.get()
    assert compilation.status == JobStatus.SUCCEEDED and compilation.language == language

    new_token = page.locator(".profile-new-token")
    with j.step(escwa, "token", "Creates an API token for a statistics office", focus=new_token):
        page.get_by_role("button", name=j.tx("Account of %(name)s")).click()
        page.get_by_role("link", name=j.t("Your account")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Your account"))
        page.get_by_label(j.t("What the token is for")).fill(TOKEN)
        page.get_by_role("button", name=j.t("Create a token")).click()
        expect(new_token).to_contain_text(j.t("Your new token"))
        expect(page.locator("#new-token")).not_to_have_value("")
        expect(page.get_by_role("table")).to_contain_text(TOKEN)

    with j.step(escwa, "public", "Logged out: the published national reviews, no log-in needed"):
        page.get_by_role("button", name=j.t("Log out")).click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        j.speak_own_language(escwa)
        # The login page's own link (every page's footer has one too)
        page.locator("#main").get_by_role("link", name=j.t("Published national reviews")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Published national reviews"))

    open_data = page.get_by_role("region", name=j.t("Open data"))
    with j.step(
        escwa, "open-data", "The 2020 cycle's open data: CSV, JSON, the licence", focus=open_data
    ):
        page.get_by_role("link", name=j.cycle("arab-2020")).click()
        expect(
            open_data.get_by_role("link", name=j.t("All published answers (CSV)"))
        ).to_be_visible()
        expect(
            open_data.get_by_role("link", name=j.t("All published answers (JSON)"))
        ).to_be_visible()
        expect(open_data.locator("a[rel=license]")).to_be_visible()

    with j.step(escwa, "api-docs", "The API's documentation, for scripts"):
        api = re.search(r">(.+?)</a>", j.t(API_SENTENCE)).group(1)
        open_data.get_by_role("link", name=api).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Open data: the API"))
    j.finish()
