"""A cycle's charts: the objectives as a country × objective heat map, the status of each
objective across the region, each country's progress and the days left to its deadline.

The data come from the cycle pages' selectors (`cycle_objectives_matrix`, `cycle_dashboard`),
so a chart counts as its page does; `geometry` lays them out and `templates/charts/chart.html`
draws them, the same picture on the staff pages and in the compilation's PDF. Each chart also
carries its numbers as a table (shown beside the picture and downloadable as CSV).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from .. import i18n, selectors
from ..models import FINAL_STATUSES, ReviewCycle, SubmissionStatus
from ..selectors.progress import no_submission_label
from . import geometry
from .geometry import NO_STATUS_COLOUR, SCALE_COLOURS, Chart, Label, LegendItem

# The charts in the order the pages and the compilation show them.
HEATMAP = "objectives"
OBJECTIVE_STATUS = "objective-status"
PROGRESS = "progress"
DAYS_LEFT = "days-left"
CHART_KEYS = (HEATMAP, OBJECTIVE_STATUS, PROGRESS, DAYS_LEFT)
TITLES = {
    HEATMAP: gettext_lazy("Status of the GCM objectives by country"),
    OBJECTIVE_STATUS: gettext_lazy("Status of each objective across the region"),
    PROGRESS: gettext_lazy("Progress of the submissions"),
    DAYS_LEFT: gettext_lazy("Days left to the deadline"),
}

REVIEWED_COLOUR = "#0072B2"
UNREVIEWED_COLOUR = "#9DCDEB"
STAGE_COLOUR = "#009E73"
AHEAD_COLOUR = "#56B4E9"
OVERDUE_COLOUR = "#D55E00"
# The workflow's stages a submission has reached (the progress chart's squares).
_STAGES = {
    SubmissionStatus.SUBMITTED: 1,
    SubmissionStatus.RETURNED: 1,
    SubmissionStatus.ACCEPTED: 2,
    SubmissionStatus.PUBLISHED: 3,
}


@dataclass
class CycleCharts:
    cycle: ReviewCycle
    final_only: bool
    charts: list[Chart]

    def get(self, key: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.key == key), None)


def cycle_charts(
    *,
    cycle: ReviewCycle,
    final_only: bool = False,
    keys=CHART_KEYS,
    today: datetime.date | None = None,
) -> CycleCharts:
    """The cycle's charts named by `keys`, in the active language. Every country of the cycle,
    drafts marked as such; with `final_only`, the accepted and published submissions alone (as
    the compilation's annexes). A fixed number of queries whatever the size of the cycle.
    Callers check the permission first (`cycle_get_for_staff`)."""
    rtl = get_language_bidi()
    charts = []
    if HEATMAP in keys or OBJECTIVE_STATUS in keys:
        matrix = selectors.cycle_objectives_matrix(cycle=cycle, include_drafts=True)
        rows = [row for row in matrix.rows if _kept(row.submission, final_only)]
        if HEATMAP in keys:
            charts.append(_heatmap(cycle, matrix, rows, rtl=rtl))
        if OBJECTIVE_STATUS in keys:
            charts.append(_objective_status(cycle, matrix, rows, rtl=rtl))
    if PROGRESS in keys or DAYS_LEFT in keys:
        dashboard = selectors.cycle_dashboard(cycle=cycle, today=today)
        rows = [row for row in dashboard.all_rows if _kept(row.submission, final_only)]
        if PROGRESS in keys:
            charts.append(_progress(cycle, rows, rtl=rtl))
        if DAYS_LEFT in keys:
            charts.append(_days_left(cycle, dashboard, rows, rtl=rtl))
    order = {key: index for index, key in enumerate(CHART_KEYS)}
    charts.sort(key=lambda chart: order[chart.key])
    return CycleCharts(cycle=cycle, final_only=final_only, charts=charts)


def _kept(submission, final_only: bool) -> bool:
    return not final_only or (submission is not None and submission.status in FINAL_STATUSES)


def _country_label(cycle, submission) -> Label:
    if submission is None:
        return Label("", str(no_submission_label(cycle=cycle)))
    if submission.status == SubmissionStatus.DRAFT:
        return Label("", _("draft"))
    return Label("")


def _status_text(cycle, submission) -> str:
    if submission is None:
        return str(no_submission_label(cycle=cycle))
    return submission.get_status_display()


def _no_grid(chart: Chart, matrix, rows) -> Chart:
    if matrix.question is None:
        chart.empty = _("This cycle's questionnaire has no grid of the GCM objectives.")
    elif not rows:
        chart.empty = _("No country to show yet.")
    return chart


def _heatmap(cycle, matrix, rows, *, rtl: bool) -> Chart:
    chart = Chart(
        key=HEATMAP,
        title=str(TITLES[HEATMAP]),
        description=_(
            "A grid of countries (rows) by the 23 GCM objectives (columns): each cell is "
            "coloured by the status the country gives the objective and carries the status's "
            "number on the scale; a dot means no status given."
        ),
        landscape=True,
    )
    scale = matrix.scale
    chart.legend = [
        LegendItem(SCALE_COLOURS[step.tone % len(SCALE_COLOURS)], str(step.tone + 1), step.label)
        for step in scale
    ] + [LegendItem(NO_STATUS_COLOUR, "·", _("no status given"))]
    numbers = [cell.number for cell in rows[0].cells] if rows else []
    chart.columns = [_("Country"), _("Submission"), *[str(n) for n in numbers]]
    grid = []
    for row in rows:
        label = _country_label(cycle, row.submission)
        label.text = row.country.name
        chart.labels.append(label)
        grid.append([(cell.tone, str(cell.tone + 1)) for cell in row.cells])
        chart.rows.append(
            [row.country.name, _status_text(cycle, row.submission)]
            + [cell.label if cell.tone >= 0 else "" for cell in row.cells]
        )
    if _no_grid(chart, matrix, rows).empty:
        return chart
    return geometry.heatmap(chart, columns=[str(n) for n in numbers], grid=grid, rtl=rtl)


def _objective_status(cycle, matrix, rows, *, rtl: bool) -> Chart:
    chart = Chart(
        key=OBJECTIVE_STATUS,
        title=str(TITLES[OBJECTIVE_STATUS]),
        description=_(
            "One bar per GCM objective, split by how many countries give it each status; "
            "each bar adds up to the number of countries shown."
        ),
    )
    scale = matrix.scale
    fills = [SCALE_COLOURS[step.tone % len(SCALE_COLOURS)] for step in scale]
    chart.legend = [
        LegendItem(fill, str(step.tone + 1), step.label)
        for fill, step in zip(fills, scale, strict=True)
    ] + [LegendItem(NO_STATUS_COLOUR, "", _("no status given"))]
    chart.columns = [
        _("Objective"),
        *[step.label for step in scale],
        _("no status given"),
        _("Countries"),
    ]
    counts = []
    for index, objective in enumerate(matrix.objectives):
        per_step = [0] * len(scale)
        none = 0
        for row in rows:
            cell = row.cells[index]
            if cell.tone >= 0:
                per_step[cell.tone] += 1
            else:
                none += 1
        counts.append([*per_step, none])
        name = i18n.tr(objective, "short_label")
        chart.labels.append(Label(f"{objective.number}. {name}"))
        chart.rows.append([f"{objective.number}. {name}", *per_step, none, len(rows)])
    if _no_grid(chart, matrix, rows).empty:
        return chart
    return geometry.stacked(
        chart, counts=counts, fills=[*fills, NO_STATUS_COLOUR], total=len(rows), rtl=rtl
    )


def _progress(cycle, rows, *, rtl: bool) -> Chart:
    chart = Chart(
        key=PROGRESS,
        title=str(TITLES[PROGRESS]),
        description=_(
            "One bar per country: the share of its questions answered, darker for the answers "
            "reviewed this cycle, lighter for those carried forward and not reviewed yet; then "
            "three squares, filled once the submission was submitted, accepted and published."
        ),
    )
    chart.legend = [
        LegendItem(REVIEWED_COLOUR, "", _("answered and reviewed")),
        LegendItem(UNREVIEWED_COLOUR, "", _("carried forward, not reviewed yet")),
        LegendItem(NO_STATUS_COLOUR, "", _("not answered")),
        LegendItem(STAGE_COLOUR, "", _("squares filled: submitted, accepted, published")),
    ]
    chart.columns = [
        _("Country"),
        _("Status"),
        _("Answered"),
        _("Reviewed"),
        _("Questions"),
        _("Submitted"),
        _("Accepted"),
        _("Published"),
    ]
    bars, stages = [], []
    for row in rows:
        label = _country_label(cycle, row.submission)
        label.text = row.country.name
        chart.labels.append(label)
        stage = _STAGES.get(row.submission.status, 0) if row.submission else 0
        # The dashboard's counts by the one rule: `answered` are the answers of this cycle
        # (written or confirmed in it), `unreviewed` those carried forward and not reviewed yet.
        bars.append((row.answered, row.unreviewed, row.total))
        stages.append(stage)
        chart.rows.append(
            [
                row.country.name,
                _status_text(cycle, row.submission),
                row.answered + row.unreviewed,
                row.answered,
                row.total,
                _("yes") if stage >= 1 else _("no"),
                _("yes") if stage >= 2 else _("no"),
                _("yes") if stage >= 3 else _("no"),
            ]
        )
    if not rows:
        chart.empty = _("No country to show yet.")
        return chart
    return geometry.progress(
        chart,
        bars=bars,
        stages=stages,
        fills=[REVIEWED_COLOUR, UNREVIEWED_COLOUR, STAGE_COLOUR],
        rtl=rtl,
    )


def _days_left(cycle, dashboard, rows, *, rtl: bool) -> Chart:
    chart = Chart(
        key=DAYS_LEFT,
        title=str(TITLES[DAYS_LEFT]),
        description=_(
            "One bar per country whose next move is its own: the days left to its deadline "
            "(the cycle's, or its extension's), or the days overdue on the other side of zero; "
            "a dash where nothing is due."
        )
        + " "
        + _("Cycle deadline: %(date)s.") % {"date": date_format(cycle.deadline, "DATE_FORMAT")},
    )
    chart.legend = [
        LegendItem(AHEAD_COLOUR, "", _("days left")),
        LegendItem(OVERDUE_COLOUR, "−", _("days overdue")),
    ]
    chart.columns = [_("Country"), _("Status"), _("Deadline"), _("Extension"), _("Days left")]
    values = []
    for row in rows:
        label = _country_label(cycle, row.submission)
        label.text = row.country.name
        if row.extension is not None:
            label.note = " · ".join(filter(None, [label.note, _("extended")]))
        chart.labels.append(label)
        values.append(row.days_left)
        chart.rows.append(
            [
                row.country.name,
                _status_text(cycle, row.submission),
                date_format(row.deadline, "DATE_FORMAT"),
                _("yes") if row.extension is not None else _("no"),
                "" if row.days_left is None else row.days_left,
            ]
        )
    if not rows:
        chart.empty = _("No country to show yet.")
        return chart
    if cycle.is_closed:
        chart.empty = _("The cycle is closed: no country has a deadline left.")
        return chart
    return geometry.days(chart, values=values, fills=[AHEAD_COLOUR, OVERDUE_COLOUR], rtl=rtl)


# Excel reads a CSV as UTF-8 (and Arabic correctly) only when the file starts with a BOM.
UTF8_BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def chart_csv(chart: Chart) -> bytes:
    """The chart's numbers as the portal's other CSV files are written: RFC 4180 (every field
    quoted, CRLF between records), UTF-8 with a BOM, and a leading apostrophe on a text that a
    spreadsheet would run as a formula (numbers stay numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in [chart.columns, *chart.rows]:
        writer.writerow(
            [
                f"'{value}"
                if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
                else value
                for value in row
            ]
        )
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def _formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
