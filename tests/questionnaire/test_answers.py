"""Answers (services.answers): saved with a revision each, stale saves refused, restored as a new
revision, and only by the country's editors while the submission is theirs."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import services
from questionnaire.models import (
    AnswerRevision,
    SubmissionStatus,
)
from tests import factories
from tests.factories import question

pytestmark = pytest.mark.django_db
S = SubmissionStatus


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
