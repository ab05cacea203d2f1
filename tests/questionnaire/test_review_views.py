"""ESCWA's review pages (review_views): who reaches them, the decisions (return, accept,
publish) and the comment forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import selectors, services, workflow
from questionnaire.models import (
    Comment,
    SubmissionEvent,
    SubmissionStatus,
)
from tests.factories import answer, build_submission, login, move, question

pytestmark = pytest.mark.django_db
S = SubmissionStatus


# --- The review page and the decisions ------------------------------------------------------------


REVIEW_ACCESS = [
    ("reviewer", 200),
    ("admin_user", 200),
    ("focal_point", 403),
    ("contributor", 403),
    ("viewer", 403),
    ("other_focal_point", 404),
]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("reviewer", 302),
        ("admin_user", 302),
        ("focal_point", 302),
        ("contributor", 302),
        ("viewer", 302),
        ("other_focal_point", 404),
    ],
)
def test_the_old_review_address_leads_to_the_submission_page(
    client, request, submitted, role, status
):
    """The review page is now the submission page with its review tools; links in e-mails sent
    before still work, for those who may see the submission."""
    user = request.getfixturevalue(role)
    response = login(client, user).get(reverse("submission_review", args=[submitted.pk]))
    assert response.status_code == status
    if status == 302:
        assert response.url == reverse("submission_detail", args=[submitted.pk])


@pytest.mark.parametrize("name", ["submission_review", "submission_move"])
def test_anonymous_users_are_sent_to_log_in(client, submitted, name):
    args = [submitted.pk] if name == "submission_review" else [submitted.pk, "accept"]
    url = reverse(name, args=args)
    for response in (client.get(url), client.post(url, {"message": "x"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


@pytest.mark.parametrize("slug", ["return", "accept"])
@pytest.mark.parametrize(("role", "status"), REVIEW_ACCESS)
def test_who_may_take_a_decision(client, request, submitted, slug, role, status):
    user = request.getfixturevalue(role)
    url = reverse("submission_move", args=[submitted.pk, slug])
    events = SubmissionEvent.objects.count()

    confirm = login(client, user).get(url)
    done = client.post(url, {"message": "Please revise section I."})

    assert confirm.status_code == status
    submitted.refresh_from_db()
    if status == 200:
        assert done.status_code == 302
        assert submitted.status == workflow.REVIEW_DECISIONS[slug].to_status
        assert SubmissionEvent.objects.count() == events + 1
    else:
        assert done.status_code == status
        assert submitted.status == S.SUBMITTED
        assert SubmissionEvent.objects.count() == events


def test_publishing_is_for_escwa(client, submitted, reviewer, focal_point):
    move(submitted, S.ACCEPTED, reviewer)
    url = reverse("submission_move", args=[submitted.pk, "publish"])
    assert login(client, focal_point).post(url).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.ACCEPTED

    services.submission_publication_agree(submission=submitted, user=focal_point)
    response = login(client, reviewer).post(url)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.PUBLISHED


def test_the_confirmation_page_changes_nothing(client, submitted, reviewer):
    response = login(client, reviewer).get(
        reverse("submission_move", args=[submitted.pk, "accept"])
    )
    assert response.status_code == 200
    assert "Accept Morocco's answers?" in response.text
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_returning_without_a_message_is_refused_and_changes_nothing(client, submitted, reviewer):
    url = reverse("submission_move", args=[submitted.pk, "return"])
    response = login(client, reviewer).post(url, {"message": "   "})
    assert response.status_code == 400
    assert "Say what the country should change." in response.text
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not SubmissionEvent.objects.filter(to_status=S.RETURNED).exists()


def test_a_move_the_workflow_refuses_says_why_and_changes_nothing(client, submission, reviewer):
    """Accepting a draft: the confirmation says it is not open, and a post anyway is refused."""
    url = reverse("submission_move", args=[submission.pk, "accept"])
    confirm = login(client, reviewer).get(url)
    assert "this decision is not open to you now" in confirm.text
    assert 'class="card card-body"' not in confirm.text  # no form to confirm

    response = client.post(url)

    assert response.status_code == 400
    assert "Nothing was changed." in response.text
    assert "cannot go from “Draft” to “Accepted”" in response.text
    submission.refresh_from_db()
    assert submission.status == S.DRAFT
    assert submission.events.count() == 1


def test_an_unknown_decision_is_404(client, submitted, reviewer):
    url = reverse("submission_move", args=[submitted.pk, "delete"])
    assert login(client, reviewer).get(url).status_code == 404


def test_a_return_records_who_and_the_message_and_the_country_sees_it(
    client, submitted, reviewer, contributor
):
    url = reverse("submission_move", args=[submitted.pk, "return"])
    response = login(client, reviewer).post(url, {"message": "Name the lead ministry.\nThanks."})
    assert response.status_code == 302 and response.url == reverse(
        "submission_detail", args=[submitted.pk]
    )
    event = SubmissionEvent.objects.latest("pk")
    assert (event.actor, event.from_status, event.to_status) == (reviewer, S.SUBMITTED, S.RETURNED)
    assert event.message == "Name the lead ministry.\nThanks."

    login(client, contributor)
    pages = [
        reverse("answer_section", args=[submitted.pk, "I"]),
        reverse("submission_check", args=[submitted.pk]),
        reverse("submission_detail", args=[submitted.pk]),
    ]
    for page in pages:
        text = client.get(page).text
        assert "ESCWA returned these answers for revision" in text, page
        assert "<p>Name the lead ministry.<br>Thanks.</p>" in text, page
    # Returned answers are editable again.
    submitted.refresh_from_db()
    answer(submitted, "lead", "Ministry of Interior", contributor)


def test_the_timeline_shows_who_moved_what_and_why(client, returned, reviewer, focal_point):
    text = login(client, focal_point).get(reverse("submission_detail", args=[returned.pk])).text
    timeline = text.split('id="timeline"', 1)[1]
    assert timeline.count('class="portal-event"') == 3  # started, submitted, returned
    assert 'status-badge status-submitted">Submitted</span>' in timeline
    assert 'status-badge status-returned">Returned for revision</span>' in timeline
    assert "Please name the lead ministry." in timeline
    assert reviewer.username in timeline


def test_the_submission_page_offers_decisions_to_escwa_only(
    client, submitted, reviewer, focal_point
):
    accept = reverse("submission_move", args=[submitted.pk, "accept"])
    staff_page = login(client, reviewer).get(reverse("submission_detail", args=[submitted.pk]))
    country_page = login(client, focal_point).get(reverse("submission_detail", args=[submitted.pk]))
    assert accept in staff_page.text
    assert accept not in country_page.text
    assert "Return for revision" not in country_page.text


def test_the_review_page_shows_the_changes_with_accessible_marks(
    client, returned, focal_point, reviewer
):
    answer(returned, "lead", "Ministry of Interior", focal_point)
    move(returned, S.SUBMITTED, focal_point)

    text = login(client, reviewer).get(reverse("submission_detail", args=[returned.pk])).text

    assert "1 answer changed since the submission of" in text
    label = '<span class="visually-hidden" lang="en" dir="ltr">added: </span>'
    assert f"Ministry<ins>{label} of Interior</ins>" in text
    assert text.count("Unchanged since the previous submission") == 2
    assert '<details class="portal-collapsed portal-unchanged">' in text


def test_a_removed_word_is_marked_for_screen_readers(client, returned, focal_point, reviewer):
    answer(returned, "mechanism", "<p>An answer</p>", focal_point)
    resubmitted = move(returned, S.SUBMITTED, focal_point)
    assert selectors.submission_changes(submission=resubmitted).changed[0].before == "Answer"
    text = login(client, reviewer).get(reverse("submission_detail", args=[returned.pk])).text
    label = '<span class="visually-hidden" lang="en" dir="ltr">removed: </span>'
    assert f"<del>{label}Answer</del>" in text


def test_the_review_page_costs_the_same_for_any_size(client, country, reviewer, focal_point):
    def build(sections):
        submission = build_submission(country=country, sections=sections)
        version = submission.cycle.version
        move(submission, S.SUBMITTED, None)
        move(submission, S.RETURNED, None, "Revise")
        for q in version.questions.all()[:3]:
            services.comment_add(submission=submission, question=q, user=reviewer, body="?")
        services.answer_save(
            submission=submission,
            question=version.questions.filter(type="short_text").first(),
            value="New",
            user=focal_point,
        )
        return move(submission, S.SUBMITTED, None)

    small, large = build(1), build(4)
    login(client, reviewer)

    def count(submission):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("submission_detail", args=[submission.pk]))
        assert response.status_code == 200
        return len(ctx)

    assert count(small) == count(large)


# --- Comment views --------------------------------------------------------------------------------


def add_comment(client, submission, body, key="mechanism", return_to="detail", parent=None):
    data = {"key": key, "body": body, "return_to": return_to}
    if parent is not None:
        data["parent"] = parent.pk
    return client.post(reverse("comment_add", args=[submission.pk]), data)


def test_a_reviewer_comments_from_the_submission_page(client, submitted, reviewer):
    response = add_comment(login(client, reviewer), submitted, "Which law?")
    assert response.status_code == 302
    assert response.url == (reverse("submission_detail", args=[submitted.pk]) + "#thread-mechanism")
    assert Comment.objects.get().author == reviewer


def test_a_viewer_may_comment_from_the_submission_page(client, submitted, viewer):
    response = add_comment(login(client, viewer), submitted, "Question", return_to="detail")
    assert response.url == reverse("submission_detail", args=[submitted.pk]) + "#thread-mechanism"
    assert Comment.objects.get().author == viewer


def test_comment_views_for_outsiders_and_anonymous_users(client, submitted, other_focal_point):
    anonymous = add_comment(client, submitted, "Hi")
    outsider = add_comment(login(client, other_focal_point), submitted, "Hi")
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert outsider.status_code == 404
    assert not Comment.objects.exists()


def test_an_unknown_question_is_404(client, submitted, reviewer):
    assert add_comment(login(client, reviewer), submitted, "x", key="nope").status_code == 404


def test_a_refused_comment_keeps_the_text(client, submitted, reviewer):
    body = "y" * (services.COMMENT_MAX_LENGTH + 1)
    response = add_comment(login(client, reviewer), submitted, body)
    assert response.status_code == 400
    assert "Your comment was not saved" in response.text
    assert body in response.text
    assert not Comment.objects.exists()


def test_comments_are_escaped_with_their_line_breaks(client, submitted, reviewer, focal_point):
    add_comment(login(client, reviewer), submitted, "<script>alert(1)</script>\nSecond line")
    services.comments_send(submission=submitted, user=reviewer)
    for user in (reviewer, focal_point):
        text = login(client, user).get(reverse("submission_detail", args=[submitted.pk])).text
        assert "<script>alert(1)" not in text
        assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line</p>" in text


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("other_focal_point", 404)])
def test_resolving_is_refused_to_viewers_and_outsiders(
    client, request, submitted, reviewer, role, status
):
    comment = services.comment_add(
        submission=submitted, question=question(submitted), user=reviewer, body="?"
    )
    url = reverse("comment_resolve", args=[submitted.pk, comment.pk])
    response = login(client, request.getfixturevalue(role)).post(url)
    assert response.status_code == status
    comment.refresh_from_db()
    assert comment.is_open


def test_a_contributor_resolves_a_thread_the_country_opened(
    client, submitted, focal_point, contributor
):
    comment = services.comment_add(
        submission=submitted, question=question(submitted), user=focal_point, body="?"
    )
    url = reverse("comment_resolve", args=[submitted.pk, comment.pk])
    response = login(client, contributor).post(url, {"return_to": "detail"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == contributor


def test_a_contributor_may_not_resolve_escwas_remark(client, submitted, reviewer, contributor):
    comment = services.comment_add(
        submission=submitted, question=question(submitted), user=reviewer, body="?"
    )
    url = reverse("comment_resolve", args=[submitted.pk, comment.pk])
    assert login(client, contributor).post(url).status_code == 403
    comment.refresh_from_db()
    assert comment.is_open


def test_the_country_replies_in_the_thread_from_the_answering_page(
    client, returned, reviewer, contributor
):
    thread = services.comment_add(
        submission=returned, question=question(returned), user=reviewer, body="Which law?"
    )
    services.comments_send(submission=returned, user=reviewer)
    login(client, contributor)
    page = client.get(reverse("answer_section", args=[returned.pk, "I"])).text
    assert f'form="reply-form-{thread.pk}"' in page and f'id="reply-form-{thread.pk}"' in page

    response = add_comment(client, returned, "Law 02-03.", return_to="answer", parent=thread)

    assert response.status_code == 302
    assert (
        response.url == reverse("answer_section", args=[returned.pk, "I"]) + "#question-mechanism"
    )
    assert Comment.objects.get(parent=thread).body == "Law 02-03."
    assert selectors.open_comment_counts(submissions=[returned]) == {returned.pk: 1}
    text = client.get(response.url).text
    assert "1 open comment thread on I.a" in text and "Law 02-03." in text


def test_a_reply_to_an_unknown_comment_is_404(client, submitted, reviewer):
    response = login(client, reviewer).post(
        reverse("comment_add", args=[submitted.pk]),
        {"key": "mechanism", "body": "x", "parent": "999999"},
    )
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_refused_reply_keeps_the_text_and_its_thread(client, submitted, reviewer, focal_point):
    thread = services.comment_add(
        submission=submitted, question=question(submitted), user=reviewer, body="?"
    )
    services.comment_resolve(comment=thread, user=reviewer)
    services.comments_send(submission=submitted, user=reviewer)
    response = add_comment(login(client, focal_point), submitted, "Late reply", parent=thread)
    assert response.status_code == 400
    assert "marked as resolved" in response.text
    assert "Late reply" in response.text
    assert f'name="parent" value="{thread.pk}"' in response.text


def test_the_send_button_sends_and_says_how_many(client, submission, reviewer, mailoutbox):
    services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body="One"
    )
    login(client, reviewer)
    page = client.get(reverse("submission_detail", args=[submission.pk])).text
    assert "1 comment of yours has not been sent to the country yet." in page
    response = client.post(reverse("comments_send", args=[submission.pk]), follow=True)
    assert "1 comment was sent by e-mail." in response.text
    assert "has not been sent" not in response.text


def test_a_comment_of_another_submission_is_404(client, submitted, other_country, reviewer):
    other = services.submission_create(cycle=submitted.cycle, country=other_country)
    comment = services.comment_add(
        submission=other, question=question(other), user=reviewer, body="?"
    )
    url = reverse("comment_resolve", args=[submitted.pk, comment.pk])
    assert login(client, reviewer).post(url).status_code == 404


def test_the_answering_page_shows_open_threads_only(client, returned, reviewer, contributor):
    q = question(returned)
    services.comment_add(submission=returned, question=q, user=reviewer, body="Still open")
    done = services.comment_add(submission=returned, question=q, user=reviewer, body="Done one")
    services.comment_resolve(comment=done, user=reviewer)
    services.comments_send(submission=returned, user=reviewer)

    text = login(client, contributor).get(reverse("answer_section", args=[returned.pk, "I"])).text

    assert "1 open comment thread on I.a" in text
    assert "Still open" in text
    assert "Done one" not in text
