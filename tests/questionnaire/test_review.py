"""ESCWA's review: comment threads, e-mails, what changed since the previous submission, and the
review pages with their decisions (return, accept, publish)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import selectors, services, textdiff, workflow
from questionnaire.models import (
    Comment,
    CountryRole,
    Question,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from tests import factories
from tests.factories import build_submission

pytestmark = pytest.mark.django_db
S = SubmissionStatus


def question(submission, key="mechanism"):
    return Question.objects.select_related("section").get(version=submission.cycle.version, key=key)


def answer(submission, key, value, user=None):
    return services.answer_save(
        submission=submission, question=question(submission, key), value=value, user=user
    )


def move(submission, to_status, user, message=""):
    return services.submission_transition(
        submission=submission, to_status=to_status, user=user, message=message
    )


@pytest.fixture
def submitted(complete_submission, focal_point):
    return move(complete_submission, S.SUBMITTED, focal_point)


@pytest.fixture
def returned(submitted, reviewer):
    return move(submitted, S.RETURNED, reviewer, "Please name the lead ministry.")


def set_status(submission, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


# --- comment_add and comment_resolve --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("focal_point", True),
        ("contributor", True),
        ("viewer", True),
        ("reviewer", True),
        ("admin_user", True),
        ("other_focal_point", False),
    ],
)
def test_who_may_comment(request, submission, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        comment = services.comment_add(
            submission=submission, question=question(submission), user=user, body="A remark."
        )
        assert (comment.author, comment.body, comment.is_open) == (user, "A remark.", True)
    else:
        with pytest.raises(PermissionDenied):
            services.comment_add(
                submission=submission, question=question(submission), user=user, body="A remark."
            )
        assert not Comment.objects.exists()


def test_a_user_without_a_role_may_not_comment(submission):
    with pytest.raises(PermissionDenied):
        services.comment_add(
            submission=submission,
            question=question(submission),
            user=factories.UserFactory(),
            body="Hello",
        )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write a comment first."),
        ("  \n\t ", "Write a comment first."),
        ("x" * (services.COMMENT_MAX_LENGTH + 1), "at most 5,000 characters"),
    ],
)
def test_a_comment_needs_a_body_of_reasonable_length(submission, reviewer, body, error):
    with pytest.raises(ValidationError) as exc:
        services.comment_add(
            submission=submission, question=question(submission), user=reviewer, body=body
        )
    assert error in " ".join(exc.value.messages)
    assert not Comment.objects.exists()


def test_a_comment_is_stored_as_plain_text_trimmed_and_without_control_characters(
    submission, reviewer
):
    body = "  <b>Source?</b>\r\nSee\x07 table 2.  "
    comment = services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body=body
    )
    assert comment.body == "<b>Source?</b>\nSee table 2."
    assert len("x" * services.COMMENT_MAX_LENGTH) == 5000  # the documented limit


def test_a_comment_on_a_question_of_another_version_is_refused(submission, reviewer):
    elsewhere = factories.QuestionFactory()
    with pytest.raises(ValidationError):
        services.comment_add(submission=submission, question=elsewhere, user=reviewer, body="x")


def test_a_published_submission_takes_no_more_comments(submission, reviewer):
    set_status(submission, S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.comment_add(
            submission=submission, question=question(submission), user=reviewer, body="Late"
        )


def test_a_closed_cycle_takes_no_more_comments(submission, reviewer, focal_point):
    """Nothing can change any more in a closed cycle: its threads are closed too."""
    open_thread = services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body="Source?"
    )
    set_status(submission, S.ACCEPTED)
    submission.cycle.is_closed = True
    submission.cycle.save()
    submission.refresh_from_db()
    for user in (reviewer, focal_point):
        with pytest.raises(PermissionDenied):
            services.comment_add(
                submission=submission, question=question(submission), user=user, body="Late"
            )
    with pytest.raises(PermissionDenied):
        services.comment_resolve(comment=open_thread, user=reviewer)
    assert Comment.objects.count() == 1


@pytest.fixture
def comment(submission, reviewer):
    return services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body="Source?"
    )


@pytest.fixture
def country_comment(submission, focal_point):
    return services.comment_add(
        submission=submission, question=question(submission), user=focal_point, body="Why?"
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("reviewer", True),  # the thread's author
        ("admin_user", True),
        ("focal_point", False),  # only ESCWA closes ESCWA's remarks
        ("contributor", False),
        ("viewer", False),
        ("other_focal_point", False),
    ],
)
def test_who_may_resolve_a_thread_escwa_opened(request, comment, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        resolved = services.comment_resolve(comment=comment, user=user)
        assert resolved.resolved_by == user and resolved.resolved_at is not None
    else:
        with pytest.raises(PermissionDenied):
            services.comment_resolve(comment=comment, user=user)
        comment.refresh_from_db()
        assert comment.is_open


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("focal_point", True),  # the thread's author
        ("contributor", True),  # the country's editors close the country's own threads
        ("reviewer", True),
        ("admin_user", True),
        ("viewer", False),
        ("other_focal_point", False),
    ],
)
def test_who_may_resolve_a_thread_the_country_opened(request, country_comment, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        assert services.comment_resolve(comment=country_comment, user=user).resolved_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.comment_resolve(comment=country_comment, user=user)
        country_comment.refresh_from_db()
        assert country_comment.is_open


def test_a_viewer_resolves_the_thread_they_opened(submission, viewer):
    mine = services.comment_add(
        submission=submission, question=question(submission), user=viewer, body="Typo in I.a?"
    )
    assert services.comment_resolve(comment=mine, user=viewer).resolved_by == viewer


def test_resolving_twice_keeps_the_first_resolution(comment, reviewer, admin_user):
    first = services.comment_resolve(comment=comment, user=reviewer)
    again = services.comment_resolve(comment=comment, user=admin_user)
    assert (again.resolved_by, again.resolved_at) == (reviewer, first.resolved_at)


# --- Replies ---------------------------------------------------------------------------------


def reply(comment, user, body="Done: see the revised answer."):
    return services.comment_add(
        submission=comment.submission,
        question=comment.question,
        user=user,
        body=body,
        parent=comment,
    )


def test_a_reply_joins_the_thread_and_opens_nothing(submission, comment, reviewer, focal_point):
    services.comments_send(submission=submission, user=reviewer)
    answer_ = reply(comment, focal_point)

    assert answer_.parent == comment and not answer_.is_open
    counts = selectors.open_comment_counts(submissions=[submission])
    assert counts == {submission.pk: 1}  # the country's reply is not a second open comment
    threads = selectors.comment_threads(submission=submission, user=focal_point)
    (thread,) = threads[comment.question_id]
    assert thread == comment and thread.thread_replies == [answer_]


def test_a_reply_to_a_reply_goes_to_its_thread(comment, focal_point, reviewer):
    first = reply(comment, focal_point)
    second = reply(first, reviewer, "Thank you.")
    assert second.parent == comment


def test_a_resolved_thread_takes_no_reply(comment, reviewer, focal_point):
    services.comment_resolve(comment=comment, user=reviewer)
    with pytest.raises(ValidationError, match="marked as resolved"):
        reply(comment, focal_point)
    assert Comment.objects.count() == 1


def test_a_reply_must_stay_on_its_question(submission, comment, focal_point):
    with pytest.raises(ValidationError):
        services.comment_add(
            submission=submission,
            question=question(submission, "lead"),
            user=focal_point,
            body="Elsewhere",
            parent=comment,
        )
    assert Comment.objects.count() == 1


def test_a_reply_is_never_resolved_on_its_own(comment, focal_point, reviewer):
    answer_ = reply(comment, focal_point)
    with pytest.raises(ValidationError):
        services.comment_resolve(comment=answer_, user=reviewer)
    answer_.refresh_from_db()
    assert answer_.resolved_at is None


def test_the_database_refuses_a_resolved_reply(comment, focal_point, reviewer):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    answer_ = reply(comment, focal_point)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=answer_.pk).update(
            resolved_at=timezone.now(), resolved_by=reviewer
        )


# --- Who sees a comment, and when it is e-mailed --------------------------------------------


@pytest.fixture
def arabic_contributor(country):
    user = factories.MembershipFactory(country=country, role=CountryRole.CONTRIBUTOR).user
    user.language = "ar"
    user.save()
    return user


def mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_writing_a_comment_sends_no_email(
    submitted, reviewer, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.comment_add(
            submission=submitted, question=question(submitted), user=reviewer, body="Source?"
        )
        services.comment_add(
            submission=submitted, question=question(submitted, "lead"), user=reviewer, body="Who?"
        )
        reply(first, focal_point)
    assert mailoutbox == []
    assert not Comment.objects.filter(notified_at__isnull=False).exists()


def test_escwas_comments_reach_the_country_once_sent(submitted, reviewer, focal_point):
    services.comment_add(
        submission=submitted, question=question(submitted), user=reviewer, body="Source?"
    )

    def seen_by(user):
        threads = selectors.comment_threads(submission=submitted, user=user)
        return [c.body for thread in threads.values() for c in thread]

    assert seen_by(reviewer) == ["Source?"]
    assert seen_by(focal_point) == []  # the reviewer is still reading
    move(submitted, S.RETURNED, reviewer, "See the comments.")
    assert seen_by(focal_point) == ["Source?"]


def test_the_return_email_carries_every_comment_once(
    submitted, reviewer, admin_user, focal_point, contributor, viewer, arabic_contributor,
    mailoutbox, django_capture_on_commit_callbacks,
):  # fmt: skip
    services.comment_add(
        submission=submitted, question=question(submitted), user=reviewer, body="Source?"
    )
    services.comment_add(
        submission=submitted, question=question(submitted, "lead"), user=admin_user, body="Who?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        move(submitted, S.RETURNED, reviewer, "Please see the comments.")

    # One e-mail per person, not one per comment: the return message with both comments.
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([focal_point.email, contributor.email, arabic_contributor.email])
    english = mails_to(mailoutbox, focal_point)[0]
    assert "Please see the comments." in english.body
    assert "2 comments on single questions:" in english.body
    assert "I.a · " in english.body and "Source?" in english.body
    assert "I.b · " in english.body and "Who?" in english.body
    assert english.body.index("Source?") < english.body.index("Who?")  # questionnaire order
    assert submitted.country.name_ar in mails_to(mailoutbox, arabic_contributor)[0].subject
    assert Comment.objects.filter(notified_at__isnull=True).count() == 0

    # Sent once: the next decision carries only what was written since.
    mailoutbox.clear()
    submitted.refresh_from_db()
    move(submitted, S.SUBMITTED, focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        move(submitted, S.ACCEPTED, reviewer)
    assert "Source?" not in mails_to(mailoutbox, focal_point)[0].body
    assert "comments on single questions" not in mails_to(mailoutbox, focal_point)[0].body


def test_the_countrys_replies_travel_with_its_submission(
    returned, reviewer, admin_user, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.comment_add(
            submission=returned, question=question(returned), user=reviewer, body="Source?"
        )
        services.comments_send(submission=returned, user=reviewer)
    mailoutbox.clear()
    returned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        reply(thread, focal_point, "Added the 2019 survey.")
        assert mailoutbox == []
        move(returned, S.SUBMITTED, focal_point)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([reviewer.email, admin_user.email])
    body = mailoutbox[0].body
    assert "1 comment on single questions:" in body
    assert "I.a · " in body and "replying to" in body and "Added the 2019 survey." in body
    assert f"/submissions/{returned.pk}/" in body


def test_sending_comments_now_is_one_email_to_the_other_side(
    submission, reviewer, focal_point, viewer, arabic_contributor, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    for body in ("First remark", "Second remark"):
        services.comment_add(
            submission=submission, question=question(submission), user=reviewer, body=body
        )
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.comments_send(submission=submission, user=reviewer)
    assert sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [focal_point.email, viewer.email, arabic_contributor.email]
    )
    english = mails_to(mailoutbox, focal_point)[0]
    assert "Morocco" in english.subject and "ESCWA" in english.subject
    assert "First remark" in english.body and "Second remark" in english.body
    assert submission.country.name_ar in mails_to(mailoutbox, arabic_contributor)[0].subject

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.comments_send(submission=submission, user=reviewer) == 0
    assert mailoutbox == []


def test_the_country_sends_its_questions_to_escwas_reviewers(
    submission, reviewer, admin_user, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    services.comment_add(
        submission=submission, question=question(submission), user=focal_point, body="Which law?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.comments_send(submission=submission, user=focal_point) == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([reviewer.email, admin_user.email])
    assert "Which law?" in mailoutbox[0].body


def test_nothing_is_sent_for_a_refused_comment(
    submission, viewer, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.comment_add(
            submission=submission, question=question(submission), user=viewer, body=" "
        )
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("to_status", "words"),
    [
        (S.RETURNED, "returned"),
        (S.ACCEPTED, "accepted"),
        (S.PUBLISHED, "published"),
    ],
)
def test_review_decisions_are_emailed_to_focal_points_and_contributors(
    submitted, reviewer, focal_point, contributor, viewer, arabic_contributor, mailoutbox,
    django_capture_on_commit_callbacks, to_status, words,
):  # fmt: skip
    if to_status == S.PUBLISHED:
        move(submitted, S.ACCEPTED, reviewer)
        services.submission_publication_agree(submission=submitted, user=focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        move(submitted, to_status, reviewer, "Please name the lead ministry.")
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([focal_point.email, contributor.email, arabic_contributor.email])
    english = mails_to(mailoutbox, focal_point)[0]
    assert words in english.subject and "Morocco" in english.subject
    assert "Please name the lead ministry." in english.body
    assert f"/submissions/{submitted.pk}/" in english.body
    assert submitted.country.name_ar in mails_to(mailoutbox, arabic_contributor)[0].subject


def test_the_return_email_keeps_the_message_as_typed(
    submitted, reviewer, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(submitted, S.RETURNED, reviewer, 'Add the <law> & its date, "2019".')
    assert 'Add the <law> & its date, "2019".' in mailoutbox[0].body


def test_a_mail_server_failure_never_undoes_the_action(
    submission, reviewer, focal_point, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("questionnaire.notifications.send_mail", down)
    services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body="Still here"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.comments_send(submission=submission, user=reviewer)
    assert Comment.objects.get().body == "Still here"


# --- Publication needs the country's agreement ----------------------------------------------------


@pytest.fixture
def accepted(submitted, reviewer):
    return move(submitted, S.ACCEPTED, reviewer)


def test_publishing_waits_for_the_countrys_agreement(accepted, reviewer):
    with pytest.raises(services.TransitionError, match="has not agreed"):
        move(accepted, S.PUBLISHED, reviewer)
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("focal_point", True),
        ("contributor", False),
        ("viewer", False),
        ("reviewer", False),  # ESCWA does not agree on a country's behalf
        ("admin_user", False),
        ("other_focal_point", False),
    ],
)
def test_only_a_focal_point_agrees_to_publication(request, accepted, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        agreement = services.submission_publication_agree(submission=accepted, user=user)
        assert agreement.actor == user
    else:
        with pytest.raises(PermissionDenied):
            services.submission_publication_agree(submission=accepted, user=user)
        assert selectors.submission_publication_agreement(submission=accepted) is None


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED])
def test_agreement_waits_for_acceptance(submission, focal_point, status):
    set_status(submission, status)
    with pytest.raises(PermissionDenied):
        services.submission_publication_agree(submission=submission, user=focal_point)


def test_agreeing_tells_escwa_and_lets_it_publish(
    accepted, focal_point, reviewer, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_publication_agree(submission=accepted, user=focal_point)
        services.submission_publication_agree(submission=accepted, user=focal_point)  # once
    assert sorted(m.to[0] for m in mailoutbox) == sorted([reviewer.email, admin_user.email])
    assert "agreed" in mailoutbox[0].subject

    assert move(accepted, S.PUBLISHED, reviewer).status == S.PUBLISHED


def test_the_agreement_page_asks_first_and_records_it(client, accepted, focal_point):
    url = reverse("publication_agree", args=[accepted.pk])
    client.force_login(focal_point)
    page = client.get(url)
    assert page.status_code == 200
    assert "Does Morocco agree to the publication of its answers?" in page.text
    unticked = client.post(url, {})
    assert unticked.status_code == 200 and "Tick the box" in unticked.text
    assert selectors.submission_publication_agreement(submission=accepted) is None

    done = client.post(url, {"confirm": "yes"})

    assert done.status_code == 302 and done.url == reverse("submission_detail", args=[accepted.pk])
    detail = client.get(done.url).text
    assert "agreed on" in detail and "Agreed to publication" in detail  # note and timeline


def test_the_submission_page_asks_the_focal_point_and_tells_escwa(
    client, accepted, focal_point, contributor, reviewer
):
    agree = reverse("publication_agree", args=[accepted.pk])
    publish = reverse("submission_move", args=[accepted.pk, "publish"])
    assert (
        agree
        in login(client, focal_point).get(reverse("submission_detail", args=[accepted.pk])).text
    )
    assert (
        agree
        not in login(client, contributor).get(reverse("submission_detail", args=[accepted.pk])).text
    )
    staff = login(client, reviewer).get(reverse("submission_detail", args=[accepted.pk])).text
    assert publish not in staff and "has not agreed to the publication" in staff
    confirm = client.get(publish).text
    assert "has not agreed to the publication of its answers yet" in confirm
    assert 'class="card card-body"' not in confirm  # no form to publish with

    services.submission_publication_agree(submission=accepted, user=focal_point)
    assert publish in client.get(reverse("submission_detail", args=[accepted.pk])).text


def test_a_migration_keeps_published_submissions_published():
    """Submissions published before agreements were recorded keep an agreement (with nobody
    named), so they stay published and listed; old comments count as sent."""
    import importlib

    migration = importlib.import_module(
        "questionnaire.migrations.0006_comment_threads_and_publication_agreement"
    )
    from django.apps import apps as global_apps

    cycle = factories.CycleFactory()
    published = factories.SubmissionFactory(cycle=cycle, status=S.PUBLISHED)
    old = Comment.objects.create(
        submission=published,
        question=factories.QuestionFactory(section__version=cycle.version),
        author=factories.UserFactory(staff_role="reviewer"),
        body="Old",
    )
    migration.backfill(global_apps, None)
    agreement = selectors.submission_publication_agreement(submission=published)
    assert agreement is not None and agreement.actor is None
    old.refresh_from_db()
    assert old.notified_at == old.created_at


# --- What changed since the previous submission ---------------------------------------------------


def test_nothing_to_compare_before_a_second_submission(submitted):
    assert selectors.submission_changes(submission=submitted) is None


def test_changes_between_the_previous_submission_and_now(returned, focal_point, reviewer):
    answer(returned, "mechanism", "<p>Answer</p><ul><li>Interior</li></ul>", focal_point)
    answer(returned, "lead", "Ministry of Interior", focal_point)
    answer(returned, "policies", "<p>A national strategy.</p>", focal_point)
    resubmitted = move(returned, S.SUBMITTED, focal_point)

    changes = selectors.submission_changes(submission=resubmitted)

    by_key = {c.question.key: c for c in changes.by_question.values()}
    assert changes.since.to_status == S.SUBMITTED
    assert (by_key["lead"].before, by_key["lead"].after) == ("Ministry", "Ministry of Interior")
    assert by_key["lead"].kind == "changed"
    assert by_key["policies"].kind == "added"
    assert by_key["mechanism"].kind == "changed"
    assert [line.kind for line in by_key["mechanism"].lines] == ["equal", "insert"]
    assert [c.question.key for c in changes.changed] == ["mechanism", "lead", "policies"]


def test_only_the_value_at_the_previous_submission_counts(returned, focal_point):
    answer(returned, "lead", "Ministry of Labour", focal_point)
    answer(returned, "lead", "Ministry", focal_point)  # back to what was submitted
    resubmitted = move(returned, S.SUBMITTED, focal_point)

    changes = selectors.submission_changes(submission=resubmitted)

    assert changes.changed == []
    assert all(c.kind == "unchanged" for c in changes.by_question.values())


def test_while_returned_the_changes_run_from_the_last_submission(returned, focal_point):
    answer(returned, "lead", "Ministry of Interior", focal_point)

    changes = selectors.submission_changes(submission=returned)

    assert [c.question.key for c in changes.changed] == ["lead"]


def test_the_changes_cost_two_queries_whatever_the_size(
    country, focal_point, reviewer, django_assert_num_queries
):
    submission = build_submission(country=country, sections=3)
    version = submission.cycle.version
    move(submission, S.SUBMITTED, None)
    move(submission, S.RETURNED, None, "Revise")
    for q in version.questions.filter(type="short_text"):
        services.answer_save(submission=submission, question=q, value="Changed", user=focal_point)
    submission = move(submission, S.SUBMITTED, None)

    with django_assert_num_queries(2):
        changes = selectors.submission_changes(submission=submission)

    assert len(changes.changed) == 3
    assert len(changes.by_question) == 27


def test_a_word_changed_in_a_long_line_is_shown_word_by_word():
    lines = textdiff.diff_lines(
        "The Ministry of Labour leads the review.", "The Ministry of Interior leads the review."
    )
    assert len(lines) == 1
    assert [(s.kind, s.text) for s in lines[0].segments] == [
        ("equal", "The Ministry of "),
        ("delete", "Labour"),
        ("insert", "Interior"),
        ("equal", " leads the review."),
    ]


def test_a_rewritten_line_is_shown_removed_then_added():
    lines = textdiff.diff_lines("Alpha beta gamma", "Completely different words here")
    assert [line.kind for line in lines] == ["delete", "insert"]


# --- open_comment_counts ------------------------------------------------------------------------


def test_open_comment_counts_in_one_query(
    submission, other_country, reviewer, focal_point, django_assert_num_queries
):
    other = services.submission_create(cycle=submission.cycle, country=other_country)
    for body in ("One", "Two", "Three"):
        last = services.comment_add(
            submission=submission, question=question(submission), user=reviewer, body=body
        )
    services.comment_resolve(comment=last, user=reviewer)
    services.comments_send(submission=submission, user=reviewer)
    reply(Comment.objects.get(body="One"), focal_point)  # a reply opens no thread
    services.comments_send(submission=submission, user=focal_point)

    with django_assert_num_queries(1):
        counts = selectors.open_comment_counts(submissions=[submission, other])

    assert counts == {submission.pk: 2, other.pk: 0}


def test_escwa_counts_the_countrys_threads_once_sent(submission, focal_point):
    services.comment_add(
        submission=submission, question=question(submission), user=focal_point, body="Draft q"
    )
    assert selectors.open_comment_counts(submissions=[submission]) == {submission.pk: 0}
    services.comments_send(submission=submission, user=focal_point)
    assert selectors.open_comment_counts(submissions=[submission]) == {submission.pk: 1}


# --- The review page and the decisions ------------------------------------------------------------


def login(client, user):
    client.force_login(user)
    return client


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
    assert 'Ministry<ins><span class="visually-hidden">added: </span> of Interior</ins>' in text
    assert text.count("Unchanged since the previous submission") == 2
    assert '<details class="portal-collapsed portal-unchanged">' in text


def test_a_removed_word_is_marked_for_screen_readers(client, returned, focal_point, reviewer):
    answer(returned, "mechanism", "<p>An answer</p>", focal_point)
    resubmitted = move(returned, S.SUBMITTED, focal_point)
    assert selectors.submission_changes(submission=resubmitted).changed[0].before == "Answer"
    text = login(client, reviewer).get(reverse("submission_detail", args=[returned.pk])).text
    assert '<del><span class="visually-hidden">removed: </span>Answer</del>' in text


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
