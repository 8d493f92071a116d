"""The Excel door, without Excel: xlwings' remote engine records what the button would do.

``xw.Book(json=...)`` (xlwings' remote engine, free for noncommercial use with
``XLWINGS_LICENSE_KEY=noncommercial``) holds a workbook's values and records every write
as an action in ``book.json()["actions"]``. These tests build such a book from a tracker
file read with python-calamine, run the button's core on it, and read the result back by
replaying the recorded actions, as Excel would apply them.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import range_boundaries
from trackers import read_sheets

import wellled_xl
from wellled_xl.cells import GENERATED_MARK, column_letter
from wellled_xl.excel import button
from wellled_xl.excel.button import check_blocks, run_and_tell, run_button
from wellled_xl.excel.writer import (
    ALIGNMENT,
    CHART_COLOURS,
    EQUALS,
    MAX_ADDRESS,
    OVERDUE,
    OVERDUE_FORMULA,
    PAGE_SETUP,
    RICH_TEXT,
    ConditionalFormat,
    add_rule,
    hyperlink_formula,
    merge_runs,
    plan_formats,
    rich_text_formats,
    sheet_looks,
    style_variants,
    write_paper_xlwings,
)
from wellled_xl.model import Finding
from wellled_xl.paper.layout import SheetLayout, layout_paper, layout_validation
from wellled_xl.paper.xlsx import write_paper
from wellled_xl.pipeline import check_tracker
from wellled_xl.read import tracker_from_sheets
from wellled_xl.report import check_text
from wellled_xl.sample import (
    SAMPLE_ACTIONS,
    SAMPLE_FINDINGS,
    SAMPLE_LEADS,
    SAMPLE_LEGEND,
    SAMPLE_SETTINGS,
)
from wellled_xl.template import overdue_rules, write_tracker

xw = pytest.importorskip("xlwings")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbook" / "sample_tracker.xlsx"
GENERATED = ["Part A", "Part B", "Summary", "Validation"]
TRACKER_SHEETS = ["Actions", "Findings", "Leads", "Legend", "KLOE", "Settings"]
INJECTIONS = ["=1+1", "+SUM(A1)", "-2", "@x", '=HYPERLINK("http://x","y")']


# --- a remote-engine book, and the workbook its recorded actions leave -----------------


def use_remote_engine(patch: pytest.MonkeyPatch) -> None:
    """Set the licence key and make sure xlwings has its remote engine.

    xlwings' remote engine is licensed for noncommercial use (PolyForm Noncommercial);
    production never uses it: the button runs on classic xlwings (COM / AppleScript).
    xlwings registers the engine when it is first imported, if the key is set by then;
    imported earlier, it gets the engine added here, now that the key is set.
    """
    patch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote  # checks the licence key as it is imported

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))


@pytest.fixture(autouse=True)
def _remote_engine(monkeypatch):
    use_remote_engine(monkeypatch)


def calamine_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    return list(read_sheets(path).items())


def _json_value(value: Any) -> Any:
    """A cell as an Excel client sends it: dates as ISO date-times ending in Z."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return _json_value(datetime(value.year, value.month, value.day))
    return value


def remote_book(
    sheets: list[tuple[str, list[list[Any]]]],
    name: str = "sample_tracker.xlsx",
    client: str = "VBA",
    hidden: Sequence[str] = (),
) -> Any:
    """The open workbook as xlwings' remote engine has it (`hidden`: the sheets it says
    Excel hides; a client that says nothing of visibility sends none)."""
    visibility = {"visibility": "Visible"} if hidden else {}
    return xw.Book(
        json={
            "client": client,
            "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
            "names": [],
            "sheets": [
                {
                    "name": sheet,
                    "values": [[_json_value(v) for v in row] for row in rows] or [[]],
                    "pictures": [],
                    "tables": [],
                    **({"visibility": "Hidden"} if sheet in hidden else visibility),
                }
                for sheet, rows in sheets
            ],
        }
    )


@dataclass
class Sheet:
    """A sheet as the recorded actions leave it."""

    values: dict[tuple[int, int], Any] = field(default_factory=dict)  # 0-based cells
    fonts: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    borders: set[tuple[int, int]] = field(default_factory=set)
    horizontal: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: set[str] = field(default_factory=set)
    heights: dict[int, float] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    # Conditional formats, highest priority first: (top, left, bottom, right), the rule.
    rules: list[tuple[tuple[int, int, int, int], dict]] = field(default_factory=list)
    autofit: set[int] = field(default_factory=set)  # rows Excel measures
    # Each row Excel measured -> the column widths and the merges when it measured it.
    measured: dict[int, tuple[dict[int, float], frozenset[str]]] = field(default_factory=dict)
    set_values: list[dict] = field(default_factory=list)
    other: list[dict] = field(default_factory=list)  # every other action on the sheet

    def rows(self) -> list[list[Any]]:
        if not self.values:
            return []
        height = max(r for r, _ in self.values) + 1
        width = max(c for _, c in self.values) + 1
        return [[self.values.get((r, c), "") for c in range(width)] for r in range(height)]


def _excel_reads(value: Any) -> Any:
    """What a cell holds after Excel takes the value: a quote prefix makes text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        try:
            return datetime.fromisoformat(value)  # the engine sends dates as ISO text
        except ValueError:
            return value  # a formula
    return value


def replay(initial: list[str], actions: list[dict]) -> dict[str, Sheet]:
    """The sheets after the actions, in order: each range action on its sheet's cells."""
    names = list(initial)
    sheets = {name: Sheet() for name in names}
    for action in actions:
        func = action["func"]
        if func == "addSheet":
            index, name = action["args"]
            names.insert(index, name)
            sheets[name] = Sheet()
            continue
        if action["sheet_position"] is None:
            continue
        name = names[action["sheet_position"]]
        if func == "sheetDelete":
            names.remove(name)
            del sheets[name]
            continue
        sheet = sheets[name]
        if action["start_row"] is None:
            sheet.other.append(action)
            continue
        top, left = action["start_row"], action["start_column"]
        cells = [
            (r, c)
            for r in range(top, top + min(action["row_count"], 100_000))
            for c in range(left, left + min(action["column_count"], 200))
        ]
        args = action["args"]
        if func == "setValues":
            sheet.set_values.append(action)
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    sheet.values[(top + r, left + c)] = _excel_reads(value)
        elif func == "setFontProperty":
            for cell in cells:
                sheet.fonts.setdefault(cell, {})[args[0]] = args[1]
        elif func == "setRangeColor":
            for cell in cells:
                sheet.fills[cell] = args[0].lstrip("#").upper()
        elif func == "setBorderProperty":
            if args[1] == "line_style" and args[2] == "continuous":
                sheet.borders.update(cells)
        elif func == "setHorizontalAlignment":
            for cell in cells:
                sheet.horizontal[cell] = args[0].lower()
        elif func == "rangeMerge":
            bottom = top + action["row_count"] - 1
            right = column_letter(left + action["column_count"] - 1)
            spans = [(r, r) for r in range(top, bottom + 1)] if args[0] else [(top, bottom)]
            for first, last in spans:  # across=True merges each row on its own
                sheet.merges.add(f"{column_letter(left)}{first + 1}:{right}{last + 1}")
        elif func == "setRowHeight":
            for r in range(top, top + action["row_count"]):
                sheet.heights[r] = args[0]
                sheet.autofit.discard(r)
        elif func == "setColumnWidth":
            for c in range(left, left + action["column_count"]):
                sheet.widths[c] = args[0]
        elif func == "addConditionalFormat":  # a new rule goes to the top, as in Excel
            bounds = (top, left, top + action["row_count"] - 1, left + action["column_count"] - 1)
            sheet.rules.insert(0, (bounds, args[0]))
        elif func == "setAutofit" and args[0] == "rows":
            then = (dict(sheet.widths), frozenset(sheet.merges))
            for r in range(top, top + action["row_count"]):
                sheet.autofit.add(r)
                sheet.heights.pop(r, None)
                sheet.measured[r] = then
        else:
            sheet.other.append(action)
    return {name: sheets[name] for name in names}


def replayed(book: Any, initial: list[str]) -> dict[str, Sheet]:
    return replay(initial, book.json()["actions"])


# --- what Excel shows: a cell's own formats, then the conditional formats that fire --------

Verdict = Callable[[str, Any], bool]  # (a formula rule, a cell's value) -> does it fire


def _rule_text(formula1: str) -> str:
    """The text a cell-value rule compares with: '="A/G"' -> 'A/G'."""
    assert formula1.startswith('="') and formula1.endswith('"'), formula1
    return formula1[2:-1].replace('""', '"')


def fires(rule: dict, value: Any, formula: Verdict | None) -> bool:
    """Whether Excel applies a recorded rule to a cell holding `value`."""
    if rule["type"] == "CellValue":
        assert rule["operator"] == "EqualTo", rule
        # Excel compares text with text regardless of case; a number is never equal to text.
        return isinstance(value, str) and value.lower() == _rule_text(rule["formula1"]).lower()
    assert rule["type"] == "Custom", rule
    assert formula is not None, "a formula rule covers this cell: LibreOffice must judge it"
    return formula(rule["formula"], value)


def shown(
    sheet: Sheet, r: int, c: int, formula: Verdict | None = None
) -> tuple[str | None, dict[str, Any]]:
    """The fill and the font Excel shows on a cell: its own, changed by the rules that fire
    (a higher rule decides an attribute first)."""
    fill = sheet.fills.get((r, c))
    font = dict(sheet.fonts.get((r, c), {}))
    value = sheet.values.get((r, c), "")
    decided: set[str] = set()
    for (top, left, bottom, right), rule in sheet.rules:
        if not (top <= r <= bottom and left <= c <= right and fires(rule, value, formula)):
            continue
        for key, attribute in (("fill_color", "fill"), ("font_color", "color"),
                               ("font_bold", "bold"), ("font_italic", "italic")):  # fmt: skip
            if rule.get(key) is None or attribute in decided:
                continue
            decided.add(attribute)
            if attribute == "fill":
                fill = rule[key].lstrip("#").upper()
            else:
                font[attribute] = rule[key]
    return fill, font


def libreoffice_verdicts(pairs: set[tuple[str, Any]], folder: Path) -> dict[tuple[str, Any], bool]:
    """What LibreOffice makes of each (formula rule, value): it computes each formula one
    column right of the value, so the rule's own cell, INDIRECT("RC",FALSE), is RC[-1]."""
    book = openpyxl.Workbook()
    sheet = book.active
    ordered = sorted(pairs, key=repr)
    for row, (formula, value) in enumerate(ordered, start=1):
        cell = sheet.cell(row, 1, value if value != "" else None)
        if isinstance(value, str):
            cell.data_type = "s"  # text, even "=1+1"
        assert 'INDIRECT("RC",FALSE)' in formula, formula
        sheet.cell(row, 2, formula.replace('INDIRECT("RC",FALSE)', 'INDIRECT("RC[-1]",FALSE)'))
    source = folder / "rules.xlsx"
    book.save(source)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx", "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (_, rows), *_ = calamine_sheets(folder / "out" / "rules.xlsx")
    assert len(rows) == len(ordered)
    for row in rows:
        assert isinstance(row[1], bool), row  # computed, not an error
    return {pair: row[1] for pair, row in zip(ordered, rows, strict=True)}


needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice judges the formula rules"
)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_sheets():
    return calamine_sheets(SAMPLE)


@pytest.fixture
def sample_book(sample_sheets):
    return remote_book(sample_sheets)


@pytest.fixture(scope="module")
def clicked(sample_sheets):
    """The sample tracker after one click: the run and the sheets as Excel would hold them.
    Clicked once for the module: its tests only read what the click left."""
    with pytest.MonkeyPatch.context() as patch:
        use_remote_engine(patch)
        book = remote_book(sample_sheets)
        run = run_and_tell(book)
        return run, replayed(book, TRACKER_SHEETS), book.json()["actions"]


# --- one layout, two writers -------------------------------------------------------------


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The sample's paper (and Validation sheet) through XlsxWriter and through xlwings."""
    report = check_tracker(SAMPLE)
    layout = layout_paper(report)
    layout = replace(layout, sheets=[*layout.sheets, layout_validation(report, layout.styles)])
    path = write_paper(layout, tmp_path_factory.mktemp("paper") / "paper.xlsx")
    with pytest.MonkeyPatch.context() as patch:
        use_remote_engine(patch)
        # The Office.js client: the remote engine's alignment needs it.
        book = remote_book([("Actions", [["Ref"]])], client="Office.js")
        result = write_paper_xlwings(layout, book)
    return layout, path, replayed(book, ["Actions"]), result, book.json()["actions"]


@pytest.fixture(scope="module")
def formula_verdict(paper, tmp_path_factory) -> Verdict:
    """LibreOffice's verdict on the paper's formula rules, for every value they cover."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice judges the formula rules")
    _, _, excel, _, _ = paper
    pairs = {
        (rule["formula"], sheet.values.get((r, c), ""))
        for sheet in excel.values()
        for (top, left, bottom, right), rule in sheet.rules
        if rule["type"] == "Custom"
        for r in range(top, bottom + 1)
        for c in range(left, right + 1)
    }
    verdicts = libreoffice_verdicts(pairs, tmp_path_factory.mktemp("rules"))
    return lambda formula, value: verdicts[(formula, value)]


def _file_values(path: Path) -> dict[str, list[list[Any]]]:
    return dict(calamine_sheets(path))


def _same(file_value: Any, excel_value: Any) -> bool:
    if isinstance(file_value, float | int) and isinstance(excel_value, float | int):
        return float(file_value) == float(excel_value)
    if isinstance(file_value, date) and isinstance(excel_value, date):
        return datetime(*file_value.timetuple()[:3]) == datetime(*excel_value.timetuple()[:3])
    return file_value == excel_value


def test_both_writers_give_the_same_values_cell_by_cell(paper):
    layout, path, excel, _, _ = paper
    files = _file_values(path)
    assert list(excel)[1:] == list(files) == [s.name for s in layout.sheets]
    for name, rows in files.items():
        written = excel[name].rows()
        assert len(written) == len(rows), name
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                link = layout.sheet(name).links.get(f"{column_letter(c)}{r + 1}")
                got = written[r][c] if c < len(written[r]) else ""
                if link:  # the Validation sheet's links: the file shows the text
                    assert got == hyperlink_formula(link, value), (name, r, c)
                else:
                    assert _same(value, got), (name, r + 1, column_letter(c), value, got)


@needs_soffice
def test_both_writers_give_the_same_fills_fonts_borders_and_alignment(paper, formula_verdict):
    """What Excel shows (each cell's formats, then the conditional formats that fire on
    it) is what the file's cell styles show, cell by cell."""
    layout, path, excel, _, _ = paper
    book = openpyxl.load_workbook(path)
    for sheet in layout.sheets:
        ws, written = book[sheet.name], excel[sheet.name]
        for r, row in enumerate(sheet.values):
            for c, value in enumerate(row):
                cell = ws.cell(r + 1, c + 1)
                if isinstance(cell, MergedCell):
                    continue  # a merged area shows its first cell's format
                where = (sheet.name, cell.coordinate)
                fill = cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None
                shown_fill, font = shown(written, r, c, formula_verdict)
                assert shown_fill == fill, where
                assert ((r, c) in written.borders) == (cell.border.left.style == "thin"), where
                if value is None:
                    continue  # the font of an empty cell shows nowhere, and is not written
                assert font.get("bold", False) == bool(cell.font.b), where
                assert font.get("italic", False) == bool(cell.font.i), where
                assert font.get("size") == cell.font.sz, where
                assert font.get("name") == cell.font.name, where
                colour = font.get("color", "#000000").lstrip("#").upper()  # rules: lower case
                assert colour == cell.font.color.rgb[-6:], where
                assert written.horizontal.get((r, c), "general") == (
                    cell.alignment.horizontal or "general"
                ), where


def test_rag_cells_take_the_legend_colours_in_excel_too(paper):
    """Through a rule per legend code over the RAG column, not a fill per cell."""
    _, _, excel, _, _ = paper
    part_a = excel["Part A"]
    colours = {entry.code: entry.colour for entry in SAMPLE_LEGEND.entries}
    rows = part_a.rows()
    header = next(r for r, row in enumerate(rows) if row[:2] == ["Ref", "Planned action"])
    status = next(r for r, row in enumerate(rows) if row[0] == "Status")  # the legend
    rag_cells = [
        (r, row[6]) for r, row in enumerate(rows[:status]) if r > header and row[0] != "KLOE"
    ]
    rag_cells = [(r, rag) for r, rag in rag_cells if rag]  # not the gap above the legend
    coloured = [(r, rag) for r, rag in rag_cells if rag in colours]
    assert len(coloured) >= 15
    for r, rag in coloured:
        assert shown(part_a, r, 6)[0] == colours[rag]
        assert (r, 6) not in part_a.fills  # the rule colours it, not a fill of its own
    assert "R\n(not on legend)" in [rag for _, rag in rag_cells]
    for r, rag in rag_cells:
        if rag not in colours:
            fill, font = shown(part_a, r, 6)
            assert fill is None and font["color"].upper() == "#C00000", rag
    rules = [rule for _, rule in part_a.rules if rule["type"] == "CellValue"]
    assert {_rule_text(rule["formula1"]) for rule in rules} == set(colours)


def test_kloe_bands_legend_and_merges_match(paper):
    layout, path, excel, _, _ = paper
    book = openpyxl.load_workbook(path)
    for sheet in layout.sheets:
        merges = {str(m) for m in book[sheet.name].merged_cells.ranges}
        assert excel[sheet.name].merges == merges == set(sheet.merges), sheet.name
    rows = excel["Part A"].rows()
    bands = [row[1].split(":")[0] for row in rows if row[0] == "KLOE"]
    assert bands == [f"W{n}" for n in range(1, 9)]
    status = next(r for r, row in enumerate(rows) if row[0] == "Status")
    legend = [(row[0], row[1]) for row in rows[status + 1 : status + 4]]
    assert legend == [(e.code, e.meaning) for e in SAMPLE_LEGEND.entries]


def test_row_heights_are_measured_by_excel_or_the_layouts(paper):
    """Excel autofits the rows it can measure; the others keep the layout's height.

    Autofit ignores merged cells and gives an empty row the default height, so those rows
    and the tables' header rows are set, but for merged text Excel measures before it is
    merged, in a column as wide as the merge (the Summary's lists); consecutive merged
    rows of one table (the legend) may all take the tallest one's height, never less than
    their own.
    """
    layout, _, excel, _, _ = paper
    measured_merged = 0
    for sheet in layout.sheets:
        written = excel[sheet.name]
        merged: dict[int, list[tuple[str, int, int]]] = {}  # row -> (merge, columns)
        for merge in sheet.merges:
            left, top, right, bottom = range_boundaries(merge)
            for r in range(top - 1, bottom):
                merged.setdefault(r, []).append((merge, left - 1, right - 1))
        for r, height in enumerate(sheet.row_heights):
            where = (sheet.name, r + 1)
            values, names = sheet.values[r], sheet.styles[r]
            if r in written.autofit:
                assert "header" not in names, where
                assert any(value is not None for value in values), where
                widths, merges = written.measured[r]
                for merge, left, right in merged.get(r, []):
                    # measured unmerged, in its first column as wide as the merged cells
                    assert merge not in merges, where
                    assert widths[left] == sum(written.widths[c] for c in range(left, right + 1))
                    assert merge in written.merges, where
                    measured_merged += 1
                continue
            assert r in merged or "header" in names or all(v is None for v in values), where
            if written.heights[r] != height:  # the tallest row of its merged table
                assert written.heights[r] > height and r in merged, where
                assert written.heights.get(r - 1) == written.heights[r] or (
                    written.heights.get(r + 1) == written.heights[r]
                ), where
    part_a = excel["Part A"]
    actions = [r for r, row in enumerate(part_a.rows()) if re.fullmatch(r"W\d[a-z]", row[0])]
    assert len(actions) >= 15 and set(actions) <= part_a.autofit
    # The Summary's overdue and slipped lists, their planned actions and dates merged
    # across its narrow columns, are measured by Excel row by row, as Part A's rows are.
    summary = excel["Summary"]
    listed = [r for r, row in enumerate(summary.rows()) if re.fullmatch(r"W\d[a-z]", row[0])]
    assert len(listed) == 12 + 8 and set(listed) <= summary.autofit
    assert measured_merged >= 2 * len(listed)


def test_column_widths_match(paper):
    layout, _, excel, _, _ = paper
    for sheet in layout.sheets:
        written = excel[sheet.name]
        # The remote engine takes points: 7 pixels a character unit plus 5, at 0.75.
        widths = [int(w * 7 + 5) * 0.75 for w in sheet.column_widths]
        assert [written.widths[c] for c in range(len(widths))] == widths


def test_values_go_in_one_block_per_sheet_and_formats_by_range(paper):
    layout, _, excel, result, _ = paper
    for sheet in layout.sheets:
        blocks = excel[sheet.name].set_values
        assert len(blocks) == 1
        assert (blocks[0]["row_count"], blocks[0]["column_count"]) == (
            len(sheet.values),
            len(sheet.column_widths),
        )
    cells = sum(len(s.values) * len(s.column_widths) for s in layout.sheets)
    assert result.calls < cells / 2  # ranges, never cell by cell
    joined = sum(len(plan_formats(s, layout, union=True)) for s in layout.sheets)
    assert joined < cells / 6  # and fewer still where areas join (Windows)
    assert result.skipped == {RICH_TEXT, PAGE_SETUP, CHART_COLOURS}


def test_the_summary_chart_is_a_native_stacked_bar_chart(paper):
    _, _, excel, _, _ = paper
    summary = excel["Summary"]
    added = [a for a in summary.other if a["func"] == "addChart"]
    assert len(added) == 1
    assert "BarStacked" in str(added[0]["args"])
    # Its series are the file's: the legend's codes and the statuses not on it, named by
    # their header cells, never the Total and Overdue counts beside them; the groups are
    # the categories, every one of them.
    left, top, right, bottom = range_boundaries(next(a for a in added[0]["args"] if "$" in a))
    names = [summary.values[(top - 1, c)] for c in range(left - 1, right)]
    assert names == ["G", "A/G", "A/R", "Not on legend"]
    (categories,) = [a for a in summary.other if a["func"] == "setChartXAxisValues"]
    left, top, right, bottom = range_boundaries(categories["args"][2])
    groups = [summary.values[(r, left - 1)] for r in range(top - 1, bottom)]
    assert groups == ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "Part B"]


def _formats_after(ops, sheet) -> dict[tuple[str, int, int], Any]:
    """Each (format, row, column) as the calls leave it, on the cells where it shows."""
    rows, columns = len(sheet.values), len(sheet.column_widths)
    fresh = {"bold": False, "italic": False, "strike": False, "colour": "000000", "fill": None,
             "border": None, "wrap": False, "horizontal": "general", "vertical": "bottom",
             "number_format": "General"}  # fmt: skip
    state = {
        (what, r, c): v for what, v in fresh.items() for r in range(rows) for c in range(columns)
    }
    for op in ops:
        for area in op.address.split(","):
            left, top, right, bottom = range_boundaries(area)
            for r in range((top or 1) - 1, min(bottom or rows, rows)):
                for c in range((left or 1) - 1, min(right or columns, columns)):
                    state[(op.what, r, c)] = op.value
    fonts = {"font_name", "size", "bold", "italic", "strike", "colour", "wrap", "horizontal",
             "vertical", "number_format"}  # fmt: skip
    return {
        key: value
        for key, value in state.items()
        if key[0] not in fonts or sheet.values[key[1]][key[2]] is not None
    }


def test_union_addresses_stay_under_excels_limit_and_format_the_same_cells(paper):
    layout, *_ = paper
    for sheet in layout.sheets:
        joined = plan_formats(sheet, layout, union=True)
        single = plan_formats(sheet, layout, union=False)
        assert all(len(op.address) <= MAX_ADDRESS for op in joined)
        assert any("," in op.address for op in joined)
        assert _formats_after(joined, sheet) == _formats_after(single, sheet)
        assert len(joined) < len(single)


# --- few round trips, whatever the size ----------------------------------------------------


def _benchmark() -> Any:
    """benchmarks/excel_ops.py, which counts what one click sends to Excel."""
    spec = importlib.util.spec_from_file_location("excel_ops", ROOT / "benchmarks" / "excel_ops.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def test_the_operations_sent_to_excel_hardly_grow_with_the_rows(tmp_path):
    """Counted, not timed: the actions xlwings' remote engine records for one click."""
    excel_ops = _benchmark()
    small, large = excel_ops.measure(50, tmp_path), excel_ops.measure(1000, tmp_path)
    assert len(large.actions) <= 1.5 * len(small.actions), (small.by_kind, large.by_kind)
    for kind, count in large.by_kind.items():  # no kind of call creeps up with the rows
        assert count <= 1.5 * small.by_kind[kind] + 5, kind
    assert (
        small.set_values_per_sheet() == large.set_values_per_sheet() == dict.fromkeys(GENERATED, 1)
    )
    assert excel_ops.count_excel_operations(50, tmp_path) == len(small.actions)


@needs_soffice
def test_the_overdue_rule_reads_in_a_spreadsheet_as_the_writer_checks_it(tmp_path):
    """`ConditionalFormat.matches` (what the writer checks every cell with) agrees with the
    formula as LibreOffice computes it, on overdue dates and on text that only looks like
    them."""
    values = [
        "March 2019\n45 days overdue",
        "15 Mar 2019\nJune 2019\n1 day overdue",
        "Train the team\nDue: March 2019\n3 DAYS OVERDUE",
        "March 2019",
        "Chase the overdue returns",  # no line break: a lead's own words
        "Chase the returns that are overdue",
        "Plan\nnot overdue yet",
        "Plan\nthe review is overdue",  # a lead's two lines: caught by the writer's check
        "overdue\n",
        "=1+1",
        "",
        12.0,
        datetime(2019, 3, 31),
    ]
    rule = ConditionalFormat(OVERDUE)
    verdicts = libreoffice_verdicts({(OVERDUE_FORMULA, v) for v in values}, tmp_path)
    assert {v: verdicts[(OVERDUE_FORMULA, v)] for v in values} == {
        v: rule.matches(v if v != "" else None) for v in values
    }
    assert [v for v in values if rule.matches(v)] == [*values[:3], values[7]]


def test_a_cell_a_rule_would_get_wrong_keeps_its_own_style():
    """A lead's text that ends like an overdue date, in a column with overdue dates, is
    left out of the rule's range: it stays plain, as the layout has it."""
    styles = layout_paper(check_tracker(SAMPLE)).styles
    sheet = SheetLayout(
        name="Part B",
        values=[
            ["March 2019\n3 days overdue"],
            ["Plan\n2 days overdue"],
            ["June 2020"],
            ["G"],
            ["Not a code"],
        ],
        styles=[["overdue"], ["text"], ["text"], ["rag G"], ["rag not on legend"]],
        column_widths=[20.0],
        row_heights=[15.0] * 5,
    )
    looks = sheet_looks(sheet, styles)
    assert [name for (name,) in looks.static] == [
        "text",
        "text",
        "text",
        "rag not on legend",
        "rag not on legend",
    ]
    blocks = {rule.text or rule.test: blocks for rule, blocks in looks.rules}
    assert blocks[OVERDUE] == [(0, 0, 0, 0), (2, 0, 2, 0)]  # row 2 left out
    assert blocks["G"] == [(3, 0, 4, 0)]
    rule = style_variants(styles)["rag G"][1]
    assert (rule.test, rule.text, rule.fill) == (EQUALS, "G", styles["rag G"].fill)


def test_a_legend_code_is_matched_as_text_never_as_a_formula(sample_book):
    formats = sample_book.sheets["Actions"].range("A2:A9").conditional_formats
    add_rule(formats, ConditionalFormat(EQUALS, '=1+"x"', fill="00B050"))
    (added,) = [a for a in sample_book.json()["actions"] if a["func"] == "addConditionalFormat"]
    rule = added["args"][0]
    assert (rule["type"], rule["operator"], rule["formula1"]) == (
        "CellValue",
        "EqualTo",
        '="=1+""x"""',
    )
    assert _rule_text(rule["formula1"]) == '=1+"x"'


def test_merges_of_consecutive_rows_go_in_one_call():
    runs = merge_runs(["A1:G1", "A2:G2", "A3:G3", "B9:G9", "B12:G12", "B13:G13", "A20:A22"])
    assert sorted(runs) == sorted(
        [("A1:G3", True), ("B9:G9", True), ("B12:G13", True), ("A20:A22", False)]
    )


# --- text stays text ----------------------------------------------------------------------


def test_no_text_becomes_a_formula(tmp_path):
    actions = [dict(row) for row in SAMPLE_ACTIONS]
    for row, text in zip(actions, INJECTIONS, strict=False):
        row["progress"] = text
    path = write_tracker(
        tmp_path / "injected.xlsx",
        settings=SAMPLE_SETTINGS,
        legend=SAMPLE_LEGEND,
        leads=SAMPLE_LEADS,
        actions=actions,
        findings=SAMPLE_FINDINGS,
    )
    book = remote_book(calamine_sheets(path), name="injected.xlsx")
    run_button(book)
    written = [
        value
        for action in book.json()["actions"]
        if action["func"] == "setValues"
        for row in action["values"]
        for value in row
        if isinstance(value, str) and value  # "" is an empty cell
    ]
    formulas = [v for v in written if v.startswith(("=", "+", "-", "@"))]
    assert formulas and all(v.startswith('=HYPERLINK("#') for v in formulas)
    for text in INJECTIONS:
        assert "'" + text in written
    sheets = replayed(book, TRACKER_SHEETS)
    part_a = [v for row in sheets["Part A"].rows() for v in row]
    assert set(INJECTIONS) <= set(part_a)


# --- the button ---------------------------------------------------------------------------


def test_the_button_adds_the_generated_sheets_after_the_tracker(clicked):
    _, sheets, actions = clicked
    assert list(sheets) == TRACKER_SHEETS + GENERATED
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert added == GENERATED
    for name in GENERATED:
        first = sheets[name].rows()[0][0]
        assert first.startswith(f"{GENERATED_MARK} from sample_tracker.xlsx, position as at")
        assert len(sheets[name].set_values) == 1
    assert actions[-1]["func"] == "alert"
    assert actions[-1]["args"][0].startswith(
        "30 actions checked, position as at 30 September 2019: 4 errors, 4 warnings, 12 overdue."
    )


def test_the_button_validates_as_the_command_line_does(clicked):
    run, _, _ = clicked
    cli = check_tracker(SAMPLE)
    assert run.report.as_at == cli.as_at == date(2019, 9, 30)
    assert run.report.findings == cli.findings
    assert [a.ref for a in run.report.overdue] == [a.ref for a in cli.overdue]


def test_the_check_column_is_the_only_tracker_cell_written(clicked):
    run, sheets, _ = clicked
    assert run.checks == {"Actions": "L2:L17", "Findings": "J2:J15"}
    for name in TRACKER_SHEETS:
        sheet = sheets[name]
        assert not sheet.fonts and not sheet.fills and not sheet.merges and not sheet.other
        if name in run.checks:
            (block,) = sheet.set_values
            check_column = 11 if name == "Actions" else 9
            assert (block["start_column"], block["column_count"]) == (check_column, 1)
            assert all(c == check_column and r >= 1 for r, c in sheet.values)
        else:
            assert not sheet.set_values


def test_each_row_says_what_is_wrong_with_it(clicked):
    _, sheets, _ = clicked
    checks = {r + 1: value for (r, c), value in sheets["Actions"].values.items()}
    assert checks[3].startswith("✗ RAG 'R' is not on this tracker's legend (G, A/G, A/R).")
    assert checks[2] == "✓"
    assert checks[10].splitlines()[0].startswith("✗ The planned action is empty.")
    assert checks[10].splitlines()[1].startswith("⚠ 3 leads named (DMc, AK, MS).")
    findings = {r + 1: value for (r, c), value in sheets["Findings"].values.items()}
    assert findings[3] == (
        "✗ RAG 'AG' is not on this tracker's legend (G, A/G, A/R). → Did you mean 'A/G'?"
    )


def test_validation_links_go_to_the_offending_cells(clicked):
    run, sheets, _ = clicked
    rows = sheets["Validation"].rows()
    header = next(r for r, row in enumerate(rows) if row[:3] == ["Sheet", "Cell", "Ref"])
    body = rows[header + 1 : header + 1 + len(run.report.findings)]
    assert body[0][1] == '=HYPERLINK("#\'Actions\'!J3","J3")'
    cells = [(row[0], row[1]) for row in body if row[1]]
    assert cells == [
        (f.sheet, hyperlink_formula(f"#'{f.sheet}'!{f.cell}", f.cell))
        for f in run.report.findings
        if f.sheet and f.cell
    ]
    assert [row[3] for row in body[:2]] == ["TL", "Varied"]  # the lead to chase


def test_a_second_run_replaces_the_generated_sheets(clicked):
    _, sheets, _ = clicked
    # The workbook as Excel holds it after the first run, clicked again.
    again = remote_book([(name, sheet.rows()) for name, sheet in sheets.items()])
    for name in TRACKER_SHEETS:  # the tracker sheets keep their values
        again.sheets[name].api["values"] = dict(calamine_sheets(SAMPLE))[name]
    run = run_button(again)
    actions = again.json()["actions"]
    deleted = [a["sheet_position"] for a in actions if a["func"] == "sheetDelete"]
    assert len(deleted) == 4
    final = replay(list(sheets), actions)
    assert list(final) == TRACKER_SHEETS + GENERATED
    assert run.report.findings == check_tracker(SAMPLE).findings  # the paper was not read


def test_a_trust_sheet_called_summary_is_never_deleted(sample_sheets):
    book = remote_book([*sample_sheets, ("Summary", [["Our own notes for the board"]])])
    assert run_and_tell(book) is None
    (alert,) = book.json()["actions"]
    assert alert["func"] == "alert"
    message = alert["args"][0]
    assert "already has a sheet called 'Summary' that wellled-xl did not make" in message
    assert "Traceback" not in message


def test_a_workbook_without_a_tracker_gets_a_clear_message(tmp_path):
    book = remote_book([("Sheet1", [["Shopping list"], ["Milk"]])], name="Book1.xlsx")
    assert run_and_tell(book) is None
    (alert,) = book.json()["actions"]
    message, title = alert["args"][:2]
    assert message.startswith("Book1.xlsx: no sheet has a tracker header row")
    assert title == "Well-led: Validate & Build" and alert["args"][3] == "critical"
    assert "Traceback" not in message


def test_an_unexpected_error_is_one_line_and_a_log_file(sample_book, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(button, "check", broken)
    monkeypatch.setattr(button.tempfile, "gettempdir", lambda: str(tmp_path))
    assert run_and_tell(sample_book) is None
    (alert,) = sample_book.json()["actions"]
    message = alert["args"][0]
    assert message.startswith("Something unexpected went wrong (RuntimeError: disk on fire).")
    assert "Traceback" not in message and str(tmp_path / "wellled_xl_error.log") in message
    assert "Traceback" in (tmp_path / "wellled_xl_error.log").read_text(encoding="utf-8")


def test_the_entry_point_runs_on_the_calling_book(sample_book, monkeypatch):
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: sample_book))
    wellled_xl.main()
    assert sample_book.json()["actions"][-1]["func"] == "alert"
    assert "4 errors" in sample_book.json()["actions"][-1]["args"][0]


def test_importing_the_package_does_not_load_xlwings():
    code = "import sys, wellled_xl; assert 'xlwings' not in sys.modules, 'xlwings loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_open_book_reads_as_the_file_does(sample_book, sample_sheets):
    read, extras = button.read_open_book(sample_book)
    assert [name for name, _ in read] == TRACKER_SHEETS
    assert extras.hidden_columns == {}  # the remote engine cannot say: nothing is hidden
    from_file = tracker_from_sheets("sample_tracker.xlsx", sample_sheets)
    from_excel = tracker_from_sheets("sample_tracker.xlsx", read)
    assert from_excel.records == [
        replace(
            record,
            values={
                k: (datetime(v.year, v.month, v.day) if type(v) is date else v)
                for k, v in record.values.items()
            },
        )
        for record in from_file.records
    ]


def test_generated_sheets_are_skipped_when_the_tracker_is_read_again(clicked, sample_sheets):
    _, sheets, _ = clicked
    with_paper = [*sample_sheets, *[(name, sheets[name].rows()) for name in GENERATED]]
    assert tracker_from_sheets("t.xlsx", with_paper).records == (
        tracker_from_sheets("t.xlsx", sample_sheets).records
    )


def test_every_generated_sheet_is_marked_in_the_file_too(paper):
    layout, path, *_ = paper
    for name, rows in _file_values(path).items():
        assert rows[0][0].startswith(f"{GENERATED_MARK} from sample_tracker.xlsx, ")
        assert rows[0][0].endswith("edit the tracker, not this sheet.")
        assert layout.sheet(name).print_setup.print_area.startswith("A2:")  # not printed


def test_a_tracker_without_a_check_column_keeps_its_shape(tmp_path):
    rows = [
        ["Ref", "Planned action", "Lead", "Progress", "RAG"],
        ["W1a", "Coaching launches", "RG", "Started", "AG"],
    ]
    book = remote_book([("Plan", rows)], name="plan.xlsx")
    run = run_and_tell(book)
    sheets = replayed(book, ["Plan"])
    assert not sheets["Plan"].set_values and not sheets["Plan"].other
    assert run.checks == {}
    assert "Plan: no Check column, so nothing was written there" in run.message()


# --- the Check column block ---------------------------------------------------------------


def _finding(row: int, severity: str, message: str, ref: str = "W1a") -> Finding:
    return Finding("Plan", f"B{row}", row, ref, "rag", "", "rule", severity, message, "")


def test_check_text_puts_errors_first_without_repeating_the_ref():
    text = check_text(
        [_finding(2, "warning", "W1a: progress is stale."), _finding(2, "error", "W1a: no lead.")]
    )
    assert text == "✗ No lead.\n⚠ Progress is stale."
    assert check_text([]) == "✓"


def test_the_check_block_clears_old_checks_and_keeps_what_is_not_ours():
    header = ["Ref", "Planned action", "Lead", "RAG", "Check"]
    rows = [
        header,
        ["W1a", "Act", "RG", "G", "✓"],
        ["", "", "", "", "✓"],  # an action deleted since the last run
        ["", "", "", "", "a note someone typed"],
        ["W1b", "Act", "RG", "G", ""],
        ["", "", "", "", "⚠ old"],
    ]
    tracker = tracker_from_sheets("t.xlsx", [("Plan", rows)])
    blocks = check_blocks(tracker, [_finding(5, "error", "W1b: no lead.", "W1b")], {"Plan": rows})
    assert blocks == {"Plan": [("E2:E3", [["'✓"], [None]]), ("E5:E6", [["'✗ No lead."], [None]])]}


# --- the overdue highlighting -------------------------------------------------------------


def test_the_overdue_rule_is_the_templates(sample_book):
    book = openpyxl.load_workbook(SAMPLE)
    template_formulas = {
        rule.formula[0]
        for formatting in book["Actions"].conditional_formatting
        for rule in formatting.rules
        if rule.type == "expression"
    }
    columns = {"ref": 1, "kloe": 2, "action": 3, "original_due": 4, "revised_due": 5,
               "previous_revisions": 6, "lead": 7, "success_measure": 8, "progress": 9,
               "rag": 10, "last_updated": 11, "check": 12}  # fmt: skip
    rules = overdue_rules(columns, 117)
    sheet = sample_book.sheets["Actions"]
    assert button.has_overdue_rules(sheet, rules) is None  # the remote engine cannot read them
    button.apply_overdue_rules(sheet, rules)
    added = [a for a in sample_book.json()["actions"] if a["func"] == "addConditionalFormat"]
    assert {a["args"][0]["formula"].lstrip("=") for a in added} == template_formulas
    spans = [(a["start_column"], a["column_count"]) for a in added]
    assert spans == [(0, 3), (5, 4), (10, 2), (3, 2)]  # A:C, F:I, K:L, then the due dates D:E
    assert added[-1]["args"][0]["font_color"] == "#c00000"


def test_what_this_excel_cannot_do_is_named_in_the_message(clicked):
    run, _, actions = clicked
    # The VBA client of the remote engine takes no alignment; Windows Excel does it all.
    assert run.written.skipped == {ALIGNMENT, RICH_TEXT, PAGE_SETUP, CHART_COLOURS}
    assert "Left out of the sheets in this Excel: cell alignment; " in actions[-1]["args"][0]


def test_part_of_cell_formatting_names_the_runs_to_style(paper):
    layout, *_ = paper
    part_a = layout.sheet("Part A")
    runs = rich_text_formats(part_a, layout)
    texts = {rich.cell: rich.text for rich in part_a.rich_text}
    struck = [r for r in runs if ("Strikethrough", True) in r.changes]
    assert struck, "the sample has revised dates"
    for run in struck:
        superseded = texts[run.cell][run.start - 1 : run.start - 1 + run.length].strip()
        assert re.fullmatch(r"(\d+ \w{3} )?\w+ \d{4}", superseded), superseded


def test_a_controlled_tracker_gets_its_overdue_rule_checked(sample_sheets):
    book = remote_book(sample_sheets)
    names = {
        "AsAt": "=Settings!$B$2",
        "RagCodes": "=Legend!$A$2:$A$4",
        "RagComplete": "=Legend!$D$2:$D$4",
    }
    for name, refers_to in names.items():
        book.api["names"].append(
            {
                "name": name,
                "refers_to": refers_to,
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
            }
        )
    run = run_button(book)
    # The remote engine cannot read conditional formats, so it adds none (no duplicates).
    assert set(run.rules.values()) == {"not checked (this Excel cannot read conditional formats)"}
    added = [a for a in book.json()["actions"] if a["func"] == "addConditionalFormat"]
    assert added  # the paper's own rules (RAG colours, overdue dates) ...
    assert {a["sheet_position"] for a in added} >= {len(sample_sheets)}
    assert min(a["sheet_position"] for a in added) >= len(sample_sheets)  # ... none on the tracker


@pytest.mark.parametrize("name", ["month_log", "cqc_plan", "seed_legacy"])
def test_the_button_papers_a_trusts_own_tracker_as_build_does(name, tmp_path):
    """A log in its own shape: the button writes the same sheets, cell for cell, as build."""
    from real_trackers import FIXTURES

    from wellled_xl.pipeline import build_board_paper

    source = FIXTURES[name][0](tmp_path / f"{name}.xlsx")
    sheets = calamine_sheets(source)
    book = remote_book(sheets, name=source.name)
    run = run_and_tell(book)
    assert run is not None
    excel = replayed(book, [n for n, _ in sheets])
    built = build_board_paper(source, run.report.as_at, output=tmp_path / "paper.xlsx")
    files = _file_values(Path(built.paths["xlsx"]))
    assert list(excel)[len(sheets) :] == [*files, "Validation"]
    for sheet_name, rows in files.items():
        written = excel[sheet_name].rows()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                got = written[r][c] if r < len(written) and c < len(written[r]) else ""
                assert _same(value, got), (sheet_name, r + 1, column_letter(c), value, got)
    message = book.json()["actions"][-1]["args"][0]
    assert f"{' and '.join(list(files)[-2:]).replace('Summary', 'the Summary')} are rebuilt" in (
        message
    )


def _saved_as(book, monkeypatch, fullname: str) -> None:
    """The workbook as Excel reports it when saved at `fullname` (a path, or a URL for a
    workbook opened from SharePoint); the remote engine's Book has only its name."""
    monkeypatch.setattr(type(book), "fullname", property(lambda self: fullname))


def test_the_word_button_writes_the_paper_as_build_docx_does(sample_book, tmp_path, monkeypatch):
    """Board paper (Word): the same layout as build --docx, written beside the workbook;
    the workbook gains nothing; the message says where."""
    import docx

    from wellled_xl.excel.button import run_word_button, tell
    from wellled_xl.pipeline import build_board_paper

    _saved_as(sample_book, monkeypatch, str(tmp_path / "sample_tracker.xlsx"))
    (tmp_path / "sample_tracker.xlsx").write_bytes(SAMPLE.read_bytes())
    run = tell(sample_book, run_word_button)
    assert run is not None and run.path == tmp_path / "sample_tracker_board_paper_2019-09-30.docx"
    actions = sample_book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]  # nothing written into the workbook
    assert str(run.path) in actions[0]["args"][0]
    built = build_board_paper(SAMPLE, output=tmp_path / "cli" / "p.xlsx", docx=True)

    def cells(path):
        return [[c.text for c in row.cells] for t in docx.Document(path).tables for row in t.rows]

    assert cells(run.path) == cells(built.paths["docx"])


def test_the_word_button_on_a_workbook_with_no_local_folder_says_where_it_went(
    sample_book, tmp_path, monkeypatch
):
    from wellled_xl.excel import button as module

    monkeypatch.setattr(module.Path, "home", classmethod(lambda cls: tmp_path))
    _saved_as(
        sample_book, monkeypatch, "https://trust.sharepoint.com/sites/board/sample_tracker.xlsx"
    )
    run = module.tell(sample_book, module.run_word_button)
    assert run is not None and run.path.parent == tmp_path
    assert "no folder on this computer" in sample_book.json()["actions"][-1]["args"][0]


# --- hidden columns and rows ----------------------------------------------------------------


def _visible_areas(path: Path) -> dict[str, tuple[set[int], set[int]]]:
    """Each sheet's hidden (columns, rows), 1-based, as openpyxl reads them from the file."""
    book = openpyxl.load_workbook(path)
    hidden = {}
    for sheet in book.worksheets:
        columns = {
            column
            for dimension in sheet.column_dimensions.values()
            if dimension.hidden
            for column in range(dimension.min, dimension.max + 1)
        }
        rows = {number for number, dimension in sheet.row_dimensions.items() if dimension.hidden}
        hidden[sheet.title] = (columns, rows)
    return hidden


def show_visible_cells(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Give the remote engine what classic xlwings has, from the tracker file: the visible
    cells of a range (`get_special_cells("visible")`), one area per run of visible rows by
    run of visible columns, as Excel returns them."""
    from xlwings.pro import _xlremote

    hidden = _visible_areas(path)

    def runs(first: int, count: int, skip: set[int]) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for index in range(first, first + count):
            if index in skip:
                continue
            if found and found[-1][1] == index - 1:
                found[-1] = (found[-1][0], index)
            else:
                found.append((index, index))
        return found

    def get_special_cells(self, cell_type, value_type):
        assert (cell_type, value_type) == ("visible", None)
        columns, rows = hidden[self.sheet.name]
        height, width = self.shape
        return [
            _xlremote.Range(
                self.sheet, f"{column_letter(left - 1)}{top}:{column_letter(right - 1)}{bottom}"
            )
            for top, bottom in runs(self.row, height, rows)
            for left, right in runs(self.column, width, columns)
        ]

    monkeypatch.setattr(_xlremote.Range, "get_special_cells", get_special_cells)


def test_the_button_reads_hidden_columns_and_rows_as_the_file_reader_does(tmp_path, monkeypatch):
    from test_hidden import SPONSOR, trust_log

    from wellled_xl.read import read_sheets as read_file_sheets

    path = trust_log(tmp_path / "log.xlsx", columns=("G",), rows=(3,))
    book = remote_book(calamine_sheets(path), name="log.xlsx")
    show_visible_cells(monkeypatch, path)
    _, extras = button.read_open_book(book)
    _, from_file = read_file_sheets(path)
    assert extras.hidden_columns == from_file.hidden_columns == {"Log": {6}}
    assert extras.hidden_rows == from_file.hidden_rows == {"Log": {2}}

    run = run_button(book)
    said = {(f.rule, f.sheet, f.cell) for f in run.report.findings}
    assert {("hidden-column", "Log", "G1"), ("hidden-rows", "Log", "A3")} <= said
    written = replayed(book, ["Log"])
    paper = written[run.paper_sheets[0]].rows()
    header = next(row for row in paper if row and row[0] == "Ref")
    assert header == ["Ref", "Action", "Lead", "Due", "Update", "RAG"]
    assert "Succession plan for each director role" in {v for row in paper for v in row}
    assert SPONSOR not in {
        v for name in run.paper_sheets for row in written[name].rows() for v in row
    }


def test_the_button_leaves_a_hidden_tracker_sheet_unread_as_the_file_reader_does(tmp_path):
    """An old copy of the log kept in a hidden sheet: said once, its actions not papered."""
    from test_hidden import trust_log

    path = trust_log(tmp_path / "log.xlsx", columns=(), rows=())
    sheets = calamine_sheets(path)
    old = [row[:] for row in sheets[0][1]]
    old[1][1] = "An action of the old copy"
    book = remote_book([*sheets, ("Old log", old)], name="log.xlsx", hidden=["Old log"])
    _, extras = button.read_open_book(book)
    assert extras.hidden == {"Old log"}
    run = run_button(book)
    said = [(f.rule, f.sheet) for f in run.report.findings if f.rule == "hidden-sheet"]
    assert said == [("hidden-sheet", "Old log")]
    assert "An action of the old copy" not in {a.action for a in run.report.actions}
    # A client that says nothing of visibility: every sheet is read as shown.
    assert button.read_open_book(remote_book(sheets, name="log.xlsx"))[1].hidden == set()


def test_where_xlwings_cannot_say_what_is_hidden_nothing_is_guessed(tmp_path):
    """The remote engine (and xlwings Lite) answers only with `await`: no visibility."""
    from test_hidden import trust_log

    path = trust_log(tmp_path / "log.xlsx", columns=("G",), rows=(3,))
    book = remote_book(calamine_sheets(path), name="log.xlsx")
    assert button.hidden_in_sheet(book.sheets[0], 4, 7) is None
