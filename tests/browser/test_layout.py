"""The same layout on every machine, and on a phone.

- Every main page, at 390 px, in English and in Arabic, as each demo role and as a visitor, with
  a cycle's and a country's name longer than a line: the page never scrolls sideways (a table may
  scroll inside its own .table-responsive box), and no button, link styled as a button or form
  field reaches past the screen's edge.
- The interface's text is drawn with the portal's bundled web fonts (static/fonts/web/), never
  with whatever fonts the machine has: a machine whose only Arabic font is DejaVu Sans once made
  the Arabic brand 462 px wide. Chromium says which font actually drew a node
  (CSS.getPlatformFontsForNode); `document.fonts.check` cannot, as it answers true for a family
  nobody declared.
"""

import pytest
from django.core.management import call_command

from accounts.models import User
from questionnaire.models import Country, ReviewCycle, Submission, SubmissionStatus
from reports.models import Compilation

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
PHONE = {"width": 390, "height": 844}

# Buttons (and links styled as buttons) that reach past the screen's edge, even inside a box that
# scrolls sideways (a button one must scroll a table to find is cut off too), and form fields that
# do outside such a box.
OUT_OF_SCREEN = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const scrolls = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const x = getComputedStyle(box).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll(".btn, button, input, select, textarea")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
    if (!el.matches(".btn, button") && scrolls(el)) continue;
    if (r.left < -1 || r.right > width + 1) {
      found.push(`${el.tagName} "${(el.innerText || el.value || "").trim().slice(0, 40)}" ` +
                 `${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return found;
}"""


@pytest.fixture
def demo(transactional_db):
    """The demo, with Morocco's 2020 answers published (the public pages) and a compilation;
    the 2024 cycle and Jordan with names too long for a phone's line (one word alone is)."""
    call_command("loaddemo", verbosity=0)
    ReviewCycle.objects.filter(slug="arab-2024").update(
        name="Second regional review: Migrationsgovernancefortschrittsüberprüfungskonferenz 2024",
        # Arabic pages print the Arabic name (i18n.tr): as long, with a word as unbreakable.
        name_ar="الاستعراض الإقليمي الثاني: مؤتمراستعراضالتقدمالمحرزفيحوكمةالهجرةالدولية 2024",
    )
    Country.objects.filter(iso2="JO").update(
        name_en="The Hashemite Kingdom of Jordan (Al-Mamlakah al-Urdunniyah al-Hashimiyah)",
        name_ar="المملكة الأردنية الهاشمية (المملكةالأردنيةالهاشميةالمملكةالأردنية)",
    )
    morocco = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    assert morocco.status == SubmissionStatus.PUBLISHED  # the demo publishes it, as in reality
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    job = Compilation.objects.create(
        cycle=morocco.cycle, requested_by=User.objects.get(username="escwa")
    )
    question = jordan.cycle.version.questions.order_by("section__order", "order").first()
    return {"morocco": morocco, "jordan": jordan, "job": job, "key": question.key}


def pages_by_role(demo) -> dict[str, list[str]]:
    jordan, morocco = demo["jordan"].pk, demo["morocco"].pk
    sections = [f"/submissions/{jordan}/sections/{n}/" for n in ("I", "II", "III", "IV", "V")]
    return {
        "jordan": [
            "/",
            f"/submissions/{jordan}/",
            *sections,
            f"/submissions/{jordan}/check/",
            f"/submissions/{jordan}/answers/{demo['key']}/history/",
            "/countries/JO/team/",
            f"/questionnaires/versions/{demo['jordan'].cycle.version_id}/preview/",
        ],
        "morocco": ["/", f"/submissions/{morocco}/"],
        "escwa": [
            "/",
            "/cycles/arab-2024/",
            f"/cycles/arab-2024/questions/{demo['key']}/",
            "/cycles/arab-2024/objectives/",
            "/cycles/arab-2024/search/?q=migration",
            "/cycles/arab-2024/exports/",
            "/cycles/arab-2024/charts/",
            "/cycles/arab-2024/changes/",
            "/cycles/arab-2024/changes/MA/",
            "/cycles/arab-2024/report/",
            "/cycles/arab-2024/report/introduction/ar/",
            "/cycles/arab-2024/report/introduction/en/history/",
            "/accounts/profile/",
            "/cycles/arab-2020/compilations/",
            f"/compilations/{demo['job'].pk}/",
            f"/submissions/{jordan}/",
            f"/submissions/{jordan}/review/",
            f"/submissions/{morocco}/",
        ],
        "admin": ["/", "/countries/", "/countries/JO/team/"],
        None: [
            "/accounts/login/",
            "/accounts/password/reset/",
            "/public/",
            "/public/arab-2020/",
            f"/public/submissions/{morocco}/",
            "/api/v1/docs",
        ],
    }


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


def use_language(page, code):
    """Switch with the page's own language links (a user's choice is kept with the account)."""
    if page.locator("html").get_attribute("lang") != code:
        with page.expect_navigation():
            page.locator(f".portal-language-form button[value={code}]").click()
    assert page.locator("html").get_attribute("lang") == code


def open_page(page, url):
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")  # measure the final layout


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_main_page_scrolls_sideways_or_cuts_a_button_on_a_phone(
    demo, live_server, browser, language
):
    base = live_server.url
    problems = []
    for role, urls in pages_by_role(demo).items():
        context = browser.new_context(locale="en-GB", viewport=PHONE)
        page = context.new_page()
        if role:
            log_in(page, base, role)
        else:
            page.goto(base + urls[0])
        use_language(page, language)
        for url in urls:
            open_page(page, base + url)
            assert page.locator("html").get_attribute("lang") == language, url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{role} {url} [{language}]: the page is {width} px wide")
            problems += [
                f"{role} {url} [{language}]: {cut}" for cut in page.evaluate(OUT_OF_SCREEN)
            ]
        context.close()
    assert not problems, "\n".join(problems)


def fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts Chromium actually used to draw the text of the first node matching selector."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"nothing matches {selector}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


@pytest.mark.parametrize(
    ("language", "family"), [("en", "Noto Sans"), ("fr", "Noto Sans"), ("ar", "Noto Sans Arabic")]
)
def test_the_interface_is_drawn_with_the_bundled_web_fonts(
    demo, live_server, browser, language, family
):
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    log_in(page, live_server.url, "jordan")
    use_language(page, language)
    for url in ("/", f"/submissions/{demo['jordan'].pk}/sections/I/"):
        open_page(page, live_server.url + url)
        for selector in ("main h1", ".portal-brand-name", "main .btn"):
            fonts = fonts_drawing(page, selector)
            # Every glyph comes from a web font (none from the machine), the page's own first.
            assert fonts and all(font["isCustomFont"] for font in fonts), (url, selector, fonts)
            main = max(fonts, key=lambda font: font["glyphCount"])
            assert main["familyName"] == family, (url, selector, fonts)
    # Both faces are the portal's own, loaded by every page: Arabic pages have Latin words (names,
    # numbers), and every page names its Arabic version in Arabic.
    faces = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {"GCM Sans", "GCM Sans Arabic"} <= set(faces), faces
    context.close()
