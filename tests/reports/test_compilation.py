"""The regional compilation: a background job of per-country tasks, cached parts, one PDF."""

import contextlib
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from questionnaire import services
from questionnaire.models import Question, SubmissionStatus
from reports import compilation
from reports.models import Compilation, CompilationPart, JobStatus, RenderedPart
from tests import factories

pytestmark = pytest.mark.django_db
S = SubmissionStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def accepted(cycle, country, reviewer, text="<p>Answer.</p>"):
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    for question in Question.objects.filter(version=cycle.version):
        value = "Ministry" if question.type == "short_text" else text
        services.answer_save(submission=submission, question=question, value=value)
    focal = factories.MembershipFactory(country=country).user
    services.submission_transition(submission=submission, to_status=S.SUBMITTED, user=focal)
    return services.submission_transition(
        submission=submission, to_status=S.ACCEPTED, user=reviewer
    )


@pytest.fixture
def two_countries(cycle, reviewer):
    first = accepted(cycle, factories.CountryFactory(name_en="Algeria"), reviewer)
    second = accepted(cycle, factories.CountryFactory(name_en="Tunisia"), reviewer)
    draft_country = factories.CountryFactory(name_en="Bahrain")
    cycle.countries.add(draft_country)
    services.submission_create(cycle=cycle, country=draft_country)  # a draft: never compiled
    return first, second


def run(cycle):
    return compilation.run_inline(Compilation.objects.create(cycle=cycle))


def outline(reader):
    """[(title, page index, depth)] of the PDF's bookmarks."""
    items = []

    def walk(nodes, depth):
        for node in nodes:
            if isinstance(node, list):
                walk(node, depth + 1)
            else:
                items.append((node.title, reader.get_destination_page_number(node), depth))

    walk(reader.outline, 0)
    return items


def test_a_compilation_holds_every_accepted_country_and_the_contents_point_right(
    cycle, two_countries
):
    job = run(cycle)
    assert job.status == JobStatus.SUCCEEDED
    reader = PdfReader(job.file.open("rb"))
    assert len(reader.pages) == job.page_count
    marks = {title: page for title, page, depth in outline(reader) if depth == 1}
    assert list(marks) == ["Algeria", "Tunisia"]  # the draft (Bahrain) is not compiled
    contents = reader.pages[1].extract_text()
    for country, index in marks.items():
        printed = re.search(rf"{country}.*?(\d+)\s*$", contents, re.MULTILINE)
        assert printed and int(printed.group(1)) == index + 1
        assert country in reader.pages[index].extract_text()
    # Every page but the cover carries "Page X of Y".
    total = len(reader.pages)
    for number in (2, total):
        assert f"Page {number} of {total}" in reader.pages[number - 1].extract_text()
    assert "Page 1 of" not in reader.pages[0].extract_text()


def test_an_unchanged_country_is_not_rendered_again(cycle, two_countries, monkeypatch):
    run(cycle)
    rendered = []
    real = compilation.pdf.submission_pdf

    def counting(**kwargs):
        rendered.append(kwargs["submission"].country.name_en)
        return real(**kwargs)

    monkeypatch.setattr(compilation.pdf, "submission_pdf", counting)
    second = run(cycle)
    assert rendered == []
    assert second.parts.filter(from_cache=True).count() == 2

    # One country changes: only that country is rendered again.
    algeria = two_countries[0]
    question = Question.objects.filter(version=cycle.version).first()
    services.answer_save(submission=algeria, question=question, value="<p>New.</p>", kind="import")
    third = run(cycle)
    assert rendered == ["Algeria"]
    assert third.status == JobStatus.SUCCEEDED
    assert RenderedPart.objects.count() == 3


def test_requesting_from_the_page_runs_the_tasks_and_offers_the_file(
    client, cycle, two_countries, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cycle_compilations", args=[cycle.slug]))
    job = Compilation.objects.get()
    assert response["Location"] == reverse("compilation_detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    page = client.get(response["Location"]).content.decode()
    assert "The compilation is ready." in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(reverse("compilation_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_running_job_shows_progress_and_refreshes(client, cycle, two_countries, reviewer):
    job = Compilation.objects.create(cycle=cycle)
    pending = compilation.prepare(job.pk)
    compilation.render_part(pending[0])
    client.force_login(reviewer)
    page = client.get(reverse("compilation_detail", args=[job.pk])).content.decode()
    assert "Countries done: 1 of 2" in page
    assert 'http-equiv="refresh"' in page


def test_a_failed_part_says_why_and_can_be_retried(
    client, cycle, two_countries, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    real = compilation.pdf.submission_pdf

    def broken(**kwargs):
        if kwargs["submission"].country.name_en == "Tunisia":
            raise RuntimeError("the font server is on fire")
        return real(**kwargs)

    monkeypatch.setattr(compilation.pdf, "submission_pdf", broken)
    job = Compilation.objects.create(cycle=cycle)
    for part_id in compilation.prepare(job.pk):
        with contextlib.suppress(RuntimeError):
            compilation.render_part(part_id)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Tunisia could not be rendered: the font server is on fire" in job.error

    client.force_login(reviewer)
    page = client.get(reverse("compilation_detail", args=[job.pk])).content.decode()
    assert "The compilation failed." in page and "Try again" in page

    monkeypatch.setattr(compilation.pdf, "submission_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("compilation_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    # Algeria's part, rendered before the failure, came from the cache.
    assert CompilationPart.objects.get(compilation=job, submission=two_countries[0]).from_cache


@pytest.mark.parametrize("role", ["focal_point", "contributor", "viewer"])
def test_country_users_may_not_compile_or_download(client, request, cycle, two_countries, role):
    job = run(cycle)
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("cycle_compilations", args=[cycle.slug]),
        reverse("compilation_detail", args=[job.pk]),
        reverse("compilation_download", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("cycle_compilations", args=[cycle.slug])).status_code == 403
    assert Compilation.objects.count() == 1


def test_anonymous_users_are_sent_to_log_in(client, cycle):
    response = client.get(reverse("cycle_compilations", args=[cycle.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_command_compiles_the_demo(tmp_path):
    call_command("loaddemo", verbosity=0)
    out = io.StringIO()
    target = tmp_path / "region.pdf"
    call_command("compile_region", "--cycle", "arab-2020", "-o", str(target), stdout=out)
    assert "1 countries" in out.getvalue()
    reader = PdfReader(str(target))
    titles = [title for title, _page, _depth in outline(reader)]
    assert "Morocco" in titles and "Annexes" in titles
    text = "".join(page.extract_text() for page in reader.pages[-6:])
    assert "Morocco" in text  # the annex lists Morocco's answers per question


def test_the_command_refuses_an_unknown_cycle(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no cycle"):
        call_command("compile_region", "--cycle", "nope", "-o", str(tmp_path / "x.pdf"))
