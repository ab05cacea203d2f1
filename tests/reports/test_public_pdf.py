"""Public PDFs: rendered once when a review is published, served from storage, rendered on
demand only under limits (security review, issue 12, finding 4).

Before, every anonymous request for a public PDF laid it out again (a second or more of CPU), so
a few visitors could keep the server's cores busy and slow every page down. The renderer is
replaced here by a counting stand-in wherever what matters is whether it runs, not what it
draws; the first test renders real PDFs.
"""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from questionnaire import services
from questionnaire.models import Country, Submission, SubmissionStatus
from reports import pdf, public_pdf, throttle
from reports.models import PublishedPdf, RenderSlot
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ["ar", "en", "fr"]


@pytest.fixture
def published(db):
    """A published review (answers of every kind, the objectives grid among them), with
    nothing stored for it yet: the state of reviews published before PDFs were stored."""
    cycle = factories.cycle_with_countries(countries=6)
    submission = Submission.objects.get(cycle=cycle, status=SubmissionStatus.PUBLISHED)
    PublishedPdf.objects.all().delete()  # the publication's own renders (none: not committed)
    return submission


@pytest.fixture
def renders(monkeypatch):
    """The renderer, replaced by a stand-in that counts its calls and returns distinct bytes."""
    calls = []

    def fake(html: str) -> bytes:
        calls.append(html)
        return b"%PDF-1.7\n% stand-in " + str(len(calls)).encode() + b"\n%%EOF\n"

    monkeypatch.setattr(pdf, "html_to_pdf", fake)
    return calls


@pytest.fixture
def no_renders(monkeypatch):
    """Any rendering fails the test."""

    def refuse(html: str) -> bytes:
        raise AssertionError("the public PDF was rendered again")

    monkeypatch.setattr(pdf, "html_to_pdf", refuse)


def url(submission, language: str | None = None) -> str:
    path = reverse("public_submission_pdf", args=[submission.pk])
    return f"{path}?language={language}" if language else path


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def accepted_and_agreed(reviewer, focal_point) -> Submission:
    cycle = factories.cycle_with_countries(countries=4, statuses=("accepted",))
    submission = Submission.objects.filter(cycle=cycle).first()
    focal_point.memberships.update(country=submission.country)
    services.submission_publication_agree(submission=submission, user=focal_point)
    return submission


# --- Rendered when published -------------------------------------------------------------------


def test_publishing_stores_the_pdf_in_every_language(
    reviewer, focal_point, django_capture_on_commit_callbacks
):
    submission = accepted_and_agreed(reviewer, focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_transition(
            submission=submission, to_status=SubmissionStatus.PUBLISHED, user=reviewer
        )
    stored = {row.language: row for row in PublishedPdf.objects.filter(submission=submission)}
    assert sorted(stored) == LANGUAGES
    submission = Submission.objects.select_related("cycle__version__questionnaire", "country").get(
        pk=submission.pk
    )
    for language, row in stored.items():
        data = row.file.read()
        assert data.startswith(b"%PDF")
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == language
        assert row.fingerprint == public_pdf.source_fingerprint(
            submission=submission, language=language
        )


def test_the_pdfs_are_queued_only_once_the_publication_commits(
    reviewer, focal_point, django_capture_on_commit_callbacks, renders
):
    submission = accepted_and_agreed(reviewer, focal_point)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submission_transition(
            submission=submission, to_status=SubmissionStatus.PUBLISHED, user=reviewer
        )
        assert not PublishedPdf.objects.exists()  # nothing before the commit
    assert renders == []
    for callback in callbacks:
        callback()
    assert PublishedPdf.objects.filter(submission=submission).count() == 3


def test_system_publications_render_too(django_capture_on_commit_callbacks, renders):
    """loaddemo and imports publish as the system: their reviews get their PDFs as well."""
    with django_capture_on_commit_callbacks(execute=True):
        cycle = factories.cycle_with_countries(countries=1, statuses=("published",))
    assert PublishedPdf.objects.filter(submission__cycle=cycle).count() == 3


# --- Served from storage -----------------------------------------------------------------------


def test_many_requests_render_a_public_pdf_once(client, published, renders):
    """The attack: anonymous requests, one after another, for the same public PDF. Each used to
    lay it out again."""
    for _ in range(10):
        response = client.get(url(published))
        assert response.status_code == 200
        body(response)
    assert len(renders) == 1


def test_the_stored_pdf_is_served_without_rendering(client, published, monkeypatch):
    stored = public_pdf.public_pdf_render(submission=published, language="fr")
    data = stored.file.read()
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pytest.fail("rendered again"))
    response = client.get(url(published, "fr"))
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["ETag"] == f'"{stored.sha256}"'
    assert "Last-Modified" in response
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=3600"}


def test_a_known_etag_gets_304_and_no_body(client, published, renders):
    first = client.get(url(published))
    body(first)
    again = client.get(url(published), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "max-age=3600" in again["Cache-Control"]
    assert len(renders) == 1


def test_serving_a_stored_pdf_costs_a_fixed_number_of_queries(client, published, renders):
    """The submission, the stored PDF, and what its fingerprint is computed from (the answers,
    the version's texts, the objectives: `reports.fingerprint`): five, and no rendering."""
    body(client.get(url(published)))
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url(published)))
    assert len(queries) == 5, [q["sql"] for q in queries]


def test_a_logged_in_visitors_copy_is_kept_by_their_browser_only(client, published, reviewer):
    public_pdf.public_pdf_render(submission=published, language=published.language)
    client.force_login(reviewer)
    response = client.get(url(published))
    body(response)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=3600"}


# --- Again when it changes ---------------------------------------------------------------------


def test_a_changed_review_is_rendered_again_not_served_stale(client, published, renders):
    first = client.get(url(published, "en"))
    body(first)
    Country.objects.filter(pk=published.country_id).update(name_en="Renamed Republic")
    second = client.get(url(published, "en"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert body(second) != b""
    assert len(renders) == 2
    assert "Renamed Republic" in renders[-1]
    # Stored in place of the old one, whose file is gone.
    assert PublishedPdf.objects.filter(submission=published, language="en").count() == 1


def test_a_changed_answer_makes_the_stored_pdf_stale(published, renders):
    public_pdf.public_pdf_render(submission=published, language="en")
    assert public_pdf.public_pdf_current(submission=published, language="en") is not None
    answer = published.answers.select_related("question").get(question__key="lead")
    services.answer_save(
        submission=published,
        question=answer.question,
        value="Ministry of the Interior",
        kind="import",  # how loaddemo replaces a published review's answers
    )
    published.refresh_from_db()
    assert public_pdf.public_pdf_current(submission=published, language="en") is None


def test_a_pdf_missing_from_the_storage_is_rendered_again(client, published, renders):
    stored = public_pdf.public_pdf_render(submission=published, language="en")
    stored.file.storage.delete(stored.file.name)
    response = client.get(url(published, "en"))
    assert response.status_code == 200
    assert body(response).startswith(b"%PDF")
    assert len(renders) == 2


# --- Rendered on demand under limits -----------------------------------------------------------


def hold_slots(settings, count: int = 1, document: str = "999:en") -> None:
    """Another request (on any server) is rendering in every slot."""
    settings.PUBLIC_PDF_RENDERS_AT_ONCE = count
    until = timezone.now() + datetime.timedelta(minutes=1)
    for number in range(count):
        RenderSlot.objects.update_or_create(
            number=number, defaults={"document": f"{document}-{number}", "held_until": until}
        )


def test_no_free_slot_is_503_with_retry_after_and_a_page(client, published, renders, settings):
    hold_slots(settings, count=2)
    response = client.get(url(published))
    assert response.status_code == 503
    assert response["Retry-After"] == str(throttle.BUSY_RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "The PDF is not ready yet" in html
    assert reverse("public_submission", args=[published.pk]) in html
    assert renders == []
    assert not PublishedPdf.objects.exists()


def test_a_stored_pdf_is_served_while_the_slots_are_busy(client, published, settings, renders):
    public_pdf.public_pdf_render(submission=published, language=published.language)
    hold_slots(settings)
    assert client.get(url(published)).status_code == 200


def test_the_same_document_is_not_rendered_twice_at_once(client, published, renders, settings):
    settings.PUBLIC_PDF_RENDERS_AT_ONCE = 2
    RenderSlot.objects.create(
        number=0,
        document=f"{published.pk}:{published.language}",
        held_until=timezone.now() + datetime.timedelta(minutes=1),
    )
    response = client.get(url(published))
    assert response.status_code == 503
    assert response["Retry-After"] == str(throttle.SAME_DOCUMENT_RETRY_AFTER)
    assert renders == []


def test_a_slot_whose_lease_ran_out_is_free_again(client, published, renders, settings):
    """A server that died mid-render does not keep its slot."""
    hold_slots(settings)
    RenderSlot.objects.update(held_until=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(url(published))
    assert response.status_code == 200
    body(response)
    slot = RenderSlot.objects.get()
    assert (slot.document, slot.held_until) == ("", None)  # given back after the render


def test_a_slot_is_held_by_one_render_at_a_time(db, settings):
    settings.PUBLIC_PDF_RENDERS_AT_ONCE = 1
    number = throttle.slot_acquire(document="1:en")
    with pytest.raises(throttle.RendersBusy):
        throttle.slot_acquire(document="2:en")
    throttle.slot_release(number, document="1:en")
    assert throttle.slot_acquire(document="2:en") == number


def test_one_address_gets_429_beyond_its_renders_a_minute(client, published, renders, settings):
    settings.PUBLIC_PDF_RENDERS_PER_MINUTE = 2
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for language in ("en", "fr"):
        assert client.get(url(published, language), **attacker).status_code == 200
    refused = client.get(url(published, "ar"), **attacker)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(throttle.WINDOW_SECONDS)
    assert "Many PDFs were asked for from your address" in refused.content.decode()
    assert len(renders) == 2
    # What is stored is still served to that address; other addresses still get renders.
    assert client.get(url(published, "en"), **attacker).status_code == 200
    assert client.get(url(published, "ar"), REMOTE_ADDR="198.51.100.7").status_code == 200


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "accepted"])
def test_unpublished_reviews_stay_404_even_with_a_stored_pdf(client, published, renders, status):
    public_pdf.public_pdf_render(submission=published, language=published.language)
    Submission.objects.filter(pk=published.pk).update(status=status)
    assert client.get(url(published)).status_code == 404


# --- The task and the command ------------------------------------------------------------------


def test_the_task_does_nothing_for_a_current_or_an_unpublished_review(published, renders):
    assert public_pdf.public_pdf_render_task(submission_id=published.pk, language="en")
    assert not public_pdf.public_pdf_render_task(submission_id=published.pk, language="en")
    Submission.objects.filter(pk=published.pk).update(status=SubmissionStatus.ACCEPTED)
    assert not public_pdf.public_pdf_render_task(submission_id=published.pk, language="fr")
    assert len(renders) == 1


def test_the_command_renders_what_is_missing_or_stale(published, renders, capsys):
    call_command("render_public_pdfs")
    assert "Rendered 3 public PDFs." in capsys.readouterr().out
    call_command("render_public_pdfs")
    assert "Rendered 0 public PDFs." in capsys.readouterr().out
    PublishedPdf.objects.filter(language="fr").delete()
    call_command("render_public_pdfs", "--queue")  # the immediate backend runs them at once
    assert "Queued 1 public PDF." in capsys.readouterr().out
    assert len(renders) == 4
    call_command("render_public_pdfs", "--force", "--submission", str(published.pk))
    assert len(renders) == 7
