"""The paper as LibreOffice prints it: its rows at their printed heights, long sheets in parts.

The PDF is printed from a copy of the paper (`for_printing`); the workbook the user gets
is never changed. Two things differ in the copy:

**Row heights.** The workbook's heights are Excel's, which keeps them and cuts off text
that does not fit, and spaces lines wider than LibreOffice; the copy takes the heights
the text needs as LibreOffice prints it (`printed_heights`, measure.py), so the PDF has
no empty bands under the text. A chart keeps to the rows it spans. They are measured here,
when a PDF is printed, not as the paper is laid out: at 10,000 actions the measuring
takes some 0.3 s that a build without --pdf need not pay.

**Print parts.** LibreOffice 7.4 lays out a sheet's pages again for every page it
prints, and that layout walks every row of the sheet (with fit-to-width, at each zoom it
tries): a sheet of n rows costs time growing with n squared. Measured on the 2-core
machine, the 1,000-action paper (sheets of 822, 211 and 535 rows) printed in 5.5-6.9 s,
the 10,000-action one (8,022, 2,011 and 4,924 rows) in 62-68 s (benchmarks/README.md,
"Printing to PDF"). So in the copy a sheet longer than `PART_ROWS` is cut into
consecutive sheets ("Part A", "Part A (2)", ...), with the same cells, styles, header,
footer and scale, and each page costs the layout of its own part only. LibreOffice
numbers the pages on through the sheets and counts them all ("Page 3 of 2,640"). A part
begins on a new page, so a cut is made where the paper starts a section if one is near
(a KLOE band, a list's heading), and each part repeats the sheet's header row as the
sheet's own pages do.
"""

from __future__ import annotations

from dataclasses import replace

from wellled_xl.cells import column_letter, parse_cell, parse_range, range_address
from wellled_xl.paper import measure
from wellled_xl.paper.layout import (
    MAX_ROW_HEIGHT,
    Chart,
    PaperLayout,
    RichText,
    SheetLayout,
    Style,
)

PART_ROWS = 600  # rows of a print part at most
# Rows that start a section of the paper: a good place for a part to begin.
SECTION_STYLES = frozenset({"heading", "band", "tracker band"})
SHEET_NAME_LIMIT = 31  # characters in a sheet name (Excel's limit)


def for_printing(layout: PaperLayout, part_rows: int = PART_ROWS) -> PaperLayout:
    """The paper to print: each sheet at its printed row heights, and each sheet longer
    than `part_rows` cut into parts of at most `part_rows` rows."""
    printed = [_printed(sheet, layout.styles) for sheet in layout.sheets]
    return replace(layout, sheets=[part for s in printed for part in sheet_parts(s, part_rows)])


def _printed(sheet: SheetLayout, styles: dict[str, Style]) -> SheetLayout:
    """`sheet` at its printed row heights; a chart as tall as the rows it spans there."""
    if not sheet.row_floors:  # not laid out by a SheetBuilder: its heights are all it has
        return sheet
    printed = replace(sheet, row_heights=printed_heights(sheet, styles))
    return replace(printed, charts=[_chart_on(sheet, printed, c) for c in sheet.charts])


def printed_heights(sheet: SheetLayout, styles: dict[str, Style]) -> list[float]:
    """Each row's height as LibreOffice prints it: what its tallest cell's text needs
    (measure.py), and at least the height the row was given; a row without text keeps
    its height (a gap)."""
    spans = {}  # (row, first column) -> the last column of a merge
    for merge in sheet.merges:
        top, left, _, right = parse_range(merge)
        spans[top, left] = right
    bold_runs = {parse_cell(c.cell) for c in sheet.rich_text if any(r.bold for r in c.runs)}
    widths: dict[tuple[int, int], float] = {}
    heights = []
    rows = zip(sheet.values, sheet.styles, sheet.row_heights, sheet.row_floors, strict=True)
    for row, (values, names, height, floor) in enumerate(rows):
        needed = 0.0
        for col, value in enumerate(values):
            name = names[col]
            if value is None or name is None:
                continue
            style = styles[name]
            lines = 1
            if style.wrap:
                last = spans.get((row, col), col)
                if (col, last) not in widths:
                    widths[col, last] = measure.merged_width(sheet.column_widths[col : last + 1])
                text = value if isinstance(value, str) else str(value)
                bold = style.bold or (row, col) in bold_runs
                lines = measure.printed_lines(text, widths[col, last], style.size, bold)
            line = measure.printed_line_height(style.size)
            needed = max(needed, lines * line + measure.PRINT_PADDING)
        if needed:
            height = min(MAX_ROW_HEIGHT, max(floor, needed, measure.MIN_PRINT_HEIGHT))
            height = measure.whole_pixels(height)
        heights.append(height)
    return heights


def _chart_on(sheet: SheetLayout, printed: SheetLayout, chart: Chart) -> Chart:
    """`chart` reaching down to the same point of the same row at the printed heights: the
    rows under it were kept clear for its height in the workbook."""
    top, _ = parse_cell(chart.anchor)
    bottom = _chart_bottom(sheet, chart)
    above = sum(sheet.row_heights[top:bottom]) * 4 / 3  # pixels of the rows fully covered
    share = (chart.height - above) / (sheet.row_heights[bottom] * 4 / 3)
    points = sum(printed.row_heights[top:bottom]) + share * printed.row_heights[bottom]
    return replace(chart, height=round(points * 4 / 3))


def sheet_parts(sheet: SheetLayout, part_rows: int = PART_ROWS) -> list[SheetLayout]:
    """`sheet` cut into parts of at most `part_rows` rows (the first as the sheet begins,
    the others with the sheet's repeated header row on top); [sheet] if it is not longer."""
    cuts = _cuts(sheet, part_rows)
    if not cuts:
        return [sheet]
    header = _repeated_rows(sheet)
    names = _part_names(sheet.name, len(cuts) + 1)
    parts = [_part(sheet, names[0], list(range(cuts[0])), first=True)]
    for name, start, end in zip(names[1:], cuts, [*cuts[1:], len(sheet.values)], strict=True):
        parts.append(_part(sheet, name, [*header, *range(start, end)], first=False))
    return parts


def _cuts(sheet: SheetLayout, part_rows: int) -> list[int]:
    """0-based rows at which a new part begins: never inside a merge, a chart or the rows
    above the body; where a section begins, if one does in the second half of the part;
    past `part_rows` only when a chart or a merge leaves no row to cut at before."""
    rows = len(sheet.values)
    joined = set()  # rows that cannot begin a part: inside a merge spanning rows
    for merge in sheet.merges:
        top, _, bottom, _ = parse_range(merge)
        joined.update(range(top + 1, bottom + 1))
    first_free = max([_body_start(sheet), *(_chart_bottom(sheet, c) + 1 for c in sheet.charts)])
    free = [r for r in range(first_free, rows) if r not in joined]
    header = len(_repeated_rows(sheet))
    cuts: list[int] = []
    start = 0
    while True:
        limit = start + part_rows - (header if cuts else 0)  # a later part repeats the header
        if rows <= limit:
            return cuts
        window = [r for r in free if start < r <= limit]
        if not window:  # a tall chart or merge: the first row after it
            window = [r for r in free if r > limit][:1]
            if not window:
                return cuts
        sections = [r for r in window if r > start + part_rows // 2 and _is_section(sheet, r)]
        start = (sections or window)[-1]
        cuts.append(start)


def _is_section(sheet: SheetLayout, row: int) -> bool:
    return sheet.styles[row][0] in SECTION_STYLES


def _print_rows(sheet: SheetLayout) -> tuple[int, int]:
    """0-based first and last rows of the print area (all rows without one)."""
    if sheet.print_setup.print_area is None:
        return 0, len(sheet.values) - 1
    top, _, bottom, _ = parse_range(sheet.print_setup.print_area)
    return top, bottom


def _repeated_rows(sheet: SheetLayout) -> list[int]:
    """0-based rows printed at the top of every page (the table's header row)."""
    repeat = sheet.print_setup.repeat_rows
    if not repeat:
        return []
    first, _, last = repeat.partition(":")
    return list(range(int(first) - 1, int(last or first)))


def _body_start(sheet: SheetLayout) -> int:
    """The first row a part may begin at: below the repeated rows and the print area's top."""
    repeated = _repeated_rows(sheet)
    return max(_print_rows(sheet)[0], repeated[-1] + 1 if repeated else 0) + 1


def _chart_bottom(sheet: SheetLayout, chart: Chart) -> int:
    """The 0-based row a chart's bottom edge falls in (96 pixels an inch, 72 points)."""
    row, _ = parse_cell(chart.anchor)
    covered = sheet.row_heights[row] * 4 / 3
    while covered < chart.height and row < len(sheet.row_heights) - 1:
        row += 1
        covered += sheet.row_heights[row] * 4 / 3
    return row


def _part_names(name: str, count: int) -> list[str]:
    names = [name]
    for number in range(2, count + 1):
        suffix = f" ({number})"
        names.append(name[: SHEET_NAME_LIMIT - len(suffix)] + suffix)
    return names


def _part(sheet: SheetLayout, name: str, rows: list[int], *, first: bool) -> SheetLayout:
    """The 0-based `rows` of `sheet` as a sheet of their own. The first part is the top of
    the sheet as it is (row numbers, print area, panes, charts); a later one begins with
    the repeated header row, if the sheet has one, and prints every row it holds."""
    new_row = {old: new for new, old in enumerate(rows)}
    merges = []
    for merge in sheet.merges:
        top, left, bottom, right = parse_range(merge)
        if top in new_row:
            merges.append(range_address(new_row[top], left, new_row[top] + bottom - top, right))
    rich = []
    for cell in sheet.rich_text:
        row, col = parse_cell(cell.cell)
        if row in new_row:
            rich.append(RichText(range_address(new_row[row], col, new_row[row], col), cell.runs))
    links = {}
    for address, target in sheet.links.items():
        row, col = parse_cell(address)
        if row in new_row:
            links[range_address(new_row[row], col, new_row[row], col)] = target
    setup = sheet.print_setup
    if first:
        print_top = _print_rows(sheet)[0]
    else:
        print_top = 0
        header = len(_repeated_rows(sheet))
        setup = replace(setup, repeat_rows=f"1:{header}" if header else None)
    last_col = column_letter(len(sheet.column_widths) - 1)
    setup = replace(setup, print_area=f"A{print_top + 1}:{last_col}{len(rows)}")
    return replace(
        sheet,
        name=name,
        values=[sheet.values[r] for r in rows],
        styles=[sheet.styles[r] for r in rows],
        row_heights=[sheet.row_heights[r] for r in rows],
        row_floors=[sheet.row_floors[r] for r in rows] if sheet.row_floors else [],
        merges=merges,
        rich_text=rich,
        links=links,
        print_setup=setup,
        freeze_panes=sheet.freeze_panes if first else None,
        charts=list(sheet.charts) if first else [],
    )
