"""The compilation's figures: the cycle's charts (questionnaire/charts), drawn from the final
submissions only (as the annexes are), each a part of the compilation of its own
(`annex_key="figure-<key>"`), laid out and cached like an annex piece (under the hash of its
document), in the regional report after the chapter each belongs with
(`chapters.report_pieces`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from questionnaire import charts
from questionnaire.models import ReviewCycle

FIGURE_PIECE = "figure-"
# The figures drawn from the final reviews, and those that show where the cycle stands.
FINAL_FIGURES = (charts.HEATMAP, charts.OBJECTIVE_STATUS)
STATE_FIGURES = (charts.PROGRESS, charts.DAYS_LEFT)


@dataclass
class FigurePiece:
    """One chart of the regional overview, on a page (or a landscape page) of its own."""

    key: str
    context: dict

    def html(self) -> str:
        """The figure's document, in the active language."""
        return render_to_string("reports/compilation_figure.html", self.context)


def is_figure(annex_key: str) -> bool:
    return annex_key.startswith(FIGURE_PIECE)


def figure_pieces(cycle: ReviewCycle) -> list[FigurePiece]:
    """The figures of the regional report; whichever piece opens the report carries its heading
    (`chapters.report_pieces`).

    The objectives' statuses (heat map, bars) are drawn from the accepted and published reviews,
    as the rest of the compilation; the submissions' progress, and the days left while the cycle
    is open, from every country of the cycle on the day of the compilation: drawn from the final
    reviews alone they would say nothing. A chart with nothing to draw (no final submission yet,
    a questionnaire without the objectives grid) is left out."""
    today = timezone.localdate()
    final = charts.cycle_charts(cycle=cycle, final_only=True, keys=FINAL_FIGURES)
    state_keys = STATE_FIGURES if not cycle.is_closed else STATE_FIGURES[:1]
    state = charts.cycle_charts(cycle=cycle, keys=state_keys, today=today)
    shown = [chart for chart in (*final.charts, *state.charts) if chart.has_picture]
    return [
        FigurePiece(
            FIGURE_PIECE + chart.key,
            {
                "cycle": cycle,
                "review_title": cycle.version.display_title,
                "chart": chart,
                "first": False,
                "as_of": None if chart.key in FINAL_FIGURES else today,
            },
        )
        for chart in shown
    ]


def title(annex_key: str) -> str:
    """The title of the figure a part's `annex_key` names, in the active language."""
    return str(charts.TITLES.get(annex_key.removeprefix(FIGURE_PIECE), annex_key))
