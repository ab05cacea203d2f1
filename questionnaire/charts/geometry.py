"""Every chart's geometry, in one place: rows of a chart (a country, an objective) laid out as
rectangles and short numbers on a pixel grid, mirrored for right-to-left pages.

The picture is split in two so that Arabic is shaped and ordered by a real text engine in the
browser and in WeasyPrint alike (docs/architecture.md, "Charts"):

- the SVG (`Chart.rects`, `Chart.texts`) holds the shapes and text made of digits and signs
  only (a status code, a count, an objective's number): WeasyPrint draws SVG text one character
  at a time, without shaping or bidi, which is harmless for "12" and wrong for any Arabic word;
- every word (a country's name, an objective's short label, the legend, the titles) is HTML
  beside the SVG (`Chart.labels`, one per row, as tall as a row), laid out by the browser or by
  Pango/HarfBuzz in the PDF, in the bundled fonts.

Coordinates are computed left to right and mirrored once at the end (`_mirror`) for a
right-to-left language: the first objective, the start of a bar and the zero of a scale sit on
the reader's starting side. The labels' column needs no mirroring: the table that holds it
follows the page's direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Okabe & Ito's palette, safe for the common colour-vision deficiencies; every cell and
# segment also carries a text code or a count, so no reading depends on colour alone.
SCALE_COLOURS = ["#E69F00", "#F0E442", "#56B4E9", "#009E73", "#BBBBBB", "#CC79A7", "#D55E00"]
NO_STATUS_COLOUR = "#FFFFFF"
NO_STATUS_STROKE = "#8A949C"
INK = "#1F2328"
GRID = "#C9D0D8"
MUTED = "#4A545C"  # 7.9:1 on white

ROW = 20  # px: one row (a country, an objective); the HTML label beside it is as tall
HEAD = 24  # px: the SVG's header (objective numbers, a scale) above the first row
CELL = 26  # px: one heat-map cell's width
BAR = 360  # px: a bar's full length (all countries, 100 %, the largest number of days)
FONT = 10  # px: the digits in the SVG
PAD = 8  # px: before a bar's start, so that the scale's "0" is not cut


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (WCAG's relative luminance)."""
    if not fill.startswith("#") or len(fill) != 7:
        return INK
    channels = []
    for index in (1, 3, 5):
        value = int(fill[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return INK if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str = ""


@dataclass
class Text:
    """Digits and signs only (see the module's docstring)."""

    x: float
    y: float
    text: str
    anchor: str = "middle"  # start, middle, end: as drawn, after mirroring
    fill: str = INK
    size: int = FONT


@dataclass
class Label:
    """A row's words, as HTML beside the SVG."""

    text: str
    note: str = ""  # e.g. "draft", shown smaller after the text


@dataclass
class LegendItem:
    fill: str
    code: str
    label: str

    @property
    def ink(self) -> str:
        return text_colour(self.fill)


@dataclass
class Chart:
    key: str  # in URLs (the CSV) and the compilation's part keys ("figure-<key>")
    title: str
    description: str  # the SVG's <desc>: what the picture shows, in one or two sentences
    width: float = 0
    height: float = 0
    rtl: bool = False
    labels: list[Label] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    # The numbers: the data table beside the picture, and the CSV.
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    empty: str = ""  # why there is no picture (no countries, no objectives grid)
    landscape: bool = False  # in the PDF: a page of its own, A4 landscape

    @property
    def row_height(self) -> int:
        return ROW

    @property
    def head(self) -> int:
        return HEAD

    @property
    def has_picture(self) -> bool:
        return bool(self.labels) and not self.empty


def _mirror(chart: Chart) -> Chart:
    """The same picture for a right-to-left reader: every x reflected across the middle."""
    width = chart.width
    for rect in chart.rects:
        rect.x = width - rect.x - rect.w
    flip = {"start": "end", "end": "start", "middle": "middle"}
    for text in chart.texts:
        text.x = width - text.x
        text.anchor = flip[text.anchor]
    chart.rtl = True
    return chart


def _finish(chart: Chart, *, rows: int, rtl: bool) -> Chart:
    chart.height = HEAD + rows * ROW + 2
    return _mirror(chart) if rtl else chart


def _middle(row: int) -> float:
    """The baseline that centres the digits of FONT px in row `row`."""
    return HEAD + row * ROW + ROW / 2 + FONT * 0.36


# --- The four charts -----------------------------------------------------------------------------


def heatmap(
    chart: Chart, *, columns: list[str], grid: list[list[tuple[int, str]]], rtl: bool
) -> Chart:
    """Rows × columns of cells: `grid[row][column]` is (tone, code), tone -1 for no status.
    `columns` are the columns' headings (the objectives' numbers)."""
    chart.width = len(columns) * CELL + 2
    for index, heading in enumerate(columns):
        chart.texts.append(Text(1 + index * CELL + CELL / 2, HEAD - 8, heading))
    for row, cells in enumerate(grid):
        y = HEAD + row * ROW
        for index, (tone, code) in enumerate(cells):
            x = 1 + index * CELL
            if tone < 0:
                chart.rects.append(
                    Rect(x + 1, y + 1, CELL - 2, ROW - 2, NO_STATUS_COLOUR, NO_STATUS_STROKE)
                )
                chart.texts.append(Text(x + CELL / 2, _middle(row), "·", fill=NO_STATUS_STROKE))
                continue
            fill = SCALE_COLOURS[tone % len(SCALE_COLOURS)]
            chart.rects.append(Rect(x + 1, y + 1, CELL - 2, ROW - 2, fill))
            chart.texts.append(Text(x + CELL / 2, _middle(row), code, fill=text_colour(fill)))
    return _finish(chart, rows=len(grid), rtl=rtl)


def stacked(
    chart: Chart, *, counts: list[list[int]], fills: list[str], total: int, rtl: bool
) -> Chart:
    """One bar per row, its segments `counts[row]` (in `fills`' order) out of `total`, each
    segment's count written in it when it fits; a scale of counts above."""
    chart.width = PAD + BAR + 12
    unit = BAR / total if total else 0
    _scale(chart, top=total, unit=unit, rows=len(counts))
    for row, segments in enumerate(counts):
        x = PAD
        for count, fill in zip(segments, fills, strict=True):
            if not count:
                continue
            width = count * unit
            stroke = NO_STATUS_STROKE if fill == NO_STATUS_COLOUR else ""
            chart.rects.append(Rect(x, HEAD + row * ROW + 3, width, ROW - 6, fill, stroke))
            if width >= 14:
                chart.texts.append(
                    Text(x + width / 2, _middle(row), str(count), fill=text_colour(fill))
                )
            x += width
    return _finish(chart, rows=len(counts), rtl=rtl)


def _scale(chart: Chart, *, top: int, unit: float, rows: int) -> None:
    """Ticks along the header at round steps from 0 to `top`, with grid lines down the rows."""
    if not top:
        return
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if top / s <= 8)
    for value in range(0, top + 1, step):
        x = PAD + value * unit
        chart.rects.append(Rect(x - 0.25, HEAD - 4, 0.5, rows * ROW + 4, GRID))
        chart.texts.append(Text(x, HEAD - 8, str(value), size=FONT - 1))


def progress(
    chart: Chart, *, bars: list[tuple[int, int, int]], stages: list[int], fills: list[str],
    rtl: bool,
) -> Chart:  # fmt: skip
    """Per row: (reviewed, answered but not reviewed, total) as a bar out of 100 %, its
    percentage answered after it, and `stages[row]` of three squares filled (submitted,
    accepted, published). `fills`: reviewed, not reviewed, the stages' squares."""
    squares = 3
    chart.width = PAD + BAR + 44 + squares * 14 + 4
    _scale(chart, top=100, unit=BAR / 100, rows=len(bars))
    for row, (reviewed, unreviewed, total) in enumerate(bars):
        y = HEAD + row * ROW + 3
        chart.rects.append(Rect(PAD, y, BAR, ROW - 6, NO_STATUS_COLOUR, NO_STATUS_STROKE))
        x = float(PAD)
        for count, fill in ((reviewed, fills[0]), (unreviewed, fills[1])):
            if total and count:
                width = BAR * count / total
                chart.rects.append(Rect(x, y, width, ROW - 6, fill))
                x += width
        percent = round(100 * (reviewed + unreviewed) / total) if total else 0
        chart.texts.append(Text(PAD + BAR + 38, _middle(row), f"{percent}%", anchor="end"))
        for square in range(squares):
            filled = square < stages[row]
            chart.rects.append(
                Rect(
                    PAD + BAR + 46 + square * 14, y + 1, 10, ROW - 8,
                    fills[2] if filled else NO_STATUS_COLOUR, NO_STATUS_STROKE,
                )
            )  # fmt: skip
    return _finish(chart, rows=len(bars), rtl=rtl)


def days(chart: Chart, *, values: list[int | None], fills: list[str], rtl: bool) -> Chart:
    """Per row: days left to the deadline as a bar from a zero line (left: overdue, right: days
    to go; mirrored in right-to-left), the number beside it; None draws a dash (nothing due)."""
    chart.width = PAD + BAR + 12
    reach = max([abs(v) for v in values if v is not None] + [1])
    overdue_side = BAR * 0.3 if any(v is not None and v < 0 for v in values) else 0
    zero = PAD + overdue_side
    ahead = (BAR - overdue_side - 34) / reach
    behind = (overdue_side - 34) / reach if overdue_side else 0
    chart.rects.append(Rect(zero - 0.5, HEAD - 4, 1, len(values) * ROW + 4, INK))
    chart.texts.append(Text(zero, HEAD - 8, "0"))
    for row, value in enumerate(values):
        y = HEAD + row * ROW + 3
        if value is None:
            chart.texts.append(Text(zero + 6, _middle(row), "—", anchor="start", fill=MUTED))
            continue
        if value >= 0:
            width = max(value * ahead, 1)
            chart.rects.append(Rect(zero, y, width, ROW - 6, fills[0]))
            chart.texts.append(Text(zero + width + 3, _middle(row), str(value), anchor="start"))
        else:
            width = max(-value * max(behind, 0), 1)
            chart.rects.append(Rect(zero - width, y, width, ROW - 6, fills[1]))
            chart.texts.append(Text(zero - width - 3, _middle(row), f"−{-value}", anchor="end"))
    return _finish(chart, rows=len(values), rtl=rtl)
