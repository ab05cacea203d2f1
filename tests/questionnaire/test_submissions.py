"""Submissions: one per country and cycle, answers with revisions, the workflow as a table."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from questionnaire import selectors, services
from questionnaire.models import (
    AnswerRevision,
    ImmutableError,
    Question,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db
S = SubmissionStatus


def question(submission, key="mechanism"):
    return Question.objects.get(version=submission.cycle.version, key=key)


def test_one_submission_per_cycle_and_country(submission):
    with pytest.raises(ValidationError):
        services.submission_create(cycle=submission.cycle, country=submission.country)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(cycle=submission.cycle, country=submission.country)


def test_creating_a_submission_records_an_event(submission):
    event = submission.events.get()
    assert (event.from_status, event.to_status) == ("", S.DRAFT)


def test_only_participating_countries_may_start(cycle):
    outsider = factories.CountryFactory()
    with pytest.raises(ValidationError):
        services.submission_create(cycle=cycle, country=outsider)


def test_only_the_focal_point_may_start_a_submission(cycle, country, contributor, focal_point):
    cycle.countries.add(country)
    with pytest.raises(PermissionDenied):
        services.submission_create(cycle=cycle, country=country, user=contributor)
    assert services.submission_create(cycle=cycle, country=country, user=focal_point).pk


def test_answer_save_stores_value_and_revision(submission, contributor):
    answer = services.answer_save(
        submission=submission,
        question=question(submission),
        value="<p>Our answer</p>",
        user=contributor,
        base_revision=0,
    )
    assert answer.revision == 1
    assert answer.updated_by == contributor
    revision = answer.revisions.get()
    assert (revision.value, revision.created_by, revision.kind) == (
        "<p>Our answer</p>",
        contributor,
        AnswerRevision.Kind.SAVE,
    )


def test_a_stale_save_is_refused_and_changes_nothing(submission, focal_point, contributor):
    q = question(submission)
    services.answer_save(
        submission=submission, question=q, value="<p>First</p>", user=focal_point, base_revision=0
    )
    services.answer_save(
        submission=submission, question=q, value="<p>Second</p>", user=contributor, base_revision=1
    )
    with pytest.raises(services.AnswerConflict) as conflict:
        services.answer_save(
            submission=submission, question=q, value="<p>Stale</p>", user=focal_point,
            base_revision=1,
        )  # fmt: skip
    assert conflict.value.current.value == "<p>Second</p>"
    assert conflict.value.current.revision == 2
    assert submission.answers.get().value == "<p>Second</p>"
    assert AnswerRevision.objects.count() == 2


def test_an_unchanged_save_adds_no_revision(submission, contributor):
    q = question(submission)
    services.answer_save(submission=submission, question=q, value="<p>Same</p>", user=contributor)
    answer = services.answer_save(
        submission=submission, question=q, value="<p>Same</p>", user=contributor, base_revision=1
    )
    assert answer.revision == 1
    assert AnswerRevision.objects.count() == 1


def test_an_invalid_value_changes_nothing(submission, contributor):
    with pytest.raises(ValidationError):
        services.answer_save(
            submission=submission, question=question(submission, "lead"), value="a\nb",
            user=contributor,
        )  # fmt: skip
    assert not submission.answers.exists()


def test_a_question_from_another_version_is_refused(submission, contributor):
    foreign = factories.QuestionFactory()
    with pytest.raises(ValidationError):
        services.answer_save(
            submission=submission, question=foreign, value="<p>x</p>", user=contributor
        )


@pytest.mark.parametrize("role_fixture", ["viewer", "reviewer", "admin_user", "other_focal_point"])
def test_only_country_editors_may_save_answers(submission, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.answer_save(
            submission=submission, question=question(submission), value="<p>x</p>", user=user
        )
    assert not submission.answers.exists()


def test_answers_are_read_only_once_submitted(complete_submission, focal_point):
    submission = complete_submission
    services.submission_transition(submission=submission, to_status=S.SUBMITTED, user=focal_point)
    submission.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.answer_save(
            submission=submission, question=question(submission), value="<p>x</p>",
            user=focal_point,
        )  # fmt: skip


ALLOWED = {
    (S.DRAFT, S.SUBMITTED): "focal_point",
    (S.SUBMITTED, S.RETURNED): "reviewer",
    (S.RETURNED, S.SUBMITTED): "focal_point",
    (S.SUBMITTED, S.ACCEPTED): "reviewer",
    (S.ACCEPTED, S.PUBLISHED): "reviewer",
}


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(S, S)))
def test_every_transition_pair(complete_submission, focal_point, reviewer, from_status, to_status):
    submission = complete_submission
    Submission.objects.filter(pk=submission.pk).update(status=from_status)
    submission.refresh_from_db()
    actor = {"focal_point": focal_point, "reviewer": reviewer}
    events_before = SubmissionEvent.objects.count()
    if (from_status, to_status) in ALLOWED:
        user = actor[ALLOWED[(from_status, to_status)]]
        if to_status == S.PUBLISHED:  # publication also waits for the country's word
            services.submission_publication_agree(submission=submission, user=focal_point)
        moved = services.submission_transition(
            submission=submission, to_status=to_status, user=user, message="Please complete."
        )
        assert moved.status == to_status
        event = SubmissionEvent.objects.latest("pk")
        assert (event.actor, event.from_status, event.to_status) == (user, from_status, to_status)
    else:
        with pytest.raises(services.TransitionError):
            services.submission_transition(
                submission=submission, to_status=to_status, user=reviewer, message="x"
            )
        submission.refresh_from_db()
        assert submission.status == from_status
        assert SubmissionEvent.objects.count() == events_before


def test_a_focal_point_cannot_accept_and_a_reviewer_cannot_submit(
    complete_submission, focal_point, reviewer
):
    submission = complete_submission
    with pytest.raises(PermissionDenied):
        services.submission_transition(submission=submission, to_status=S.SUBMITTED, user=reviewer)
    services.submission_transition(submission=submission, to_status=S.SUBMITTED, user=focal_point)
    with pytest.raises(PermissionDenied):
        services.submission_transition(
            submission=submission, to_status=S.ACCEPTED, user=focal_point
        )


def test_returning_needs_a_message(complete_submission, focal_point, reviewer):
    submission = complete_submission
    services.submission_transition(submission=submission, to_status=S.SUBMITTED, user=focal_point)
    with pytest.raises(services.TransitionError):
        services.submission_transition(
            submission=submission, to_status=S.RETURNED, user=reviewer, message="  "
        )


def test_history_rows_are_append_only(submission, contributor):
    answer = services.answer_save(
        submission=submission, question=question(submission), value="<p>x</p>", user=contributor
    )
    revision = answer.revisions.get()
    event = submission.events.get()
    for row in (revision, event):
        with pytest.raises(ImmutableError):
            row.save()
        with pytest.raises(ImmutableError):
            row.delete()


def test_submitting_with_a_required_answer_missing_is_refused(submission, focal_point):
    missing = selectors.submission_missing_required(submission=submission)
    assert [q.key for q in missing] == ["mechanism", "lead"]
    with pytest.raises(services.TransitionError):
        services.submission_transition(
            submission=submission, to_status=S.SUBMITTED, user=focal_point
        )
    submission.refresh_from_db()
    assert submission.status == S.DRAFT


def test_submitting_emails_the_reviewers(
    complete_submission, focal_point, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_transition(
            submission=complete_submission, to_status=S.SUBMITTED, user=focal_point
        )
    assert [m.to for m in mailoutbox] == [[reviewer.email]]
    assert "Morocco" in mailoutbox[0].subject
    assert f"/submissions/{complete_submission.pk}/" in mailoutbox[0].body


def test_restoring_an_earlier_value_is_a_new_revision(submission, contributor):
    q = question(submission)
    services.answer_save(submission=submission, question=q, value="<p>One</p>", user=contributor)
    answer = services.answer_save(
        submission=submission, question=q, value="<p>Two</p>", user=contributor, base_revision=1
    )
    restored = services.answer_restore(answer=answer, revision=1, user=contributor)
    assert (restored.value, restored.revision) == ("<p>One</p>", 3)
    kinds = list(restored.revisions.order_by("revision").values_list("kind", flat=True))
    assert kinds == ["save", "save", "restore"]


def test_restoring_over_a_newer_save_is_a_conflict(submission, contributor, focal_point):
    q = question(submission)
    answer = services.answer_save(
        submission=submission, question=q, value="<p>One</p>", user=contributor
    )
    services.answer_save(
        submission=submission, question=q, value="<p>Two</p>", user=focal_point, base_revision=1
    )
    with pytest.raises(services.AnswerConflict):
        services.answer_restore(answer=answer, revision=1, user=contributor, base_revision=1)


def test_the_plain_text_of_an_answer_is_kept_in_step(submission, contributor):
    answer = services.answer_save(
        submission=submission,
        question=question(submission),
        value="<ul><li>One<ol><li>Sub</li></ol></li></ul>",
        user=contributor,
    )
    assert answer.text == "- One\n  1. Sub"
