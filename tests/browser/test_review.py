"""The review round trip in a real browser: ESCWA returns Jordan's answers with a message and a
comment, Jordan sees both, edits an answer and submits again, ESCWA sees the change and accepts.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from questionnaire import selectors, services
from questionnaire.models import Comment, Submission, SubmissionStatus

pytestmark = [pytest.mark.browser]
PASSWORD = "gcm-demo-2020"
LEAD = "review-lead-entity"  # I b, unanswered in Jordan's demo draft
MESSAGE = "Please say which ministry leads the review, and since when."
COMMENT = "Is it the Ministry of Labour or its statistics unit?"


@pytest.fixture
def jordan(transactional_db):
    """Jordan's 2024 demo draft, completed and submitted (as an import would: no user)."""
    call_command("loaddemo", verbosity=0)
    submission = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    for question in selectors.submission_missing_required(submission=submission):
        value = (
            "<p>The Ministry of Labour leads the review.</p>"
            if question.key == LEAD
            else ("<p>Answer.</p>")
        )
        services.answer_save(submission=submission, question=question, value=value)
    return services.submission_transition(
        submission=submission, to_status=SubmissionStatus.SUBMITTED
    )


def log_in(browser, base_url, username):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def test_return_revise_resubmit_accept(jordan, live_server, browser):
    review_url = f"{live_server.url}/submissions/{jordan.pk}/"

    # ESCWA comments on I b and returns the submission with a message.
    escwa = log_in(browser, live_server.url, "escwa")
    escwa.goto(review_url)
    thread = escwa.locator(f"#thread-{LEAD}")
    thread.get_by_text("Add a comment").click()
    thread.get_by_label(re.compile("Your comment on question")).fill(COMMENT)
    thread.get_by_role("button", name="Add comment").click()
    expect(escwa.get_by_text("Your comment was added.")).to_be_visible()
    expect(escwa.locator(f"#thread-{LEAD} .portal-comment-body")).to_contain_text(COMMENT)

    escwa.get_by_role("link", name="Return for revision…").click()
    expect(escwa.get_by_role("heading", level=1)).to_contain_text("for revision?")
    escwa.get_by_label(re.compile("What should the country change")).fill(MESSAGE)
    escwa.get_by_role("button", name="Return for revision").click()
    expect(escwa.get_by_text("was returned for revision")).to_be_visible()
    jordan.refresh_from_db()
    assert jordan.status == SubmissionStatus.RETURNED

    # Jordan's focal point sees the message and the open comment beside the question.
    country = log_in(browser, live_server.url, "jordan")
    country.goto(f"{live_server.url}/submissions/{jordan.pk}/sections/I/")
    notice = country.locator(".portal-return-notice")
    expect(notice).to_contain_text("ESCWA returned these answers for revision")
    expect(notice).to_contain_text(MESSAGE)
    comments = country.locator(f"#open-comments-{LEAD}")
    expect(comments).to_contain_text(COMMENT)
    # The country answers in the thread itself: a reply, not a second open comment.
    comments.locator("summary", has_text="Reply").click()
    comments.get_by_label("Your reply").fill("Done: the Ministry of Interior.")
    comments.get_by_role("button", name="Send reply").click()
    expect(country.get_by_text("Your reply was added.")).to_be_visible()
    expect(country.locator(f"#open-comments-{LEAD} .portal-reply")).to_contain_text(
        "Done: the Ministry of Interior."
    )
    expect(country.locator(f"#open-comments-{LEAD}-title")).to_contain_text("1 open comment thread")

    box = country.locator(f"#question-{LEAD} .ql-editor")
    box.click()
    country.keyboard.press("Control+A")
    country.keyboard.type("The Ministry of Interior leads the review.")
    expect(country.locator(f"#question-{LEAD} [data-save-state]")).to_have_text(
        re.compile(r"^Saved"), timeout=8000
    )

    country.goto(f"{live_server.url}/submissions/{jordan.pk}/check/")
    expect(country.locator(".portal-return-notice")).to_contain_text(MESSAGE)
    # Before submitting again: the open thread and what changed since the return.
    expect(country.locator("#open-threads-title")).to_contain_text("1 comment thread is still open")
    expect(country.locator("#changes-title")).to_contain_text("What changed since you submitted")
    country.get_by_label(re.compile("I confirm")).check()
    country.get_by_role("button", name="Submit").click()
    expect(country.locator(".alert-success")).to_contain_text("submitted")
    jordan.refresh_from_db()
    assert jordan.status == SubmissionStatus.SUBMITTED

    # ESCWA sees what changed in I b, the rest collapsed, and accepts.
    escwa.goto(review_url)
    expect(escwa.locator("#changes-title")).to_be_visible()
    diff = escwa.locator(f"#question-{LEAD} .portal-diff")
    expect(diff.locator("del")).to_have_text("removed: Labour")
    expect(diff.locator("ins")).to_have_text("added: Interior")
    expect(escwa.locator("details.portal-unchanged").first).not_to_have_attribute("open", "")
    expect(escwa.locator(f"#thread-{LEAD} .portal-reply")).to_contain_text("Ministry of Interior")
    assert Comment.objects.get(parent=None).is_open  # the thread stays until someone resolves it

    escwa.get_by_role("link", name="Accept…").click()
    expect(escwa.locator("#open-threads-warning")).to_contain_text(
        "1 comment thread is still open."
    )
    escwa.get_by_role("button", name="Accept the answers").click()
    expect(escwa.get_by_text("submission was accepted")).to_be_visible()
    jordan.refresh_from_db()
    assert jordan.status == SubmissionStatus.ACCEPTED
    timeline = escwa.locator("#timeline .portal-event")
    expect(timeline).to_have_count(5)  # draft, submitted, returned, submitted, accepted
    expect(timeline.nth(2)).to_contain_text(MESSAGE)
    for page in (escwa, country):
        page.context.close()
