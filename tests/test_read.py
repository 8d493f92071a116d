"""Reading trusts' own trackers: header rows below titles, bands, group rows, registers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from trackers import LEADS, LEGEND, TRUST_HEADER, trust_tracker, write_rows

from wellled_xl import errors
from wellled_xl.cells import column_letter
from wellled_xl.read import read_tracker


def test_header_below_a_title_block_and_rows_keep_their_excel_row(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "t.xlsx",
        [
            ["KLOE W1: Is there the leadership capacity?"],
            ["W1a", "Coaching", "March 2019 July 2019", "RG", "75 enrolees", "80 people", "A/G"],
            [],
            ["W2: Is there a clear vision?"],
            ["W2a", "Plans", "March 2019", "TL", "As per plan", "On track", "G"],
        ],
    )
    tracker = read_tracker(path)
    assert [(r.row, r.values["ref"], r.kloe_band) for r in tracker.records] == [
        (6, "W1a", "W1"),
        (9, "W2a", "W2"),
    ]
    first = tracker.records[0]
    assert first.cell("lead") == "D6"
    assert first.values["timescale"] == "March 2019 July 2019"
    assert first.part == "A"


def test_group_rows_and_repeated_headers_are_not_actions(tmp_path: Path) -> None:
    path = trust_tracker(
        tmp_path / "t.xlsx",
        [
            ["May 2012"],
            ["1", "Fix", "31/05/2012", "RG", "m", "p", "G"],
            TRUST_HEADER,
            ["Part B findings follow"],
            ["2", "Fix again", "30/06/2012", "RG", "m", "p", "G"],
        ],
    )
    assert [r.values["ref"] for r in read_tracker(path).records] == ["1", "2"]


def test_a_lone_ref_is_a_record_with_everything_else_missing(tmp_path: Path) -> None:
    path = trust_tracker(tmp_path / "t.xlsx", [["W4c"]])
    records = read_tracker(path).records
    assert len(records) == 1 and records[0].values["ref"] == "W4c"


def test_part_b_sheet_found_by_headers_whatever_its_name_or_position(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "t.xlsx",
        [["notes only"]],
        title="Cover",
        extra_sheets={
            "Sheet7": [
                ["No.", "CQC finding", "Planned action", "Progress", "Lead", "RAG"],
                [1, "Leaders not visible", "Walkabouts", "Started", "RW", "AG"],
            ]
        },
    )
    tracker = read_tracker(path)
    assert [(r.sheet, r.part, r.values["finding"]) for r in tracker.records] == [
        ("Sheet7", "B", "Leaders not visible")
    ]


def test_registers_are_read_and_missing_ones_become_warnings(tmp_path: Path) -> None:
    bare = read_tracker(trust_tracker(tmp_path / "bare.xlsx", []))
    assert {f.rule for f in bare.findings} == {
        "no-legend",
        "no-leads-register",
        "no-kloe-list",
        "no-settings",
    }
    assert all(f.severity == "warning" for f in bare.findings)
    full = read_tracker(
        trust_tracker(
            tmp_path / "full.xlsx",
            [],
            extra_sheets={
                "Legend": LEGEND,
                "Leads": LEADS,
                "Settings": [["Setting", "Value"], ["As-at date", date(2019, 9, 30)]],
            },
        )
    )
    assert full.legend.codes == ("G", "A/G", "A/R")
    assert full.legend.is_complete("G") and not full.legend.is_complete("A/G")
    assert [lead.initials for lead in full.leads] == ["RG", "TL"]
    assert full.settings.as_at == date(2019, 9, 30)
    assert {f.rule for f in full.findings} == {"no-kloe-list"}


@pytest.mark.parametrize(
    ("typed", "as_at"),
    [
        (date(2019, 9, 30), date(2019, 9, 30)),
        ("2019-09-30", date(2019, 9, 30)),
        ("30/09/2019", date(2019, 9, 30)),  # typed into a text cell, day first
        ("30 Sept 2019", date(2019, 9, 30)),
        (43738, date(2019, 9, 30)),  # a date that lost its format: the serial number
        ("30/09/2019 00:00:00", date(2019, 9, 30)),
    ],
)
def test_the_settings_as_at_date_is_read_as_a_due_date_is(
    typed: object, as_at: date, tmp_path: Path
) -> None:
    settings = [["Setting", "Value"], ["As-at date", typed], ["Review period (months)", 6]]
    rows = [["1", "Recruit a lead", "31/03/2019", "RG", "m", "Going", "A/G"]]
    tracker = read_tracker(
        trust_tracker(tmp_path / "t.xlsx", rows, extra_sheets={"Settings": settings})
    )
    assert (tracker.settings.as_at, tracker.settings.review_period_months) == (as_at, 6)
    assert not [f for f in tracker.findings if f.rule == "setting-unreadable"]


@pytest.mark.parametrize(
    ("setting", "typed", "says"),
    [
        ("As-at date", "31/09/2019", "September 2019 has only 30 days"),
        ("As-at date", "March 2019 July 2019", "several dates"),
        ("As-at date", "TBC", "a status, not a date"),
        ("As-at date", 5, "a number on its own is not a date"),
        ("Review period (months)", "three", "a whole number of months, 1 or more"),
        ("Review period (months)", 2.5, "a whole number of months, 1 or more"),
        ("Review period (months)", 0, "a whole number of months, 1 or more"),
    ],
)
def test_a_settings_value_that_cannot_be_read_is_said_not_passed_over(
    setting: str, typed: object, says: str, tmp_path: Path
) -> None:
    """The paper's date (or what counts as stale) falls back to the default, and a finding
    names the cell: before, the value was passed over without a word."""
    settings = [["Setting", "Value"], [setting, typed]]
    rows = [["1", "Recruit a lead", "31/03/2019", "RG", "m", "Going", "A/G"]]
    tracker = read_tracker(
        trust_tracker(tmp_path / "t.xlsx", rows, extra_sheets={"Settings": settings})
    )
    (finding,) = [f for f in tracker.findings if f.rule == "setting-unreadable"]
    assert (finding.sheet, finding.cell, finding.severity) == ("Settings", "B2", "error")
    assert says in finding.message and setting in finding.message
    assert (tracker.settings.as_at, tracker.settings.review_period_months) == (None, 3)


def test_duplicate_header_is_reported_and_the_first_column_read(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "t.xlsx",
        [
            ["Ref", "Action", "Lead", "Owner", "RAG", "Progress"],
            ["W1a", "Do it", "RG", "TL", "G", "Done"],
        ],
    )
    tracker = read_tracker(path)
    assert tracker.records[0].values["lead"] == "RG"
    dup = [f for f in tracker.findings if f.rule == "header-duplicate"]
    assert [(f.sheet, f.cell, f.value) for f in dup] == [("Action plan", "D1", "Owner")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not a workbook", "looks like CSV or plain text"),
        (b"PK\x03\x04truncated", "damaged or truncated zip"),
    ],
)
def test_unusable_files_raise_one_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(errors.NotAWorkbook) as caught:
        read_tracker(path)
    assert reason in str(caught.value) and "bad.xlsx" in str(caught.value)


def test_a_workbook_with_no_tracker_sheet(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "t.xlsx", [["Budget", "Amount"], ["Pens", 3]])
    with pytest.raises(errors.NoTrackerSheet):
        read_tracker(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.UnusableWorkbook, match="no such file"):
        read_tracker(tmp_path / "nope.xlsx")


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def _with_error_cell(book: openpyxl.Workbook, path: Path, cell: str) -> Path:
    """Save `book` to `path` with `cell` of its first sheet an error cell, as Excel writes
    one: t="e" with the cached error text (openpyxl cannot write one itself)."""
    import re
    import zipfile

    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    error = f'<c r="{cell}" t="e"><f>X!A1</f><v>#REF!</v></c>'
    xml = re.sub(rf'<c r="{cell}"[^>]*>.*?</c>', error, xml)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_error_cells_merges_across_rows_and_hidden_tracker_sheets(tmp_path: Path) -> None:
    """#N/A is not 'empty'; a merge over rows is named once; a hidden tracker is not read."""

    import openpyxl

    from wellled_xl.validate import validate

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(["Ref", "Action", "Lead", "RAG", "Progress"])
    sheet.append(["W1a", "a", "RG", "G", "Shared update"])
    sheet.append(["W1b", "b", "RG", "G", ""])
    sheet.append(["W1c", "c", "RG", "G", "own"])
    sheet.merge_cells("E2:E3")
    archive = book.create_sheet("Old plan")
    archive.append(["Ref", "Action", "Lead", "RAG"])
    archive.append(["W9z", "retired", "RG", "A/R"])
    archive.sheet_state = "hidden"
    path = _with_error_cell(book, tmp_path / "t.xlsx", "C4")

    tracker = read_tracker(path)
    assert [r.values["ref"] for r in tracker.records] == ["W1a", "W1b", "W1c"]
    report = validate(tracker, date(2019, 9, 30))
    placed = {(f.sheet, f.cell, f.rule) for f in report.findings}
    assert ("Plan", "C4", "cell-error") in placed
    assert ("Plan", "E2:E3", "merged-cells") in placed
    assert ("Old plan", "", "hidden-sheet") in placed
    assert not any(f.cell == "C4" and f.rule != "cell-error" for f in report.findings)
    error = next(f for f in report.findings if f.rule == "cell-error")
    assert error.value == "#REF!" and "#REF!" in error.message and error.severity == "error"


def _sparse_tracker(path: Path, stray_row: int) -> Path:
    """The same tracker rows with one stray space far below, a merge, an error cell and
    every kind of value a cell holds."""
    from datetime import datetime, time, timedelta

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(["Trust Board action log"])
    sheet.append(["Ref", "Action", "Lead", "Due date", "Progress", "RAG", "Note"])
    sheet.append([1, "Numbers as refs", "RG", date(2019, 10, 31), "Started", "G", 2.5])
    sheet.append(["1.02", "A date and time", "TL", datetime(2019, 9, 1, 9, 30), "x", "AG", True])
    sheet.append(["1.03", "Times", "RG", "30 Sept", "Merged", "A/G", time(10, 30)])
    sheet.append(["1.04", "Durations", "RG", "", "", "R", timedelta(hours=30)])
    sheet.merge_cells("E5:E6")
    sheet.cell(row=stray_row, column=3, value=" ")
    return _with_error_cell(book, path, "B6")


def test_a_sparse_sheet_is_read_cell_by_cell_as_the_block_reader_reads_it(
    tmp_path: Path,
) -> None:
    """A stray space at row 999,999 makes the sheet sparse: it is read by openpyxl's
    streaming reader, which must give what python-calamine gives for the same cells."""
    import python_calamine

    from wellled_xl.preflight import check_workbook
    from wellled_xl.read import _read_sheet, _read_sparse_sheet

    sparse = _sparse_tracker(tmp_path / "sparse.xlsx", 999_999)
    dense = _sparse_tracker(tmp_path / "dense.xlsx", 7)
    assert check_workbook(sparse).sparse == {"Plan"}
    assert check_workbook(dense).sparse == frozenset()
    book = python_calamine.CalamineWorkbook.from_path(str(sparse))
    try:
        block = _read_sheet(book, "Plan", sparse)
    finally:
        book.close()
    streamed = _read_sparse_sheet(sparse, "Plan", check_workbook(sparse))
    assert streamed == block
    assert streamed[1] == [((4, 4), (5, 4))]  # E5:E6, 0-based
    assert len(streamed[0]) == 6  # the blank rows at the end are dropped by both

    # Read whole, the sparse and the dense copy are the same tracker.
    read_sparse, read_dense = read_tracker(sparse), read_tracker(dense)
    assert [r.values for r in read_sparse.records] == [r.values for r in read_dense.records]
    assert [r.row for r in read_sparse.records] == [3, 4, 5, 6]
    assert read_sparse.records[3].errors == {"action": "#REF!"}


def test_memory_follows_the_cells_used_not_the_last_row(tmp_path: Path) -> None:
    """One action and a stray space at row 999,999: validate peaks under 150 MB."""
    import subprocess
    import sys

    sparse = _sparse_tracker(tmp_path / "sparse.xlsx", 999_999)
    measure = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-m", "wellled_xl", "validate", str(sparse), "--as-at", "2019-09-30"]
    done = subprocess.run(
        [sys.executable, "-c", measure, *command], capture_output=True, text=True, check=True
    )
    peak_mb = int(done.stdout) / 1024  # ru_maxrss is in KB on Linux
    assert peak_mb < 150, f"validate peaked at {peak_mb:.0f} MB"
