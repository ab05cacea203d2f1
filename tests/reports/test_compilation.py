"""The regional compilation: a background job of per-country tasks, cached parts, one PDF."""

import contextlib
import io
import re
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from questionnaire import services
from questionnaire.models import Question, SubmissionStatus
from reports import compilation, figures, fingerprint
from reports.models import Compilation, CompilationPart, JobStatus, RenderedPart
from tests import factories

pytestmark = pytest.mark.django_db
S = SubmissionStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _no_figures(request, monkeypatch):
    """The countries' parts and the annexes alone: the regional overview's figures have their
    own tests (tests/reports/test_figures.py), unless a test asks for them."""
    if "figures" not in request.keywords:
        monkeypatch.setattr(figures, "figure_pieces", lambda cycle: [])


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


def test_an_unchanged_part_is_not_rendered_again(cycle, two_countries, monkeypatch):
    first = run(cycle)
    # A part per country, then a piece of the annexes per question.
    assert list(first.parts.values_list("annex_key", flat=True)) == [
        "",
        "",
        "question-mechanism",
        "question-lead",
        "question-policies",
    ]
    rendered = []
    real_country, real_layout = compilation.pdf.submission_html, compilation._layout

    def counting(**kwargs):
        rendered.append(kwargs["submission"].country.name_en)
        return real_country(**kwargs)

    def counting_layout(html, **options):
        if "annex-strings" in html:
            rendered.append("annex")
        elif "<p>Page 2 of " in html:
            rendered.append("page numbers")
        elif "compilation-contents" in html:
            rendered.append("front matter")  # cached too, while its pages stay where they were
        return real_layout(html, **options)

    monkeypatch.setattr(compilation.pdf, "submission_html", counting)
    monkeypatch.setattr(compilation, "_layout", counting_layout)
    second = run(cycle)
    assert rendered == []
    assert second.parts.filter(from_cache=True).count() == 5

    # One answer changes: only that country, and that question's annex piece, are rendered.
    algeria = two_countries[0]
    question = Question.objects.filter(version=cycle.version).order_by("order").first()
    services.answer_save(submission=algeria, question=question, value="<p>New.</p>", kind="import")
    third = run(cycle)
    assert sorted(rendered) == ["Algeria", "annex"]
    assert third.status == JobStatus.SUCCEEDED
    fresh = third.parts.filter(from_cache=False)
    assert {(p.submission_id, p.annex_key) for p in fresh} == {
        (algeria.pk, ""),
        (None, f"question-{question.key}"),
    }
    # 5 parts, the page numbers and the front matter at first (as many pages since: cached
    # too), then 2 parts.
    assert RenderedPart.objects.count() == 9
    assert "New." in "".join(p.extract_text() for p in PdfReader(third.file.open("rb")).pages)


def test_a_changed_stylesheet_lays_out_every_part_again(
    cycle, two_countries, settings, tmp_path, request
):
    copy = tmp_path / "static"
    shutil.copytree(settings.STATICFILES_DIRS[0], copy)
    settings.STATICFILES_DIRS = [copy]
    fingerprint.clear_caches()
    request.addfinalizer(fingerprint.clear_caches)
    run(cycle)
    with (copy / "css" / "pdf.css").open("a") as stylesheet:
        stylesheet.write("\n/* changed */\n")
    fingerprint.clear_caches()  # as a new process after a deploy
    second = run(cycle)
    assert second.parts.count() == 5
    assert not second.parts.filter(from_cache=True).exists()


def test_each_annex_piece_starts_a_page_and_the_first_has_the_title(cycle, two_countries):
    job = run(cycle)
    reader = PdfReader(job.file.open("rb"))
    annexes = [title for title, _page, depth in outline(reader) if depth == 0][-1]
    assert annexes == "Annexes"
    start = {title: page for title, page, _depth in outline(reader)}["Annexes"]
    pieces = list(job.parts.filter(submission__isnull=True).select_related("rendered"))
    assert [piece.rendered.page_count for piece in pieces] == [1, 1, 1]  # short answers
    texts = [reader.pages[start + index].extract_text() for index in range(len(pieces))]
    assert "Annexes" in texts[0] and "Annex 1: answers by question" in texts[0]
    assert "Annex 1" not in texts[1] and "I.b Question" in texts[1]
    assert "II.a " in texts[2] and "Algeria" in texts[2] and "Tunisia" in texts[2]


def test_the_page_numbers_are_drawn_once_on_each_page_as_an_artifact(cycle, two_countries):
    job = run(cycle)
    reader = PdfReader(job.file.open("rb"))
    total = len(reader.pages)
    for index, page in enumerate(reader.pages):
        text = page.extract_text()
        assert text.count(f" of {total}") == (1 if index else 0)
        if index:
            assert f"Page {index + 1} of {total}" in text
            assert b"/Artifact" in page.get_contents().get_data()
    # The page keeps its own resources (fonts) beside the overlay's.
    page = reader.pages[2]
    assert "/GcmPageNumber" in page["/Resources"]["/XObject"]
    assert page["/Resources"]["/Font"]
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_a_cached_part_whose_file_was_lost_is_rendered_again(cycle, two_countries):
    first = run(cycle)
    algeria = first.parts.select_related("rendered").get(submission=two_countries[0])
    algeria.rendered.file.storage.delete(algeria.rendered.file.name)
    second = run(cycle)
    assert second.status == JobStatus.SUCCEEDED
    again = second.parts.select_related("rendered").get(submission=two_countries[0])
    assert not again.from_cache and again.rendered_id == algeria.rendered_id
    assert again.rendered.file.storage.exists(again.rendered.file.name)
    assert second.parts.filter(from_cache=True).count() == 4


def test_the_front_matter_is_laid_out_again_only_when_it_is_longer(
    cycle, two_countries, monkeypatch
):
    calls = []
    real = compilation._front_pdf

    def counting(compilation_, countries, front_pages, *rest):
        calls.append(front_pages)
        return real(compilation_, countries, front_pages, *rest)

    monkeypatch.setattr(compilation, "_front_pdf", counting)
    run(cycle)
    assert calls == [2]  # a cover and a page of contents, as guessed

    # A wrong guess: laid out again, and the contents still point to the right pages.
    calls.clear()
    monkeypatch.setattr(compilation, "FRONT_PAGES_GUESS", 1)
    job = run(cycle)
    assert calls == [1, 2]
    reader = PdfReader(job.file.open("rb"))
    marks = {title: page for title, page, depth in outline(reader) if depth == 1}
    contents = reader.pages[1].extract_text()
    for country, index in marks.items():
        printed = re.search(rf"{country}.*?(\d+)\s*$", contents, re.MULTILINE)
        assert printed and int(printed.group(1)) == index + 1


def test_the_largest_parts_are_queued_first(cycle, two_countries):
    tunisia = two_countries[1]
    question = Question.objects.filter(version=cycle.version).order_by("order").first()
    services.answer_save(
        submission=tunisia, question=question, value="<p>Long.</p>" * 200, kind="import"
    )
    job = Compilation.objects.create(cycle=cycle)
    pending = compilation.prepare(job.pk)
    parts = CompilationPart.objects.in_bulk(pending)
    ordered = [parts[part_id] for part_id in pending]
    assert ordered[0].annex_key == f"question-{question.key}"  # every country's long answer
    countries = [part.submission_id for part in ordered if part.is_country]
    assert countries == [tunisia.pk, two_countries[0].pk]


def test_an_annex_piece_is_cached_under_what_it_shows(cycle, two_countries):
    job = Compilation.objects.create(cycle=cycle)
    compilation.prepare(job.pk)
    piece = CompilationPart.objects.get(compilation=job, annex_key="question-mechanism")
    planned = piece.content_hash
    # An answer changes after the parts were listed: the piece shows (and is filed under) it.
    question = Question.objects.get(version=cycle.version, key="mechanism")
    services.answer_save(
        submission=two_countries[0], question=question, value="<p>Later.</p>", kind="import"
    )
    compilation.render_part(piece.pk)
    piece.refresh_from_db()
    assert piece.content_hash != planned
    assert piece.rendered.content_hash == piece.content_hash
    assert not RenderedPart.objects.filter(content_hash=planned).exists()
    text = "".join(page.extract_text() for page in PdfReader(piece.rendered.file.open("rb")).pages)
    assert "Later." in text


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
    pending = CompilationPart.objects.filter(pk__in=compilation.prepare(job.pk))
    compilation.render_part(pending.filter(submission__isnull=False).first().pk)
    compilation.render_part(pending.filter(submission__isnull=True).first().pk)
    client.force_login(reviewer)
    page = client.get(reverse("compilation_detail", args=[job.pk])).content.decode()
    assert "Countries done: 1 of 2" in page
    assert 'value="2" max="5"' in page  # the bar counts the annex pieces too
    assert 'http-equiv="refresh"' in page


def test_a_failed_part_says_why_and_can_be_retried(
    client, cycle, two_countries, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    real = compilation.pdf.submission_html

    def broken(**kwargs):
        if kwargs["submission"].country.name_en == "Tunisia":
            raise RuntimeError("the font server is on fire")
        return real(**kwargs)

    monkeypatch.setattr(compilation.pdf, "submission_html", broken)
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

    monkeypatch.setattr(compilation.pdf, "submission_html", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("compilation_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    # Algeria's part, rendered before the failure, came from the cache.
    assert CompilationPart.objects.get(compilation=job, submission=two_countries[0]).from_cache


def test_a_failed_annex_piece_says_so(cycle, two_countries, monkeypatch):
    def broken(html, **options):
        raise RuntimeError("out of paper")

    monkeypatch.setattr(compilation, "_layout", broken)
    job = Compilation.objects.create(cycle=cycle)
    piece = CompilationPart.objects.filter(
        pk__in=compilation.prepare(job.pk), submission__isnull=True
    ).first()
    with pytest.raises(RuntimeError):
        compilation.render_part(piece.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "The annexes could not be rendered: out of paper"


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


@pytest.mark.figures
def test_the_command_compiles_the_demo(tmp_path):
    call_command("loaddemo", verbosity=0)
    out = io.StringIO()
    target = tmp_path / "region.pdf"
    call_command("compile_region", "--cycle", "arab-2020", "-o", str(target), stdout=out)
    # arab-2020's questionnaire has no objectives grid: the progress of its countries alone
    assert "1 country, 0 taken from the cache; 24 annex pieces, 0 from the cache; 1 figure" in (
        out.getvalue()
    )
    reader = PdfReader(str(target))
    titles = [title for title, _page, _depth in outline(reader)]
    assert "Morocco" in titles and "Annexes" in titles
    text = "".join(page.extract_text() for page in reader.pages[-6:])
    assert "Morocco" in text  # the annex lists Morocco's answers per question


def test_the_command_refuses_an_unknown_cycle(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no cycle"):
        call_command("compile_region", "--cycle", "nope", "-o", str(tmp_path / "x.pdf"))
