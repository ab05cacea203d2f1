"""Issue 14 in a real browser: a question appears and goes as the answer it depends on changes
(announced), "Not applicable" with a reason, "Still accurate", and starting an explanation from
last cycle's answer to a question asked differently then."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from questionnaire import services
from questionnaire.models import Answer, Country, ReviewCycle, Submission

from .test_answering import SAVED, log_in, section_url, state

pytestmark = [pytest.mark.browser]
MECHANISM, LEAD = "review-coordination-mechanism", "review-lead-entity"
LOCAL = "review-local-authorities"  # may be answered "not applicable" in version 2


@pytest.fixture
def jordan(transactional_db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")


def stored(submission, key):
    return Answer.objects.filter(submission=submission, question__key=key).first()


def test_i_b_goes_when_i_a_is_no_and_comes_back_with_yes(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    lead = page.locator(f'[data-question-item="{LEAD}"]')
    announcer = page.locator("[data-condition-announcer]")
    expect(lead).to_be_visible()
    page.get_by_role("radio", name="No").first.check()
    expect(lead).to_be_hidden()
    expect(announcer).to_have_text(
        "Question I.b no longer applies and is hidden; its answer is kept."
    )
    expect(state(page, MECHANISM)).to_have_text(SAVED, timeout=8000)
    assert stored(jordan, MECHANISM).value["answer"] == "no"
    # The section's count follows: I.b is neither shown nor missing any more.
    progress = page.locator('[data-progress-list] [data-section="I"] [data-progress-text]')
    expect(progress).to_contain_text("of 7 answered")
    page.get_by_role("radio", name="Yes").first.check()
    expect(lead).to_be_visible()
    expect(announcer).to_have_text("Question I.b now applies and is shown.")
    expect(state(page, MECHANISM)).to_have_text(SAVED, timeout=8000)
    assert stored(jordan, MECHANISM).value["answer"] == "yes"


def test_not_applicable_waits_for_its_reason(jordan, live_server, page):
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    page.locator(f"#field-{LOCAL}-na").check()
    expect(state(page, LOCAL)).to_have_text("Not saved yet: say why it does not apply.")
    reason = page.locator(f"#field-{LOCAL}-na-reason")
    expect(reason).to_be_focused()
    reason.fill("Jordan's municipalities have no role in migration policy.")
    expect(state(page, LOCAL)).to_have_text(SAVED, timeout=8000)
    answer = stored(jordan, LOCAL)
    assert (
        answer.not_applicable_reason == "Jordan's municipalities have no role in migration policy."
    )
    page.reload()
    expect(page.locator(f"#field-{LOCAL}-na")).to_be_checked()


@pytest.fixture
def morocco(transactional_db):
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    return services.submission_create(
        cycle=ReviewCycle.objects.get(slug="arab-2024"),
        country=Country.objects.get(iso2="MA"),
        user=User.objects.get(username="morocco"),
        carry_forward=True,
    )


def test_still_accurate_and_starting_from_last_cycles_answer(morocco, live_server, page):
    log_in(page, live_server.url, "morocco")
    page.goto(section_url(live_server.url, morocco))
    entities = page.locator("#question-review-government-entities")
    entities.get_by_role("button", name=re.compile("Still accurate")).click()
    expect(entities.locator("[data-prefilled]")).to_have_count(0)
    expect(state(page, "review-government-entities")).to_have_text(SAVED)
    answer = stored(morocco, "review-government-entities")
    assert not answer.prefilled and answer.revisions.last().kind == "confirm"

    # I.a was long text in 2020: its answer can start the explanation of the yes/no.
    mechanism = page.locator(f"#question-{MECHANISM}")
    mechanism.get_by_role("radio", name="No").check()
    mechanism.get_by_role("button", name="Start my explanation from this text").click()
    expect(mechanism.locator(".ql-editor")).to_contain_text("No mechanism was established")
    expect(state(page, MECHANISM)).to_have_text(SAVED, timeout=8000)
    value = stored(morocco, MECHANISM).value
    assert value["answer"] == "no" and "No mechanism was established" in value["explanation"]
