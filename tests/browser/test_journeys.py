"""The whole review cycle in a real browser, by clicks only, as its people walk it (issue 11).

From the home page, never typing a URL but the login page's, and taking from Django's mail outbox
only what arrives by e-mail (an invitation, "returned for revision"):

- `test_a_country_starts_fresh`: Tunisia's focal point starts the 2026 mid-term review from
  nothing and answers questions of several kinds in several sections, then checks what is left;
- `test_the_review_cycle`: Morocco's focal point starts from its 2020 answers, answers, invites a
  colleague (who joins from the e-mail and answers too) and submits; ESCWA comments on a question
  and returns the answers; Morocco replies, revises and submits again; ESCWA sees what changed,
  accepts, publishes, compiles the regional report (the tasks run inline in tests) and exports.

Every page-specific step (which link to click, by its visible text or role) is written in its
journey, below, and nowhere else. Where today's pages offer no click, the journey goes the way
they allow and DOORS records the door as missing (tests/browser/journeys.py says how the tests
judge them).

`make tour` runs the same journeys in English and Arabic and keeps a screenshot of every step at
desktop and phone width in docs/tour/ (tests/browser/tour.py writes its index). `make test` runs
them in English without screenshots.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils.translation import ngettext, override
from playwright.sync_api import expect

from questionnaire.models import Submission, SubmissionStatus
from reports.models import Compilation, JobStatus

from .journeys import TOUR_DIR, Door, missing_doors

pytestmark = [pytest.mark.browser]
LANGUAGES = ["en", "ar"] if TOUR_DIR else ["en"]
NEW_PASSWORD = "cedars-of-the-atlas-2026"
LINK = r"https?://\S+"

DOORS = {
    "revise-answers": Door(
        "the submission page offers “Revise answers” to whoever may change the answers",
    ),
    "check-and-submit": Door(
        "the submission page offers “Check and submit” to whoever may change the answers",
    ),
    "reply-in-thread": Door(
        "a comment's thread offers “Reply”: the country's answer joins ESCWA's thread",
    ),
    "comments-sent-with-the-return": Door(
        "ESCWA's comments reach the country in one e-mail when the review is sent back, none "
        "while the reviewer is still reading",
    ),
    "check-page-lists-open-comments": Door(
        "the check page before submitting again lists the open comments (and what changed)",
    ),
    "accept-warns-open-comments": Door(
        "accepting warns that comments are still open, and says how many",
    ),
    "compilation-tab": Door(
        "the cycle's tabs lead to the regional compilation",
    ),
    "cycle-tabs-on-compilation": Door(
        "the compilation page keeps the cycle's tabs, Exports among them",
    ),
    "agree-to-publication": Door(
        "once ESCWA accepted, the submission page asks the country's focal point to agree to "
        "publication, and ESCWA publishes only then"
    ),
}

# What people type, in the journey's language.
WORDS = {
    "en": {
        "committee": "A national committee meets every month under the Ministry of Social Affairs.",
        "lead": "The National Commission on Migration, chaired by the Ministry of Interior, "
        "led the review.",
        "lead_revised": "The National Commission on Migration, chaired by the Ministry of "
        "Interior since 2021, led the review.",
        "published_where": "On the ministry's website.",
        "grid_note": "A new birth registration law",
        "partner": "IOM",
        "support": "Technical advice",
        "contact": "Salma Bennani, Ministry of Interior",
        "comment": "Which ministry chairs the commission, and since when?",
        "return": "Please say who chairs the national commission, and since when.",
        "reply": "The Ministry of Interior, since 2021: we added it to the answer.",
        "colleague": "Salma Bennani",
    },
    "ar": {
        "committee": "تجتمع لجنة وطنية كل شهر برئاسة وزارة الشؤون الاجتماعية.",
        "lead": "قادت الاستعراض اللجنة الوطنية للهجرة برئاسة وزارة الداخلية.",
        "lead_revised": "قادت الاستعراض اللجنة الوطنية للهجرة برئاسة وزارة الداخلية منذ عام 2021.",
        "published_where": "على الموقع الإلكتروني للوزارة.",
        "grid_note": "قانون جديد لتسجيل المواليد",
        "partner": "المنظمة الدولية للهجرة",
        "support": "مشورة فنية",
        "contact": "سلمى بناني، وزارة الداخلية",
        "comment": "أي وزارة ترأس اللجنة، ومنذ متى؟",
        "return": "يُرجى ذكر الجهة التي ترأس اللجنة الوطنية ومنذ متى.",
        "reply": "وزارة الداخلية، منذ عام 2021: أضفنا ذلك إلى الإجابة.",
        "colleague": "سلمى بناني",
    },
}
CYCLE = "Mid-term review of the GCM in the Arab region"
CONFIRM = "I confirm that these are %(country)s's answers and want to submit them."
PREVIOUS = "arab-2020"  # the demo's first cycle: its name in the journey's language, j.cycle()


# --- Helpers for the answering page (its widgets, by the question's key) --------------------------


def editor(page, key):
    return page.locator(f"#question-{key} .ql-editor").first


def replace_text(page, key, text):
    box = editor(page, key)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def wait_saved(j, page, *keys):
    """Each answer saved before the next is touched. (Two saves at once can break the live
    server on SQLite: the test database lives in memory, and its one connection is shared by
    the server's threads.)"""
    for key in keys:
        state = page.locator(f"#question-{key} [data-save-state]")
        expect(state).to_have_text(j.tx("Saved %(date)s %(time)s"), timeout=10_000)


def cycle_card(j, page, name):
    return page.get_by_role("region", name=re.compile(re.escape(name)))


# --- Tunisia starts from nothing -----------------------------------------------------------------

FRESH_DOORS = ()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_country_starts_fresh(journey_factory, language):
    j = journey_factory(
        "country-starts-fresh", "A country starts fresh", language, DOORS, *FRESH_DOORS
    )
    w = WORDS[language]
    j.at("2026-03-02 09:00")
    tunisia = j.person("tunisia")
    page = tunisia.page

    with j.step(tunisia, "home", "Tunisia's focal point logs in: the mid-term review is open"):
        card = cycle_card(j, page, CYCLE)
        expect(card).to_contain_text(j.t("No submission yet for this cycle."))

    with j.step(tunisia, "started", "Starts its submission (nothing to carry forward)"):
        card.get_by_role("button", name=j.t("Start our submission")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("I.")

    date = page.locator("#question-review-validation-date")
    with j.step(
        tunisia, "section-I", "Answers section I: a text, a date, a number, yes or no", focus=date
    ):
        mechanism = page.locator("#question-review-coordination-mechanism")
        mechanism.get_by_role("radio", name=j.t("Yes")).check()
        wait_saved(j, page, "review-coordination-mechanism")
        replace_text(page, "review-coordination-mechanism", w["committee"])
        wait_saved(j, page, "review-coordination-mechanism")
        page.locator("#field-review-validation-date").fill("2026-02-20")
        wait_saved(j, page, "review-validation-date")
        page.locator("#field-review-ministries-count").fill("12")
        wait_saved(j, page, "review-ministries-count")
        page.locator("#question-review-published").get_by_label(j.t("Yes")).check()
        wait_saved(j, page, "review-published")
        editor(page, "review-published").click()
        page.keyboard.type(w["published_where"])
        wait_saved(j, page, "review-published")

    budget = page.locator("#question-resources-budget-line")
    with j.step(
        tunisia, "section-IV", "Goes to section IV: a choice, several choices, a list", focus=budget
    ):
        page.get_by_role("navigation", name=j.t("Sections")).get_by_role(
            "link", name=re.compile(r"^IV\.")
        ).click()
        budget.get_by_label(j.tr_option("Within each ministry's budget")).check()
        wait_saved(j, page, "resources-budget-line")
        sources = page.locator("#question-resources-sources")
        sources.get_by_label(j.tr_option("National budget")).check()
        sources.get_by_label(j.tr_option("United Nations agencies")).check()
        wait_saved(j, page, "resources-sources")
        partners = page.locator("#question-resources-partners")
        partners.locator("input[data-column=partner]").first.fill(w["partner"])
        partners.locator("input[data-column=support]").first.fill(w["support"])
        wait_saved(j, page, "resources-partners")

    with j.step(tunisia, "check", "“Check and submit”: the required questions still to answer"):
        page.get_by_role("link", name=j.t("Check and submit")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Check and submit"))
        expect(page.get_by_role("alert")).to_be_visible()

    submission = Submission.objects.get(cycle__slug="arab-2026", country__iso2="TN")
    assert submission.carried_forward_from is None
    assert submission.answers.count() == 7
    j.finish()


# --- The review cycle ----------------------------------------------------------------------------

CYCLE_DOORS = (
    "check-and-submit",
    "comments-sent-with-the-return",
    "revise-answers",
    "reply-in-thread",
    "check-page-lists-open-comments",
    "accept-warns-open-comments",
    "compilation-tab",
    "cycle-tabs-on-compilation",
    "agree-to-publication",
)


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def link_in(message):
    return re.search(LINK, message.body).group(0)


@pytest.mark.parametrize(
    "language",
    [pytest.param(lang, marks=missing_doors(DOORS, *CYCLE_DOORS)) for lang in LANGUAGES],
)
def test_the_review_cycle(journey_factory, language):  # noqa: PLR0915 — one story, told in order
    j = journey_factory("review-cycle", "The review cycle", language, DOORS, *CYCLE_DOORS)
    w = WORDS[language]
    morocco_email = "morocco.focal-point@example.org"

    # Day 1. Morocco's focal point starts from the answers it gave in 2020.
    j.at("2026-03-02 10:00")
    morocco = j.person("morocco")
    page = morocco.page
    with j.step(morocco, "home", "Morocco's focal point logs in"):
        card = cycle_card(j, page, CYCLE)
        carry = card.get_by_label(
            j.t("Start from our answers to %(cycle)s", cycle=j.cycle(PREVIOUS))
        )
        expect(carry).to_be_checked()

    with j.step(morocco, "started", "Starts from its 2020 answers: each is to review"):
        card.get_by_role("button", name=j.t("Start our submission")).click()
        expect(page.locator(".portal-messages")).to_contain_text(
            j.t(
                "Your submission was started from your answers to %(cycle)s. Each of them is "
                "marked “not yet reviewed” until you edit it or confirm that it is still "
                "accurate.",
                cycle=j.cycle(PREVIOUS),
            )
        )
        expect(page.locator("[data-prefilled]").first).to_be_visible()

    mechanism = page.locator("#question-review-coordination-mechanism")
    with j.step(
        morocco, "section-I-yes-no", "I.a is now yes or no: its 2020 answer starts the explanation"
    ):
        mechanism.get_by_role("radio", name=j.t("Yes")).check()
        wait_saved(j, page, "review-coordination-mechanism")
        mechanism.get_by_role("button", name=j.t("Start my explanation from this text")).click()
        wait_saved(j, page, "review-coordination-mechanism")

    lead = page.locator("#question-review-lead-entity")
    with j.step(
        morocco, "section-I", "I.b appears after “yes”: revises it, keeps I.c as it was", focus=lead
    ):
        expect(lead).to_be_visible()
        replace_text(page, "review-lead-entity", w["lead"])
        wait_saved(j, page, "review-lead-entity")
        entities = page.locator("#question-review-government-entities")
        entities.locator("[data-confirm-carried]").click()
        expect(entities.locator("[data-prefilled]")).to_have_count(0)
        page.locator("#field-review-validation-date").fill("2026-02-20")
        wait_saved(j, page, "review-validation-date")
        page.locator("#field-review-ministries-count").fill("14")
        wait_saved(j, page, "review-ministries-count")

    sections = page.get_by_role("navigation", name=j.t("Sections"))
    grid = page.locator("#question-objectives-status-grid")
    with j.step(morocco, "section-III", "Section III: the status of each objective", focus=grid):
        sections.get_by_role("link", name=re.compile(r"^III\.")).click()
        grid.locator("tr[data-objective='4'] select").select_option("in_progress")
        grid.locator("tr[data-objective='4'] [data-field=note]").fill(w["grid_note"])
        wait_saved(j, page, "objectives-status-grid")

    budget = page.locator("#question-resources-budget-line")
    with j.step(morocco, "section-IV", "Section IV: choices and a list", focus=budget):
        sections.get_by_role("link", name=re.compile(r"^IV\.")).click()
        budget.get_by_label(j.tr_option("A dedicated budget line")).check()
        wait_saved(j, page, "resources-budget-line")
        sources = page.locator("#question-resources-sources")
        sources.get_by_label(j.tr_option("National budget")).check()
        sources.get_by_label(j.tr_option("International cooperation")).check()
        wait_saved(j, page, "resources-sources")
        partners = page.locator("#question-resources-partners")
        partners.locator("input[data-column=partner]").first.fill(w["partner"])
        partners.locator("input[data-column=support]").first.fill(w["support"])
        wait_saved(j, page, "resources-partners")

    j.at("2026-03-02 10:30")
    with j.step(morocco, "invite", "Invites a colleague to the team"):
        page.get_by_role("navigation", name=j.t("Main")).get_by_role(
            "link", name=j.t("Team")
        ).click()
        invite = page.get_by_role("region", name=j.t("Invite someone"))
        invite.get_by_label(j.t("E-mail address")).fill("salma.bennani@interior.example")
        invite.get_by_label(j.t("Role")).select_option("contributor")
        invite.get_by_role("button", name=j.t("Send invitation")).click()
        expect(page.get_by_role("table", name=j.t("Invitations not yet used"))).to_contain_text(
            "salma.bennani@interior.example"
        )

    # Day 2. The colleague joins from the e-mail and answers a question.
    j.at("2026-03-03 09:00")
    (invitation,) = emails_to("salma.bennani@interior.example")
    salma = j.person("salma", log_in=False)
    other = salma.page
    with j.step(salma, "join", "The colleague opens the invitation from the e-mail"):
        other.goto(link_in(invitation))  # it arrives by e-mail
        expect(other.get_by_role("heading", level=1)).to_contain_text(
            j.t("Join %(country)s's team", country=j.country("MA"))
        )
        other.get_by_label(j.t("User name")).fill("salma")
        other.get_by_label(j.t("Full name")).fill(w["colleague"])
        other.locator("#id_password1").fill(NEW_PASSWORD)
        other.locator("#id_password2").fill(NEW_PASSWORD)

    with j.step(salma, "joined", "… creates an account and lands on the team's submissions"):
        other.locator("main").get_by_role("button").click()
        other.wait_for_url(f"{j.base_url}/")
        # The new account keeps the language the invitation was read in.
        expect(other.locator("html")).to_have_attribute("lang", language)
        expect(other.get_by_role("button", name=j.t("Log out"))).to_be_visible()
        card = cycle_card(j, other, CYCLE)
        expect(card.get_by_role("link", name=j.t("Answer the questionnaire"))).to_be_visible()

    contact = other.locator("#question-next-steps-contact")
    with j.step(salma, "colleague-answers", "The colleague answers in section V", focus=contact):
        card.get_by_role("link", name=j.t("Answer the questionnaire")).click()
        other.get_by_role("navigation", name=j.t("Sections")).get_by_role(
            "link", name=re.compile(r"^V\.")
        ).click()
        other.locator("#field-next-steps-contact").fill(w["contact"])
        other.locator("#field-next-steps-contact").press("Tab")
        wait_saved(j, other, "next-steps-contact")
    j.leave(salma)

    # Day 8. Morocco checks and submits.
    j.at("2026-03-09 11:00")
    morocco = j.person("morocco")
    page = morocco.page
    with j.step(morocco, "check", "Morocco's focal point opens its submission to check it"):
        cycle_card(j, page, CYCLE).get_by_role("link", name=j.t("View the submission")).click()
        j.door(
            "check-and-submit",
            lambda: page.get_by_role("link", name=j.t("Check and submit")),
            lambda: (
                page.get_by_role("link", name=j.t("Home")).click(),
                cycle_card(j, page, CYCLE)
                .get_by_role("link", name=j.t("Check and submit"))
                .click(),
            ),
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Check and submit"))
        expect(
            page.get_by_role("region", name=re.compile(re.escape(j.cycle(PREVIOUS))))
        ).to_be_visible()

    with j.step(morocco, "submitted", "Confirms, the unreviewed answers too, and submits"):
        page.get_by_label(j.t(CONFIRM, country=j.country("MA"))).check()
        page.locator("#confirm-unreviewed").check()
        page.get_by_role("button", name=j.t("Submit"), exact=True).click()
        expect(page.locator(".portal-messages")).to_contain_text(
            j.t(
                "Your answers were submitted to ESCWA. They are now read-only unless ESCWA "
                "returns them for revision."
            )
        )
    j.leave(morocco)

    # Day 15. ESCWA reviews, comments on a question and returns the answers.
    j.at("2026-03-16 10:00")
    escwa = j.person("escwa")
    page = escwa.page
    with j.step(escwa, "escwa-home", "An ESCWA reviewer logs in: every cycle, every country"):
        expect(cycle_card(j, page, CYCLE)).to_contain_text(j.country("MA"))

    with j.step(escwa, "dashboard", "Opens the mid-term review's dashboard"):
        cycle_card(j, page, CYCLE).get_by_role(
            "link", name=j.t("Dashboard of all countries")
        ).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    with j.step(escwa, "review", "Opens Morocco's submission: the review tools are on it"):
        page.get_by_role("link", name=j.country("MA"), exact=True).click()
        expect(page.get_by_role("link", name=j.t("Return for revision…"))).to_be_visible()

    before = len(emails_to(morocco_email))
    thread = page.locator("#thread-review-lead-entity")
    with j.step(escwa, "comment", "Comments on question I.b", focus=thread):
        thread.get_by_text(j.t("Add a comment")).click()
        thread.get_by_role("textbox").fill(w["comment"])
        thread.get_by_role("button", name=j.t("Add comment")).click()
        expect(page.locator("#thread-review-lead-entity")).to_contain_text(w["comment"])
    while_reading = len(emails_to(morocco_email)) - before

    with j.step(escwa, "return", "Returns the answers for revision, saying why"):
        page.get_by_role("link", name=j.t("Return for revision…")).click()
        page.get_by_role("textbox").fill(w["return"])
        page.get_by_role("button", name=j.t("Return for revision"), exact=True).click()
        expect(page.locator(".portal-messages")).to_be_visible()
        sent = emails_to(morocco_email)[before:]
        j.check(
            "comments-sent-with-the-return",
            lambda: while_reading == 0 and len(sent) == 1 and w["comment"] in sent[0].body,
        )
    j.leave(escwa)

    # Day 22. Morocco reads the e-mail, replies to the comment, revises and submits again.
    j.at("2026-03-23 09:30")
    returned = next(m for m in reversed(emails_to(morocco_email)) if w["return"] in m.body)
    morocco = j.person("morocco")
    page = morocco.page
    with j.step(morocco, "returned", "Morocco follows the “returned” e-mail to its submission"):
        page.goto(link_in(returned))  # it arrives by e-mail
        expect(page.locator(".portal-return-notice")).to_contain_text(w["return"])

    thread = page.locator("#thread-review-lead-entity")
    with j.step(morocco, "reply", "Replies to ESCWA's comment in its thread", focus=thread):
        j.door(
            "reply-in-thread",
            lambda: thread.locator("summary", has_text=j.t("Reply")),
            lambda: thread.get_by_text(j.t("Add a comment")).click(),
        )
        thread.get_by_label(j.t("Your reply")).fill(w["reply"])
        thread.get_by_role("button", name=j.t("Send reply")).click()
        expect(page.locator("#thread-review-lead-entity .portal-reply")).to_contain_text(w["reply"])

    lead = page.locator("#question-review-lead-entity")
    with j.step(morocco, "revise", "Revises the answer ESCWA asked about", focus=lead):
        j.door(
            "revise-answers",
            lambda: page.get_by_role("link", name=j.t("Revise answers")),
            lambda: (
                page.get_by_role("link", name=j.t("Home")).first.click(),
                cycle_card(j, page, CYCLE)
                .get_by_role("link", name=j.t("Answer the questionnaire"))
                .click(),
            ),
        )
        expect(page.locator(".portal-return-notice")).to_contain_text(w["return"])
        replace_text(page, "review-lead-entity", w["lead_revised"])
        wait_saved(j, page, "review-lead-entity")

    with j.step(morocco, "check-again", "“Check and submit” again"):
        page.get_by_role("link", name=j.t("Check and submit")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(j.t("Check and submit"))
        j.check(
            "check-page-lists-open-comments",
            lambda: page.locator("main").get_by_text(w["comment"]).count() > 0,
        )

    with j.step(morocco, "resubmitted", "Submits again"):
        page.get_by_label(j.t(CONFIRM, country=j.country("MA"))).check()
        page.locator("#confirm-unreviewed").check()
        page.get_by_role("button", name=j.t("Submit"), exact=True).click()
        expect(page.locator(".portal-messages")).to_be_visible()
    j.leave(morocco)

    # Day 29. ESCWA sees what changed, accepts, publishes, compiles and exports.
    j.at("2026-03-30 10:00")
    escwa = j.person("escwa")
    page = escwa.page
    changes = page.locator("#changes-title")
    with j.step(escwa, "changes", "ESCWA opens the review again: what changed", focus=changes):
        cycle_card(j, page, CYCLE).get_by_role("link", name=j.country("MA")).click()
        expect(page.locator("#changes-title")).to_be_visible()
        # What changed since the previous submission (since 2020: in the collapsed part below).
        diff = page.locator("#question-review-lead-entity .portal-review-answer > .portal-diff")
        expect(diff.locator("ins")).to_contain_text("2021")

    with j.step(escwa, "accept", "“Accept…”: the confirmation page warns of open threads"):
        page.get_by_role("link", name=j.t("Accept…")).click()
        open_threads = (
            Submission.objects.get(cycle__slug="arab-2026", country__iso2="MA")
            .comments.filter(parent=None, resolved_at__isnull=True)
            .count()
        )
        with override(language):
            warning = ngettext(
                "%(counter)s comment thread is still open.",
                "%(counter)s comment threads are still open.",
                open_threads,
            ) % {"counter": open_threads}
        j.check(
            "accept-warns-open-comments",
            lambda: page.locator("#open-threads-warning").get_by_text(warning).count() > 0,
        )

    with j.step(escwa, "accepted", "Accepts the answers"):
        page.get_by_role("button", name=j.t("Accept the answers")).click()
        expect(page.locator(".portal-messages")).to_be_visible()

    with j.step(escwa, "waits-for-agreement", "Publishing waits for Morocco's agreement"):
        expect(page.get_by_role("link", name=j.t("Publish…"))).to_have_count(0)
    j.leave(escwa)

    # Day 30. Morocco's focal point agrees to publication; ESCWA publishes.
    j.at("2026-03-31 09:00")
    morocco = j.person("morocco")
    page = morocco.page
    with j.step(morocco, "agree", "Morocco's focal point agrees to publication"):
        cycle_card(j, page, CYCLE).get_by_role("link", name=j.t("View the submission")).click()
        j.door(
            "agree-to-publication",
            lambda: page.get_by_role("link", name=j.t("Agree to publication…")),
            lambda: None,
        )
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name=j.t("Agree to publication")).click()
        expect(page.locator(".portal-messages")).to_be_visible()
    j.leave(morocco)

    escwa = j.person("escwa")
    page = escwa.page
    with j.step(escwa, "published", "ESCWA publishes the answers"):
        cycle_card(j, page, CYCLE).get_by_role("link", name=j.country("MA")).click()
        page.get_by_role("link", name=j.t("Publish…")).click()
        # Publishing queues the public PDF in three languages, which tests render at once, in
        # the request (workers do in production): PDF/A in three languages takes its seconds.
        page.get_by_role("button", name=j.t("Publish the answers")).click(timeout=120_000)
        expect(page.locator(".portal-messages")).to_be_visible()
    submission = Submission.objects.get(cycle__slug="arab-2026", country__iso2="MA")
    assert submission.status == SubmissionStatus.PUBLISHED

    with j.step(escwa, "compilation", "Goes to the regional compilation of the cycle"):
        # From the submission page, the breadcrumb leads back to the cycle's dashboard.
        page.get_by_role("navigation", name=j.t("Breadcrumb")).get_by_role(
            "link", name=CYCLE
        ).click()
        j.door(
            "compilation-tab",
            lambda: page.get_by_role("navigation", name=j.t("Views of this cycle")).get_by_role(
                "link", name=j.t("Compilation")
            ),
            lambda: page.goto(f"{j.base_url}/cycles/arab-2026/compilations/"),
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text(j.t("Regional compilation"))

    with j.step(escwa, "compiled", "Compiles the regional report (in tests, at once)"):
        # The request returns once the compilation is made: PDFs take seconds to render.
        page.get_by_role("button", name=j.t("Compile now")).click(timeout=300_000)
        ready = page.get_by_role("status").filter(has_text=j.t("The compilation is ready."))
        expect(ready).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name=j.t("Download the PDF")).click()
        assert download.value.suggested_filename.endswith(".pdf")
    assert Compilation.objects.get().status == JobStatus.SUCCEEDED

    with j.step(escwa, "exports", "Goes on to the exports, and downloads the answers"):
        j.door(
            "cycle-tabs-on-compilation",
            lambda: page.get_by_role("navigation", name=j.t("Views of this cycle")).get_by_role(
                "link", name=j.t("Exports")
            ),
            lambda: (
                page.get_by_role("link", name=j.t("Home")).first.click(),
                cycle_card(j, page, CYCLE)
                .get_by_role("link", name=j.t("export the answers"))
                .click(),
            ),
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text(j.t("Exports"))
        with page.expect_download() as download:
            page.locator("main table a[download]").first.click()
        assert download.value.suggested_filename

    j.finish()
