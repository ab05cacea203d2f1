"""A cycle's charts (questionnaire/charts): their geometry, their SVG, their numbers as CSV, and
who may see them."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from questionnaire import charts, services
from questionnaire.charts import geometry
from questionnaire.models import (
    DeadlineExtension,
    QuestionType,
    ReviewCycle,
    Submission,
    SubmissionStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def cycle():
    """Six countries, one in each state (no submission, draft, submitted, returned, accepted,
    published), each answering objectives 1, 4 and 23."""
    return factories.cycle_with_countries(countries=6)


def drawn(cycle, key, **kwargs):
    return charts.cycle_charts(cycle=cycle, keys=(key,), **kwargs).get(key)


def svg_of(chart):
    html = render_to_string("charts/svg.html", {"chart": chart})
    return ElementTree.fromstring(html)


# --- Geometry --------------------------------------------------------------------------------


def test_the_heat_map_has_a_cell_per_country_and_objective_with_its_code(cycle):
    chart = drawn(cycle, charts.HEATMAP)
    assert len(chart.labels) == 6
    assert [label.text for label in chart.labels] == sorted(c.name for c in cycle.countries.all())
    cells = [r for r in chart.rects if r.w == geometry.CELL - 2]
    assert len(cells) == 6 * 23
    codes = [t.text for t in chart.texts if t.y > geometry.HEAD]
    # objective 1 "planned" (2nd step), 4 "in progress" (3rd), 23 "largely achieved" (4th)
    assert codes.count("2") == codes.count("3") == codes.count("4") == 5
    assert codes.count("·") == 6 * 23 - 15
    assert chart.height == geometry.HEAD + 6 * geometry.ROW + 2


def test_drafts_are_marked_and_countries_without_a_submission_named_so(cycle):
    chart = drawn(cycle, charts.HEATMAP)
    notes = [label.note for label in chart.labels]
    assert notes.count("draft") == 1
    assert notes.count("No submission yet") == 1


def test_the_final_only_charts_show_accepted_and_published_submissions(cycle):
    chart = drawn(cycle, charts.HEATMAP, final_only=True)
    statuses = {row[1] for row in chart.rows}
    assert statuses == {"Accepted", "Published"}
    assert len(chart.labels) == 2


def test_each_objectives_counts_add_up_to_the_number_of_countries(cycle):
    chart = drawn(cycle, charts.OBJECTIVE_STATUS)
    assert len(chart.rows) == 23
    for row in chart.rows:
        counts = row[1:-1]
        assert sum(counts) == row[-1] == 6
    # the segments' widths add up to the full bar on every row
    for row in range(23):
        top = geometry.HEAD + row * geometry.ROW + 3
        widths = [r.w for r in chart.rects if r.y == top]
        assert sum(widths) == pytest.approx(geometry.BAR)


def test_right_to_left_mirrors_every_shape(cycle):
    left = drawn(cycle, charts.OBJECTIVE_STATUS)
    with translation.override("ar"):
        right = drawn(cycle, charts.OBJECTIVE_STATUS)
    assert right.rtl and not left.rtl
    assert len(left.rects) == len(right.rects)
    for a, b in zip(left.rects, right.rects, strict=True):
        assert b.x == pytest.approx(left.width - a.x - a.w)
        assert (b.y, b.w, b.h) == (a.y, a.w, a.h)
    anchors = {"start": "end", "end": "start", "middle": "middle"}
    for a, b in zip(left.texts, right.texts, strict=True):
        assert b.x == pytest.approx(left.width - a.x)
        assert b.anchor == anchors[a.anchor]
    # the first objective's column is on the reader's starting side
    with translation.override("ar"):
        heat = drawn(cycle, charts.HEATMAP)
    headings = [t for t in heat.texts if t.y < geometry.HEAD]
    assert headings[0].text == "1" and headings[0].x > headings[-1].x


def test_progress_counts_answered_and_reviewed_and_the_stages(cycle):
    chart = drawn(cycle, charts.PROGRESS)
    by_status = {row[1]: row for row in chart.rows}
    assert by_status["Published"][5:] == ["yes", "yes", "yes"]
    assert by_status["Accepted"][5:] == ["yes", "yes", "no"]
    assert by_status["Draft"][5:] == ["no", "no", "no"]
    assert by_status["Draft"][2] == by_status["Draft"][3] == 4  # answered, all reviewed
    assert by_status["No submission yet"][2] == 0


def test_carried_forward_answers_are_the_lighter_part_of_the_bar():
    """Morocco's 2024 review in the demo: 5 answers edited, 20 carried forward from 2020 and
    not reviewed. The bar is 5 dark and 20 light, from the axis (a negative width drew the light
    part left of zero)."""
    from django.core.management import call_command

    call_command("loaddemo", stdout=io.StringIO())
    cycle = ReviewCycle.objects.get(slug="arab-2024")
    chart = drawn(cycle, charts.PROGRESS)
    morocco = next(row for row in chart.rows if row[0] == "Morocco")
    assert morocco[2:5] == [25, 5, 25]  # answered in all, of them reviewed, questions
    assert all(rect.w >= 0 and rect.x >= 0 for rect in chart.rects)
    assert "100%" in [text.text for text in chart.texts]


def test_days_left_count_to_the_extension_and_only_while_the_country_owes_a_move(cycle):
    today = cycle.deadline - datetime.timedelta(days=10)
    draft = Submission.objects.get(cycle=cycle, status=SubmissionStatus.DRAFT)
    DeadlineExtension.objects.create(
        cycle=cycle, country=draft.country, deadline=cycle.deadline + datetime.timedelta(days=5)
    )
    chart = drawn(cycle, charts.DAYS_LEFT, today=today)
    by_status = {row[1]: row for row in chart.rows}
    assert by_status["Draft"][3:] == ["yes", 15]
    assert by_status["No submission yet"][4] == 10
    assert by_status["Returned for revision"][4] == 10
    assert by_status["Accepted"][4] == ""
    assert any(label.note == "draft · extended" for label in chart.labels)
    overdue = drawn(cycle, charts.DAYS_LEFT, today=cycle.deadline + datetime.timedelta(days=3))
    assert "−3" in [t.text for t in overdue.texts]


def test_an_empty_cycle_draws_no_picture_and_says_why():
    cycle = factories.CycleFactory(version=factories.cross_country_version())
    for chart in charts.cycle_charts(cycle=cycle).charts:
        assert chart.empty and not chart.has_picture and not chart.rects


def test_a_version_without_an_objectives_grid_says_so():
    version = factories.cross_country_version()
    version.questions.filter(type=QuestionType.OBJECTIVES_GRID).delete()
    cycle = factories.cycle_with_countries(countries=2, version=version)
    result = charts.cycle_charts(cycle=cycle)
    for key in (charts.HEATMAP, charts.OBJECTIVE_STATUS):
        assert "has no grid of the GCM objectives" in result.get(key).empty
    assert result.get(charts.PROGRESS).has_picture


def test_the_stylesheet_rows_are_as_tall_as_the_svg_rows():
    css = (Path(settings.BASE_DIR) / "static/css/charts.css").read_text()
    label = re.search(r"\.chart-label \{[^}]*\}", css).group(0)
    head = re.search(r"\.chart-label-head \{[^}]*\}", css).group(0)
    assert f"height: {geometry.ROW}px" in label and f"line-height: {geometry.ROW}px" in label
    assert f"height: {geometry.HEAD}px" in head


def test_text_colour_contrasts_with_its_fill():
    assert geometry.text_colour("#F0E442") == geometry.INK
    assert geometry.text_colour("#0072B2") == "#FFFFFF"


# --- SVG -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_svg_is_well_formed_with_a_title_a_description_and_digits_only(cycle, language):
    with translation.override(language):
        result = charts.cycle_charts(cycle=cycle)
    for chart in result.charts:
        if chart.empty:
            continue
        svg = svg_of(chart)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title.text == chart.title and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        # Words go beside the picture, never in its text (WeasyPrint would not shape them).
        for text in svg.iter(f"{SVG}text"):
            assert re.fullmatch(r"[0-9·—−%]+", text.text), text.text
        # Numbers never take the language's decimal comma.
        assert "," not in (svg.get("viewBox") or "")


def test_the_heat_map_cells_carry_the_status_code(cycle):
    svg = svg_of(drawn(cycle, charts.HEATMAP))
    assert {"2", "3", "4", "·"} <= {t.text for t in svg.iter(f"{SVG}text")}


def test_the_chart_html_has_its_legend_data_table_and_csv_link(cycle):
    chart = drawn(cycle, charts.HEATMAP)
    html = render_to_string("charts/chart.html", {"chart": chart, "csv_url": "/x.csv"})
    assert "Planned" in html and "no status given" in html
    assert "<summary>Data table</summary>" in html
    assert 'href="/x.csv"' in html
    assert 'aria-hidden="true"><div class="chart-label-head">' in html


# --- CSV -------------------------------------------------------------------------------------


def test_the_csv_holds_the_charts_numbers_with_a_bom(cycle):
    chart = drawn(cycle, charts.OBJECTIVE_STATUS)
    data = charts.chart_csv(chart)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Objective" and rows[0][-1] == "Countries"
    assert rows[1][0] == "1. Obj 1" and rows[1][-1] == "6"
    assert len(rows) == 24


def test_the_csv_keeps_a_formula_from_running():
    chart = geometry.Chart(key="x", title="", description="", columns=["a"], rows=[["=1+1"], [-3]])
    text = charts.chart_csv(chart).decode("utf-8-sig")
    assert '"\'=1+1"' in text and '"-3"' in text


def test_the_csv_download(client, reviewer, cycle):
    client.force_login(reviewer)
    response = client.get(reverse("cycle_chart_csv", args=[cycle.slug, "progress"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"gcm-{cycle.slug}-progress.csv" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").startswith('"Country","Status"')
    missing = client.get(reverse("cycle_chart_csv", args=[cycle.slug, "pie"]))
    assert missing.status_code == 404


# --- The page --------------------------------------------------------------------------------


def test_the_charts_page_shows_every_chart(client, reviewer, cycle):
    client.force_login(reviewer)
    response = client.get(reverse("cycle_charts", args=[cycle.slug]))
    html = response.content.decode()
    for key in charts.CHART_KEYS:
        assert f'id="chart-{key}"' in html
        assert reverse("cycle_chart_csv", args=[cycle.slug, key]) in html
    assert html.count("<svg") >= 4


def test_the_dashboard_links_to_the_charts(client, reviewer, cycle):
    client.force_login(reviewer)
    html = client.get(reverse("cycle_dashboard", args=[cycle.slug])).content.decode()
    assert reverse("cycle_charts", args=[cycle.slug]) in html


def test_a_country_member_may_not_see_the_charts(client, cycle):
    submission = Submission.objects.filter(cycle=cycle).first()
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, country=submission.country)
    client.force_login(user)
    assert client.get(reverse("cycle_charts", args=[cycle.slug])).status_code == 403
    csv_url = reverse("cycle_chart_csv", args=[cycle.slug, "objectives"])
    assert client.get(csv_url).status_code == 403


def test_the_charts_follow_an_answer_change(client, reviewer, cycle):
    submission = Submission.objects.get(cycle=cycle, status=SubmissionStatus.DRAFT)
    grid = cycle.version.questions.get(key="objectives")
    services.answer_save(
        submission=submission, question=grid, value={"2": {"status": "not_started", "note": ""}}
    )
    chart = drawn(cycle, charts.OBJECTIVE_STATUS)
    assert chart.rows[1][1] == 1  # objective 2: one country "not started"


def test_an_extension_of_a_country_without_a_submission_is_noted(cycle):
    absent = cycle.countries.exclude(submissions__cycle=cycle).first()
    DeadlineExtension.objects.create(
        cycle=cycle, country=absent, deadline=cycle.deadline + datetime.timedelta(days=5)
    )
    chart = drawn(cycle, charts.DAYS_LEFT)
    assert "No submission yet · extended" in [label.note for label in chart.labels]
