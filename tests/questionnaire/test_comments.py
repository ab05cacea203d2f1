"""Comment threads (services.comments, selectors.comments): who may comment, resolve and reply,
when the other side sees a comment and the e-mails that carry it, and the open-thread counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import selectors, services
from questionnaire.models import (
    Comment,
    CountryRole,
    SubmissionStatus,
)
from tests import factories
from tests.factories import move, question, set_status

pytestmark = pytest.mark.django_db
S = SubmissionStatus


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
