"""Write a board-paper layout to an .xlsx file with XlsxWriter.

XlsxWriter rather than openpyxl: on this machine it writes a styled 10,000-row sheet in
about 1.25 s against openpyxl's 3.3 s (~2.6x faster, measured with python 3.11), and the paper is
write-only. The cells themselves are rendered in one pass (`_PaperSheet`), which writes
a 10,000-action paper about three times as fast as XlsxWriter's per-cell calls. Text is
always written as text, never a formula, so a progress update that starts with ``=``,
``+``, ``-`` or ``@`` stays text; such text also carries Excel's quote prefix, so a
person editing the cell keeps it text.
The file is written beside its target and renamed into place (``atomic_output``), with
fixed document timestamps, so the same layout always gives the same file.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter import workbook as xlsxwriter_workbook
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from wellled_xl.cells import column_letter, fit_in_cell, parse_cell, parse_range
from wellled_xl.errors import FileBusy
from wellled_xl.paper.layout import Chart, PaperLayout, RichText, Run, SheetLayout, Style
from wellled_xl.safety import atomic_output

DOCUMENT_TIMESTAMP = datetime(2000, 1, 1)
PAPER_SIZES = {"A4": 9, "A3": 8, "Letter": 1}
# Text Excel would take for a formula if a person edited the cell (F2, Enter).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_ROW_HEIGHT = 15.0  # points; a row this high needs no height of its own
EXCEL_EPOCH = date(1899, 12, 31).toordinal()  # serial day 0
EXCEL_LEAP_BUG = date(1900, 3, 1).toordinal()  # from here Excel counts a 29 Feb 1900
_A1_RANGE = re.compile(r"[A-Z]{1,3}[1-9][0-9]*:[A-Z]{1,3}[1-9][0-9]*")
# Characters XML cannot hold; a sheet spells them _xHHHH_ (ECMA-376, ST_Xstring).
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_paper(layout: PaperLayout, path: str | os.PathLike[str]) -> Path:
    """Write the paper to `path` (an .xlsx), atomically; return the path."""
    target = Path(path)
    try:
        _write_book(layout, target)
    except PermissionError as exc:  # Windows: the old paper is open in Excel
        raise FileBusy(
            f"{target} cannot be written ({exc.strerror}): is it open in Excel, "
            "or is the folder read-only?"
        ) from exc
    return target


class _PaperBook(Workbook):
    """An XlsxWriter workbook whose parts are deflated at zlib's fastest level.

    XlsxWriter zips the package at zlib's default level (6), which took 0.42 s of CPU
    for a 10,000-action paper's 15 MB of XML; level 1 takes 0.11 s for a file 40 %
    larger (2.6 MB against 1.9 MB), and a paper is opened, printed and mailed, not
    archived by the thousand. XlsxWriter opens its ZipFile in `_store_workbook` by the
    name its module imported: the level is given there, for the length of that call.
    """

    def _store_workbook(self) -> None:
        opens = xlsxwriter_workbook.ZipFile
        xlsxwriter_workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=1)
        try:
            super()._store_workbook()
        finally:
            xlsxwriter_workbook.ZipFile = opens


def _write_book(layout: PaperLayout, target: Path) -> None:
    with atomic_output(target) as tmp:
        book = _PaperBook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_format_properties": {
                    "font_name": layout.default_font,
                    "font_size": layout.default_size,
                },
            },
        )
        book.set_properties(
            {"title": layout.title, "subject": layout.position, "author": "wellled-xl",
             "created": DOCUMENT_TIMESTAMP}
        )  # fmt: skip
        formats = _Formats(book, layout.styles)
        for sheet in layout.sheets:
            _write_sheet(book, book.add_worksheet(sheet.name, _PaperSheet), sheet, formats)
        book.close()


class _Formats:
    """One XlsxWriter Format per named style, and the font XML of each kind of rich-text run."""

    def __init__(self, book: Workbook, styles: dict[str, Style]) -> None:
        self.book = book
        self.styles = styles
        self.cells: dict[str, Format] = {}
        self.quoted: dict[str | None, Format] = {}
        self.run_fonts: dict[tuple[str, bool, bool, bool, str], str] = {}

    def cell(self, name: str | None) -> Format | None:
        if name is None:
            return None
        if name not in self.cells:
            self.cells[name] = self.book.add_format(_cell_properties(self.styles[name]))
        return self.cells[name]

    def quoted_text(self, name: str | None) -> Format:
        """The style with Excel's quote prefix: editing the cell keeps it text."""
        if name not in self.quoted:
            properties = _cell_properties(self.styles[name]) if name else {}
            self.quoted[name] = self.book.add_format(properties | {"quote_prefix": True})
        return self.quoted[name]

    def run_xml(self, style_name: str, run: Run) -> str:
        """One run of a rich-text shared string: its font (the cell style's name and
        size, the run's weight, slant, strike and colour), then its text."""
        key = (style_name, run.bold, run.italic, run.strike, run.colour)
        if key not in self.run_fonts:
            style = self.styles[style_name]
            self.run_fonts[key] = (
                "<r><rPr>"
                + ("<b/>" if run.bold else "")
                + ("<i/>" if run.italic else "")
                + ("<strike/>" if run.strike else "")
                + f'<sz val="{style.size:g}"/><color rgb="FF{run.colour.upper()}"/>'
                + f'<rFont val="{escape(style.font_name, {chr(34): "&quot;"})}"/>'
                + '<family val="2"/></rPr>'
            )
        space = ' xml:space="preserve"' if run.text != run.text.strip() else ""
        return f"{self.run_fonts[key]}<t{space}>{escape(run.text)}</t></r>"


def _cell_properties(style: Style) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "font_name": style.font_name,
        "font_size": style.size,
        "bold": style.bold,
        "italic": style.italic,
        "font_strikeout": style.strike,
        "font_color": f"#{style.colour}",
        "text_wrap": style.wrap,
        "align": style.horizontal,
        "valign": {"center": "vcenter"}.get(style.vertical, style.vertical),
    }
    if style.fill:
        properties |= {"pattern": 1, "bg_color": f"#{style.fill}"}
    if style.border:
        properties |= {"border": 1, "border_color": f"#{style.border_colour}"}
    if style.number_format:
        properties["num_format"] = style.number_format
    return properties


def _write_sheet(
    book: Workbook, sheet: _PaperSheet, layout: SheetLayout, formats: _Formats
) -> None:
    for col, width in enumerate(layout.column_widths):
        sheet.set_column(col, col, width)
    if layout.charts:  # XlsxWriter places a chart by the heights of the rows it spans
        for row, height in enumerate(layout.row_heights):
            sheet.set_row(row, height)
    sheet.merged = _merged_ranges(layout)
    sheet.sheet_data = _sheet_data(sheet, layout, formats)
    if layout.freeze_panes:
        sheet.freeze_panes(layout.freeze_panes)
    _print_setup(sheet, layout)
    for chart in layout.charts:
        _chart_source(sheet, layout, chart)
        _insert_chart(book, sheet, layout.name, chart)


def _merged_ranges(layout: SheetLayout) -> Sequence[str]:
    """The sheet's merged ranges, A1, as its ``<mergeCells>`` lists them.

    Written by `_PaperSheet` as they are, not through `merge_range`, which also writes
    every cell of the range (the cells are `_sheet_data`'s) and took 50 to 60
    microseconds a merge: a Summary of 10,000 actions has 20,000. Each is checked to be a
    range, as a file holding anything else is one Excel must repair; they never overlap,
    as a SheetBuilder lays a row's cells side by side.
    """
    for merge in layout.merges:
        if _A1_RANGE.fullmatch(merge) is None:
            raise ValueError(f"{merge!r} on {layout.name} is not a range like B3:G3")
    return layout.merges


def _chart_source(sheet: _PaperSheet, layout: SheetLayout, chart: Chart) -> None:
    """Give XlsxWriter the cells a chart plots, through its own API.

    A chart keeps a copy of its data for viewers that do not recalculate; XlsxWriter
    copies it from the cells written through its API, which `_sheet_data` bypasses.
    """
    for row, col in _chart_cells(chart):
        value = layout.values[row][col]
        if isinstance(value, str):
            sheet.write_string(row, col, value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, col, value)


def _chart_cells(chart: Chart) -> Iterator[tuple[int, int]]:
    """(row, column) of every cell a chart plots: its categories and each series."""
    for a1 in (chart.categories, *(series.values for series in chart.series)):
        first_row, first_col, last_row, last_col = parse_range(a1)
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                yield row, col


class _PaperSheet(Worksheet):
    """An XlsxWriter worksheet whose cells are rendered as XML in one pass.

    XlsxWriter's per-cell API spends about 10 microseconds a cell (a checked call and a
    record per cell, then an XML element per record when the file is closed): 1.3 s of
    a 10,000-action paper's 3 s. The paper's grid is complete before writing starts, so
    `_sheet_data` renders its ``<sheetData>`` directly, with XlsxWriter's own shared
    strings and cell formats, and its ``<mergeCells>`` likewise (`_merged_ranges`);
    everything else about the sheet (columns, row heights, print setup, panes, charts,
    styles, the package) is XlsxWriter's public API.

    The XlsxWriter internals this leans on (stable since XlsxWriter 1.x; pyproject.toml
    keeps to major version 3, and the read-back tests in tests/test_paper.py fail if any
    of them changes): the `_write_sheet_data` and `_write_merge_cells` steps of writing a
    worksheet, its `fh`, `str_table` (``_get_shared_string_index``, and ``<r>``-wrapped
    entries as rich text), `Format._get_xf_index` and the `dim_*` extent.
    """

    sheet_data: Sequence[str] = ("<sheetData/>",)  # until _sheet_data renders the cells
    merged: Sequence[str] = ()  # the merged ranges, A1 (`_merged_ranges`)

    def _write_sheet_data(self) -> None:
        self.fh.writelines(self.sheet_data)

    def _write_merge_cells(self) -> None:
        if self.merged:
            self.fh.write(
                f'<mergeCells count="{len(self.merged)}">'
                + "".join(f'<mergeCell ref="{merge}"/>' for merge in self.merged)
                + "</mergeCells>"
            )


def _sheet_data(sheet: _PaperSheet, layout: SheetLayout, formats: _Formats) -> list[str]:
    """The sheet's ``<sheetData>`` element, a row at a time (joined, a 50,000-action
    paper's sheets would be held twice): every row with its height, every styled cell.

    Text is written in its cell (an inline string: always text, never a formula), except
    rich text, the labels a chart plots and text that needs escapes, which go to the
    workbook's shared strings as XlsxWriter writes them; text Excel would read as a
    formula if edited gets the quote-prefixed style; numbers are written as numbers and
    dates as Excel serial days.
    Inline rather than shared: XlsxWriter's shared-strings part took 0.15 s at 10,000
    actions, against 0.02 s here, for a file 12 % larger.
    """
    strings = sheet.str_table
    xf: dict[str | None, str] = {None: ""}
    quoted: dict[str | None, str] = {}
    letters = [column_letter(col) for col in range(len(layout.column_widths))]
    rich: dict[int, dict[int, RichText]] = {}
    for cell in layout.rich_text:
        row, col = parse_cell(cell.cell)
        rich.setdefault(row, {})[col] = cell
    shared: dict[int, set[int]] = {}
    for chart in layout.charts:
        for row, col in _chart_cells(chart):
            shared.setdefault(row, set()).add(col)
    rows: list[str] = ["<sheetData>"]
    first_row = last_row = None
    no_cells: dict[int, Any] = {}
    for row, (values, styles, height) in enumerate(
        zip(layout.values, layout.styles, layout.row_heights, strict=True)
    ):
        number = row + 1
        rich_cells = rich.get(row, no_cells)
        plotted = shared.get(row, no_cells)
        cells: list[str] = []
        for col, (value, style) in enumerate(zip(values, styles, strict=True)):
            if style not in xf:
                xf[style] = f' s="{formats.cell(style)._get_xf_index()}"'
            if col in rich_cells:
                text = _rich_text(rich_cells[col], style, formats)
                cells.append(f'<c r="{letters[col]}{number}"{xf[style]} t="s">'
                             f"<v>{strings._get_shared_string_index(text)}</v></c>")  # fmt: skip
            elif value is None or value == "":
                if style is not None:
                    cells.append(f'<c r="{letters[col]}{number}"{xf[style]}/>')
            elif isinstance(value, str):
                value = fit_in_cell(value)  # longer text: a text-too-long finding
                style_xf = xf[style]
                if value.startswith(FORMULA_LEADS):
                    if style not in quoted:
                        quoted[style] = f' s="{formats.quoted_text(style)._get_xf_index()}"'
                    style_xf = quoted[style]
                if col in plotted or _needs_escapes(value):
                    index = strings._get_shared_string_index(value)
                    cells.append(
                        f'<c r="{letters[col]}{number}"{style_xf} t="s"><v>{index}</v></c>'
                    )
                else:
                    cells.append(f'<c r="{letters[col]}{number}"{style_xf} t="inlineStr">'
                                 f"{_inline_text(value)}</c>")  # fmt: skip
            elif isinstance(value, bool):
                cells.append(f'<c r="{letters[col]}{number}"{xf[style]} t="b"><v>{value:d}</v></c>')
            else:
                serial = _excel_serial(value) if isinstance(value, date) else value
                cells.append(f'<c r="{letters[col]}{number}"{xf[style]}><v>{serial:.16G}</v></c>')
        ht = "" if height == DEFAULT_ROW_HEIGHT else f' ht="{height:.16g}" customHeight="1"'
        if cells:
            rows.append(f'<row r="{number}"{ht}>{"".join(cells)}</row>')
            first_row = row if first_row is None else first_row
            last_row = row
        elif ht:
            rows.append(f'<row r="{number}"{ht}/>')
    rows.append("</sheetData>")
    if first_row is not None:  # the sheet's <dimension>: its rows with cells, the grid's width
        sheet.dim_rowmin, sheet.dim_rowmax = first_row, last_row
        sheet.dim_colmin, sheet.dim_colmax = 0, len(letters) - 1
    return rows


def _needs_escapes(text: str) -> bool:
    """Whether `text` holds characters XML cannot, or text that looks like their escape.

    Such text goes to the shared strings, where Excel and python-calamine undo
    XlsxWriter's escapes; python-calamine leaves them as they are in a cell's own text."""
    # Text with no control character is printable, or holds a line break or tab: the
    # pattern is only searched for in those (str.isprintable is a fraction of its cost).
    return "_x" in text or (not text.isprintable() and _XML_UNSAFE.search(text) is not None)


def _inline_text(text: str) -> str:
    """The ``<is>`` element of a cell holding `text` (which needs no escapes but XML's)."""
    if "&" in text or "<" in text or ">" in text:  # most text has none of XML's three
        text = escape(text)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _rich_text(rich: RichText, style: str | None, formats: _Formats) -> str:
    """A rich-text cell's shared-string entry: runs of differently formatted text.

    A cell with one run, or no style, is plain text (Excel wants two runs or more).
    """
    if len(rich.runs) < 2 or style is None:
        return fit_in_cell(rich.text)
    return "".join(formats.run_xml(style, run) for run in rich.runs)


def _excel_serial(day: date) -> float:
    """Excel's serial number for a date or date-time (1900 system, with its 29 Feb 1900)."""
    days = (day.toordinal() - EXCEL_EPOCH) + (day.toordinal() >= EXCEL_LEAP_BUG)
    if isinstance(day, datetime):
        days += (day.hour * 3600 + day.minute * 60 + day.second + day.microsecond / 1e6) / 86400
    return days


def _print_setup(sheet: Worksheet, layout: SheetLayout) -> None:
    setup = layout.print_setup
    if setup.orientation == "landscape":
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(PAPER_SIZES.get(setup.paper, 9))
    sheet.fit_to_pages(setup.fit_width, setup.fit_height)
    if setup.repeat_rows:
        first, _, last = setup.repeat_rows.partition(":")
        sheet.repeat_rows(int(first) - 1, int(last or first) - 1)
    if setup.print_area:
        sheet.print_area(setup.print_area)
    margins = setup.margins
    sheet.set_margins(margins.left, margins.right, margins.top, margins.bottom)
    if setup.header.excel():
        sheet.set_header(setup.header.excel(), {"margin": margins.header})
    if setup.footer.excel():
        sheet.set_footer(setup.footer.excel(), {"margin": margins.footer})
    if setup.center_horizontally:
        sheet.center_horizontally()
    if setup.gridlines:
        sheet.hide_gridlines(0)


def _range(sheet_name: str, a1: str) -> list[Any]:
    return [sheet_name, *parse_range(a1)]


def _insert_chart(book: Workbook, sheet: Worksheet, sheet_name: str, chart: Chart) -> None:
    options: dict[str, Any] = {"type": chart.kind}
    if chart.stacked:
        options["subtype"] = "stacked"
    native = book.add_chart(options)
    for series in chart.series:
        native.add_series(
            {
                "name": series.name,
                "categories": _range(sheet_name, chart.categories),
                "values": _range(sheet_name, series.values),
                "fill": {"color": f"#{series.colour}"},
                "border": {"color": "#595959", "width": 0.5},
                "gap": 60,
            }
        )
    native.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    native.set_legend({"position": "bottom"})
    if chart.kind == "bar":
        # A bar chart's category axis is the vertical one: list the categories top down,
        # in the table's order, with the value axis at the bottom. Every group's label is
        # shown: Excel by the interval of 1 (tickLblSkip); LibreOffice ignores that and
        # drops labels it finds too close, unless their text is unrotated (rot="0"), so
        # the rotation is written too (the layout makes the chart tall enough for them).
        native.set_y_axis(
            {"reverse": True, "crossing": "max", "interval_unit": 1, "num_font": {"rotation": 0}}
        )
    value_axis: dict[str, Any] = {"num_format": "0"}
    if chart.value_axis_title:
        value_axis["name"] = chart.value_axis_title
    if chart.value_axis_major_unit:
        value_axis["major_unit"] = chart.value_axis_major_unit
    # The value axis is the horizontal one of a bar chart, the vertical one of a column chart.
    (native.set_x_axis if chart.kind == "bar" else native.set_y_axis)(value_axis)
    native.set_size({"width": chart.width, "height": chart.height})
    sheet.insert_chart(chart.anchor, native, {"object_position": 1})
