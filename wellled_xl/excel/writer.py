"""Write a board-paper layout into an open workbook with xlwings, in a number of calls to
Excel that does not grow with the tracker.

The same `PaperLayout` the XlsxWriter writer puts in a file goes, here, into the workbook
the officer has open. Every property set through xlwings is a round trip to Excel (a COM
call on Windows), so nothing is written row by row or cell by cell:

- **Values**: one block per sheet. Every string gets Excel's text prefix (a leading
  apostrophe, which Excel keeps out of the value), so nothing a lead typed becomes a
  formula (``=1+1``), a number (``00123``) or a date (``March 2019``). The only formulas
  are the Validation sheet's ``HYPERLINK`` cells, built here from `SheetLayout.links`.
- **Looks that follow the data are conditional formats.** A RAG cell's colour, an overdue
  date's bold red and an error's red are set by the cell's own text, so each is a rule
  over the column's whole range (`ConditionalFormat`: one per legend code, one for
  overdue dates, one for errors) instead of a format per cell. `ConditionalFormat.matches`
  is the rule's formula in Python: every cell a rule covers is checked against the
  layout, and a cell a rule would get wrong is left out of its range and styled as it is.
- **The rest by attribute, not by style.** Styles differ in one or two attributes, so
  each attribute (bold, fill, wrap …) is written once on the whole sheet for the value
  that leaves the fewest calls, then once per block of cells that differ. A format nobody
  can see (the font of an empty cell) is not written: fills and borders are, fonts and
  alignment are not. With the data-led looks out of the way the blocks are the tables'
  columns, bands and headers: their number does not grow with the rows.
- **Row heights: Excel measures the tables.** One autofit covers the sheet (the layout's
  heights are estimates for LibreOffice, which cannot measure). Autofit ignores merged
  cells and gives gaps the default height, so the tables' merged text is measured before
  it is merged: while Excel measures, the first column of each merge is as wide as the
  merge will be (`measured_merges`: the Summary's lists, whose planned actions and
  timescales span several of its narrow columns). Rows with a merge that cannot be
  measured so (a column whose own text would be measured too wide), empty rows and table
  headers get the layout's height, in runs of equal heights; a table whose rows are
  merged across (the legend) gets its tallest row's height on every row, in one call: a
  height per row would grow with the rows. Cells a rule may make bold are measured bold,
  so no overdue date is cut off.
- **Merges in runs**: merges of the same columns on consecutive rows in one
  ``merge(across=True)``, which Excel applies row by row.
- **Windows joins areas.** Excel (COM) takes a multi-area address ("G9,G12:G14,G20")
  up to 255 characters, so on Windows the blocks that share a value go in one call per
  255 characters. xlwings' remote engine has no multi-area ranges (it silently keeps the
  first area), so there each block is its own call.

A rule refers to its own cell as ``INDIRECT("RC",FALSE)``: Excel reads a plain relative
reference in a conditional format relative to the active cell when the rule is added
through COM, so ``C9`` would point elsewhere; the R1C1 self-reference means the cell
itself whatever is active. A legend code is matched by a cell-value rule (``="A/G"``),
which has no reference at all.

What an engine cannot do is skipped and named in `WriteResult.skipped`, never half done:
the remote engine has no part-of-cell formatting (rich text), strikethrough, page setup
beyond the print area, or chart series colours; alignment needs its Office.js client.
Page setup, rich text and strikethrough use Excel's COM object model (``.api``), and so
do freeze panes on the desktop: Windows only. Rich text takes a few calls a cell, so a
sheet with more than `MAX_RICH_TEXT_CELLS` such cells goes without it (the cell looks
already show every overdue date; only the strike-through of superseded dates is lost).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from wellled_xl.cells import (
    Bounds,
    column_letter,
    parse_cell,
    parse_range,
    range_address,
    split_cell,
)
from wellled_xl.paper.layout import (
    Chart,
    PaperLayout,
    SheetLayout,
    Style,
    grid_blocks,
    rag_style_name,
)

MAX_ADDRESS = 255  # Excel refuses a longer range address
# Part-of-cell formatting takes 4-6 calls a cell: past this many cells on a sheet it is
# left out (the cell styles still show every problem: see layout.py), keeping a run short.
MAX_RICH_TEXT_CELLS = 200
TEXT_PREFIX = "'"  # Excel's quote prefix: what follows is text, whatever it looks like
# Excel's constants for the COM page setup (xlLandscape, xlPaperA4 ...).
ORIENTATION = {"landscape": 2, "portrait": 1}
PAPER_SIZES = {"A4": 9, "A3": 8, "Letter": 1}


@dataclass
class WriteResult:
    """What was written: the sheets, the calls into Excel, what the engine could not do."""

    sheets: list[str] = field(default_factory=list)
    calls: int = 0
    skipped: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Op:
    """One call into Excel: set `what` to `value` on the range at `address`."""

    what: str  # an attribute of _ATTRIBUTES, "rule", "row_height", "column_width",
    # "merge" or "autofit" (the rows' heights, measured by Excel)
    address: str  # A1, possibly several areas joined by ","
    value: Any


@dataclass(frozen=True)
class _Attribute:
    """A cell format the writer sets, how to read it from a style, and a fresh sheet's value."""

    get: Callable[[Style], Hashable]
    default: Hashable  # what a new sheet already has: not written (None: always written)
    shows_when_empty: bool  # a fill or border shows on an empty cell; a font does not


_ATTRIBUTES: dict[str, _Attribute] = {
    "font_name": _Attribute(lambda s: s.font_name, None, False),
    "size": _Attribute(lambda s: s.size, None, False),
    "bold": _Attribute(lambda s: s.bold, False, False),
    "italic": _Attribute(lambda s: s.italic, False, False),
    "strike": _Attribute(lambda s: s.strike, False, False),
    "colour": _Attribute(lambda s: s.colour, "000000", False),
    "fill": _Attribute(lambda s: s.fill, None, True),
    "border": _Attribute(lambda s: s.border_colour if s.border else None, None, True),
    "wrap": _Attribute(lambda s: s.wrap, False, False),
    "horizontal": _Attribute(lambda s: s.horizontal, "general", False),
    "vertical": _Attribute(lambda s: s.vertical, "bottom", False),
    "number_format": _Attribute(lambda s: s.number_format or "General", "General", False),
}
# Never written sheet-wide then undone: clearing a border also clears the neighbour's edge.
_NO_BASE = {"fill", "border"}
# What an engine may not do, named for the officer (WriteResult.skipped, the message box).
ALIGNMENT = "cell alignment"
STRIKETHROUGH = "strikethrough"
RICH_TEXT = "part-of-cell formatting (superseded dates struck through)"
FREEZE_PANES = "frozen header rows"
PAGE_SETUP = "print setup (landscape, repeated titles, header and footer)"
CHART = "the RAG chart"
CHART_COLOURS = "the chart's legend colours"
# Attributes an engine may lack (xlwings raises NotImplementedError), by the name reported.
_MAY_LACK = {"horizontal": ALIGNMENT, "vertical": ALIGNMENT, "strike": STRIKETHROUGH}


def write_paper_xlwings(layout: PaperLayout, book: Any) -> WriteResult:
    """Add the layout's sheets after the book's last sheet and write them; names must be free.

    `book` is an ``xlwings.Book``: the officer's open workbook (COM on Windows,
    AppleScript on macOS) or a remote-engine book in the tests.
    """
    target = _Target(book)
    result = WriteResult(skipped=target.skipped)
    with target.quiet():
        for sheet_layout in layout.sheets:
            sheet = book.sheets.add(sheet_layout.name, after=book.sheets[-1])
            target.count(1)
            _write_sheet(target, sheet, sheet_layout, layout)
            result.sheets.append(sheet_layout.name)
    result.calls = target.calls
    return result


# ---------------------------------------------------------------------------------------
# Conditional formats: the looks a cell takes from its own text

EQUALS = "equals"  # the cell holds the rule's text, in any case (as Excel compares text)
OVERDUE = "overdue"  # the cell's last line says how many days a date is overdue
NOT_ON_LEGEND = "rag not on legend"
HEADER = "header"  # a table's header row: the layout sets its height
# The cell itself, whatever cell is active (see the module docstring).
_SELF = 'INDIRECT("RC",FALSE)'
# The layout ends an overdue date with a line "45 days overdue" (or "1 day overdue"); no
# date that is not overdue ends so. A cell's text alone (no line break) never matches.
OVERDUE_FORMULA = f'=AND(ISNUMBER(FIND(CHAR(10),{_SELF})),RIGHT({_SELF},8)=" overdue")'


@dataclass(frozen=True)
class ConditionalFormat:
    """A conditional format: a cell whose text passes the test takes these looks."""

    test: str  # EQUALS or OVERDUE
    text: str = ""  # what the cell must hold, for EQUALS
    fill: str | None = None  # None: the rule leaves it as the cell has it
    colour: str | None = None
    bold: bool | None = None
    italic: bool | None = None

    def matches(self, value: Any) -> bool:
        """Whether Excel applies the rule to a cell holding `value` (its formula, in Python)."""
        if not isinstance(value, str):  # numbers and dates are never text in Excel
            return False
        if self.test == EQUALS:
            return value.lower() == self.text.lower()
        return "\n" in value and value[-8:].lower() == " overdue"

    def look(self, style: Style) -> Style:
        """A cell's look with the rule applied."""
        changes = {"fill": self.fill, "colour": self.colour, "bold": self.bold,
                   "italic": self.italic}  # fmt: skip
        return replace(style, **{k: v for k, v in changes.items() if v is not None})

    def excel_style(self) -> dict[str, Any]:
        """The keyword arguments xlwings' ``conditional_formats.add_*`` takes."""
        style = {"fill_color": _hex(self.fill), "font_color": _hex(self.colour),
                 "font_bold": self.bold, "font_italic": self.italic}  # fmt: skip
        return {k: v for k, v in style.items() if v is not None}


def _hex(colour: str | None) -> str | None:
    return f"#{colour}" if colour else None


def style_variants(styles: dict[str, Style]) -> dict[str, tuple[str, ConditionalFormat]]:
    """Styles a cell takes from its own text: name -> (the style it varies from, its rule).

    A RAG code on the legend varies from the "not on legend" look (bold, red, no fill) by
    its fill and text colour; an overdue date from plain text by bold red; an error from a
    warning by its red. A pair that differs in more than a conditional format can set
    (fill, font colour, bold, italic) is not a variant: its cells keep their own style.
    """
    prefix = rag_style_name("")
    wanted = {
        name: (NOT_ON_LEGEND, ConditionalFormat(EQUALS, name.removeprefix(prefix)))
        for name in styles
        if name.startswith(prefix) and name != NOT_ON_LEGEND
    }
    wanted["severity error"] = ("severity warning", ConditionalFormat(EQUALS, "error"))
    wanted["overdue"] = ("text", ConditionalFormat(OVERDUE))
    variants = {}
    for name, (base_name, test) in wanted.items():
        base, variant = styles.get(base_name), styles.get(name)
        if base is None or variant is None or (base.fill and not variant.fill):
            continue  # a rule cannot take a fill away
        differs = {attr: getattr(variant, attr)
                   for attr in ("fill", "colour", "bold", "italic")
                   if getattr(variant, attr) != getattr(base, attr)}  # fmt: skip
        rule = replace(test, **differs)
        if rule.look(base) == variant:
            variants[name] = (base_name, rule)
    return variants


@dataclass
class SheetLooks:
    """A sheet's looks split in two: a static style per cell, and the rules over it."""

    static: list[list[str | None]]  # style names; a variant's cell has its base's here
    rules: list[
        tuple[ConditionalFormat, list[Bounds]]
    ]  # each rule and the blocks it covers, in order


def sheet_looks(sheet: SheetLayout, styles: dict[str, Style]) -> SheetLooks:
    """Which cells a rule styles, and the static style left to write on each cell.

    A family (a base style and its variants) is covered by its rules from its first to its
    last cell in every column where a variant occurs: the RAG column, the timescales, the
    severities. A cell a rule would style wrongly is taken out of the rules' ranges and
    keeps its own style; so does any cell no rule fits.
    """
    variants = style_variants(styles)
    hidden = _hidden_cells(sheet.merges)  # cell under a merge -> the merge's top-left cell
    families: dict[str, list[tuple[str, ConditionalFormat]]] = defaultdict(list)
    for name, (base, rule) in variants.items():
        families[base].append((name, rule))
    covered: dict[str, set[tuple[int, int]]] = {}
    for base, members in families.items():
        names = {base, *(name for name, _ in members)}
        cells = set()
        for c in range(len(sheet.column_widths)):
            column = [r for r, row in enumerate(sheet.styles) if row[c] in names]
            if any(sheet.styles[r][c] in variants for r in column):
                cells |= {(r, c) for r in range(column[0], column[-1] + 1)}
        covered[base] = cells
    static = [list(row) for row in sheet.styles]
    for r, c in set().union(*covered.values()):
        if (r, c) in hidden:
            continue  # under a merge: shows nothing of its own
        value, name = sheet.values[r][c], sheet.styles[r][c]
        fired = [
            (variant, rule)
            for base, members in families.items()
            if (r, c) in covered[base]
            for variant, rule in members
            if rule.matches(value)
        ]
        if not fired:
            continue  # the static style is the cell's own
        if len(fired) == 1 and fired[0][0] == name:
            static[r][c] = variants[name][0]
        else:  # a rule would give it a look it has not got: out of every range
            for cells in covered.values():
                cells.discard((r, c))
    for (r, c), (top, left) in hidden.items():  # a merged area looks as its first cell
        if sheet.styles[r][c] == sheet.styles[top][left]:
            static[r][c] = static[top][left]
    rules = []
    for base, members in families.items():
        grid = [[True if (r, c) in covered[base] else None for c in range(len(row))]
                for r, row in enumerate(sheet.styles)]  # fmt: skip
        blocks = grid_blocks(grid).get(True, [])
        rules += [(rule, blocks) for _, rule in members if blocks]
    return SheetLooks(static, rules)


def _hidden_cells(merges: Sequence[str]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell under a merge other than its top-left one -> that top-left cell (0-based
    row and column): only the top-left cell of a merged area shows its value and format."""
    hidden = {}
    for merge in merges:
        top, left, bottom, right = parse_range(merge)
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    hidden[(r, c)] = (top, left)
    return hidden


# ---------------------------------------------------------------------------------------
# The plan: which calls a sheet needs (pure, so the benchmark can count them)


def plan_formats(sheet: SheetLayout, layout: PaperLayout, *, union: bool) -> list[Op]:
    """The calls that format a sheet, in order: the static formats, the rules, the rows
    Excel measures (`measured_merges`' columns widened meanwhile), the column widths, the
    merges, then the row heights Excel cannot measure."""
    ops: list[Op] = []
    looks = sheet_looks(sheet, layout.styles)
    styles = _resolved_styles(looks.static, layout)
    last = range_address(0, 0, len(sheet.values) - 1, len(sheet.column_widths) - 1)
    for name, attribute in _ATTRIBUTES.items():
        grid = [
            [
                attribute.get(style) if attribute.shows_when_empty or value is not None else None
                for style, value in zip(style_row, value_row, strict=True)
            ]
            for style_row, value_row in zip(styles, sheet.values, strict=True)
        ]
        if not attribute.shows_when_empty:  # there None means "does not show", not a value
            grid = _fill_unseen(grid)
        base, differing = _base_and_rest(name, attribute, grid, union)
        if base != attribute.default:
            ops.append(Op(name, last, base))
        for value, areas in differing.items():
            ops += [Op(name, address, value) for address in areas]
    for rule, blocks in looks.rules:
        ops += [Op("rule", address, rule) for address in _addresses(map(_a1, blocks), union)]
    widened, measured = measured_merges(sheet, layout.styles)
    heights = set_heights(sheet, layout.styles, measured)
    if any(height is None for height in heights):
        # Excel measures the rows with each measured merge's first column as wide as the
        # merge, then the columns take their own widths and the cells are merged.
        measuring = [widened.get(c, width) for c, width in enumerate(sheet.column_widths)]
        ops += _column_widths(measuring, None, union)
        ops += _plan_autofit(looks, styles, last, union)
        ops += _column_widths(sheet.column_widths, measuring, union)
    else:
        ops += _column_widths(sheet.column_widths, None, union)
    ops += [Op("merge", address, across) for address, across in merge_runs(sheet.merges)]
    for height, blocks in grid_blocks([[height] for height in heights]).items():
        rows = (f"{top + 1}:{bottom + 1}" for top, _, bottom, _ in blocks)
        ops += [Op("row_height", a, height) for a in _addresses(rows, union)]
    return ops


def _column_widths(widths: list[float], before: list[float] | None, union: bool) -> list[Op]:
    """The calls that give the columns `widths`: those that differ from `before` (every
    one when None), equal widths side by side in one call."""
    grid = [[w if before is None or w != before[c] else None for c, w in enumerate(widths)]]
    ops = []
    for width, blocks in grid_blocks(grid).items():
        columns = (f"{column_letter(left)}:{column_letter(right)}" for _, left, _, right in blocks)
        ops += [Op("column_width", a, width) for a in _addresses(columns, union)]
    return ops


def _plan_autofit(looks: SheetLooks, styles: list[list[Style]], used: str, union: bool) -> list[Op]:
    """Autofit the sheet: Excel measures the rows `set_heights` leaves to it.

    Cells a rule may make bold but that are not bold already are made bold while Excel
    measures (bold text is wider, so it may need a line more), then put back.
    """
    bold_rules = [blocks for rule, blocks in looks.rules if rule.bold]
    emboldened = {
        (r, c)
        for blocks in bold_rules
        for top, left, bottom, right in blocks
        for r in range(top, bottom + 1)
        for c in range(left, right + 1)
        if not styles[r][c].bold
    }
    grid = [[True if (r, c) in emboldened else None for c in range(len(row))]
            for r, row in enumerate(styles)]  # fmt: skip
    measured = _addresses(map(_a1, grid_blocks(grid).get(True, [])), union)
    return [
        *(Op("bold", address, True) for address in measured),
        Op("autofit", used, None),
        *(Op("bold", address, False) for address in measured),
    ]


def _one_row_merges(
    sheet: SheetLayout,
) -> tuple[dict[int, list[tuple[int, int]]], set[int]]:
    """Each row's one-row merges, row -> [(first column, last column)], and the rows
    under a merge of several rows (0-based)."""
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    tall: set[int] = set()
    for merge in sheet.merges:
        top, left, bottom, right = parse_range(merge)
        if top == bottom:
            spans[top].append((left, right))
        else:
            tall |= set(range(top, bottom + 1))
    return spans, tall


def _is_table_row(names: Sequence[str | None], styles: dict[str, Style]) -> bool:
    """A row of a table: every styled cell is bordered, and it is not a header."""
    return HEADER not in names and all(name is None or styles[name].border for name in names)


def measured_merges(
    sheet: SheetLayout, styles: dict[str, Style]
) -> tuple[dict[int, float], set[int]]:
    """The merged text Excel can measure before it is merged: the columns to widen while
    it measures, column -> width (0-based, character units), and the rows so measured.

    A table's row given no height of its own whose one-row merges all start at such a
    column: one whose merges, on every such row, span the same columns, and in which no
    other row Excel measures holds text of its own that wraps (widened, the column would
    measure that text too short). Widened to the merge's width, pixel for pixel, the
    column holds the merged text in the lines it will take once merged.
    """
    spans, tall = _one_row_merges(sheet)
    floors = sheet.row_floors or [0.0] * len(sheet.values)
    candidates = [
        r
        for r in spans
        if r not in tall and not floors[r] and _is_table_row(sheet.styles[r], styles)
    ]
    wanted: dict[int, set[int]] = defaultdict(set)  # first column -> the last columns seen
    for r in candidates:
        for left, right in spans[r]:
            wanted[left].add(right)
    blocked = set()  # columns holding text of their own that wraps, on a measured row
    for r, (values, names) in enumerate(zip(sheet.values, sheet.styles, strict=True)):
        if r in tall or HEADER in names or (r in spans and r not in candidates):
            continue
        starts = {left for left, _ in spans.get(r, ())}
        for c, (value, name) in enumerate(zip(values, names, strict=True)):
            if isinstance(value, str) and name and styles[name].wrap and c not in starts:
                blocked.add(c)
    widened = {}
    for left, rights in wanted.items():
        if len(rights) == 1 and left not in blocked:
            (right,) = rights
            # 7 pixels a unit, plus 5 for the column; a hair over, so that turning it back
            # into pixels (which rounds down) does not lose the last one
            pixels = sum(int(w * 7 + 5) for w in sheet.column_widths[left : right + 1])
            widened[left] = (pixels - 4.99) / 7
    rows = {r for r in candidates if all(left in widened for left, _ in spans[r])}
    return widened, rows


def set_heights(
    sheet: SheetLayout, styles: dict[str, Style], measured: set[int]
) -> list[float | None]:
    """Each row's height to set, or None where Excel's autofit measures the row.

    Set: rows with a merge that Excel cannot measure (autofit ignores merged cells; see
    `measured_merges` for those it can), empty rows (gaps) and table headers. Consecutive
    rows of a table merged across the same columns (bordered cells, such as the legend's)
    all take the tallest one's height: one call, however long the table, and no text cut
    short. `measured`: the rows with merges Excel measures (`measured_merges`).
    """
    spans, tall = _one_row_merges(sheet)
    heights: list[float | None] = []
    runs: list[list[int]] = []  # runs of a table's rows merged alike
    for r, (values, names) in enumerate(zip(sheet.values, sheet.styles, strict=True)):
        header = HEADER in names
        empty = all(value is None for value in values)
        fixed = (r in spans and r not in measured) or r in tall or empty or header
        heights.append(sheet.row_heights[r] if fixed else None)
        if r in spans and r not in measured and r not in tall and _is_table_row(names, styles):
            if runs and runs[-1][-1] == r - 1 and spans[runs[-1][-1]] == spans[r]:
                runs[-1].append(r)
            else:
                runs.append([r])
    for run in runs:
        tallest = max(sheet.row_heights[r] for r in run)
        for r in run:
            heights[r] = tallest
    return heights


def _fill_unseen(grid: list[list[Hashable]]) -> list[list[Hashable]]:
    """Give cells whose format does not show (None) a neighbour's value, so blocks join up.

    Along a row from the left (then from the right for the first cells), then a row with
    nothing that shows takes the row above: a gap row no longer splits a column's block.
    """
    filled: list[list[Hashable]] = []
    for row in grid:
        row = list(row)
        for c in range(1, len(row)):
            if row[c] is None:
                row[c] = row[c - 1]
        for c in range(len(row) - 2, -1, -1):
            if row[c] is None:
                row[c] = row[c + 1]
        if filled and all(v is None for v in row):
            row = list(filled[-1])
        filled.append(row)
    return filled


def _base_and_rest(
    name: str, attribute: _Attribute, grid: list[list[Hashable]], union: bool
) -> tuple[Hashable, dict[Hashable, list[str]]]:
    """The value to write on the whole sheet first, and the addresses of the cells that differ.

    The base is whichever value leaves the fewest calls (not simply the most common:
    bold headers and RAG columns are many cells in few blocks).
    """
    candidates = {attribute.default}
    if name not in _NO_BASE:
        candidates |= {v for row in grid for v in row if v is not None}
    best: tuple[int, Hashable, dict[Hashable, list[str]]] | None = None
    for base in sorted(candidates, key=repr):
        rest = [[v if v is not None and v != base else None for v in row] for row in grid]
        addresses = {
            value: _addresses(map(_a1, blocks), union)
            for value, blocks in grid_blocks(rest).items()
        }
        calls = (base != attribute.default) + sum(len(a) for a in addresses.values())
        if best is None or calls < best[0]:
            best = (calls, base, addresses)
    assert best is not None
    return best[1], best[2]


def _resolved_styles(names: list[list[str | None]], layout: PaperLayout) -> list[list[Style]]:
    """Each cell's Style; a cell without one has the workbook default (as XlsxWriter writes it)."""
    plain = Style(
        font_name=layout.default_font,
        size=layout.default_size,
        wrap=False,
        horizontal="general",
        vertical="bottom",
    )
    return [[layout.styles[n] if n else plain for n in row] for row in names]


def _a1(block: Bounds) -> str:
    return range_address(*block)


def _addresses(areas: Iterable[str], union: bool) -> list[str]:
    """Areas as addresses for one call each, or joined up to Excel's 255 characters."""
    if not union:
        return list(areas)
    joined: list[str] = []
    for area in areas:
        if joined and len(joined[-1]) + 1 + len(area) <= MAX_ADDRESS:
            joined[-1] += "," + area
        else:
            joined.append(area)
    return joined


def merge_runs(merges: Sequence[str]) -> list[tuple[str, bool]]:
    """Merges as (address, across): one-row merges of the same columns on consecutive rows
    become one block merged row by row (``across=True``)."""
    by_columns: dict[tuple[str, str], list[int]] = defaultdict(list)
    runs: list[tuple[str, bool]] = []
    for merge in merges:
        first, _, last = merge.partition(":")
        first_col, first_row = split_cell(first)
        last_col, last_row = split_cell(last or first)
        if first_row == last_row:
            by_columns[(first_col, last_col)].append(first_row)
        else:
            runs.append((merge, False))
    for (first_col, last_col), rows in by_columns.items():
        rows.sort()
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            runs.append((f"{first_col}{start}:{last_col}{previous}", True))
            if row is not None:
                start = previous = row
    return runs


# ---------------------------------------------------------------------------------------
# Values


def sheet_values(sheet: SheetLayout) -> list[list[Any]]:
    """The sheet's values as Excel must receive them: text prefixed, links as formulas."""
    rows = [[excel_value(value) for value in row] for row in sheet.values]
    for cell, target in sheet.links.items():
        r, c = parse_cell(cell)
        text = sheet.values[r][c]
        rows[r][c] = hyperlink_formula(target, str(text) if text is not None else target)
    return rows


def excel_value(value: Any) -> Any:
    """A layout value for Excel: strings always as text (see the module docstring)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return TEXT_PREFIX + value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def hyperlink_formula(target: str, text: str) -> str:
    """``=HYPERLINK("#'Actions'!J3","J3")``: only links inside the workbook are built."""
    if not target.startswith("#"):
        raise ValueError(f"only links inside the workbook are written, not {target!r}")

    def quoted(part: str) -> str:
        return '"' + part.replace('"', '""') + '"'

    return f"=HYPERLINK({quoted(target)},{quoted(text)})"


# ---------------------------------------------------------------------------------------
# Writing


def is_windows_excel(book: Any) -> bool:
    """Excel on Windows, through COM: the one engine with Excel's whole object model."""
    return book.app.engine.type == "desktop" and sys.platform.startswith("win")


class _Target:
    """The engine behind a book: what it can do, and the calls made into it."""

    def __init__(self, book: Any) -> None:
        self.book = book
        engine = book.app.engine
        self.desktop = engine.type == "desktop"
        self.windows = is_windows_excel(book)
        self.remote = engine.name == "remote"
        self.union = self.windows
        self.calls = 0
        self.skipped: set[str] = set()

    def count(self, calls: int) -> None:
        self.calls += calls

    def quiet(self) -> Any:
        """No screen redraws or recalculation while writing (desktop Excel only)."""
        if self.desktop:
            return self.book.app.properties(screen_updating=False, calculation="manual")
        return _Nothing()

    def optional(self, feature: str, write: Callable[[], int]) -> None:
        """Write a finishing touch; if this Excel cannot, name it in `skipped` and go on.

        Only for what the paper can do without (print setup, freeze panes, part-of-cell
        styling, chart styling): the values and cell formats are never optional.
        """
        try:
            self.count(write())
        except NotImplementedError:
            self.skipped.add(feature)
        except Exception as exc:  # COM errors (e.g. no printer for the page setup)
            if not self.desktop:
                raise
            self.skipped.add(f"{feature} ({type(exc).__name__})")


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _write_sheet(
    target: _Target, sheet: Any, layout_sheet: SheetLayout, paper: PaperLayout
) -> None:
    rows, columns = len(layout_sheet.values), len(layout_sheet.column_widths)
    sheet.range((1, 1), (rows, columns)).value = sheet_values(layout_sheet)
    target.count(1)
    for op in plan_formats(layout_sheet, paper, union=target.union):
        _apply(target, sheet, op)
    if len(layout_sheet.rich_text) > MAX_RICH_TEXT_CELLS:
        target.skipped.add(
            f"{RICH_TEXT} on {layout_sheet.name} ({len(layout_sheet.rich_text):,} cells: too "
            "many to style one by one)"
        )
    elif layout_sheet.rich_text:
        target.optional(RICH_TEXT, lambda: _rich_text(target, sheet, layout_sheet, paper))
    if layout_sheet.freeze_panes:
        target.optional(FREEZE_PANES, lambda: _freeze(target, sheet, layout_sheet.freeze_panes))
    if layout_sheet.print_setup.print_area:
        sheet.page_setup.print_area = layout_sheet.print_setup.print_area
        target.count(1)
    target.optional(PAGE_SETUP, lambda: _page_setup(target, sheet, layout_sheet))
    for chart in layout_sheet.charts:
        target.optional(CHART, lambda chart=chart: _chart(target, sheet, chart))


def _apply(target: _Target, sheet: Any, op: Op) -> None:
    feature = _MAY_LACK.get(op.what)
    if feature in target.skipped:
        return
    try:
        _set_areas(target, sheet, op)
    except NotImplementedError:
        if feature is None:
            raise
        target.skipped.add(feature)


def _set_areas(target: _Target, sheet: Any, op: Op) -> None:
    if "," not in op.address:
        _set(target, sheet.range(op.address), op)
        return
    try:
        _set(target, sheet.range(op.address), op)
    except NotImplementedError:
        raise
    except Exception:  # a multi-area address this Excel would not take: area by area
        for area in op.address.split(","):
            _set(target, sheet.range(area), replace(op, address=area))


def _set(target: _Target, rng: Any, op: Op) -> None:
    value = op.value
    what = op.what
    if what == "font_name":
        rng.font.name = value
    elif what == "size":
        rng.font.size = value
    elif what == "bold":
        rng.font.bold = value
    elif what == "italic":
        rng.font.italic = value
    elif what == "colour":
        rng.font.color = f"#{value}"
    elif what == "strike":
        if not target.windows:
            raise NotImplementedError("strikethrough needs Excel's COM object model")
        rng.api.Font.Strikethrough = value
    elif what == "fill":
        rng.color = f"#{value}" if value else None
    elif what == "border":
        rng.borders.set("all", line_style="continuous", weight="thin", color=f"#{value}")
    elif what == "wrap":
        rng.wrap_text = value
    elif what == "horizontal":
        rng.horizontal_alignment = value
    elif what == "vertical":
        rng.vertical_alignment = value
    elif what == "number_format":
        rng.number_format = value
    elif what == "row_height":
        rng.row_height = value
    elif what == "column_width":
        # Character units on the desktop; xlwings' remote engine takes points.
        rng.column_width = _points(value) if target.remote else value
    elif what == "merge":
        rng.merge(across=value)
    elif what == "rule":
        add_rule(rng.conditional_formats, value)
    elif what == "autofit":
        rng.rows.autofit()
    else:
        raise ValueError(f"unknown format {what!r}")
    target.count(op_calls(op, com=target.windows))


def add_rule(formats: Any, rule: ConditionalFormat) -> None:
    """Add a rule to a range's conditional formats (xlwings' ``range.conditional_formats``)."""
    if rule.test == EQUALS:
        text = '="' + rule.text.replace('"', '""') + '"'  # the text itself, never a formula
        formats.add_cell_value("equal_to", text, **rule.excel_style())
    else:
        formats.add_custom(OVERDUE_FORMULA, **rule.excel_style())


def op_calls(op: Op, *, com: bool = True) -> int:
    """The calls an Op makes: a border is colour, weight and style on six sides; a rule,
    through COM, is added, styled attribute by attribute and moved to the top."""
    if op.what == "border":
        return 18
    if op.what == "rule" and com:
        return 4 + len(op.value.excel_style())
    return 1


def _points(width: float) -> float:
    """A column width in Excel's character units as points: 7 pixels a unit plus 5, at 0.75."""
    return int(width * 7 + 5) * 0.75


@dataclass(frozen=True)
class RunFormat:
    """Part of a cell's text styled apart from the cell: Excel's Characters(start, length)."""

    cell: str
    start: int  # 1-based, in the UTF-16 units Excel counts
    length: int
    changes: tuple[tuple[str, Any], ...]  # (COM Font property, value), e.g. ("Bold", True)


def rich_text_formats(layout: SheetLayout, paper: PaperLayout) -> list[RunFormat]:
    """The runs of the sheet's rich-text cells that differ from their cell's own style."""
    formats = []
    for rich in layout.rich_text:
        row, col = parse_cell(rich.cell)
        name = layout.styles[row][col]
        style = paper.styles[name] if name else Style()
        start = 1
        for run in rich.runs:
            length = len(run.text.encode("utf-16-le")) // 2
            changes = (
                ("Bold", run.bold, style.bold),
                ("Italic", run.italic, style.italic),
                ("Strikethrough", run.strike, style.strike),
                ("Color", _bgr(run.colour), _bgr(style.colour)),
            )
            differing = tuple((key, value) for key, value, cell in changes if value != cell)
            if differing:
                formats.append(RunFormat(rich.cell, start, length, differing))
            start += length
    return formats


def _rich_text(target: _Target, sheet: Any, layout: SheetLayout, paper: PaperLayout) -> int:
    """Style parts of cells through Excel's Characters (Windows only)."""
    if not target.windows:
        raise NotImplementedError("part-of-cell formatting needs Excel's COM object model")
    calls = 0
    cells: dict[str, Any] = {}
    for run in rich_text_formats(layout, paper):
        if run.cell not in cells:
            cells[run.cell] = sheet.range(run.cell).api
            calls += 1
        font = cells[run.cell].Characters(run.start, run.length).Font
        for key, value in run.changes:
            setattr(font, key, value)
        calls += 2 + len(run.changes)
    return calls


def _bgr(colour: str) -> int:
    """An "RRGGBB" colour as the BGR integer Excel's COM object model takes."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return red + green * 256 + blue * 65536


def _freeze(target: _Target, sheet: Any, cell: str) -> int:
    """Freeze the rows above and the columns left of `cell`."""
    rows, columns = parse_cell(cell)
    if target.windows:
        sheet.activate()
        window = target.book.app.api.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn = columns
        window.SplitRow = rows
        window.FreezePanes = True
        return 5
    if rows and columns:
        frozen = f"A1:{column_letter(columns - 1)}{rows}"
    elif rows:
        frozen = f"1:{rows}"
    else:
        frozen = f"A:{column_letter(columns - 1)}"
    sheet.freeze_panes.freeze_at(frozen)
    return 1


def _page_setup(target: _Target, sheet: Any, layout: SheetLayout) -> int:
    """Orientation, paper, fit to width, titles, header and footer, margins (Windows only)."""
    setup = layout.print_setup
    if not target.windows:
        raise NotImplementedError("page setup beyond the print area needs Excel's COM model")
    app = target.book.app.api
    page = sheet.api.PageSetup
    settings: dict[str, Any] = {
        "Orientation": ORIENTATION[setup.orientation],
        "PaperSize": PAPER_SIZES.get(setup.paper, 9),
        "Zoom": False,
        "FitToPagesWide": setup.fit_width,
        "FitToPagesTall": setup.fit_height or False,  # False: as many pages as needed
        "LeftHeader": setup.header.left,
        "CenterHeader": setup.header.center,
        "RightHeader": setup.header.right,
        "LeftFooter": setup.footer.left,
        "CenterFooter": setup.footer.center,
        "RightFooter": setup.footer.right,
        "LeftMargin": setup.margins.left * 72,
        "RightMargin": setup.margins.right * 72,
        "TopMargin": setup.margins.top * 72,
        "BottomMargin": setup.margins.bottom * 72,
        "HeaderMargin": setup.margins.header * 72,
        "FooterMargin": setup.margins.footer * 72,
        "CenterHorizontally": setup.center_horizontally,
        "PrintGridlines": setup.gridlines,
    }
    if setup.repeat_rows:
        first, _, last = setup.repeat_rows.partition(":")
        settings["PrintTitleRows"] = f"${first}:${last or first}"
    # Excel talks to the printer after each setting unless told to wait.
    app.PrintCommunication = False
    try:
        for key, value in settings.items():
            setattr(page, key, value)
    finally:
        app.PrintCommunication = True
    return len(settings) + 3


def _chart(target: _Target, sheet: Any, chart: Chart) -> int:
    """A native chart of the layout's ranges; its series colours where the engine can."""
    columns = [parse_range(series.values)[1] for series in chart.series]
    top_row, _, last_row, _ = parse_range(chart.series[0].values)
    # The series' values are side by side under their names (the row above): the chart
    # takes its series, named, from that block, its categories (the groups) apart. A
    # count column inside the block that the layout leaves out of the chart (no action
    # has no RAG, say) is a series too, of zeros, drawn as nothing.
    source = range_address(top_row - 1, min(columns), last_row, max(columns))
    kind = f"{chart.kind}_stacked" if chart.stacked else f"{chart.kind}_clustered"
    native = sheet.charts.add(
        chart_type=kind,
        source=sheet.range(source),
        plot_by="columns",
        anchor=sheet.range(chart.anchor),
        width=chart.width * 0.75,
        height=chart.height * 0.75,
    )
    native.set_x_axis_values(sheet.range(chart.categories))
    native.title = chart.title
    native.legend.position = "bottom"
    calls = 6
    if chart.kind == "bar":  # it draws its first category at the bottom: read top down
        native.category_axis.set(reverse_order=True, crosses="maximum")
        if target.windows:
            # Every group's label, as in the file: xlwings has no setting for it, COM has.
            native.category_axis.api.TickLabelSpacing = 1
            calls += 2
    value_axis: dict[str, Any] = {"number_format": "0"}
    if chart.value_axis_title:
        value_axis["title"] = chart.value_axis_title
    if chart.value_axis_major_unit:
        value_axis["major_unit"] = chart.value_axis_major_unit
    native.value_axis.set(**value_axis)

    def colours() -> int:
        for series, column in zip(chart.series, columns, strict=True):
            native.series(column - min(columns) + 1).fill_color = f"#{series.colour}"
        return len(chart.series)

    target.optional(CHART_COLOURS, colours)
    return calls + len(value_axis)
