"""A long sheet is printed from a copy cut into parts: the parts hold every row once, in order."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest

from wellled_xl.cells import parse_cell, parse_range
from wellled_xl.paper.layout import PaperLayout, SheetLayout
from wellled_xl.paper.pdf import print_paper
from wellled_xl.paper.printing import (
    SHEET_NAME_LIMIT,
    for_printing,
    printed_heights,
    sheet_parts,
)
from wellled_xl.pipeline import check_tracker, paper_for
from wellled_xl.template import write_sample_tracker

AS_AT = date(2019, 9, 30)
PART_ROWS = 14  # the sample paper's sheets are 40-60 rows: every sheet is cut


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> PaperLayout:
    tracker = write_sample_tracker(tmp_path_factory.mktemp("parts") / "sample_tracker.xlsx")
    return paper_for(check_tracker(tracker, AS_AT))


def _parts_of(parts: PaperLayout, name: str) -> list[SheetLayout]:
    return [s for s in parts.sheets if s.name == name or s.name.startswith(f"{name} (")]


def _header_rows(sheet: SheetLayout) -> int:
    repeat = sheet.print_setup.repeat_rows
    return int(repeat.partition(":")[2] or repeat) if repeat else 0


def test_a_paper_with_no_long_sheet_is_printed_sheet_for_sheet_at_its_printed_heights(layout):
    printed = for_printing(layout)
    assert [s.name for s in printed.sheets] == [s.name for s in layout.sheets]
    for sheet, copy in zip(layout.sheets, printed.sheets, strict=True):
        assert copy.values == sheet.values and copy.styles == sheet.styles
        assert copy.row_heights == printed_heights(sheet, layout.styles) != sheet.row_heights
        assert all(p <= h for p, h in zip(copy.row_heights, sheet.row_heights, strict=True))
        assert copy.print_setup == sheet.print_setup and copy.merges == sheet.merges


def test_every_row_is_in_one_part_in_order_with_its_styles_and_height(layout):
    parts = for_printing(layout, PART_ROWS)
    assert len(parts.sheets) > len(layout.sheets)
    for sheet in layout.sheets:
        pieces = _parts_of(parts, sheet.name)
        assert len(pieces) > 1, sheet.name
        rows = []
        for number, piece in enumerate(pieces):
            assert len(piece.values) <= PART_ROWS or piece.charts
            skip = 0 if number == 0 else _header_rows(piece)
            grid = zip(piece.values, piece.styles, piece.row_heights, strict=True)
            rows += list(grid)[skip:]
        heights = printed_heights(sheet, layout.styles)
        assert rows == list(zip(sheet.values, sheet.styles, heights, strict=True))


def test_later_parts_repeat_the_header_row_and_print_every_row(layout):
    sheet = layout.sheet("Part A")
    header_row = int(sheet.print_setup.repeat_rows.partition(":")[0]) - 1
    first, *later = _parts_of(for_printing(layout, PART_ROWS), "Part A")
    assert first.print_setup.repeat_rows == sheet.print_setup.repeat_rows
    assert first.print_setup.print_area.startswith("A2:")  # the mark row stays unprinted
    assert first.freeze_panes == sheet.freeze_panes
    for piece in later:
        assert piece.values[0] == sheet.values[header_row]
        assert piece.print_setup.repeat_rows == "1:1"
        assert piece.print_setup.print_area == f"A1:G{len(piece.values)}"
        assert piece.print_setup.footer == sheet.print_setup.footer
        assert piece.freeze_panes is None and not piece.charts


def test_merges_rich_text_and_charts_move_with_their_rows(layout):
    parts = for_printing(layout, PART_ROWS)
    for sheet in layout.sheets:
        merged = {(sheet.values[parse_range(m)[0]][parse_range(m)[1]], m.split(":")[0][0],
                   m.split(":")[1][0]) for m in sheet.merges}  # fmt: skip
        rich = {(cell.text, cell.runs) for cell in sheet.rich_text}
        seen_merges, seen_rich = set(), set()
        for piece in _parts_of(parts, sheet.name):
            for merge in piece.merges:
                top, left, bottom, _ = parse_range(merge)
                assert bottom < len(piece.values)
                seen_merges.add((piece.values[top][left], merge.split(":")[0][0],
                                 merge.split(":")[1][0]))  # fmt: skip
            for cell in piece.rich_text:
                row, col = parse_cell(cell.cell)
                assert piece.values[row][col] == cell.text
                seen_rich.add((cell.text, cell.runs))
        assert seen_merges == merged and seen_rich == rich, sheet.name
    summary = _parts_of(parts, "Summary")
    charts = layout.sheet("Summary").charts
    assert [replace(c, height=0) for c in summary[0].charts] == [
        replace(c, height=0) for c in charts
    ]
    assert all(not piece.charts for piece in summary[1:])


def _plain_sheet(rows: int, sections: set[int] = frozenset(), name: str = "Log") -> SheetLayout:
    return SheetLayout(
        name=name,
        values=[[f"row {r}"] for r in range(rows)],
        styles=[["band" if r in sections else "text"] for r in range(rows)],
        column_widths=[10.0],
        row_heights=[15.0] * rows,
    )


def test_a_part_begins_at_a_section_when_one_is_in_its_second_half():
    sheet = _plain_sheet(30, sections={3, 8, 20})
    starts = [piece.values[0][0] for piece in sheet_parts(sheet, 10)]
    # 8 is a section in the second half of rows 0-10; none is in rows 14-18, so 18.
    assert starts == ["row 0", "row 8", "row 18", "row 28"]


def test_a_part_is_longer_only_where_a_chart_leaves_no_row_to_cut_at(layout):
    first, *_ = _parts_of(for_printing(layout, PART_ROWS), "Summary")
    assert first.charts and len(first.values) > PART_ROWS
    chart_top = parse_cell(first.charts[0].anchor)[0]
    covered = sum(first.row_heights[chart_top:]) * 4 / 3
    assert covered >= first.charts[0].height  # the chart ends within the first part


def test_a_chart_reaches_down_to_the_same_row_at_the_printed_heights(layout):
    summary = layout.sheet("Summary")
    printed = for_printing(layout).sheet("Summary")
    for chart, copy in zip(summary.charts, printed.charts, strict=True):
        top = parse_cell(chart.anchor)[0]

        def bottom(heights: list[float], height: int, top: int = top) -> float:
            """The row (with its fraction) at which a chart of `height` pixels ends."""
            row, left = top, height * 0.75
            while left > heights[row]:
                left -= heights[row]
                row += 1
            return row + left / heights[row]

        assert copy.height <= chart.height
        assert (
            abs(
                bottom(printed.row_heights, copy.height) - bottom(summary.row_heights, chart.height)
            )
            < 0.05
        )


def test_part_names_are_unique_and_short_enough():
    sheet = _plain_sheet(30, name="A" * SHEET_NAME_LIMIT)
    names = [piece.name for piece in sheet_parts(sheet, 4)]
    assert len(names) == len(set(names)) == 8
    assert all(len(name) <= SHEET_NAME_LIMIT for name in names)
    assert names[-1].endswith(" (8)")


needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed to print the paper",
)


@needs_soffice
def test_the_printed_parts_number_their_pages_on_through_the_paper(layout, tmp_path):
    from wellled_xl.paper.xlsx import write_paper

    paper = write_paper(layout, tmp_path / "paper.xlsx")
    pdf = print_paper(layout, paper, tmp_path / "paper.pdf", part_rows=PART_ROWS)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    numbers = [(int(p), int(n)) for p, n in re.findall(r"Page (\d+) of (\d+)", text)]
    pages = len(text.split("\f")) - 1
    assert numbers == [(page, pages) for page in range(1, pages + 1)]
    flat = " ".join(text.split())
    for sheet in layout.sheets:
        for row in sheet.values[1:]:  # the mark row is not printed
            if isinstance(row[0], str) and re.fullmatch(r"W\d[a-z]", row[0]):
                assert re.search(rf"\b{row[0]}\b", flat), row[0]
