"""The permission module's table: role × action on a submission."""

import pytest
from django.contrib.auth.models import AnonymousUser

from questionnaire import permissions
from questionnaire.models import Submission, SubmissionStatus
from questionnaire.permissions import Action, can

pytestmark = pytest.mark.django_db

A = Action
ROLES = ["anonymous", "focal_point", "contributor", "viewer", "other_focal_point", "reviewer",
         "admin_user"]  # fmt: skip

# Expected answers on a draft submission of the focal point's country.
EXPECTED_ON_DRAFT = {
    A.VIEW_SUBMISSION: {"focal_point", "contributor", "viewer", "reviewer", "admin_user"},
    A.EDIT_ANSWERS: {"focal_point", "contributor"},
    A.SUBMIT: {"focal_point"},
    A.REVIEW: {"reviewer", "admin_user"},
    A.PUBLISH: {"reviewer", "admin_user"},
    # Everyone who may read the submission may write in its threads; editors and ESCWA resolve.
    A.COMMENT: {"focal_point", "contributor", "viewer", "reviewer", "admin_user"},
    A.RESOLVE_COMMENT: {"focal_point", "contributor", "reviewer", "admin_user"},
    A.START_SUBMISSION: {"focal_point"},
    A.MANAGE_TEAM: {"focal_point", "admin_user"},
    A.VIEW_ALL_COUNTRIES: {"reviewer", "admin_user"},
    A.MANAGE_QUESTIONNAIRES: {"admin_user"},
}


def user_for(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED_ON_DRAFT))
def test_permission_table_on_a_draft(request, submission, role, action):
    user = user_for(request, role)
    obj = submission.country if action in (A.START_SUBMISSION, A.MANAGE_TEAM) else submission
    assert can(user, action, obj) is (role in EXPECTED_ON_DRAFT[action])


@pytest.mark.parametrize("status", [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED])
@pytest.mark.parametrize("role", ["focal_point", "contributor"])
def test_nobody_edits_a_submitted_or_accepted_submission(request, submission, status, role):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    assert not can(request.getfixturevalue(role), A.EDIT_ANSWERS, submission)


@pytest.mark.parametrize("role", ["focal_point", "viewer", "reviewer", "admin_user"])
@pytest.mark.parametrize("action", [A.COMMENT, A.RESOLVE_COMMENT])
def test_a_published_submission_takes_no_comments(request, submission, role, action):
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.PUBLISHED)
    submission.refresh_from_db()
    assert not can(request.getfixturevalue(role), action, submission)


@pytest.mark.parametrize(
    "status", [SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED]
)
def test_threads_stay_open_while_the_submission_is_reviewed(submission, viewer, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    assert can(viewer, A.COMMENT, submission)
    assert not can(viewer, A.RESOLVE_COMMENT, submission)


def test_a_closed_cycle_takes_no_edits(submission, focal_point):
    submission.cycle.is_closed = True
    submission.cycle.save()
    submission.refresh_from_db()
    assert not can(focal_point, A.EDIT_ANSWERS, submission)


def test_an_inactive_member_may_do_nothing(submission, focal_point):
    focal_point.is_active = False
    assert not can(focal_point, A.VIEW_SUBMISSION, submission)


def test_members_only_list_their_own_countries_submissions(
    submission, focal_point, other_focal_point, reviewer
):
    assert list(permissions.submissions_visible_to(focal_point)) == [submission]
    assert list(permissions.submissions_visible_to(other_focal_point)) == []
    assert list(permissions.submissions_visible_to(reviewer)) == [submission]
