"""A compilation whose worker was killed is finished by another worker, never left running."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from questionnaire import services
from questionnaire.models import Question, SubmissionStatus
from reports import compilation
from reports.models import Compilation, CompilationPart, JobStatus
from reports.recovery import MAX_ATTEMPTS, STALE_AFTER, compilation_recover_stale
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def interrupted(cycle, reviewer):
    """A compilation whose only part was picked up by a worker that then died."""
    country = factories.CountryFactory(name_en="Oman")
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    for question in Question.objects.filter(version=cycle.version):
        value = "Ministry" if question.type == "short_text" else "<p>Answer.</p>"
        services.answer_save(submission=submission, question=question, value=value)
    focal = factories.MembershipFactory(country=country).user
    services.submission_transition(
        submission=submission, to_status=SubmissionStatus.SUBMITTED, user=focal
    )
    services.submission_transition(
        submission=submission, to_status=SubmissionStatus.ACCEPTED, user=reviewer
    )
    job = Compilation.objects.create(cycle=cycle)
    part_ids = compilation.prepare(job.pk)
    # The worker marked the parts running, then was killed (no success, no failure recorded).
    CompilationPart.objects.filter(pk__in=part_ids).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1),
        attempts=1,
    )
    return job


def test_a_part_whose_worker_died_is_requeued_and_the_job_finishes(
    interrupted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        counts = compilation_recover_stale()
    assert counts["requeued"] == interrupted.parts.count()
    interrupted.refresh_from_db()
    assert interrupted.status == JobStatus.SUCCEEDED
    assert interrupted.file


def test_a_part_still_within_its_time_is_left_alone(interrupted):
    CompilationPart.objects.filter(compilation=interrupted).update(started_at=timezone.now())
    assert compilation_recover_stale()["requeued"] == 0


def test_a_part_that_keeps_killing_its_worker_fails_with_a_reason(interrupted):
    CompilationPart.objects.filter(compilation=interrupted).update(attempts=MAX_ATTEMPTS)
    counts = compilation_recover_stale()
    assert counts["failed"] >= 1
    interrupted.refresh_from_db()
    assert interrupted.status == JobStatus.FAILED
    assert "could not be rendered: its worker stopped 3 times." in interrupted.error


def test_the_command_reports_what_it_did(interrupted, capsys):
    call_command("recover_compilations")
    assert f"Requeued {interrupted.parts.count()} parts" in capsys.readouterr().out
