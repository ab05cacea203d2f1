"""Saves, uploads and removals racing a submit: none of them lands after the submit.

An autosave sent a moment before the focal point presses Submit reaches the server while the
submit is under way. Each write service locks the submission's row and checks, on the row it
just read, that the submission is still open for changes, so the two happen one after the other:
either the save comes first (and the submit then counts what it saved: an emptied required
answer stops the submit), or the submit comes first (and the save is refused).

The first test runs real threads, each with its own database connection, released together by a
barrier, many times over. Only PostgreSQL runs requests side by side like this: SQLite writes one
transaction at a time (immediate transactions) and its test database lives in one connection's
memory, so there the race cannot be played. The tests after it play the same story one step
at a time, on both databases: a request read the submission, then it was submitted, then the
request's write arrives.
"""

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.db.models.signals import pre_delete
from django.utils import timezone

from questionnaire import selectors, services
from questionnaire.models import (
    AnswerRevision,
    Attachment,
    CountryRole,
    Question,
    QuestionType,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from tests import factories

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections to one database: PostgreSQL (CI runs it)",
)

ROUNDS = 24


@pytest.fixture
def world(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    factories.QuestionFactory(section=section, key="required", order=1)
    factories.QuestionFactory(
        section=section, key="optional", order=2, required=False, type=QuestionType.SHORT_TEXT
    )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    country = factories.CountryFactory()
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    focal_point = factories.MembershipFactory(country=country, role=CountryRole.FOCAL_POINT).user
    contributors = [
        factories.MembershipFactory(country=country, role=CountryRole.CONTRIBUTOR).user
        for _ in range(4)
    ]
    return submission, focal_point, contributors


def question(submission, key):
    return Question.objects.get(version=submission.cycle.version_id, key=key)


def reopen(submission) -> Submission:
    """Before each round: the required answer given, one document to remove, and the
    submission open (returned by ESCWA after the previous round's submit)."""
    submission = Submission.objects.get(pk=submission.pk)
    if submission.status == SubmissionStatus.SUBMITTED:
        submission = services.submission_transition(
            submission=submission, to_status=SubmissionStatus.RETURNED, message="Again."
        )
    services.answer_save(
        submission=submission, question=question(submission, "required"), value="<p>Yes.</p>"
    )
    Attachment.objects.create(
        submission=submission, file="x.pdf", original_name="x.pdf", kind="pdf", size=1
    )
    return submission


def play_round(submission_pk, focal_point, contributors, n):
    """One submit and, at the same moment, four writes by the country's contributors."""
    removed_at = []

    def record_removal(sender, instance, **kwargs):
        removed_at.append(timezone.now())

    pre_delete.connect(record_removal, sender=Attachment, dispatch_uid="race.removal")

    def empty_the_required_answer(user, submission):
        services.answer_save(
            submission=submission, question=question(submission, "required"), value="", user=user
        )

    def save_another_answer(user, submission):
        services.answer_save(
            submission=submission,
            question=question(submission, "optional"),
            value=f"Round {n}",
            user=user,
        )

    def upload(user, submission):
        services.attachment_add(
            submission=submission,
            file=io.BytesIO(factories.pdf_bytes()),
            name="plan.pdf",
            user=user,
        )

    def remove(user, submission):
        attachment = Attachment.objects.filter(submission=submission).latest("pk")
        services.attachment_remove(attachment=attachment, user=user)

    def submit(user, submission):
        services.submission_transition(
            submission=submission, to_status=SubmissionStatus.SUBMITTED, user=user
        )

    jobs = [
        (submit, focal_point),
        *zip(
            (empty_the_required_answer, save_another_answer, upload, remove),
            contributors,
            strict=True,
        ),
    ]
    barrier = threading.Barrier(len(jobs))
    unexpected = []

    def run(job, user):
        try:
            # As a request does: the submission is read first, then the service is called.
            submission = Submission.objects.select_related("cycle").get(pk=submission_pk)
            barrier.wait(5)
            job(user, submission)
        except (PermissionDenied, ValidationError):
            pass  # refused because the other one came first: what should happen
        except Exception as exc:  # reported to the test
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        pre_delete.disconnect(dispatch_uid="race.removal")
    assert not unexpected, unexpected
    return removed_at


def writes_after_the_submit(submission, removed_at) -> list:
    """Every write to the submission stamped later than its last submit event."""
    submitted = (
        SubmissionEvent.objects.filter(submission=submission, to_status=SubmissionStatus.SUBMITTED)
        .order_by("created_at")
        .last()
    )
    if submitted is None:
        return []
    at = submitted.created_at
    return [
        *(
            f"answer {r.answer.question.key} saved {r.created_at - at} after the submit"
            for r in AnswerRevision.objects.filter(answer__submission=submission, created_at__gt=at)
        ),
        *(
            f"document added {a.uploaded_at - at} after the submit"
            for a in Attachment.objects.filter(submission=submission, uploaded_at__gt=at)
        ),
        *(f"document removed {t - at} after the submit" for t in removed_at if t > at),
    ]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_no_write_lands_after_a_submit(world):
    submission, focal_point, contributors = world
    problems, submits = [], 0
    for n in range(ROUNDS):
        submission = reopen(submission)
        removed_at = play_round(submission.pk, focal_point, contributors, n)
        submission.refresh_from_db()
        if submission.status != SubmissionStatus.SUBMITTED:
            continue  # the emptied answer came first: the submit was refused, rightly
        submits += 1
        problems += [f"round {n}: {p}" for p in writes_after_the_submit(submission, removed_at)]
        missing = selectors.submission_missing_required(submission=submission)
        problems += [f"round {n}: submitted without an answer to {q.key}" for q in missing]
    assert not problems, f"{len(problems)} problems in {ROUNDS} rounds:\n" + "\n".join(problems)
    # The race was really played: some rounds the submit came first.
    assert submits


# --- The same, one step at a time ---------------------------------------------------------------


@pytest.fixture
def read_before_the_submit(complete_submission, focal_point, contributor, tmp_path, settings):
    """The submission as a request read it, just before the focal point's submit went through."""
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        submission=complete_submission,
        file=io.BytesIO(factories.pdf_bytes()),
        name="plan.pdf",
        user=contributor,
    )
    read = Submission.objects.select_related("cycle").get(pk=complete_submission.pk)
    attachment = Attachment.objects.select_related("submission__cycle").get(pk=attachment.pk)
    services.submission_transition(
        submission=complete_submission, to_status=SubmissionStatus.SUBMITTED, user=focal_point
    )
    assert read.status == SubmissionStatus.DRAFT  # what the request still believes
    return read, attachment


def test_a_save_read_before_the_submit_is_refused(read_before_the_submit, contributor):
    read, _attachment = read_before_the_submit
    required = question(read, "mechanism")
    with pytest.raises(PermissionDenied):
        services.answer_save(submission=read, question=required, value="", user=contributor)
    assert selectors.submission_missing_required(submission=read) == []


def test_a_system_save_read_before_the_submit_is_refused(read_before_the_submit):
    read, _attachment = read_before_the_submit
    with pytest.raises(ValidationError, match="not open for changes"):
        services.answer_save(submission=read, question=question(read, "mechanism"), value="")


def test_an_import_still_writes_into_a_submitted_submission(read_before_the_submit):
    read, _attachment = read_before_the_submit
    answer = services.answer_save(
        submission=read,
        question=question(read, "mechanism"),
        value="<p>Imported.</p>",
        kind=AnswerRevision.Kind.IMPORT,
    )
    assert answer.value == "<p>Imported.</p>"


def test_a_restore_read_before_the_submit_is_refused(read_before_the_submit, contributor):
    read, _attachment = read_before_the_submit
    answer = read.answers.get(question__key="mechanism")
    with pytest.raises(PermissionDenied):
        services.answer_restore(answer=answer, revision=1, user=contributor)


def test_an_upload_read_before_the_submit_is_refused(read_before_the_submit, contributor):
    read, _attachment = read_before_the_submit
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            submission=read, file=io.BytesIO(factories.pdf_bytes()), name="late.pdf",
            user=contributor,
        )  # fmt: skip
    assert read.attachments.count() == 1


def test_a_removal_read_before_the_submit_is_refused(read_before_the_submit, contributor):
    _read, attachment = read_before_the_submit
    with pytest.raises(PermissionDenied):
        services.attachment_remove(attachment=attachment, user=contributor)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
