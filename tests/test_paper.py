"""The board paper: built from the sample tracker, read back with calamine, openpyxl and poppler."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.cell.rich_text import CellRichText
from trackers import read_sheets

from wellled_xl.model import Lead, Legend, LegendEntry, Settings
from wellled_xl.paper import layout as paper_layout
from wellled_xl.paper.layout import date_label, layout_paper, natural_key, position_text
from wellled_xl.paper.pdf import render_pdf
from wellled_xl.paper.xlsx import write_paper
from wellled_xl.pipeline import build_board_paper, check_tracker
from wellled_xl.rules import title_of
from wellled_xl.sample import SAMPLE_LEGEND
from wellled_xl.template import write_sample_tracker, write_tracker

AS_AT = date(2019, 9, 30)
PART_A_BANDS = {
    "W1": ["W1a", "W1b"],
    "W2": ["W2a", "W2b", "W2c"],
    "W3": ["W3a", "W3b", "W3c"],
    "W4": ["W4a"],
    "W5": ["W5a", "W5b"],
    "W6": ["W6a", "W6b"],
    "W7": ["W7a"],
    "W8": ["W8a", "W8b"],
}
PART_A_HEADER = ["Ref", "Planned action", "Timescale", "Lead", "Success measure",
                 "Progress update", "RAG"]  # fmt: skip
PART_B_HEADER = ["No.", "CQC finding", "Planned action", "Progress", "Lead", "RAG"]
INJECTIONS = ["=1+1", "+SUM(A1)", "-2", "@x", '=HYPERLINK("http://x","y")']
LEGEND_COLOURS = {entry.code: entry.colour for entry in SAMPLE_LEGEND.entries}


# --- fixtures: one sample tracker and one paper for the module --------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("paper")


@pytest.fixture(scope="module")
def tracker(folder: Path) -> Path:
    return write_sample_tracker(folder / "sample_tracker.xlsx")


@pytest.fixture(scope="module")
def built(tracker: Path, folder: Path):
    return build_board_paper(tracker, AS_AT, output=folder / "paper.xlsx")


@pytest.fixture(scope="module")
def paper(built) -> Path:
    return Path(built.paths["xlsx"])


@pytest.fixture(scope="module")
def values(paper: Path) -> dict[str, list[list]]:
    return read_sheets(paper)


@pytest.fixture(scope="module")
def styled(paper: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(paper, rich_text=True)


def _rows_after_header(rows: list[list], header: list[str]) -> list[list]:
    start = next(i for i, row in enumerate(rows) if row[: len(header)] == header)
    body = []
    for row in rows[start + 1 :]:
        if all(cell in ("", None) for cell in row):
            break
        body.append(row)
    return body


def _summary_table(rows: list[list], heading: str) -> tuple[dict[str, int], list[list]]:
    """The table under a Summary heading: its columns by name and its data rows."""
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith(heading))
    columns = {name: col for col, name in enumerate(rows[start + 1]) if name != ""}
    body = []
    for row in rows[start + 2 :]:
        if all(cell == "" for cell in row):
            break
        body.append(row)
    return columns, body


def _part_a_refs(rows: list[list]) -> dict[str, list[str]]:
    bands: dict[str, list[str]] = {}
    band = None
    for row in _rows_after_header(rows, PART_A_HEADER):
        if row[0] in ("KLOE", "Other actions"):
            band = row[1].split(":")[0] if row[0] == "KLOE" else row[0]
            bands[band] = []
        elif row[0] and any(row[1:]):  # not the note of a KLOE with no actions
            bands[band].append(row[0])
    return bands


# --- the paper's content ---------------------------------------------------------------


def test_title_block_names_the_paper_and_its_position(values):
    # Row 1 is the generated-sheet mark (tests/test_excel.py checks it).
    titles = [row[0] for row in values["Part A"][1:5]]
    assert titles == [
        "The well-led framework",
        "PART A Board self-review against KLOEs: 2018/19 deliverables",
        "PART B CQC Inspection findings: October 2018",
        "Position as at end of September 2019",
    ]
    assert values["Part B"][2][0] == "Position as at end of September 2019"


@pytest.mark.parametrize(
    ("as_at", "wording"),
    [
        (date(2019, 9, 30), "Position as at end of September 2019"),
        (date(2019, 10, 15), "Position as at 15 October 2019"),
        (date(2020, 2, 29), "Position as at end of February 2020"),
        (date(2019, 2, 28), "Position as at end of February 2019"),
        (date(2020, 2, 28), "Position as at 28 February 2020"),
    ],
)
def test_position_is_worded_from_the_as_at_date(as_at, wording):
    assert position_text(as_at) == wording


def test_a_mid_month_as_at_date_reaches_the_title_block(tracker):
    paper = layout_paper(check_tracker(tracker, date(2019, 10, 15)))
    assert paper.sheet("Part A").values[4][0] == "Position as at 15 October 2019"


def test_due_dates_read_as_board_papers_write_them():
    assert date_label(date(2019, 3, 31)) == "March 2019"
    assert date_label(date(2019, 3, 15)) == "15 Mar 2019"


def test_part_a_refs_sit_under_their_kloe_band_in_order(values):
    assert _part_a_refs(values["Part A"]) == PART_A_BANDS
    assert _rows_after_header(values["Part A"], PART_A_HEADER)[0][:2] == [
        "KLOE",
        "W1: Is there the leadership capacity and capability to deliver high quality, "
        "sustainable care?",
    ]


def test_part_b_lists_findings_in_number_order(values):
    body = _rows_after_header(values["Part B"], PART_B_HEADER)
    assert [row[0] for row in body] == [str(n) for n in range(1, 15)]
    assert body[1][1] == "Leaders were not always visible."
    assert body[1][4] == "RW"


@pytest.fixture(scope="module")
def odd_paper(folder: Path):
    """A tracker with refs out of order, actions with no KLOE, a dated Part B action and a
    long seven-status legend."""
    actions = [
        {"ref": ref, "kloe": kloe, "action": f"Action {ref}", "original_due": "2020-03",
         "lead": "KD", "success_measure": "Done", "progress": "Going well", "rag": "A/G"}
        for ref, kloe in [("W1b", "W1"), ("W1aa", "W1"), ("W1a", "W1"), ("W1z", "W1"),
                          ("X2", ""), ("X10", ""), ("W3a", "W3")]
    ]  # fmt: skip
    findings = [
        {"ref": "1", "finding": "Leaders were not visible.", "action": "Walkabouts",
         "original_due": "2019-03", "revised_due": "2019-06", "lead": "KD",
         "progress": "Started", "rag": "A/G"}
    ]  # fmt: skip
    long = "a meaning long enough to push the printed footer past Excel's 255 characters"
    legend = Legend(
        (*SAMPLE_LEGEND.entries,
         *(LegendEntry(code, f"{code}: {long}", "0070C0", False) for code in "BCDE"))
    )  # fmt: skip
    source = write_tracker(
        folder / "odd.xlsx", settings=Settings(as_at=AS_AT), legend=legend,
        leads=(Lead("KD"),), actions=actions, findings=findings,
    )  # fmt: skip
    return layout_paper(check_tracker(source))


def test_refs_sort_naturally_and_actions_without_kloe_come_last(odd_paper):
    refs = _part_a_refs(odd_paper.sheet("Part A").values)
    assert refs["W1"] == ["W1a", "W1b", "W1z", "W1aa"]
    assert "W2" not in refs  # a KLOE with no actions gets no band: no empty bands
    assert refs["W3"] == ["W3a"]
    assert list(refs)[-1] == "Other actions"
    assert refs["Other actions"] == ["X2", "X10"]
    assert sorted(["W10a", "W2a", "W1b", "W1aa"], key=natural_key) == [
        "W1b", "W1aa", "W2a", "W10a"
    ]  # fmt: skip


def test_a_dated_part_b_action_shows_its_due_date_and_is_flagged(odd_paper):
    body = _rows_after_header(odd_paper.sheet("Part B").values, PART_B_HEADER)
    assert body[0][2] == "Walkabouts\nDue: March 2019\nJune 2019\n92 days overdue"


def test_a_long_legend_still_fits_the_printed_footer(odd_paper):
    for sheet in odd_paper.sheets:
        footer = sheet.print_setup.footer.excel()
        assert len(footer) <= 255
        assert "&BE&B" in footer and "Page &P of &N" in footer


def test_rag_cells_carry_the_legend_colours_and_strays_are_shown_as_typed(styled, values):
    seen = set()
    for name, header, rag_col in (("Part A", PART_A_HEADER, 6), ("Part B", PART_B_HEADER, 5)):
        sheet = styled[name]
        start = next(i for i, r in enumerate(values[name]) if r[: len(header)] == header)
        for row in sheet.iter_rows(min_row=start + 2):
            ref, cell = row[0].value, row[rag_col]
            if not isinstance(ref, str) or ref in ("KLOE", "Status") or not cell.value:
                continue
            text = str(cell.value)
            code = text.split("\n")[0]
            seen.add(code)
            if code in LEGEND_COLOURS:
                assert text == code
                assert cell.fill.fill_type == "solid"
                assert cell.fill.fgColor.rgb[-6:] == LEGEND_COLOURS[code], (name, ref)
            else:
                assert cell.fill.fill_type is None, (name, ref, code)
                assert "not on legend" in text
                assert cell.font.color.rgb[-6:] == "C00000"
    assert {"R", "AG", "G", "A/G", "A/R"} <= seen
    part_a = _rows_after_header(values["Part A"], PART_A_HEADER)
    assert next(r for r in part_a if r[0] == "W1b")[6] == "R\n(not on legend)"
    part_b = _rows_after_header(values["Part B"], PART_B_HEADER)
    assert part_b[1][5] == "AG\n(not on legend)"


def test_overdue_flags_exactly_the_overdue_actions(built, styled, values):
    overdue = {a.ref: a.days_overdue for a in built.overdue}
    assert len(overdue) == 12
    rows = _rows_after_header(values["Part A"], PART_A_HEADER)
    flagged = {}
    for row in rows:
        found = re.search(r"(\d+) days? overdue", str(row[2]))
        if found and row[0] != "KLOE":
            flagged[row[0]] = int(found.group(1))
    assert flagged == overdue
    sheet = styled["Part A"]
    for row in sheet.iter_rows():
        if row[0].value in overdue:
            assert row[2].font.color.rgb[-6:] == "C00000" and row[2].font.b
        elif row[0].value in PART_A_BANDS["W4"] + ["W6a", "W7a"]:
            assert not row[2].font.b


def test_timescale_strikes_superseded_dates(styled):
    cell = next(row[2] for row in styled["Part A"].iter_rows() if row[0].value == "W8a")
    assert isinstance(cell.value, CellRichText)
    runs = [(block.text.strip(), bool(block.font.strike)) for block in cell.value]
    assert runs[:3] == [("January 2019", True), ("March 2019", True), ("April 2019", False)]
    assert runs[3] == ("153 days overdue", False)
    single = next(row[2] for row in styled["Part A"].iter_rows() if row[0].value == "W4a")
    assert single.value == "December 2019"


def test_legend_is_under_each_table_and_in_the_footer(styled, values):
    for name in ("Part A", "Part B"):
        rows = values[name]
        start = next(i for i, row in enumerate(rows) if row[0] == "Status")
        legend_rows = [(row[0], row[1]) for row in rows[start + 1 : start + 4]]
        assert legend_rows == [(e.code, e.meaning) for e in SAMPLE_LEGEND.entries]
        footer = styled[name].oddFooter
        for entry in SAMPLE_LEGEND.entries:
            assert f"&B{entry.code}&B {entry.meaning}" in footer.left.text
        assert footer.right.text == "Page &P of &N"
    note = next(row[0] for row in values["Part A"] if str(row[0]).startswith("R: not on"))
    assert "shown as typed" in note


def test_sheets_are_set_up_for_printing(built, styled):
    layout = layout_paper(built)
    assert styled.sheetnames == ["Part A", "Part B", "Summary"]
    for sheet in styled.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape"
        assert setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1) == 1  # absent means 1 in OOXML
        assert setup.fitToHeight == 0
        assert sheet.print_area
        # Every row has its estimated height (XlsxWriter leaves out the default, 15).
        heights = layout.sheet(sheet.title).row_heights
        assert len(heights) == sheet.max_row
        for row, height in enumerate(heights, start=1):
            assert (sheet.row_dimensions[row].height or 15) == height, (sheet.title, row)
    # Rows shifted by one for the generated-sheet mark in row 1, which is not printed.
    assert styled["Part A"].print_title_rows == "$8:$8"
    assert styled["Part B"].print_title_rows == "$6:$6"
    assert styled["Part A"].freeze_panes == "A9"
    assert all("!$A$2:" in sheet.print_area for sheet in styled.worksheets)
    part_a = styled["Part A"]
    w3a = next(row[0].row for row in part_a.iter_rows() if row[0].value == "W3a")
    w7a = next(row[0].row for row in part_a.iter_rows() if row[0].value == "W7a")
    assert part_a.row_dimensions[w3a].height > 100  # a long update gets a tall row
    assert part_a.row_dimensions[w3a].height > part_a.row_dimensions[w7a].height
    assert part_a.cell(w3a, 6).alignment.wrap_text
    assert part_a.column_dimensions["F"].width > 3 * part_a.column_dimensions["A"].width


def test_chart_series_are_the_legend_in_its_colours(paper, values):
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}  # fmt: skip
    with zipfile.ZipFile(paper) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(archive.read(charts[0]))
    bar = root.find(".//c:barChart", ns)
    assert bar.find("c:barDir", ns).get("val") == "bar"
    assert bar.find("c:grouping", ns).get("val") == "stacked"
    series = bar.findall("c:ser", ns)
    names = [s.find("c:tx//c:v", ns).text for s in series]
    colours = [s.find("c:spPr/a:solidFill/a:srgbClr", ns).get("val") for s in series]
    # The legend's statuses, then the sample's R and AG, which are on no legend: the chart
    # shows them as the table counts them (W1's 2 actions, Part B's 14), never hides them.
    assert names == [*LEGEND_COLOURS, "Not on legend"]
    assert colours == [*LEGEND_COLOURS.values(), "7F7F7F"]
    assert series[0].find("c:cat//c:f", ns).text.replace("'", "") == "Summary!$A$8:$A$16"
    # The data a viewer shows before it recalculates: the sheet's own labels and counts.
    rows = values["Summary"][7:16]
    header = values["Summary"][6]
    for ser, name in zip(series, names, strict=True):
        column = header.index(name)
        categories = [p.text for p in ser.findall("c:cat/c:strRef/c:strCache/c:pt/c:v", ns)]
        counts = [float(p.text) for p in ser.findall("c:val/c:numRef/c:numCache/c:pt/c:v", ns)]
        assert categories == [row[0] for row in rows]
        assert counts == [row[column] for row in rows]
    totals = [sum(float(p.text) for p in ser.findall("c:val/c:numRef/c:numCache/c:pt/c:v", ns))
              for ser in series]  # fmt: skip
    assert sum(totals) == 30  # every action is a bar


def test_summary_counts_rag_per_kloe_and_part_b(built, values):
    columns, body = _summary_table(values["Summary"], "RAG status by KLOE")
    by_label = {row[0]: row for row in body}
    assert list(by_label) == [*PART_A_BANDS, "Part B", "Total"]
    w1 = by_label["W1"]
    assert (w1[columns["A/G"]], w1[columns["Not on legend"]], w1[columns["Total"]]) == (1, 1, 2)
    part_b = by_label["Part B"]
    assert part_b[columns["Total"]] == 14 and part_b[columns["Not on legend"]] == 1
    assert by_label["Total"][columns["Overdue"]] == len(built.overdue)
    assert by_label["Total"][columns["Total"]] == len(built.actions)


def test_summary_overdue_list_matches_the_report(built, values):
    columns, body = _summary_table(values["Summary"], "Overdue actions")
    listed = [
        (row[columns["Ref"]], row[columns["Lead"]], row[columns["Due date"]],
         int(row[columns["Days overdue"]]))
        for row in body
    ]  # fmt: skip
    assert listed == [(a.ref, a.lead, a.due_date, a.days_overdue) for a in built.overdue]


def test_summary_lists_slipped_actions_with_their_revisions(built, values):
    columns, body = _summary_table(values["Summary"], "Slipped actions")
    listed = {row[columns["Ref"]]: int(row[columns["Revisions"]]) for row in body}
    assert listed == {a.ref: a.revision_count for a in built.actions if a.slipped}
    assert listed["W8a"] == 2


def test_summary_shows_every_finding(built, values):
    columns, body = _summary_table(values["Summary"], "Validation findings")
    shown = [
        tuple(row[columns[name]] for name in
              ("Sheet", "Cell", "Ref", "Severity", "Problem", "Message", "Suggestion"))
        for row in body
    ]  # fmt: skip
    # The board reads words, not rule codes: "Status not on the legend", not rag-unknown.
    expected = [
        (f.sheet or "Workbook", f.cell, f.ref, f.severity, title_of(f.rule), f.message,
         f.suggestion)
        for f in built.findings
    ]  # fmt: skip
    assert "rag-unknown" not in {row[4] for row in shown}
    assert shown == expected
    assert len(shown) == 8


# --- safety and determinism --------------------------------------------------------------


def test_progress_that_looks_like_a_formula_stays_text(tmp_path):
    actions = [
        {"ref": f"W1{letter}", "kloe": "W1", "action": "Plan", "original_due": "2020-03",
         "lead": "KD", "success_measure": "Done", "progress": text, "rag": "A/G"}
        for letter, text in zip("abcde", INJECTIONS, strict=True)
    ]  # fmt: skip
    source = write_tracker(
        tmp_path / "t.xlsx", settings=Settings(as_at=AS_AT), legend=SAMPLE_LEGEND,
        leads=(Lead("KD"),), actions=actions,
    )  # fmt: skip
    report = build_board_paper(source, output=tmp_path / "paper.xlsx")
    rows = read_sheets(report.paths["xlsx"])["Part A"]
    progress = [row[5] for row in _rows_after_header(rows, PART_A_HEADER) if row[0] != "KLOE"]
    assert [p for p in progress if p] == INJECTIONS
    # Excel's quote prefix on each: a person editing the cell (F2, Enter) keeps it text.
    part_a = openpyxl.load_workbook(report.paths["xlsx"])["Part A"]
    prefixed = [c.value for row in part_a.iter_rows() for c in row if c.quotePrefix]
    assert sorted(prefixed) == sorted(INJECTIONS)
    with zipfile.ZipFile(report.paths["xlsx"]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert "<f>" not in archive.read(name).decode()


def test_every_cell_reads_back_as_laid_out(built, paper, values, styled):
    """The file holds the layout exactly: values (calamine), styles, heights and rich text
    (openpyxl), cell by cell, on every sheet."""
    layout = layout_paper(built)
    for sheet in layout.sheets:
        read_values, book_sheet = values[sheet.name], styled[sheet.name]
        for r, (row, styles) in enumerate(zip(sheet.values, sheet.styles, strict=True)):
            height = book_sheet.row_dimensions[r + 1].height
            assert (height or 15.0) == sheet.row_heights[r], (sheet.name, r + 1)
            for c, (value, style_name) in enumerate(zip(row, styles, strict=True)):
                where = (sheet.name, r + 1, c + 1)
                # calamine leaves out the empty cells after a row's last value
                read = read_values[r][c] if r < len(read_values) and c < len(read_values[r]) else ""
                if hasattr(read, "date") and isinstance(value, date):
                    read = read.date() if callable(read.date) else read
                assert read == ("" if value is None else value), where
                cell = book_sheet.cell(r + 1, c + 1)
                if isinstance(cell, MergedCell):  # openpyxl keeps a merge's style on its first
                    continue
                if style_name is None:
                    assert cell.style_id == 0, where
                    continue
                style = layout.styles[style_name]
                assert (cell.font.name, cell.font.sz, bool(cell.font.b)) == (
                    style.font_name, style.size, style.bold), where  # fmt: skip
                assert cell.font.color.rgb[-6:] == style.colour, where
                assert (cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None) == style.fill
                assert (cell.border.left.style == "thin") == style.border, where
                assert bool(cell.alignment.wrap_text) == style.wrap, where
                assert cell.number_format == (style.number_format or "General"), where
        for rich in sheet.rich_text:
            text = book_sheet[rich.cell].value
            runs = list(rich.runs)
            if len(runs) < 2:
                assert text == rich.text
                continue
            assert isinstance(text, CellRichText), rich.cell
            assert [str(part.text) for part in text] == [run.text for run in runs]
            assert [bool(part.font.strike) for part in text] == [run.strike for run in runs]
            assert [part.font.color.rgb[-6:] for part in text] == [run.colour for run in runs]


def test_markup_quotes_and_control_characters_survive_as_text(tmp_path):
    markup = '<b>Tom & "Jerry"</b> it\'s <!-- not a comment --> ]]>'
    # The tracker holds a control character (write_tracker stores it as Excel does, _x0007_),
    # which the paper must carry through too; and text that only looks like an escape.
    tricky = markup + " \x07\tbell"
    actions = [{"ref": "W1a", "kloe": "W1", "action": tricky, "original_due": "2019-03",
                "revised_due": "2019-06", "lead": "KD", "success_measure": "  padded  ",
                "progress": "_x0041_ looks like an escape", "rag": "A/G"}]  # fmt: skip
    findings = [{"ref": "1", "finding": "F & <G>", "action": tricky,
                 "original_due": "2019-03", "revised_due": "2019-06", "lead": "KD",
                 "progress": "p", "rag": "A/G"}]  # fmt: skip
    source = write_tracker(
        tmp_path / "t.xlsx", settings=Settings(as_at=AS_AT), legend=SAMPLE_LEGEND,
        leads=(Lead("KD"),), actions=actions, findings=findings,
    )  # fmt: skip
    report = build_board_paper(source, output=tmp_path / "paper.xlsx")
    # Read back as typed: the escape-like text is text, the control character a character.
    assert report.actions[0].progress == "_x0041_ looks like an escape"
    assert report.actions[0].action == tricky
    layout = layout_paper(report)
    sheets = read_sheets(report.paths["xlsx"])
    for name in ("Part A", "Part B"):
        read = sheets[name]
        laid_out = layout.sheet(name).values
        texts = [v for row in laid_out for v in row if isinstance(v, str)]
        assert any(markup in text and "\x07\tbell" in text for text in texts), name
        for r, row in enumerate(laid_out):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    assert read[r][c] == value, (name, r + 1, c + 1)
    part_b = openpyxl.load_workbook(report.paths["xlsx"], rich_text=True)["Part B"]
    rich = [c.value for row in part_b.iter_rows() for c in row if isinstance(c.value, CellRichText)]
    assert rich and any(markup in str(value) for value in rich)


@pytest.mark.parametrize(
    "text",
    ["_x0041_ is not an A", "bell \x07 and \x1f unit", "  two leading spaces",
     "trailing newline\n", "<b>&amp;</b> & < >", "tab\tand\nbreak"],
)  # fmt: skip
def test_any_text_reads_back_exactly_as_laid_out(built, tmp_path, text):
    target, row = _paper_with_progress(built, tmp_path, text)
    assert read_sheets(target)["Part A"][row][5] == text
    if "_x" not in text and not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        # openpyxl leaves Excel's _xHHHH_ escapes as they are (Excel and calamine undo
        # them), so it can only check text that needs none.
        assert openpyxl.load_workbook(target)["Part A"].cell(row + 1, 6).value == text


@pytest.mark.parametrize("text", ["x" * 40_000, "_x0041_ " + "x" * 40_000])
def test_text_longer_than_a_cell_holds_is_cut_at_excels_limit(built, tmp_path, text):
    target, row = _paper_with_progress(built, tmp_path, text)
    assert len(read_sheets(target)["Part A"][row][5]) == 32767


def _paper_with_progress(built, tmp_path: Path, text: str) -> tuple[Path, int]:
    """The sample's paper written with `text` as a Part A progress update, as a lead might
    have typed it; returns the file and the 0-based row of that cell."""
    paper = layout_paper(built)
    part_a = paper.sheet("Part A")
    row = next(r for r, styles in enumerate(part_a.styles) if styles[5] == "text")
    part_a.values[row][5] = text
    return write_paper(paper, tmp_path / "paper.xlsx"), row


def test_same_tracker_and_date_give_the_same_paper(tracker, paper, tmp_path):
    again = build_board_paper(tracker, AS_AT, output=tmp_path / "again.xlsx").paths["xlsx"]

    def read(path):
        book = openpyxl.load_workbook(path, rich_text=True)
        return {
            sheet.title: [
                (c.coordinate, str(c.value), c.font.b, c.font.i, c.font.color and c.font.color.rgb,
                 c.fill.fgColor.rgb, c.border.left.style, c.alignment.wrap_text, c.number_format)
                for row in sheet.iter_rows() for c in row
            ] + [tuple(sheet.merged_cells.ranges).__str__()]
            for sheet in book.worksheets
        }  # fmt: skip

    assert read(paper) == read(again)
    assert Path(paper).read_bytes() == Path(again).read_bytes()


def test_paper_goes_nowhere_near_the_tracker(tracker, tmp_path):
    from wellled_xl.errors import UnsafeWrite

    before = tracker.read_bytes()
    with pytest.raises(UnsafeWrite):
        build_board_paper(tracker, AS_AT, output=tracker.parent / "." / tracker.name)
    assert tracker.read_bytes() == before


# --- the layout as plain data -------------------------------------------------------------


def test_layout_module_imports_no_spreadsheet_library():
    tree = ast.parse(Path(paper_layout.__file__).read_text())
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
    }  # fmt: skip
    assert not imported & {"openpyxl", "xlsxwriter", "xlwings"}


def test_layout_grids_are_dense_and_style_ranges_cover_each_cell_once(built):
    paper = layout_paper(built)
    for sheet in paper.sheets:
        width = len(sheet.column_widths)
        assert all(len(row) == width for row in sheet.values)
        assert all(len(row) == width for row in sheet.styles)
        assert len(sheet.row_heights) == len(sheet.values)
        styled_cells = {
            (r, c) for r, row in enumerate(sheet.styles) for c, name in enumerate(row) if name
        }
        covered: list[tuple[int, int]] = []
        for name, ranges in sheet.style_ranges().items():
            assert name in paper.styles
            for block in ranges:
                first, _, last = block.partition(":")
                (r0, c0), (r1, c1) = _rowcol(first), _rowcol(last or first)
                covered += [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
                assert {sheet.styles[r][c] for r in range(r0, r1 + 1)
                        for c in range(c0, c1 + 1)} == {name}  # fmt: skip
        assert sorted(covered) == sorted(styled_cells)
        for rich in sheet.rich_text:
            r, c = _rowcol(rich.cell)
            assert sheet.values[r][c] == rich.text
            assert all(run.text for run in rich.runs)


def _rowcol(a1: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", a1).groups()
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(digits) - 1, col - 1


# --- the PDF ------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed to print the paper",
)


@pytest.fixture(scope="module")
def pdf(paper: Path) -> Path:
    return render_pdf(paper, paper.with_suffix(".pdf"))


@needs_soffice
def test_pdf_has_the_title_every_ref_the_legend_and_page_numbers(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "The well-led framework" in flat
    assert "Position as at end of September 2019" in flat
    for refs in PART_A_BANDS.values():
        for ref in refs:
            assert re.search(rf"\b{ref}\b", flat), ref
    for entry in SAMPLE_LEGEND.entries:
        assert f"{entry.code} {entry.meaning}" in flat
    assert "Page 1 of" in flat
    assert "RAG status by KLOE" in flat


@needs_soffice
def test_pdf_first_page_shows_legend_colours(pdf, tmp_path):
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    width, height, pixels = _read_ppm(next(tmp_path.glob("page*.ppm")))
    counts = dict.fromkeys(LEGEND_COLOURS, 0)
    targets = {code: bytes.fromhex(colour) for code, colour in LEGEND_COLOURS.items()}
    for i in range(0, width * height * 3, 3):
        pixel = pixels[i : i + 3]
        for code, target in targets.items():
            if all(abs(p - t) <= 6 for p, t in zip(pixel, target, strict=True)):
                counts[code] += 1
    assert counts["A/G"] > 50 and counts["A/R"] > 50, counts


def _read_ppm(path: Path) -> tuple[int, int, bytes]:
    """A binary PPM (P6): header tokens, then width x height RGB triples."""
    data = path.read_bytes()
    tokens = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(tokens.group(1)), int(tokens.group(2))
    return width, height, data[tokens.end() :]


def test_write_paper_replaces_an_existing_file_atomically(built, tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    write_paper(layout_paper(built), target)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_merged_ranges_read_back_and_a_merge_that_is_no_range_is_refused(built, styled, tmp_path):
    summary = layout_paper(built).sheet("Summary")
    read = {str(merge) for merge in styled["Summary"].merged_cells.ranges}
    assert read == set(summary.merges) and len(read) > 40  # the lists' rows are merged
    layout = layout_paper(built)
    layout.sheets[-1].merges.append("H9:H")
    with pytest.raises(ValueError, match="'H9:H' on Summary is not a range"):
        write_paper(layout, tmp_path / "bad.xlsx")
    assert not (tmp_path / "bad.xlsx").exists()


def test_a_tracker_with_one_error_a_row_gives_a_readable_findings_list(tmp_path):
    """5,000 rows sharing a ref: the Summary lists 25 and counts the rest in one line; the
    JSON keeps every finding, each naming a few other rows, not 4,999."""
    from trackers import write_rows

    rows = [["Ref", "Action", "Lead", "RAG", "Progress", "Target date"]]
    rows += [["W1a", f"Action {n}", "RG", "G", "Done", "March 2020"] for n in range(5000)]
    source = write_rows(tmp_path / "dup.xlsx", rows)
    report = build_board_paper(source, AS_AT, output=tmp_path / "p.xlsx")
    duplicates = [f for f in report.findings if f.rule == "ref-duplicate"]
    assert len(duplicates) == 5000
    assert duplicates[0].message == "Ref W1a is used again in rows 3, 4, 5 and 4,996 more."
    summary = read_sheets(tmp_path / "p.xlsx")["Summary"]
    columns, body = _summary_table(summary, "Validation findings")
    listed = [row for row in body if row[columns["Message"]].startswith("Ref W1a is used again")]
    assert len(listed) == 25
    notes = [str(row[0]) for row in summary if str(row[0]).startswith("… and 4,975 more")]
    assert notes == [
        "… and 4,975 more 'Ref used twice' on Action plan (A27, A28, A29, A30, A31, A32, A33, A34 "
        "and 4,967 more): validate --json lists every one."
    ]


def test_the_paper_is_deflated_at_zlibs_fastest_level(paper: Path) -> None:
    """Each part of the package is exactly what raw deflate at level 1 makes of it (the
    level XlsxWriter is given in `_PaperBook`; at its default, 6, parts come out smaller)."""
    import zlib

    with zipfile.ZipFile(paper) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            fastest = zlib.compressobj(1, zlib.DEFLATED, -15)
            assert info.compress_size == len(fastest.compress(data) + fastest.flush()), info
