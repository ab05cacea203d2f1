"""Submissions: one per country and cycle, started by the focal point, with an append-only
history, and the reviewers told when one is sent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from questionnaire import services
from questionnaire.models import (
    ImmutableError,
    Submission,
    SubmissionStatus,
)
from tests import factories
from tests.factories import question

pytestmark = pytest.mark.django_db
S = SubmissionStatus


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
