"""A sheet holding two tables: the seed kept in Excel as one sheet, Part A and then Part B
under its own title and header, each read with its own columns (issue: Part B's cells were
read into Part A's fields). Trackers built with openpyxl, papers read back with
python-calamine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from real_trackers import (
    SEED_LEGEND,
    SEED_PART_A_HEADER,
    SEED_PART_B_HEADER,
    W1,
    W2,
    _write_sheet,
    build_seed_legacy,
)
from trackers import read_sheets, run_cli

from wellled_xl.pipeline import build_board_paper, check_tracker

AS_AT = date(2019, 9, 30)
SHEET = "Well-led tracker"
PART_B_TITLE = "PART B CQC Inspection provider well-led findings: October 2018: Delivery Status"

# The seed paper kept as one sheet, as a lead types it from the printed paper: Part A with
# its KLOE bands and legend rows, a blank row, Part B's title, then Part B's own header.
ONE_SHEET: list[list[object]] = [
    ["The well-led framework"],  # 1
    ["Position as at end of September 2019"],
    SEED_PART_A_HEADER,  # 3
    ["KLOE", W1],
    ["W1a", "Coaching and mentoring programme launches", "March 2019 July 2019", "RG",
     "75 enrolees commenced in formal coaching programme",
     "80 people are receiving formal coaching through ILM Level 5 and 7.", "A/G"],
    ["W1b", "Finalised succession plan for each director role", "February 2019", "TL",
     "Remuneration Committee agrees plan",
     "A revised plan has been accepted by the Remuneration Committee.", "A/R"],
    SEED_LEGEND,  # 7
    ["KLOE", W2],
    ["W2a", "Full delivery of Board's IT turnaround plan", "January 2019", "Varied",
     "As per plan: 10 weeks resilience", "P1 have reduced and replacement of ICM is expected.",
     "A/R"],
    SEED_LEGEND,  # 10
    [],
    [PART_B_TITLE],  # 12
    SEED_PART_B_HEADER,  # 13
    ["1.", "Not all leaders had the necessary experience, knowledge or capability to lead "
     "effectively.", "We will ensure PDR outcomes for 2018-19 and 2019-20 are available.",
     "Changes have been made within the paediatric directorate.", "TL", "A/G"],
    ["2.", "Leaders were not always visible.",
     "We will take forward our we connect engagement strategy.",
     "First Friday is being reintroduced in November.", "RW", "AG"],
    ["3.", "Fit and Proper Person checks were not in place.",
     "File completion will be notified to the Chairman by June 30th.",
     "The files are now complete and have been subject to scrutiny.", "KD", "G"],
    SEED_LEGEND,  # 17
]  # fmt: skip


def build_one_sheet(path: Path, rows: list[list[object]] = ONE_SHEET) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    _write_sheet(sheet, rows, widths=[7, 40, 14, 12, 30, 50, 7], bold_rows={3, 12, 13})
    book.save(path)
    return path


@pytest.fixture(scope="module")
def one_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_one_sheet(tmp_path_factory.mktemp("tables") / "one_sheet.xlsx")


def test_the_second_header_starts_a_table_read_with_its_own_columns(one_sheet: Path) -> None:
    report = check_tracker(one_sheet, AS_AT)
    got = [
        (a.sheet, a.row, a.part, a.ref, a.finding[:20], a.action[:20], a.lead, a.rag,
         a.progress[:20])
        for a in report.actions
    ]  # fmt: skip
    assert got == [
        (SHEET, 5, "A", "W1a", "", "Coaching and mentori", "RG", "A/G", "80 people are receiv"),
        (SHEET, 6, "A", "W1b", "", "Finalised succession", "TL", "A/R", "A revised plan has b"),
        (SHEET, 9, "A", "W2a", "", "Full delivery of Boa", "Varied", "A/R", "P1 have reduced and "),
        (SHEET, 14, "B", "1.", "Not all leaders had ", "We will ensure PDR o", "TL", "A/G",
         "Changes have been ma"),
        (SHEET, 15, "B", "2.", "Leaders were not alw", "We will take forward", "RW", "AG",
         "First Friday is bein"),
        (SHEET, 16, "B", "3.", "Fit and Proper Perso", "File completion will", "KD", "G",
         "The files are now co"),
    ]  # fmt: skip
    # Part A's KLOEs from its bands; Part B's rows under no band, its title no band.
    assert [(a.ref, a.kloe, a.group) for a in report.actions] == [
        ("W1a", "W1", W1), ("W1b", "W1", W1), ("W2a", "W2", W2),
        ("1.", "", ""), ("2.", "", ""), ("3.", "", ""),
    ]  # fmt: skip
    shapes = report.tracker.shapes
    assert [(s.name, s.table, s.part, s.header_row, s.title, s.groups) for s in shapes] == [
        (SHEET, 1, "A", 3, ["The well-led framework", "Position as at end of September 2019"],
         [W1, W2]),
        (SHEET, 2, "B", 13, [PART_B_TITLE], []),
    ]  # fmt: skip
    assert [(c.letter, c.header, c.read_as) for c in shapes[1].columns] == [
        ("A", "", "ref"),
        ("B", "CQC finding", "finding"),
        ("C", "Planned action", "action"),
        ("D", "Progress", "progress"),
        ("E", "Lead", "lead"),
        ("F", "RAG", "rag"),
    ]
    # The legend rows under both tables are the scale, not actions.
    assert report.tracker.legend.codes == ("G", "A/G", "A/R")
    assert shapes[0].scale_rows == [7, 10] and shapes[1].scale_rows == [17]


def test_findings_point_at_the_real_sheet_and_cells(one_sheet: Path) -> None:
    report = check_tracker(one_sheet, AS_AT)
    assert [(f.sheet, f.cell, f.rule, f.suggestion) for f in report.findings] == [
        ("", "", "no-kloe-list", ""),
        ("", "", "no-leads-register", "Add a Leads sheet listing each lead's initials."),
        ("", "", "no-settings", ""),
        (SHEET, "D9", "lead-not-person", "Name the one executive accountable for this action."),
        (SHEET, "F15", "rag-unknown", "Did you mean 'A/G'?"),
    ]
    assert [(a.ref, a.days_overdue) for a in report.overdue] == [
        ("W2a", 242), ("W1b", 214), ("W1a", 61),
    ]  # fmt: skip


def test_validate_json_lists_each_table(one_sheet: Path) -> None:
    result = run_cli("validate", str(one_sheet), "--as-at", AS_AT.isoformat(), "--json", timeout=60)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    sheets = document["reading"]["sheets"]
    assert [(s["sheet"], s["table"], s["part"], s["header_row"]) for s in sheets] == [
        (SHEET, 1, "A", 3),
        (SHEET, 2, "B", 13),
    ]
    assert document["summary"] == {"actions": 6, "errors": 2, "warnings": 3, "overdue": 3}


def test_the_paper_shows_part_a_and_part_b(one_sheet: Path, tmp_path: Path) -> None:
    report = build_board_paper(one_sheet, AS_AT, output=tmp_path / "paper.xlsx")
    sheets = read_sheets(Path(report.paths["xlsx"]))
    assert list(sheets) == ["Part A", "Part B", "Summary"]
    part_a = [[str(c).strip() for c in row] for row in sheets["Part A"]]
    part_b = [[str(c).strip() for c in row] for row in sheets["Part B"]]
    firsts_a = [next((c for c in row if c), "") for row in part_a]
    firsts_b = [next((c for c in row if c), "") for row in part_b]
    # Part A: its two KLOE bands and its three actions; Part B's title is no band of it.
    assert [row[1] for row in part_a if row[0] == "KLOE"] == [W1, W2]
    assert [row[0] for row in part_a if row[0] in ("W1a", "W1b", "W2a", "1.", "2.", "3.")] == [
        "W1a", "W1b", "W2a",
    ]  # fmt: skip
    assert PART_B_TITLE not in firsts_a
    # Part B: its own title, its own header and its three findings, with no bands.
    assert PART_B_TITLE in firsts_b
    header = firsts_b.index("No.")
    assert part_b[header][:6] == ["No.", "CQC finding", "Planned action", "Progress", "Lead", "RAG"]
    rows = part_b[header + 1 : header + 4]
    assert [(r[0], r[1][:15], r[4], r[5].split("\n")[0]) for r in rows] == [
        ("1.", "Not all leaders", "TL", "A/G"),
        ("2.", "Leaders were no", "RW", "AG"),
        ("3.", "Fit and Proper ", "KD", "G"),
    ]
    assert "KLOE" not in firsts_b
    # The Summary counts Part A by KLOE and Part B as one line.
    summary = [[str(c).strip() for c in row] for row in sheets["Summary"]]
    labels = [row[0] for row in summary]
    start = labels.index("KLOE")
    assert labels[start + 1 : start + 5] == ["W1", "W2", "Part B", "Total"]
    assert summary[start + 3][1] in ("3", "3.0")


def test_a_table_lacking_a_column_is_named_by_its_header_row(tmp_path: Path) -> None:
    """Part B typed without its Lead column: said once, at Part B's header, and Part A's
    own empty lead still found (the other table's missing column hides nothing)."""
    rows = [list(row) for row in ONE_SHEET]
    rows[5][3] = None  # W1b's lead left empty
    rows[12:17] = [[cell for index, cell in enumerate(row) if index != 4] for row in rows[12:16]]
    rows.append(SEED_LEGEND)
    path = build_one_sheet(tmp_path / "no_lead.xlsx", rows)
    report = check_tracker(path, AS_AT)
    assert [(f.sheet, f.cell, f.rule, f.field) for f in report.findings if f.sheet] == [
        (SHEET, "A13", "missing-column", "lead"),
        (SHEET, "D6", "required", "lead"),
        (SHEET, "D9", "lead-not-person", "lead"),
        (SHEET, "E15", "rag-unknown", "rag"),
    ]
    assert [(a.ref, a.lead, a.rag) for a in report.actions if a.part == "B"] == [
        ("1.", "", "A/G"), ("2.", "", "AG"), ("3.", "", "G"),
    ]  # fmt: skip


def test_a_merge_in_the_second_table_is_said_once(tmp_path: Path) -> None:
    path = build_one_sheet(tmp_path / "merged.xlsx")
    book = openpyxl.load_workbook(path)
    book[SHEET].merge_cells("E15:E16")  # RW's lead cell merged down over item 3
    book.save(path)
    report = check_tracker(path, AS_AT)
    merged = [(f.sheet, f.cell, f.field) for f in report.findings if f.rule == "merged-cells"]
    assert merged == [(SHEET, "E15:E16", "lead")]


def test_a_repeated_header_is_still_no_new_table(tmp_path: Path) -> None:
    """The same header repeated after a page break, with one label typed differently, is
    skipped as before: one table, its rows read with its columns."""
    repeat = ["Ref", *SEED_PART_A_HEADER[1:]]
    rows = [*ONE_SHEET[:7], repeat, *ONE_SHEET[7:10]]
    path = build_one_sheet(tmp_path / "repeat.xlsx", rows)
    report = check_tracker(path, AS_AT)
    assert [(s.table, s.header_row) for s in report.tracker.shapes] == [(1, 3)]
    assert [(a.row, a.ref, a.lead) for a in report.actions] == [
        (5, "W1a", "RG"), (6, "W1b", "TL"), (10, "W2a", "Varied"),
    ]  # fmt: skip


def _on_one_sheet(legacy: Path, path: Path) -> int:
    """The two-sheet legacy seed (Part A, Part B) typed on one sheet, Part B a row below
    Part A's last row. Returns how many rows Part B moved down."""
    source = openpyxl.load_workbook(legacy)
    part_a = [list(row) for row in source["Part A"].iter_rows(values_only=True)]
    part_b = [list(row) for row in source["Part B"].iter_rows(values_only=True)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in [*part_a, [], *part_b]:
        sheet.append(row)
    book.save(path)
    return len(part_a) + 1


def test_the_seed_on_one_sheet_reads_as_the_seed_on_two(tmp_path: Path) -> None:
    legacy = build_seed_legacy(tmp_path / "legacy.xlsx")
    offset = _on_one_sheet(legacy, tmp_path / "one.xlsx")
    two = check_tracker(legacy, AS_AT)
    one = check_tracker(tmp_path / "one.xlsx", AS_AT)
    assert len(one.actions) == 30
    assert [a.part for a in one.actions].count("B") == 14

    def moved(sheet: str, row: int) -> tuple[str, int]:
        return (SHEET, row + offset if sheet == "Part B" else row)

    assert [
        (*moved(a.sheet, a.row), a.part, a.ref, a.kloe, a.finding, a.action, a.lead, a.rag,
         a.due_date, a.days_overdue)
        for a in two.actions
    ] == [
        (a.sheet, a.row, a.part, a.ref, a.kloe, a.finding, a.action, a.lead, a.rag, a.due_date,
         a.days_overdue)
        for a in one.actions
    ]  # fmt: skip

    def cell(sheet: str, address: str) -> str:
        letters = address.rstrip("0123456789")
        return f"{letters}{moved(sheet, int(address[len(letters) :]))[1]}" if address else ""

    assert [(f.rule, SHEET if f.sheet else "", cell(f.sheet, f.cell)) for f in two.findings] == [
        (f.rule, f.sheet, f.cell) for f in one.findings
    ]
    assert [f.cell for f in one.findings if f.rule == "rag-unknown"] == ["G10", f"F{4 + offset}"]


def test_two_tables_with_no_status_are_said_once(tmp_path: Path) -> None:
    """A sheet of two tables, neither with a status column: one no-status for the sheet."""
    rows: list[list[object]] = [
        ["Ref", "Planned action", "Lead", "Progress update"],
        ["W1a", "Launch the coaching programme", "RG", "80 people are being coached."],
        [],
        ["PART B"],
        [None, "CQC finding", "Planned action", "Lead", "Progress"],
        ["1.", "Leaders were not always visible.", "Reintroduce First Friday.", "RW", "Begun."],
    ]
    report = check_tracker(build_one_sheet(tmp_path / "no_status.xlsx", rows), AS_AT)
    assert [(s.table, s.part, s.header_row, s.title) for s in report.tracker.shapes] == [
        (1, "A", 1, []),
        (2, "B", 5, ["PART B"]),
    ]
    assert [(f.sheet, f.cell, f.rule) for f in report.findings if f.sheet] == [
        (SHEET, "", "no-status"),
    ]
    assert [(a.row, a.ref, a.lead, a.progress) for a in report.actions] == [
        (2, "W1a", "RG", "80 people are being coached."),
        (6, "1.", "RW", "Begun."),
    ]
