"""The workflow as a table (questionnaire.workflow), as submission_transition applies it: every
pair of statuses, who may make each move, and what a move needs."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from questionnaire import selectors, services
from questionnaire.models import (
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)

pytestmark = pytest.mark.django_db
S = SubmissionStatus


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


def test_submitting_with_a_required_answer_missing_is_refused(submission, focal_point):
    missing = selectors.submission_missing_required(submission=submission)
    assert [q.key for q in missing] == ["mechanism", "lead"]
    with pytest.raises(services.TransitionError):
        services.submission_transition(
            submission=submission, to_status=S.SUBMITTED, user=focal_point
        )
    submission.refresh_from_db()
    assert submission.status == S.DRAFT
