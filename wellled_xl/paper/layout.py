"""The board paper computed once as plain data: sheets of cell grids, named styles, print setup.

Every writer (XlsxWriter into a file, xlwings into the open workbook) puts the same
`PaperLayout` on the page, so nothing here knows about a spreadsheet library. A sheet
is a dense grid: ``values[r][c]`` and ``styles[r][c]`` (0-based, every row as long as
``column_widths``), with merges, rich-text runs and charts listed apart and addressed
in A1 notation. ``SheetLayout.style_ranges()`` gives the same styles as A1 blocks for a
writer that formats whole ranges at once.

Decisions a reader of this file should know:

- **Row heights are estimated here** (measure.py), from the text length, the column
  width and the font size, because LibreOffice does not grow rows for wrapped text (and
  Excel keeps an explicit height). The estimate is Excel's and errs on the tall side; the
  PDF is printed at heights measured again for LibreOffice (printing.py), from each row's
  floor (`row_floors`) and its text.
- **Rich text is an extra, never the only signal.** A cell's value is the plain text of
  its runs, and its named style alone already flags what matters (an overdue timescale
  is red and bold as a whole), so a writer that cannot style part of a cell still shows
  the problem; only the strike-through of superseded dates is lost.
- **Nothing is hidden**: a RAG that is not on the legend is shown as typed with a
  marker and no legend colour; the Summary lists every validation finding.
- **Every sheet says it is generated.** Its first row carries ``GENERATED_MARK`` (the
  tracker it came from, the as-at date, "edit the tracker, not this sheet"), so the
  reader skips these sheets when they sit in the tracker itself (the Excel button puts
  them there) and the button only ever deletes sheets that carry it. The row is left
  out of the print area: the board's printed paper starts at the title.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby
from pathlib import PurePath
from typing import NamedTuple, TypeVar

from wellled_xl.cells import GENERATED_MARK, Bounds, column_letter, range_address
from wellled_xl.dates import MONTH_NAMES
from wellled_xl.history.movement import CHANGE_KINDS, KIND_TITLES, Movement, direction
from wellled_xl.model import (
    DATE_FIELDS,
    EXTRA,
    NOT_ON_PAPER,
    Action,
    Finding,
    Legend,
    LegendEntry,
    SheetShape,
    Tracker,
)
from wellled_xl.paper import measure
from wellled_xl.report import Report, cells_listed
from wellled_xl.rules import title_of

Value = str | int | float | date | None
T = TypeVar("T")

# Excel's limits: a row is at most 409 points high (408.75 in whole pixels); a header or
# footer 255 characters.
MAX_ROW_HEIGHT = 408.75
MAX_HEADER_FOOTER = 255

FONT_NAME = "Arial"
BODY_SIZE = 10.0
NHS_BLUE = "005EB8"
BAND_FILL = "DCE6F1"
ALERT = "C00000"  # dark red: overdue dates, RAG codes that are not on the legend
STRUCK = "7F7F7F"  # superseded dates: grey and struck through
AMBER_TEXT = "9C5700"
STRAY_GREY = "7F7F7F"  # the chart's bars for statuses not on the legend
NO_RAG_GREY = "BFBFBF"  # and for actions with no status at all
NOT_ON_LEGEND_LABEL = "Not on legend"
NO_RAG_LABEL = "No RAG"

PART_A_SHEET = "Part A"
PART_B_SHEET = "Part B"
SUMMARY_SHEET = "Summary"
VALIDATION_SHEET = "Validation"  # written by the Excel button only, beside the paper
OTHER_ACTIONS = "Other actions"
PREVIOUS_RAG_HEADER = "Last paper"  # the RAG the previous paper gave, beside this one
BOARD_PAPER_SHEET = "Board paper"  # a tracker in its own shape, not Part A and Part B
ASSUMED_NOTE = (
    "The tracker writes no key for its status codes: these are the standard NHS RAG scale's "
    "meanings, assumed."
)
NO_SCALE_NOTE = "The tracker records no status for its actions, and writes no key."

PART_A_COLUMNS = (
    ("Ref", 7.0),
    ("Planned action", 24.0),
    ("Timescale", 15.0),
    ("Lead", 9.0),
    ("Success measure", 24.0),
    ("Progress update", 60.0),
    ("RAG", 11.0),
)
PART_B_COLUMNS = (
    ("No.", 6.0),
    ("CQC finding", 34.0),
    ("Planned action", 38.0),
    ("Progress", 50.0),
    ("Lead", 9.0),
    ("RAG", 11.0),
)
VALIDATION_COLUMNS = (
    ("Sheet", 11.0),
    ("Cell", 7.0),
    ("Ref", 7.0),
    ("Lead", 10.0),
    ("Severity", 9.0),
    ("Rule", 18.0),
    ("Message", 55.0),
    ("Suggestion", 45.0),
)
# The Summary is a grid of narrow columns, 9 to 12 units wide, shared by its tables. Its
# lists (overdue, slipped, since the last paper, findings) have eight columns: each is
# (its width, the grid columns it spans). A list's narrow fields take one grid column
# each; its date or timescale and its wide text (the planned action; a finding's message
# and suggestion) span several, so the RAG count table above can give each of its counts
# a narrow column of its own. A list row of the overdue, slipped and since-the-last-paper
# lists so holds two merges, however long the list.
SUMMARY_LIST_COLUMNS = (
    (12.0, 1), (9.0, 1), (12.0, 1), (10.0, 1), (20.0, 2), (12.0, 1), (50.0, 5), (40.0, 4)
)  # fmt: skip
SUMMARY_SPANS = tuple(span for _, span in SUMMARY_LIST_COLUMNS)
SUMMARY_WIDTHS = tuple(width / span for width, span in SUMMARY_LIST_COLUMNS for _ in range(span))
SUMMARY_EXTRA_WIDTH = 10.0  # columns added when the legend has many codes
# The count table's label spans columns from A until its longest label fits on a line,
# up to this many units; a longer label wraps.
MAX_LABEL_WIDTH = 45.0
MIN_CHART_WIDTH = 360  # pixels: narrower than this, the chart goes under its table
# A stacked bar chart's room, in pixels, as LibreOffice draws the paper's (measured in its
# PDFs): the title, the value axis and the padding around the plot; a line of the
# legend, and the width of its text; a line of a group's label on the category axis, the
# width of its text, and the share of the chart's width a label takes before it wraps;
# the least a bar takes (a label needs 14 to 16 to stay apart from the next).
CHART_FRAME_PX = 150
CHART_LEGEND_LINE_PX = 20
CHART_LEGEND_CHAR_PX = 6.0
CHART_LABEL_LINE_PX = 16
CHART_LABEL_CHAR_PX = 7.2
CHART_LABEL_SHARE = 0.45
CHART_BAR_PX = 24
# The chart goes beside its table only if it keeps this much beside its longest label
# for the bars and the value axis.
MIN_PLOT_PX = 260


# ---------------------------------------------------------------------------------------
# The layout's data types


@dataclass(frozen=True)
class Style:
    """A named cell style. Colours are "RRGGBB" without '#'; sizes are points."""

    font_name: str = FONT_NAME
    size: float = BODY_SIZE
    bold: bool = False
    italic: bool = False
    strike: bool = False
    colour: str = "000000"  # font colour
    fill: str | None = None  # solid background, or None for none
    wrap: bool = True
    horizontal: str = "left"  # left | center | right
    vertical: str = "top"  # top | center | bottom
    border: bool = False  # a thin border on all four sides, in border_colour
    border_colour: str = "A6A6A6"
    number_format: str | None = None  # an Excel format code, e.g. "d mmm yyyy"


@dataclass(frozen=True)
class Run:
    """Part of a rich-text cell. Font name and size are the cell style's; the rest is here."""

    text: str  # never empty
    bold: bool = False
    italic: bool = False
    strike: bool = False
    colour: str = "000000"


@dataclass(frozen=True)
class RichText:
    """A cell whose text is styled in parts; its value in the grid is the runs joined."""

    cell: str  # A1 address, e.g. "C9"
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class HeaderFooter:
    """A printed page header or footer in Excel's codes (&P page, &N pages, &8 size).

    Literal ampersands in the texts are already doubled.
    """

    left: str = ""
    center: str = ""
    right: str = ""

    def excel(self) -> str:
        """The one string Excel (and XlsxWriter's set_header/set_footer) takes."""
        parts = [("&L", self.left), ("&C", self.center), ("&R", self.right)]
        return "".join(code + text for code, text in parts if text)


@dataclass(frozen=True)
class Margins:
    """Page margins in inches."""

    left: float = 0.4
    right: float = 0.4
    top: float = 0.75
    bottom: float = 0.75
    header: float = 0.3
    footer: float = 0.3


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints."""

    orientation: str = "landscape"  # landscape | portrait
    paper: str = "A4"  # XlsxWriter paper index 9, Excel xlPaperA4
    fit_width: int = 1  # pages wide
    fit_height: int = 0  # pages tall; 0 means as many as needed
    repeat_rows: str | None = None  # rows printed at the top of every page, e.g. "7:7"
    print_area: str | None = None  # A1 range, e.g. "A1:G48"
    header: HeaderFooter = field(default_factory=HeaderFooter)
    footer: HeaderFooter = field(default_factory=HeaderFooter)
    margins: Margins = field(default_factory=Margins)
    center_horizontally: bool = True
    gridlines: bool = False  # print the sheet's gridlines


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: its name, its values (an A1 range on the chart's sheet)."""

    name: str
    values: str  # e.g. "B6:B15"
    colour: str  # bar fill, "RRGGBB"


@dataclass(frozen=True)
class Chart:
    """A native chart placed on its sheet; its ranges are on that same sheet."""

    kind: str  # "bar" (horizontal bars) or "column" (vertical: the RAG trend)
    stacked: bool
    title: str
    categories: str  # A1 range of the category labels, listed top to bottom
    series: tuple[ChartSeries, ...]
    anchor: str  # the cell at the chart's top-left corner
    width: int  # pixels
    height: int  # pixels
    value_axis_title: str = ""
    value_axis_major_unit: float | None = None  # None: the spreadsheet chooses


@dataclass
class SheetLayout:
    """One sheet: a dense grid of values and style names, and what goes with it.

    ``values`` and ``styles`` are lists of rows, 0-based, each row as long as
    ``column_widths``; ``row_heights`` has one entry per row. The value of a merged
    range sits in its top-left cell (the other cells hold None but carry the style).
    """

    name: str
    values: list[list[Value]]
    styles: list[list[str | None]]
    column_widths: list[float]  # Excel character units, from column A
    row_heights: list[float]  # points, from row 1
    merges: list[str] = field(default_factory=list)  # A1 ranges, e.g. "B8:G8"
    rich_text: list[RichText] = field(default_factory=list)
    print_setup: PrintSetup = field(default_factory=PrintSetup)
    freeze_panes: str | None = None  # top-left cell of the scrolling pane, e.g. "A8"
    charts: list[Chart] = field(default_factory=list)
    # Cells that link to a place in the same workbook: A1 cell -> "#'Actions'!J3".
    links: dict[str, str] = field(default_factory=dict)
    # The least height each row was given (points; 0: none), beside what its text needs:
    # the PDF's rows are measured again for LibreOffice (printing.py) and keep these.
    row_floors: list[float] = field(default_factory=list)

    @property
    def used_range(self) -> str:
        return f"A1:{column_letter(len(self.column_widths) - 1)}{len(self.values)}"

    def style_ranges(self) -> dict[str, list[str]]:
        """Each style name -> the A1 blocks of cells that carry it, top to bottom.

        Runs of equal styles along a row are joined, then identical runs on consecutive
        rows are joined into one rectangle, so a writer can format by range.
        """
        return {
            name: [range_address(*block) for block in blocks]
            for name, blocks in sorted(grid_blocks(self.styles).items())
        }


def grid_blocks(grid: Sequence[Sequence[T | None]]) -> dict[T, list[Bounds]]:
    """Each value of a grid -> the rectangles of cells holding it, top to bottom; None is skipped.

    Runs of equal values along a row are joined, then identical runs on consecutive rows
    are joined into one rectangle.
    """
    open_blocks: dict[tuple[int, int, T], int] = {}  # (first col, last col, value) -> top
    blocks: list[tuple[Bounds, T]] = []
    for r, row in enumerate(grid):
        spans = set()
        for value, group in groupby(enumerate(row), key=lambda cell: cell[1]):
            columns = [c for c, _ in group]
            if value is not None:
                spans.add((columns[0], columns[-1], value))
        for key in [k for k in open_blocks if k not in spans]:
            blocks.append(((open_blocks.pop(key), key[0], r - 1, key[1]), key[2]))
        for key in spans:
            open_blocks.setdefault(key, r)
    last = len(grid) - 1
    blocks.extend(((top, c0, last, c1), value) for (c0, c1, value), top in open_blocks.items())
    result: dict[T, list[Bounds]] = {}
    for block, value in sorted(blocks, key=lambda b: (b[0][0], b[0][2], b[0][1], b[0][3])):
        result.setdefault(value, []).append(block)
    return result


@dataclass
class PaperLayout:
    """The whole board paper: its named styles and its sheets, in order."""

    title: str
    position: str  # "Position as at end of September 2019"
    styles: dict[str, Style]
    sheets: list[SheetLayout]
    default_font: str = FONT_NAME
    default_size: float = BODY_SIZE

    def sheet(self, name: str) -> SheetLayout:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


# ---------------------------------------------------------------------------------------
# Wording


def position_text(as_at: date) -> str:
    """'Position as at end of September 2019' on a month end, else '… as at 15 October 2019'."""
    month = f"{MONTH_NAMES[as_at.month]} {as_at.year}"
    if _is_month_end(as_at):
        return f"Position as at end of {month}"
    return f"Position as at {as_at.day} {month}"


@functools.lru_cache(maxsize=4096)  # a tracker's dates repeat: month ends, mostly
@functools.lru_cache(maxsize=4096)  # a paper shows a few hundred dates, again and again
def date_label(day: date) -> str:
    """A due date as board papers write it: 'March 2019' for a month end, else '15 Mar 2019'."""
    if _is_month_end(day):
        return f"{MONTH_NAMES[day.month]} {day.year}"
    return f"{day.day} {MONTH_NAMES[day.month][:3]} {day.year}"


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _days_overdue(days: int) -> str:
    return f"{days} day overdue" if days == 1 else f"{days} days overdue"


@functools.lru_cache(maxsize=65536)
def natural_key(ref: str) -> tuple:
    """Sort refs as people count them: W1a, W1b … W1z, W1aa, W2a; 2 before 10.

    Numbers compare as numbers and letter groups by length first, so W1aa (the 27th
    action) follows W1z rather than sitting between W1a and W1b.
    """
    key = []
    for token in _REF_TOKEN.findall(ref):
        if token.isdigit():
            key.append((0, int(token), ""))
        elif token.isalpha():
            key.append((1, len(token), token.lower()))
        else:
            key.append((2, 0, token))
    return (tuple(key), ref)


_REF_TOKEN = re.compile(r"\d+|[A-Za-z]+|[^\dA-Za-z\s]")


# ---------------------------------------------------------------------------------------
# Styles


def _readable_on(fill: str) -> str:
    """Black or white text, whichever reads better on a fill (ITU-R BT.601 luma)."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    return "000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "FFFFFF"


def rag_style_name(code: str) -> str:
    """The named style of a RAG cell whose code is on the legend."""
    return f"rag {code}"


def paper_styles(legend: Legend) -> dict[str, Style]:
    """The paper's named styles, with one per status of the legend in its colour."""
    cell = {"border": True}
    styles = {
        "title": Style(size=16, bold=True, colour=NHS_BLUE, wrap=False, vertical="center"),
        "subtitle": Style(size=12, bold=True, wrap=False, vertical="center"),
        "position": Style(size=12, bold=True, italic=True, colour=NHS_BLUE, wrap=False,
                          vertical="center"),
        "heading": Style(size=12, bold=True, colour=NHS_BLUE, wrap=False, vertical="bottom"),
        "note": Style(italic=True, colour="595959"),
        "header": Style(bold=True, colour="FFFFFF", fill=NHS_BLUE, vertical="center", **cell),
        "band": Style(bold=True, fill=BAND_FILL, vertical="center", **cell),
        "tracker band": Style(size=12, bold=True, colour="FFFFFF", fill="003087",
                              vertical="center", **cell),
        "ref": Style(bold=True, **cell),
        "text": Style(**cell),
        "centred": Style(horizontal="center", **cell),
        "overdue": Style(bold=True, colour=ALERT, **cell),
        "rag not on legend": Style(bold=True, colour=ALERT, horizontal="center", **cell),
        "legend label": Style(bold=True, vertical="center", wrap=False),
        "legend meaning": Style(vertical="center", **cell),
        "number": Style(horizontal="center", number_format="0", **cell),
        "number bold": Style(bold=True, horizontal="center", number_format="0", **cell),
        "number overdue": Style(bold=True, colour=ALERT, horizontal="center",
                                number_format="0", **cell),
        "label bold": Style(bold=True, **cell),
        "date": Style(horizontal="left", number_format="d mmm yyyy", **cell),
        "severity error": Style(bold=True, colour=ALERT, **cell),
        "severity warning": Style(bold=True, colour=AMBER_TEXT, **cell),
        "link": Style(colour="0563C1", **cell),  # Excel's hyperlink blue
    }  # fmt: skip
    for entry in legend.entries:
        styles[rag_style_name(entry.code)] = Style(
            bold=True,
            fill=entry.colour,
            colour=_readable_on(entry.colour),
            horizontal="center",
            **cell,
        )
    return styles


# ---------------------------------------------------------------------------------------
# Row heights from text


def _pixels(width: float) -> int:
    """A column's width in screen pixels: 7 a character unit plus 5 of padding."""
    return int(width * 7 + 5)


# ---------------------------------------------------------------------------------------
# Building a sheet


class Cell(NamedTuple):  # a tuple, not a frozen dataclass: a paper makes 100,000s of them
    """One cell a SheetBuilder writes: its value (or rich runs), style and column span."""

    value: Value = None
    style: str | None = None
    runs: tuple[Run, ...] = ()
    span: int = 1  # columns merged from this one rightwards


class _Measure(NamedTuple):
    """How a cell's text is measured in Excel: characters a line (0: the style does not
    wrap) and points a line."""

    per_line: int
    line_height: float


class SheetBuilder:
    """Appends rows of cells to a grid, merging spans and estimating each row's height."""

    def __init__(self, name: str, widths: Sequence[float], styles: dict[str, Style]) -> None:
        self.name = name
        self.widths = list(widths)
        self.styles = styles
        self.values: list[list[Value]] = []
        self.cell_styles: list[list[str | None]] = []
        self.heights: list[float] = []
        self.floors: list[float] = []
        self.merges: list[str] = []
        self.rich: list[RichText] = []
        self._measures: dict[tuple[str, int, int, bool], _Measure] = {}

    @property
    def next_row(self) -> int:
        """The 1-based number of the row the next add() writes."""
        return len(self.values) + 1

    def add(
        self,
        cells: Sequence[Cell],
        *,
        height: float | None = None,
        spans: Sequence[int] | None = None,
    ) -> int:
        """Write one row; return its 1-based row number.

        `spans`, for a table's row: the columns each cell takes, in place of the cells' own.
        """
        row = len(self.values) + 1
        size = len(self.widths)
        values: list[Value] = [None] * size
        styles: list[str | None] = [None] * size
        measures = self._measures
        estimate = 0.0  # the tallest cell's lines, in points
        col = 0
        # a paper adds 100,000s of cells: kept to the bone
        for index, (value, style, runs, span) in enumerate(cells):
            if spans:
                span = spans[index]
            last = col + span - 1
            if last >= size:
                raise ValueError(f"row {row} of {self.name} is wider than its columns")
            if runs:
                value = "".join(run.text for run in runs)
                self.rich.append(RichText(f"{column_letter(col)}{row}", runs))
            values[col] = value
            if span == 1:
                styles[col] = style
            else:
                styles[col : last + 1] = [style] * span
                self.merges.append(f"{column_letter(col)}{row}:{column_letter(last)}{row}")
            if style is not None and value is not None:
                key = (style, col, last, bool(runs) and any(run.bold for run in runs))
                per_line, line_height = measures.get(key) or self._measure(*key)
                lines = 1
                if per_line:
                    text = value if type(value) is str else str(value)
                    if len(text) > per_line or "\n" in text:  # most cells fit one line
                        lines = measure.wrapped_lines(text, per_line)
                if lines * line_height > estimate:
                    estimate = lines * line_height
            col = last + 1
        self.values.append(values)
        self.cell_styles.append(styles)
        self.floors.append(height or 0.0)
        if estimate:
            estimate += measure.EXCEL_PADDING
        self.heights.append(
            measure.whole_pixels(min(MAX_ROW_HEIGHT, max(height or 0.0, estimate, 15.0)))
        )
        return row

    def _measure(self, style_name: str, col: int, last: int, bold_run: bool) -> _Measure:
        """How a cell of `style_name` over columns `col`..`last` is measured in Excel."""
        key = (style_name, col, last, bold_run)
        if key not in self._measures:  # a cache: add() asks for the same few every row
            style = self.styles[style_name]
            bold = style.bold or bold_run  # a bold run sets the widest text in the cell
            width = measure.merged_width(self.widths[col : last + 1])
            self._measures[key] = _Measure(
                per_line=measure.chars_per_line(width, style.size, bold) if style.wrap else 0,
                line_height=measure.excel_line_height(style.size),
            )
        return self._measures[key]

    def gap(self, height: float = 8.0) -> int:
        row = self.next_row
        self.values.append([None] * len(self.widths))
        self.cell_styles.append([None] * len(self.widths))
        self.heights.append(measure.whole_pixels(height))
        self.floors.append(measure.whole_pixels(height))
        return row

    def build(
        self,
        print_setup: PrintSetup,
        *,
        freeze_panes: str | None = None,
        charts: Iterable[Chart] = (),
    ) -> SheetLayout:
        return SheetLayout(
            name=self.name,
            values=self.values,
            styles=self.cell_styles,
            column_widths=self.widths,
            row_heights=self.heights,
            merges=self.merges,
            rich_text=self.rich,
            print_setup=print_setup,
            freeze_panes=freeze_panes,
            charts=list(charts),
            row_floors=self.floors,
        )


# ---------------------------------------------------------------------------------------
# Cells of the paper


def _timescale_runs(action: Action) -> list[Run]:
    """Earlier dates struck through, then the due date; red with the days when overdue."""
    dates = action.timescale.dates
    runs = [
        Run(("\n" if i else "") + date_label(day), strike=True, colour=STRUCK)
        for i, day in enumerate(dates[:-1])
    ]
    if dates:
        due = ("\n" if runs else "") + date_label(dates[-1])
        if action.is_overdue:
            runs.append(Run(due, bold=True, colour=ALERT))
            runs.append(
                Run("\n" + _days_overdue(action.days_overdue), bold=True, italic=True, colour=ALERT)
            )
        else:
            runs.append(Run(due))
    return runs


def _timescale_cell(action: Action) -> Cell:
    overdue = action.days_overdue > 0
    style = "overdue" if overdue else "text"
    dates = action.timescale.dates
    if not dates:  # no date could be read: show what was typed, the Summary says why
        return Cell(action.timescale.text or None, style)
    if len(dates) == 1:
        # One date: the cell's style says it all (bold red when overdue), no runs needed.
        due = date_label(dates[0])
        return Cell(f"{due}\n{_days_overdue(action.days_overdue)}" if overdue else due, style)
    return Cell(style=style, runs=tuple(_timescale_runs(action)))


def _rag_cell(rag: str, legend: Legend) -> Cell:
    """A legend code in its colour; anything else as typed, uncoloured, with a marker."""
    entry = legend.get(rag)
    if entry is not None:
        return Cell(rag, rag_style_name(entry.code))
    marker = "\n(not on legend)" if rag else "(no RAG)"
    runs = [Run(rag, bold=True, colour=ALERT)] if rag else []
    runs.append(Run(marker, italic=True, colour=ALERT))
    if len(runs) == 1:
        return Cell(marker, "rag not on legend")
    return Cell(style="rag not on legend", runs=tuple(runs))


def _text(value: str) -> str | None:
    return value if value else None


def header_row(builder: SheetBuilder, columns: Sequence[tuple[str, float]]) -> int:
    """A table's header row; returns its row number (the one printed on every page)."""
    return builder.add([Cell(name, "header") for name, _ in columns], height=20)


def _legend_block(builder: SheetBuilder, legend: Legend, strays: Sequence[str]) -> None:
    """The status legend under a table: each code in its colour and what it means."""
    width = len(builder.widths)
    builder.gap(10)
    builder.add([Cell("Status", "legend label", span=width)])
    if not legend.entries:
        builder.add([Cell(NO_SCALE_NOTE, "note", span=width)])
    for entry in legend.entries:
        builder.add(
            [
                Cell(entry.code, rag_style_name(entry.code)),
                Cell(meaning_of(entry), "legend meaning", span=width - 1),
            ]
        )
    if legend.assumed:
        builder.add([Cell(ASSUMED_NOTE, "note", span=width)])
    if strays:
        shown = ", ".join(strays)
        builder.add(
            [
                Cell(
                    f"{shown}: not on this tracker's legend, so shown as typed without a colour "
                    "(see the Summary's findings).",
                    "note",
                    span=width,
                )
            ]
        )


def meaning_of(entry: LegendEntry) -> str:
    """What a status means as the legend prints it: the trust's words, else (a scale of
    status words with no meanings written) whether it counts as complete."""
    if entry.meaning:
        return entry.meaning
    return "counts as complete" if entry.complete else ""


def _stray_rags(actions: Iterable[Action], legend: Legend) -> list[str]:
    return sorted({a.rag for a in actions if a.rag and legend.get(a.rag) is None})


def _escape(text: str) -> str:
    """Text for a header or footer: '&' starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


def _footer(legend: Legend) -> HeaderFooter:
    """The legend on every printed page, and 'Page N of M'."""
    page = "&8Page &P of &N"
    if not legend.entries:
        return HeaderFooter(left="&8Status: the tracker records none", right=page)
    assumed = " (assumed: the tracker writes no key)" if legend.assumed else ""
    for limit in (None, 40, 0):
        items = []
        for entry in legend.entries:
            text = meaning_of(entry)
            meaning = text if limit is None else text[:limit].rstrip()
            if limit and len(text) > limit:
                meaning += "…"
            items.append(f"&B{_escape(entry.code)}&B {_escape(meaning)}".rstrip())
        footer = HeaderFooter(left="&8Status: " + "   ".join(items) + assumed, right=page)
        if len(footer.excel()) <= MAX_HEADER_FOOTER:
            return footer
    return HeaderFooter(left="&8Status: see the legend under each table", right=page)


def _page_header(title: str, position: str) -> HeaderFooter:
    # Cut before escaping, so no cut leaves half of a doubled '&'.
    return HeaderFooter(left=f"&8{_escape(title[:100])}", right=f"&8{_escape(position[:100])}")


def print_setup_for(
    builder: SheetBuilder, report: Report, position: str, repeat_row: int | None
) -> PrintSetup:
    """How a generated sheet prints: landscape A4, its header row repeated, the legend and
    page numbers in the footer, the mark row left out."""
    return PrintSetup(
        repeat_rows=f"{repeat_row}:{repeat_row}" if repeat_row else None,
        # From row 2: the mark row is for the workbook, not for the board.
        print_area=f"A2:{column_letter(len(builder.widths) - 1)}{builder.next_row - 1}",
        header=_page_header(paper_title(report), position),
        footer=_footer(report.tracker.legend),
    )


# ---------------------------------------------------------------------------------------
# The sheets


def generated_note(report: Report) -> str:
    """The first row of every generated sheet: where it came from, and not to edit it."""
    day = report.as_at
    return (
        f"{GENERATED_MARK} from {PurePath(report.tracker.path).name}, position as at "
        f"{day.day} {MONTH_NAMES[day.month]} {day.year}: rebuilt on every run, so edit "
        "the tracker, not this sheet."
    )


def mark_row(builder: SheetBuilder, report: Report) -> None:
    """The first row of every generated sheet: `generated_note`."""
    builder.add([Cell(generated_note(report), "note", span=len(builder.widths))])


def paper_title(report: Report) -> str:
    """The paper's title: the Settings sheet's, else the tracker's first title row, else
    its file name."""
    tracker = report.tracker
    if tracker.has_settings or not tracker.shapes:
        return tracker.settings.title
    lines = tracker.title_lines
    return lines[0] if lines else PurePath(tracker.path).stem


def _in_ref_order(actions: Iterable[Action]) -> list[Action]:
    """Natural ref order; rows with no ref last, in tracker order."""
    return sorted(actions, key=lambda a: (not a.ref, natural_key(a.ref), a.row))


# One column of a paper table: its header, its width, and the cell of each action.
CellMaker = Callable[[Action, Legend], Cell]


class _Column(NamedTuple):
    header: str
    width: float
    cell: CellMaker


class Group(NamedTuple):
    """A band of a paper table and its actions: `label` names it in the Summary, `band`
    is the band row's text ("" for actions above the first group row: no band)."""

    label: str
    band: str
    actions: list[Action]
    kloe: str = ""  # the KLOE code, for a KLOE band ("KLOE" | its question)
    top: bool = False  # a roll-up's band naming the tracker whose groups follow


@dataclass
class _Table:
    """One table of the paper, on its own sheet: a tracker sheet in its own shape, or the
    controlled tracker's Part A or Part B in the seed's."""

    sheet: str
    part: str
    subtitles: list[str]
    heading: str
    columns: list[_Column]
    groups: list[Group]
    empty_note: str = "No actions in the tracker."
    notes: Sequence[str] = ()  # the trust's own notes under its table, printed under ours

    @property
    def actions(self) -> list[Action]:
        return [a for group in self.groups for a in group.actions]


def _ref_cell(action: Action, legend: Legend) -> Cell:
    return Cell(_text(action.ref), "ref")


def _lead_cell(action: Action, legend: Legend) -> Cell:
    return Cell(_text(action.lead), "centred")


def _rag_of(action: Action, legend: Legend) -> Cell:
    return _rag_cell(action.rag, legend)


def _timescale_of(action: Action, legend: Legend) -> Cell:
    return _timescale_cell(action)


def _planned_action_of(action: Action, legend: Legend) -> Cell:
    return _planned_action_cell(action)


def _text_of(field_name: str) -> CellMaker:
    def cell(action: Action, legend: Legend) -> Cell:
        return Cell(_text(getattr(action, field_name)), "text")

    return cell


def _extra_of(header: str, position: int) -> CellMaker:
    """The cell of the extra column `header`, the `position`-th of its sheet's extras: found
    there without a lookup (a sheet 16,000 columns wide would build 16,000 lookups a row)."""

    def cell(action: Action, legend: Legend) -> Cell:
        extras = action.extras
        if position < len(extras) and extras[position][0] == header:
            return Cell(_text(extras[position][1]), "text")
        return Cell(_text(dict(extras).get(header, "")), "text")

    return cell


# The seed paper's columns, for the controlled tracker's Part A and Part B.
_SEED_CELLS: dict[str, tuple[CellMaker, ...]] = {
    "A": (_ref_cell, _text_of("action"), _timescale_of, _lead_cell,
          _text_of("success_measure"), _text_of("progress"), _rag_of),
    "B": (_ref_cell, _text_of("finding"), _planned_action_of, _text_of("progress"),
          _lead_cell, _rag_of),
}  # fmt: skip
# The width a landscape A4 page gives a table, in Excel character units (the seed's Part A).
TABLE_WIDTH = 150.0


def _shape_columns(shape: SheetShape, actions: Sequence[Action]) -> list[_Column]:
    """A tracker sheet's own columns in its order: its fields, its dates as one timescale
    (struck-through revisions, overdue in red), and its extra columns under their headers."""
    dates = [c for c in shape.columns if c.read_as in DATE_FIELDS]
    specs: list[tuple[str, str, CellMaker]] = []  # (header, kind, cell)
    extras = 0  # extra columns so far
    for column in shape.columns:
        read_as = column.read_as
        header = " ".join(column.header.replace(":", " ").split())
        if not read_as or read_as in NOT_ON_PAPER:
            continue
        if read_as in DATE_FIELDS:
            if column is dates[0]:
                specs.append((header if len(dates) == 1 and header else "Timescale", "date",
                              _timescale_of))  # fmt: skip
        elif read_as == "ref":
            specs.append((header or ("No." if shape.part == "B" else "Ref"), "ref", _ref_cell))
        elif read_as == "lead":
            specs.append((header or "Lead", "lead", _lead_cell))
        elif read_as == "rag":
            specs.append((header or "Status", "rag", _rag_of))
        elif read_as.startswith(EXTRA):
            name = read_as.removeprefix(EXTRA)
            # A column the trust hid (internal notes, a working column) is not printed; a
            # hidden-column finding names it. Its entries stay read, in each action's extras.
            if not column.hidden:
                specs.append((header or name, read_as, _extra_of(name, extras)))
            extras += 1
        else:
            specs.append((header or read_as.replace("_", " ").capitalize(), read_as,
                          _text_of(read_as)))  # fmt: skip
    widths = _fit_widths(specs, actions)
    return [_Column(h, w, cell) for (h, _, cell), w in zip(specs, widths, strict=True)]


def _fit_widths(
    specs: Sequence[tuple[str, str, CellMaker]], actions: Sequence[Action]
) -> list[float]:
    """Widths that fill a landscape A4 page: short columns (ref, lead, status, dates) as
    wide as their text needs, the rest sharing what is left by how much they hold."""
    sample = actions[:300]
    fixed: dict[int, float] = {}
    weights: dict[int, float] = {}
    for index, (header, kind, cell) in enumerate(specs):
        texts = [str(cell(a, Legend(())).value or "") for a in sample] if sample else []
        longest = max([len(header), *(len(t) for t in texts)], default=len(header))
        average = sum(len(t) for t in texts) / len(texts) if texts else len(header)
        if kind in ("ref", "lead", "rag") or (kind.startswith(EXTRA) and longest <= 14):
            fixed[index] = min(max(7.0, longest * 1.05 + 2), 18.0)
        elif kind == "date":
            fixed[index] = 15.0
        else:
            weights[index] = max(average, 12.0) ** 0.5
    left = max(TABLE_WIDTH - sum(fixed.values()), 12.0 * len(weights))
    total = sum(weights.values()) or 1.0
    widths = [
        fixed.get(i) or max(12.0, round(left * weights[i] / total, 1)) for i in range(len(specs))
    ]
    return widths


def _kloe_groups(actions: Sequence[Action], tracker: Tracker) -> list[Group]:
    """Actions per KLOE in W1–W8 order (ref order within each), then those with no KLOE;
    a KLOE with no actions gets no band."""
    kloes = sorted(tracker.kloes, key=lambda k: natural_key(k.code))
    known = {k.code for k in kloes}
    groups = []
    for kloe in kloes:
        mine = [a for a in actions if a.kloe == kloe.code]
        if mine:
            band = f"{kloe.code}: {kloe.question}" if kloe.question else kloe.code
            groups.append(Group(kloe.code, band, _in_ref_order(mine), kloe.code))
    others = [a for a in actions if a.kloe not in known]
    if others:
        groups.append(Group(OTHER_ACTIONS, OTHER_ACTIONS, _in_ref_order(others)))
    return groups


def _tracker_groups(actions: Sequence[Action], shape: SheetShape, label: str) -> list[Group]:
    """The tracker's own groups, in its order, rows in its order: KLOE bands as written,
    month or meeting rows, core services. Rows above the first group row get no band;
    a sheet with no group rows is one table."""
    groups: dict[str, list[Action]] = {}
    for action in actions:
        groups.setdefault(action.group, []).append(action)
    result = []
    for text, mine in groups.items():
        kloe = mine[0].kloe if shape.kloe_bands and text else ""
        name = kloe or _short(text, 40) or label
        result.append(Group(name, text, mine, kloe))
    return result


def _tables(report: Report) -> list[_Table]:
    """The paper's tables, one per tracker table (a sheet may hold Part A, then Part B),
    in the tracker's order."""
    tracker = report.tracker
    settings = tracker.settings
    by_table: dict[tuple[str, int], list[Action]] = {}
    for action in report.actions:
        by_table.setdefault((action.sheet, action.table), []).append(action)
    shapes = tracker.shapes or _shapes_of(report)
    seed_shaped = tracker.uses_kloes or any(shape.part == "B" for shape in shapes)
    # A paper sheet never takes the name of one of the tracker's own sheets: the Excel
    # button writes the paper beside them ("Part A" of a legacy tracker stays its own).
    names: list[str] = []
    own = {name.casefold() for name in tracker.sheet_names}
    tables = []
    for shape in shapes:
        actions = by_table.get(shape.table_key, [])
        part = shape.part
        base = (PART_B_SHEET if part == "B" else PART_A_SHEET) if seed_shaped else BOARD_PAPER_SHEET
        name = _unique(base if base.casefold() not in own else f"{base} (paper)", names)
        names.append(name)
        if shape.controlled or not tracker.shapes:
            columns = PART_A_COLUMNS if part == "A" else PART_B_COLUMNS
            cells = _SEED_CELLS[part]
            table_columns = [_Column(h, w, c) for (h, w), c in zip(columns, cells, strict=True)]
            # An adopted tracker's Group column holds its own bands, kept in its order.
            own_groups = any(action.group for action in actions)
            if part == "A":
                groups = _kloe_groups(actions, tracker)
                subtitles = [settings.part_a_title, settings.part_b_title]
                heading = settings.part_a_heading
            else:
                groups = [Group("Part B", "", _in_ref_order(actions))]
                subtitles, heading = [], settings.part_b_heading
            if own_groups:
                groups = _tracker_groups(actions, shape, f"Part {part}")
            tables.append(
                _Table(name, part, subtitles, heading, table_columns, groups,
                       f"No Part {part} actions in the tracker.")
            )  # fmt: skip
            continue
        else:
            table_columns = _shape_columns(shape, actions)
            if part == "A" and shape.column("kloe") is not None:
                groups = _kloe_groups(actions, tracker)
            else:
                label = "Part B" if part == "B" and seed_shaped else shape.name
                groups = _tracker_groups(actions, shape, label)
            subtitles = _subtitles(tracker, shape)
            heading = settings.part_a_heading if tracker.has_settings and part == "A" else ""
            if tracker.has_settings and part == "B":
                heading = settings.part_b_heading
        tables.append(
            _Table(name, part, subtitles, heading, table_columns, groups, notes=shape.notes)
        )
    return tables


def _with_previous_rag(tables: list[_Table], moved: Movement | None) -> list[_Table]:
    """With a previous position: a "Last paper" column before each table's RAG column,
    the status the last paper gave, and an arrow when it is better or worse now."""
    if moved is None or moved.previous_as_at is None:
        return tables
    column = _Column(PREVIOUS_RAG_HEADER, 10.0, _previous_rag_of(moved))
    for table in tables:
        at = next((i for i, c in enumerate(table.columns) if c.cell is _rag_of), None)
        if at is not None:
            table.columns.insert(at, column)
    return tables


def _previous_rag_of(moved: Movement) -> CellMaker:
    def cell(action: Action, legend: Legend) -> Cell:
        key = (action.sheet, action.part, action.ref)
        if key not in moved.previous_rag:
            return Cell("new" if action.ref else None, "centred")
        before = moved.previous_rag[key]
        arrow = {1: "\n▲ better", -1: "\n▼ worse"}.get(direction(before, action.rag, legend), "")
        entry = legend.get(before)
        style = rag_style_name(entry.code) if entry is not None else "centred"
        return Cell(f"{before or '(no RAG)'}{arrow}", style)

    return cell


def _shapes_of(report: Report) -> list[SheetShape]:
    """For a tracker made in code (no sheets read): its sheets, as the controlled tracker's."""
    seen: dict[str, SheetShape] = {}
    for action in report.actions:
        seen.setdefault(action.sheet, SheetShape(action.sheet, action.part, 1, [], controlled=True))
    if not any(shape.part == "B" for shape in seen.values()):
        seen.setdefault("Findings", SheetShape("Findings", "B", 1, [], controlled=True))
    if not any(shape.part == "A" for shape in seen.values()):
        seen = {"Actions": SheetShape("Actions", "A", 1, [], controlled=True), **seen}
    return sorted(seen.values(), key=lambda shape: shape.part)


def _unique(name: str, taken: Sequence[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name} {number}" in taken:
        number += 1
    return f"{name} {number}"


_POSITION_LINE = re.compile(r"^\s*position\s+(?:as\s+)?at\b", re.I)


def _subtitles(tracker: Tracker, shape: SheetShape) -> list[str]:
    """The tracker's own title rows under the paper's title: all but the first, and not a
    "Position as at …" line (the paper prints its own, from the as-at date)."""
    if tracker.has_settings:
        settings = tracker.settings
        return [settings.part_a_title, settings.part_b_title] if shape.part == "A" else []
    lines = shape.title or tracker.title_lines
    first = tracker.title_lines[:1]
    shown = [line for line in lines if line not in first and not _POSITION_LINE.match(line)]
    return shown + ([shape.marking] if shape.marking else [])


def _title_block(
    builder: SheetBuilder, title: str, subtitles: Sequence[str], position: str
) -> None:
    width = len(builder.widths)
    builder.add([Cell(title, "title", span=width)], height=26)
    for line in subtitles:
        builder.add([Cell(line, "subtitle", span=width)], height=19)
    builder.add([Cell(position, "position", span=width)], height=21)
    builder.gap(10)


def _table_sheet(
    report: Report, styles: dict[str, Style], position: str, table: _Table
) -> SheetLayout:
    """One table of the paper: title block, header row, a band per group, the legend."""
    legend = report.tracker.legend
    builder = SheetBuilder(table.sheet, [c.width for c in table.columns], styles)
    width = len(builder.widths)
    mark_row(builder, report)
    _title_block(builder, paper_title(report), table.subtitles, position)
    if table.heading:
        builder.add([Cell(table.heading, "heading", span=width)], height=22)
    header = header_row(builder, [(c.header, c.width) for c in table.columns])
    if not table.actions:
        builder.add([Cell(table.empty_note, "note", span=width)])
    for group in table.groups:
        if group.top:
            builder.add([Cell(group.band, "tracker band", span=width)], height=22)
        elif group.kloe and group.band:
            cells = [Cell("KLOE", "band"), Cell(_band_text(group.band), "band", span=width - 1)]
            builder.add(cells, height=18)
        elif group.band:
            builder.add([Cell(group.band, "band", span=width)], height=18)
        for action in group.actions:
            builder.add([column.cell(action, legend) for column in table.columns])
    _legend_block(builder, legend, _stray_rags(table.actions, legend))
    for note in table.notes:
        builder.add([Cell(note, "note", span=width)])
    return builder.build(
        print_setup_for(builder, report, position, header), freeze_panes=f"A{header + 1}"
    )


_KLOE_WORD = re.compile(r"^\s*kloe\s+", re.I)


def _band_text(band: str) -> str:
    """A KLOE band's text beside its "KLOE" cell: "KLOE W4: …" typed whole loses its word."""
    return _KLOE_WORD.sub("", band)


def _planned_action_cell(action: Action) -> Cell:
    """Part B's planned action, with its due date under it when the tracker gives one."""
    runs = _timescale_runs(action)
    if not runs:
        return Cell(_text(action.action), "text")
    lead_in = (action.action + "\n" if action.action else "") + "Due: "
    style = "overdue" if action.is_overdue else "text"
    return Cell(style=style, runs=(Run(lead_in), *runs))


def _summary_columns(legend: Legend, label_span: int) -> list[float]:
    """The Summary's grid: SUMMARY_WIDTHS, and narrow columns more when the count table's
    label and counts need them (a legend of many codes)."""
    extra = max(0, label_span + len(legend.entries) + 4 - len(SUMMARY_WIDTHS))
    return [*SUMMARY_WIDTHS, *[SUMMARY_EXTRA_WIDTH] * extra]


def _label_span(labels: Iterable[str], widths: Sequence[float]) -> int:
    """The grid columns, from A, that the count table's labels take: enough for the
    longest (bold) on one line, up to MAX_LABEL_WIDTH units."""
    longest = max((len(label) for label in labels), default=0)
    span = 1
    while (
        measure.chars_per_line(measure.merged_width(widths[:span]), BODY_SIZE, True) < longest
        and span < len(widths)
        and measure.merged_width(widths[: span + 1]) <= MAX_LABEL_WIDTH
    ):
        span += 1
    return span


def _table(builder: SheetBuilder, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """A Summary list: a header row then data rows, each cell over its list column's grid
    columns (SUMMARY_SPANS)."""
    header = builder.add([Cell(name, "header") for name in columns], height=20, spans=SUMMARY_SPANS)
    for cells in rows:
        builder.add(cells, spans=SUMMARY_SPANS)
    return header


def _action_row(action: Action, legend: Legend, *middle: Cell) -> list[Cell]:
    """A Summary list row: ref, part, lead and RAG, the list's own cells, planned action."""
    return [
        Cell(_text(action.ref), "ref"),
        Cell(action.part, "centred"),
        Cell(_text(action.lead), "text"),
        _rag_cell(action.rag, legend),
        *middle,
        Cell(_text(action.action), "text"),
    ]


def _on_legend(rag: str, legend: Legend) -> str:
    """The legend code a status counts under ('on track' under 'On Track to deliver')."""
    entry = legend.get(rag)
    return entry.code if entry is not None else rag


def _counts_title(heading: str, rows: Sequence[tuple[str, list[Action]]]) -> str:
    parts = "KLOE and for Part B" if heading == "KLOE" else heading.lower()
    if heading == "KLOE" and not any(label == "Part B" for label, _ in rows):
        parts = "KLOE"
    return f"RAG status by {parts}"


def _section(builder: SheetBuilder, title: str) -> None:
    builder.gap(12)
    builder.add([Cell(title, "heading", span=len(builder.widths))], height=22)


def _count_rows(tables: Sequence[_Table]) -> list[tuple[str, list[Action]]]:
    """The Summary's rows: each group of each table (KLOEs, the tracker's own groups), or
    the table as one row when it has no groups (Part B)."""
    rows = []
    for table in tables:
        if len(table.groups) == 1 and not table.groups[0].band:
            rows.append((table.groups[0].label, table.groups[0].actions))
        else:
            rows += [(group.label, group.actions) for group in table.groups]
    return rows


def _rag_counts(
    builder: SheetBuilder,
    report: Report,
    rows: list[tuple[str, list[Action]]],
    heading: str,
    label_span: int,
) -> Chart | None:
    """Status counts per group (KLOE) and for Part B, as a table and a stacked bar chart
    (no chart when there is no group to plot: a tracker with no actions yet).

    The label spans `label_span` grid columns; every count has a narrow column of its own,
    its header wrapped, so the table takes only the width its numbers need."""
    legend = report.tracker.legend
    codes = legend.codes
    header = builder.add(
        [Cell(heading, "header", span=label_span)]
        + [Cell(name, "header") for name in ("Total", "Overdue")]
        + [Cell(code, rag_style_name(code)) for code in codes]
        + [Cell(name, "header") for name in (NOT_ON_LEGEND_LABEL, NO_RAG_LABEL)],
        height=32,
    )
    first = header + 1
    for label, actions in [*rows, ("Total", [a for _, acts in rows for a in acts])]:
        counts = Counter(_on_legend(a.rag, legend) for a in actions)
        bold = label == "Total"
        number = "number bold" if bold else "number"
        stray = sum(n for rag, n in counts.items() if rag and rag not in codes)
        overdue = sum(1 for a in actions if a.is_overdue)
        builder.add(
            [Cell(label, "label bold" if bold else "ref", span=label_span)]
            + [Cell(len(actions), "number bold")]
            + [Cell(overdue, "number overdue" if overdue else number)]
            + [Cell(counts[code], number) for code in codes]
            + [Cell(stray, number), Cell(counts[""], number)]
        )
    last = first + len(rows) - 1  # the chart leaves out the Total row
    if not rows:
        return None
    codes_at = label_span + 2  # the column of the first legend code's counts
    series = tuple(
        ChartSeries(
            name=entry.code,
            values=f"{column_letter(codes_at + i)}{first}:{column_letter(codes_at + i)}{last}",
            colour=entry.colour,
        )
        for i, entry in enumerate(legend.entries)
    )
    # Statuses not on the legend, and rows with no status, are bars of their own in a
    # neutral grey: the chart never hides the worst statuses (R, AG) the table counts.
    every = [a for _, acts in rows for a in acts]
    strays = sum(1 for a in every if a.rag and legend.get(a.rag) is None)
    missing = sum(1 for a in every if not a.rag)
    for offset, (label, count, colour) in enumerate(
        ((NOT_ON_LEGEND_LABEL, strays, STRAY_GREY), (NO_RAG_LABEL, missing, NO_RAG_GREY))
    ):
        if count:
            column = column_letter(codes_at + len(codes) + offset)
            series += (ChartSeries(label, f"{column}{first}:{column}{last}", colour),)
    # Beside the table when the columns left over are wide enough, so the table and its
    # chart print on one page; else below it, on rows kept clear for it.
    table_columns = codes_at + len(codes) + 2
    spare = sum(_pixels(w) for w in builder.widths[table_columns:])
    labels = [label for label, _ in rows]
    names = [s.name for s in series]
    label_px = min(max(map(len, labels)) * CHART_LABEL_CHAR_PX, CHART_LABEL_SHARE * spare)
    if spare >= max(MIN_CHART_WIDTH, label_px + MIN_PLOT_PX):
        table_height = sum(builder.heights[header - 1 :]) / 0.75
        anchor = f"{column_letter(table_columns)}{header}"
        width_px = spare
        height_px = max(int(table_height), _bar_chart_height(labels, names, width_px))
        while table_height < height_px:  # keep the rest of the chart's rows clear
            table_height += builder.heights[builder.gap(15) - 1] / 0.75
    else:
        anchor = f"B{builder.gap(12) + 1}"
        width_px = 760
        height_px = _bar_chart_height(labels, names, width_px)
        for _ in range(height_px // 20 + 1):  # 15-point rows are 20 pixels
            builder.gap(15)
    return Chart(
        kind="bar",
        stacked=True,
        title=_counts_title(heading, rows),
        categories=f"A{first}:A{last}",
        series=series,
        anchor=anchor,
        width=width_px,
        height=height_px,
        value_axis_title="Actions",
        # Whole actions: ticks of 1 unless the bars are long enough to crowd them.
        value_axis_major_unit=1 if max(len(acts) for _, acts in rows) <= 12 else None,
    )


def _bar_chart_height(labels: Sequence[str], series: Sequence[str], width: int) -> int:
    """How tall a stacked bar chart `width` pixels wide must be for its category axis to
    show every group's label, `labels`, apart: a bar per group, as tall as its label's
    lines (a long label wraps), and the title, the value axis and the legend (its entries,
    `series`, in as many lines as the width holds them)."""
    per_line = max(1.0, width * CHART_LABEL_SHARE / CHART_LABEL_CHAR_PX)
    bars = sum(
        max(CHART_BAR_PX, math.ceil(len(label) / per_line) * CHART_LABEL_LINE_PX + 10)
        for label in labels
    )
    entry = max((len(name) for name in series), default=0) * CHART_LEGEND_CHAR_PX + 24
    per_row = max(1, int((width - 40) // entry))
    legend_lines = -(-len(series) // per_row)
    return CHART_FRAME_PX + legend_lines * CHART_LEGEND_LINE_PX + bars


def _summary(
    report: Report,
    styles: dict[str, Style],
    position: str,
    tables: Sequence[_Table],
    count_rows: tuple[str, list[tuple[str, list[Action]]]] | None = None,
) -> SheetLayout:
    """The Summary: RAG counts (per group, or per tracker of a roll-up: `count_rows`),
    movement, overdue and slipped actions, and every finding."""
    rows = _count_rows(tables)
    heading = "KLOE" if report.tracker.uses_kloes or not report.tracker.shapes else "Group"
    if count_rows is not None:
        heading, rows = count_rows
    label_span = _label_span([heading, "Total", *(label for label, _ in rows)], SUMMARY_WIDTHS)
    legend = report.tracker.legend
    builder = SheetBuilder(SUMMARY_SHEET, _summary_columns(legend, label_span), styles)
    width = len(builder.widths)
    mark_row(builder, report)
    builder.add([Cell(f"{paper_title(report)}: summary", "title", span=width)], height=26)
    builder.add([Cell(position, "position", span=width)], height=21)
    builder.add(
        [
            Cell(
                f"{len(report.actions)} actions · {len(report.overdue)} overdue · "
                f"{report.errors} errors and {report.warnings} warnings found in the tracker",
                "subtitle",
                span=width,
            )
        ],
        height=19,
    )
    for notice in report.notices:  # e.g. the tracker is open: unsaved changes are missing
        builder.add([Cell(notice, "note", span=width)])
    _section(builder, _counts_title(heading, rows))
    chart = _rag_counts(builder, report, rows, heading, label_span)

    charts = [chart] if chart else []
    if report.movement is not None:
        charts += _since_last_paper(builder, report, report.movement)

    paper_order = [a for table in tables for a in table.actions]
    overdue = report.overdue
    _section(builder, f"Overdue actions ({len(overdue)}): due before the as-at date, not complete")
    _table(
        builder,
        ("Ref", "Part", "Lead", "RAG", "Due date", "Days overdue", "Planned action"),
        (
            _action_row(a, legend, Cell(a.due_date, "date"), Cell(a.days_overdue, "number overdue"))
            for a in overdue
        ),
    )
    if not overdue:
        builder.add([Cell("No action is overdue.", "note", span=width)])

    slipped = [a for a in paper_order if a.slipped]
    _section(builder, f"Slipped actions ({len(slipped)}): due date revised at least once")
    _table(
        builder,
        ("Ref", "Part", "Lead", "RAG", "Timescale", "Revisions", "Planned action"),
        (
            _action_row(a, legend, _timescale_cell(a), Cell(a.revision_count, "number"))
            for a in slipped
        ),
    )
    if not slipped:
        builder.add([Cell("No due date has been revised.", "note", span=width)])

    _section(
        builder,
        f"Validation findings ({report.errors} errors, {report.warnings} warnings): "
        "what the tracker still needs",
    )
    columns = ("Sheet", "Cell", "Ref", "Severity", "Problem", "Value", "Message", "Suggestion")
    shown, more = _findings_listed(report.findings)
    _table(builder, columns, (_finding_cells(f) for f in shown))
    for (sheet, rule), rest in more.items():
        cells = cells_listed(rest)
        builder.add(
            [
                Cell(
                    f"… and {len(rest):,} more '{title_of(rule)}' on {sheet or 'the workbook'}"
                    + (f" ({cells})" if cells else "")
                    + ": validate --json lists every one.",
                    "note",
                    span=width,
                )
            ]
        )
    if not report.findings:
        builder.add([Cell("No findings: the tracker passed every check.", "note", span=width)])
    return builder.build(print_setup_for(builder, report, position, None), charts=charts)


def _change_value(value: object) -> str | None:
    if isinstance(value, date):
        return date_label(value)
    return _text("" if value is None else str(value))


def _since_last_paper(builder: SheetBuilder, report: Report, moved: Movement) -> list[Chart]:
    """What moved since the last paper, every change listed by kind, then the RAG trend
    over the positions recorded (a stacked column per position)."""
    width = len(builder.widths)
    legend = report.tracker.legend
    if moved.previous_as_at is None:
        _section(builder, "Since the last paper")
        note = "This is the first position recorded in the history file: the next paper shows "
        builder.add([Cell(note + "what moved since this one.", "note", span=width)])
    else:
        changes = moved.changes
        _section(builder, f"Since the last paper (as at {date_label(moved.previous_as_at)})")
        counts = Counter(change.kind for change in changes)
        tally = " · ".join(f"{KIND_TITLES[k]}: {counts[k]}" for k in CHANGE_KINDS if counts[k])
        builder.add([Cell(tally or "Nothing moved since the last paper.", "subtitle", span=width)])
        by_key = {(a.sheet, a.part, a.ref): a for a in report.actions}
        rows = []
        for change in changes:
            action = by_key.get(change.key)
            rows.append(
                [
                    Cell(KIND_TITLES[change.kind], "label bold"),
                    Cell(_text(change.ref), "ref"),
                    Cell(_text(change.sheet), "text"),
                    Cell(_text(action.lead) if action else None, "text"),
                    Cell(_change_value(change.before), "centred"),
                    Cell(_change_value(change.after), "centred"),
                    Cell(_text(action.action) if action else "(no longer in the tracker)", "text"),
                ]
            )
        if rows:
            columns = ("Change", "Ref", "Sheet", "Lead", "Before", "After", "Planned action")
            _table(builder, columns, rows)
    return [_rag_trend(builder, legend, moved)] if legend.entries and moved.trend else []


def _rag_trend(builder: SheetBuilder, legend: Legend, moved: Movement) -> Chart:
    """Counts per status at each recorded position (up to eight, this one last), as a
    table and a stacked column chart beneath it."""
    _section(builder, f"RAG trend over the last {len(moved.trend)} position(s)")
    header = builder.add(
        [Cell("As at", "header")] + [Cell(code, rag_style_name(code)) for code in legend.codes],
        height=20,
    )
    for day, counts in moved.trend:
        builder.add(
            [Cell(f"{MONTH_NAMES[day.month][:3]} {day.year}", "ref")]
            + [Cell(counts.get(code, 0), "number") for code in legend.codes]
        )
    first, last = header + 1, header + len(moved.trend)
    anchor = f"A{builder.gap(12) + 1}"
    width_px, height_px = 620, 300
    for _ in range(height_px // 20 + 1):  # 15-point rows are 20 pixels
        builder.gap(15)
    series = tuple(
        ChartSeries(entry.code, f"{column_letter(i + 1)}{first}:{column_letter(i + 1)}{last}",
                    entry.colour)
        for i, entry in enumerate(legend.entries)
    )  # fmt: skip
    return Chart(
        kind="column",
        stacked=True,
        title="RAG trend: actions per status at each paper",
        categories=f"A{first}:A{last}",
        series=series,
        anchor=anchor,
        width=width_px,
        height=height_px,
        value_axis_title="Actions",
    )


# The paper lists this many findings of one rule on one sheet, then counts the rest: a
# tracker with one error a row still gives a findings list a board can read.
FINDINGS_LISTED = 25


def _findings_listed(
    findings: Sequence[Finding],
) -> tuple[list[Finding], dict[tuple[str, str], list[Finding]]]:
    """The findings the paper lists, and per (sheet, rule) the ones it only counts."""
    seen: Counter[tuple[str, str]] = Counter()
    shown: list[Finding] = []
    more: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.sheet, finding.rule)
        seen[key] += 1
        if seen[key] <= FINDINGS_LISTED:
            shown.append(finding)
        else:
            more.setdefault(key, []).append(finding)
    return shown, more


def _finding_cells(finding: Finding) -> list[Cell]:
    return [
        Cell(_text(finding.sheet) or "Workbook", "text"),
        Cell(_text(finding.cell), "text"),
        Cell(_text(finding.ref), "text"),
        Cell(finding.severity, f"severity {finding.severity}"),
        Cell(title_of(finding.rule), "text"),
        Cell(_text(_short(finding.value)), "text"),
        Cell(_text(finding.message), "text"),
        Cell(_text(finding.suggestion), "text"),
    ]


def _short(value: object, limit: int = 30) -> str:
    """A cell's value as typed, cut to fit a list (the message quotes what matters)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def internal_link(sheet: str, cell: str) -> str:
    """A link to a cell of the same workbook: "#'Actions'!J3" (quotes in a name doubled)."""
    return "#'" + sheet.replace("'", "''") + "'!" + cell


def layout_validation(report: Report, styles: dict[str, Style]) -> SheetLayout:
    """The Validation sheet the Excel button adds: every finding, its cell a link to it.

    It sits in the tracker workbook itself, so each cell reference jumps to the cell a
    lead must fix; the Summary's findings table says the same on paper.
    """
    builder = SheetBuilder(VALIDATION_SHEET, [w for _, w in VALIDATION_COLUMNS], styles)
    width = len(builder.widths)
    mark_row(builder, report)
    builder.add([Cell("Validation: what the tracker still needs", "title", span=width)], height=26)
    builder.add([Cell(position_text(report.as_at), "position", span=width)], height=21)
    builder.add(
        [
            Cell(
                f"{report.errors} errors and {report.warnings} warnings. Click a cell "
                "reference to go to the cell; the Check column of the tracker shows the same "
                "problems on each lead's own row.",
                "note",
                span=width,
            )
        ]
    )
    builder.gap(10)
    header = header_row(builder, VALIDATION_COLUMNS)
    lead_of = {(a.sheet, a.row): a.lead for a in report.actions}
    links: dict[str, str] = {}
    for finding in report.findings:
        row = builder.add(
            [
                Cell(_text(finding.sheet) or "Workbook", "text"),
                Cell(_text(finding.cell), "link" if finding.sheet and finding.cell else "text"),
                Cell(_text(finding.ref), "text"),
                Cell(_text(lead_of.get((finding.sheet, finding.row), "")), "text"),
                Cell(finding.severity, f"severity {finding.severity}"),
                Cell(finding.rule, "text"),
                Cell(_text(finding.message), "text"),
                Cell(_text(finding.suggestion), "text"),
            ]
        )
        if finding.sheet and finding.cell:
            links[f"B{row}"] = internal_link(finding.sheet, finding.cell)
    if not report.findings:
        builder.add([Cell("No findings: the tracker passed every check.", "note", span=width)])
    sheet = builder.build(
        print_setup_for(builder, report, position_text(report.as_at), header),
        freeze_panes=f"A{header + 1}",
    )
    sheet.links = links
    return sheet


def layout_paper(report: Report) -> PaperLayout:
    """The board paper for a validated tracker: a table per tracker sheet, in the tracker's
    shape (Part A and Part B for the controlled tracker), and the Summary."""
    styles = paper_styles(report.tracker.legend)
    position = position_text(report.as_at)
    tables = _with_previous_rag(_tables(report), report.movement)
    return PaperLayout(
        title=paper_title(report),
        position=position,
        styles=styles,
        sheets=[
            *(_table_sheet(report, styles, position, table) for table in tables),
            _summary(report, styles, position, tables),
        ],
    )


def layout_rollup(
    combined: Report, parts: Sequence[tuple[str, str, Report]], title: str
) -> PaperLayout:
    """One paper for several trackers: `parts` are (band text, short label, report) per
    tracker, `combined` their actions and findings together (refs that clash already
    shown with their tracker's label). Tables of the same name and columns share a sheet,
    a top band per tracker with its own groups under it; the Summary counts per tracker
    and in total."""
    styles = paper_styles(combined.tracker.legend)
    position = position_text(combined.as_at)
    sheets: dict[tuple[str, tuple[str, ...]], _Table] = {}
    names: list[str] = []
    for band, label, report in parts:
        for table in _with_previous_rag(_tables(report), report.movement):
            key = (table.sheet, tuple(c.header for c in table.columns))
            if key not in sheets:
                name = table.sheet if table.sheet not in names else f"{table.sheet} ({label})"
                name = _unique(name[:31], names)
                names.append(name)
                sheets[key] = replace(
                    table, sheet=name, subtitles=[], heading=table.heading, groups=[]
                )
            sheets[key].groups.append(Group(label, band, [], top=True))
            sheets[key].groups.extend(table.groups)
    tables = list(sheets.values())
    rows = [(label, report.actions) for _, label, report in parts]
    return PaperLayout(
        title=title,
        position=position,
        styles=styles,
        sheets=[
            *(_table_sheet(combined, styles, position, table) for table in tables),
            _summary(combined, styles, position, tables, ("Tracker", rows)),
        ],
    )


__all__ = [
    "Chart",
    "ChartSeries",
    "HeaderFooter",
    "Margins",
    "PaperLayout",
    "PrintSetup",
    "RichText",
    "Run",
    "SheetLayout",
    "Style",
    "Value",
    "date_label",
    "generated_note",
    "grid_blocks",
    "internal_link",
    "layout_paper",
    "layout_rollup",
    "layout_validation",
    "natural_key",
    "position_text",
    "rag_style_name",
]
