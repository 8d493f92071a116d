"""A board follow-up log with no lead and no status column (Highland NHS Board, 11 August
2009, "FOLLOW UP FROM BOARD ACTION PLANS – SEPTEMBER 2008 ONWARDS": Meeting | Item |
Action / Progress | Outcome) is read, not refused, and what it lacks is said once; a
register or a table of IDs and descriptions is still no tracker. Workbooks built with
openpyxl, the paper read back with python-calamine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from real_trackers import _write_sheet
from trackers import LEGEND, TRUST_HEADER, read_sheets, run_cli, write_rows

from wellled_xl.pipeline import build_board_paper, check_tracker

AS_AT = date(2009, 8, 11)
SHEET = "Action Plan"
HEADER = ["Meeting", "Item", "Action / Progress", "Outcome"]
TITLE = "FOLLOW UP FROM BOARD ACTION PLANS – SEPTEMBER 2008 ONWARDS"
GREY = "BFBFBF"  # "items shaded grey are due to be removed from the Action Plan"

ROWS: list[list[object]] = [
    ["Highland NHS Board"],  # 1
    ["11 August 2009"],
    ["Item 2"],
    [TITLE],
    ["Those items shaded grey are due to be removed from the Action Plan as they have been "
     "completed, or will be considered at the next Board."],
    [],
    HEADER,  # 7
    ["Board 02/09/08", "Mental Health of Children and Young People",
     "A visit to the CAMHS services should be included in the programme of visits for Non "
     "Executive Directors.", "Children’s Champions to attend CAMHS Operational Management Group."],
    ["Board 07/10/08", "Health & Safety – Occupational Road Risk",
     "This could potentially be discussed at a future meeting",
     "Board 07/04/09 – deferred\nHealth & Safety suggested as future Dev Session topic."],
    [None, "Commissioning Older Services - Argyll & Bute",
     "CHP to keep Board informed of progress.", "CEs Report 11/08/09"],  # 10: A merged from 9
    ["Board 04/11/08", "Clinical Governance Committee",
     "A briefing on the implications of increasing the threshold for neonatal admissions to be "
     "circulated to Board members.", "Completed as Services work."],  # 11: grey
    [None, "Area Clinical Forum",
     "A future report to be submitted to the Board on the Charge Nurse Review (Leading Better "
     "Care)", "Board Dev. 10/08/09"],  # 12: A merged from 11
    ["Board 02/12/08", "Grants to Voluntary Organisations",
     "Director of Community Care to liaise with Argyll & Bute Council with a view to working "
     "towards a joint compact.", "CEs Report 11/08/09"],  # 13: grey
    ["Board 03/02/09", "Non-Executive Director Involvement in Meetings",
     "The criteria for Non Executive Director involvement in meetings to be reviewed.",
     "Board Dev. 10/08/09"],
    [None, "Governance Committee Assurance Reports",
     "A review of the effectiveness of the Assurance Reports from committees would be undertaken "
     "later in the year.", "Board 06/10/09"],  # 15: A merged from 14
    ["Board 07/04/09", "Volunteering Strategy",
     "The Strategy will be presented to the Board in June 2009 for approval.", "Board 06/10/09"],
]  # fmt: skip


def build_follow_up_log(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    _write_sheet(sheet, ROWS, widths=[16, 30, 60, 30], bold_rows={1, 4, 7})
    for row in (11, 13):
        for cell in sheet[row]:
            cell.fill = PatternFill("solid", start_color=GREY, end_color=GREY)
    for merged in ("A9:A10", "A11:A12", "A14:A15"):
        sheet.merge_cells(merged)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def follow_up_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_follow_up_log(tmp_path_factory.mktemp("follow_up") / "highland.xlsx")


def test_the_log_is_read_with_its_item_action_and_outcome(follow_up_log: Path) -> None:
    report = check_tracker(follow_up_log, AS_AT)
    assert len(report.actions) == 9
    got = [(a.sheet, a.row, a.ref[:12], a.action[:12], a.progress[:14], a.lead, a.rag)
           for a in report.actions]  # fmt: skip
    assert got == [
        (SHEET, 8, "Mental Healt", "A visit to t", "Children’s Cha", "", ""),
        (SHEET, 9, "Health & Saf", "This could p", "Board 07/04/09", "", ""),
        (SHEET, 10, "Commissionin", "CHP to keep ", "CEs Report 11/", "", ""),
        (SHEET, 11, "Clinical Gov", "A briefing o", "Completed as S", "", ""),
        (SHEET, 12, "Area Clinica", "A future rep", "Board Dev. 10/", "", ""),
        (SHEET, 13, "Grants to Vo", "Director of ", "CEs Report 11/", "", ""),
        (SHEET, 14, "Non-Executiv", "The criteria", "Board Dev. 10/", "", ""),
        (SHEET, 15, "Governance C", "A review of ", "Board 06/10/09", "", ""),
        (SHEET, 16, "Volunteering", "The Strategy", "Board 06/10/09", "", ""),
    ]
    # The Meeting column is carried as it is: its meetings are not statuses.
    assert [a.extras for a in report.actions][:2] == [
        (("Meeting", "Board 02/09/08"),),
        (("Meeting", "Board 07/10/08"),),
    ]
    shape = report.tracker.shapes[0]
    assert (shape.name, shape.header_row) == (SHEET, 7)
    assert [(c.header, c.read_as) for c in shape.columns] == [
        ("Meeting", "extra:Meeting"),
        ("Item", "ref"),
        ("Action / Progress", "action"),
        ("Outcome", "progress"),
    ]
    # Nothing can show as complete: no status column, no key (grey shading is no status),
    # and the meetings an item returns to, typed twice each, are no statuses either.
    assert report.tracker.legend.entries == ()
    assert not any(a.complete for a in report.actions)


def test_what_the_log_lacks_is_said_once_not_per_row(follow_up_log: Path) -> None:
    report = check_tracker(follow_up_log, AS_AT)
    assert [(f.sheet, f.cell, f.rule, f.field) for f in report.findings] == [
        ("", "", "no-leads-register", ""),
        ("", "", "no-settings", ""),
        (SHEET, "", "missing-column", "lead"),
        (SHEET, "", "no-status", ""),
    ]
    result = run_cli("validate", str(follow_up_log), "--as-at", "2009-08-11", "--json", timeout=60)
    assert result.returncode == 1, result.stderr  # missing-column is an error
    assert json.loads(result.stdout)["summary"] == {
        "actions": 9, "errors": 1, "warnings": 3, "overdue": 0,
    }  # fmt: skip


def test_the_paper_keeps_the_logs_columns(follow_up_log: Path, tmp_path: Path) -> None:
    report = build_board_paper(follow_up_log, AS_AT, output=tmp_path / "paper.xlsx")
    sheets = read_sheets(Path(report.paths["xlsx"]))
    assert list(sheets) == ["Board paper", "Summary"]
    rows = [[str(c).strip() for c in row] for row in sheets["Board paper"]]
    firsts = [next((c for c in row if c), "") for row in rows]
    assert firsts[1] == "Highland NHS Board"
    assert TITLE in firsts
    header = firsts.index("Meeting")
    assert rows[header][:4] == HEADER
    body = rows[header + 1 : header + 10]
    assert [(r[0], r[1][:13], r[3][:14]) for r in body] == [
        ("Board 02/09/08", "Mental Health", "Children’s Cha"),
        ("Board 07/10/08", "Health & Safe", "Board 07/04/09"),
        ("", "Commissioning", "CEs Report 11/"),
        ("Board 04/11/08", "Clinical Gove", "Completed as S"),
        ("", "Area Clinical", "Board Dev. 10/"),
        ("Board 02/12/08", "Grants to Vol", "CEs Report 11/"),
        ("Board 03/02/09", "Non-Executive", "Board Dev. 10/"),
        ("", "Governance Co", "Board 06/10/09"),
        ("Board 07/04/09", "Volunteering ", "Board 06/10/09"),
    ]


def test_a_tracker_sheet_beside_it_wins(tmp_path: Path) -> None:
    """The weaker follow-up header is read only when no sheet has a tracker header: beside
    a trust's tracker, a sheet of closed items headed Item | Action | Outcome is left."""
    path = write_rows(
        tmp_path / "both.xlsx",
        [TRUST_HEADER, ["W1a", "Launch coaching", "March 2019", "RG", "75 enrolees", "80 coached",
                        "A/G"]],
        title="Tracker",
        extra_sheets={"Closed": [["Item", "Action", "Outcome"], ["Old item", "Done it", "Closed"]]},
    )  # fmt: skip
    report = check_tracker(path, date(2019, 9, 30))
    assert [s.name for s in report.tracker.shapes] == ["Tracker"]
    assert [(a.sheet, a.ref) for a in report.actions] == [("Tracker", "W1a")]


@pytest.mark.parametrize(
    "rows",
    [
        [["No", "Description", "Outcome"], ["1", "Replace the boiler", "Quote received"]],
        [["Item", "Action"], ["Board 02/09/08", "A visit to the CAMHS services"]],
        [["Initials", "Name", "Role", "Email"], ["RG", "R Green", "Director", "rg@nhs.net"]],
        LEGEND,
    ],
    ids=["no-description-outcome", "no-outcome-column", "leads-register", "legend"],
)
def test_registers_and_other_tables_are_still_refused(
    rows: list[list[object]], tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "other.xlsx", rows, title="Sheet1")
    result = run_cli("validate", str(path), "--as-at", "2019-09-30", timeout=60)
    assert result.returncode == 2
    assert "no sheet has a tracker header row" in result.stderr
    assert "Traceback" not in result.stderr
