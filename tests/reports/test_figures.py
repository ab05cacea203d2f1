"""The compilation's figures (reports/figures.py): the objectives' statuses drawn from the final
submissions, the progress and the days left from every country, in the regional report before
the countries, with their contents entries and bookmarks, cached like the annex pieces, in
English and Arabic."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from questionnaire import charts
from reports import compilation, figures
from reports.models import Compilation, JobStatus
from tests import factories

from .test_compilation import outline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cycle():
    """Six countries, one in each status: one accepted and one published are compiled."""
    return factories.cycle_with_countries(countries=6)


def compiled(cycle, language):
    job = compilation.run_inline(Compilation.objects.create(cycle=cycle, language=language))
    assert job.status == JobStatus.SUCCEEDED, job.error
    with job.file.open("rb") as file:
        return job, file.read()


def text_of(data: bytes, first: int, last: int) -> str:
    result = subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def test_statuses_come_from_the_final_submissions_and_progress_from_every_country(cycle):
    pieces = figures.figure_pieces(cycle)
    keys = [charts.HEATMAP, charts.OBJECTIVE_STATUS, charts.PROGRESS, charts.DAYS_LEFT]
    assert [p.key for p in pieces] == [f"figure-{key}" for key in keys]
    heat = pieces[0].context["chart"]
    assert {row[1] for row in heat.rows} == {"Accepted", "Published"}
    assert pieces[0].context["as_of"] is None
    # The progress shows where every country of the cycle stands, on the day of the compilation.
    progress = pieces[2].context["chart"]
    assert len(progress.rows) == cycle.countries.count() == 6
    assert pieces[2].context["as_of"] == timezone.localdate()
    # Whichever piece opens the regional report carries its heading (chapters.report_pieces).
    assert not any(piece.context["first"] for piece in pieces)


def test_a_closed_cycle_has_no_days_left(cycle):
    cycle.is_closed = True
    cycle.save(update_fields=["is_closed"])
    keys = [piece.key for piece in figures.figure_pieces(cycle)]
    assert "figure-days-left" not in keys and "figure-progress" in keys


# The figures in the regional report's order (reports.chapters.FIGURE_PLACES): the submissions'
# progress after the introduction, the objectives' statuses after section III.
REPORT_ORDER = [charts.PROGRESS, charts.DAYS_LEFT, charts.HEATMAP, charts.OBJECTIVE_STATUS]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_compilation_opens_with_the_figures(cycle, language):
    job, data = compiled(cycle, language)
    parts = list(job.parts.select_related("rendered").order_by("order"))
    keys = [part.annex_key for part in parts]
    assert keys[:4] == [f"figure-{key}" for key in REPORT_ORDER]
    assert not keys[4] and not keys[5]  # the two countries follow
    with translation.override(language):
        report = str(translation.gettext("Regional report"))
        title = str(charts.TITLES[charts.HEATMAP])
        entry = str(translation.gettext("Figure %(number)s: %(title)s")) % {
            "number": 3,
            "title": title,
        }
    reader = PdfReader(io.BytesIO(data))
    bookmarks = outline(reader)
    first_figure_page = job.page_count - sum(p.rendered.page_count for p in parts)
    heat_map_page = first_figure_page + sum(p.rendered.page_count for p in parts[:2])
    assert (report, first_figure_page, 0) in bookmarks
    assert (entry, heat_map_page, 1) in bookmarks
    # The contents name the figure with the page it starts on (1-based).
    contents = re.sub("[\u202a-\u202e]", "", text_of(data, 2, 2))  # pdftotext's bidi marks
    assert title in contents
    assert re.search(rf"^{heat_map_page + 1}$", contents, re.M)
    # The heat map's page: its title, the countries in the bundled fonts, the status codes.
    page = text_of(data, heat_map_page + 1, heat_map_page + 1)
    assert title in page
    assert re.search(r"\b[1-5]\b", page)
    for submission in cycle.submissions.filter(status__in=["accepted", "published"]):
        # the factories' Arabic names are "بلد" and the code: one word is enough to find
        with translation.override(language):
            assert submission.country.name.split()[0] in page


def test_the_figures_come_from_the_cache_the_second_time(cycle):
    compiled(cycle, "en")
    job, _data = compiled(cycle, "en")
    cached = job.parts.filter(annex_key__startswith="figure-", from_cache=True)
    assert cached.count() == 4
