"""Shapes of trusts' own logs a tester re-keyed from public board papers, each once misread.

Each test writes the few rows that showed a misread, validates them (and, where the paper
shows it, builds the paper and reads it back with python-calamine), and checks exactly
what was read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from trackers import read_sheets, write_rows

from wellled_xl.actions import split_leads
from wellled_xl.pipeline import build_board_paper, check_tracker

LOG_HEADER = ["Ref", "Action", "Exec Lead", "Due by"]


def _read_as(report, sheet: int = 0) -> dict[str, str]:
    shape = report.tracker.shapes[sheet]
    return {column.header: column.read_as for column in shape.columns}


def _rules(report) -> set[str]:
    return {f.rule for f in report.findings} - {"no-leads-register", "no-settings"}


def test_a_must_do_column_beside_the_cqc_finding_column_loses_neither(tmp_path: Path) -> None:
    rows = [
        ["Ref", "Must Do / Should Do", "CQC Finding", "Action", "Responsible Officer", "Due by",
         "Update", "BRAG"],
        ["P1", "Must Do", "The trust must ensure the BAF reflects current risks.",
         "Refresh the BAF", "DCG", date(2017, 7, 31), "Refreshed BAF approved.", "G"],
    ]  # fmt: skip
    path = write_rows(tmp_path / "plan.xlsx", rows, title="CQC Action Plan")
    report = check_tracker(path, date(2017, 8, 31))
    assert _read_as(report)["CQC Finding"] == "finding"
    assert _read_as(report)["Must Do / Should Do"] == "extra:Must Do / Should Do"
    assert "header-duplicate" not in _rules(report)
    (action,) = report.actions
    assert action.finding == "The trust must ensure the BAF reflects current risks."
    assert action.extras == (("Must Do / Should Do", "Must Do"),)
    paper = build_board_paper(path, date(2017, 8, 31), output=tmp_path / "paper.xlsx")
    cells = {v for rows in read_sheets(Path(paper.paths["xlsx"])).values() for r in rows for v in r}
    assert {"The trust must ensure the BAF reflects current risks.", "Must Do"} <= cells


def test_minute_numbers_are_the_ref_and_a_meeting_column_is_not_a_status(tmp_path: Path) -> None:
    rows = [
        ["Minute No.", "Action", "Exec Lead", "TARGET DATE", "Status / Update"],
        ["269/19", "Comms in the Communication Strategy", "CEO", date(2020, 3, 31),
         "Strategy to be reviewed by the committee in March 2020."],
        ["236/19", "Confirm the share of 2WW referrals", "COO", date(2019, 12, 5),
         "Closed. The average figure is 8.5%."],
        ["267/19", "Falls narrative wording to change", "CN", date(2019, 12, 31), "Complete"],
    ]  # fmt: skip
    report = check_tracker(write_rows(tmp_path / "log.xlsx", rows), date(2020, 1, 31))
    assert _read_as(report) == {
        "Minute No.": "ref",
        "Action": "action",
        "Exec Lead": "lead",
        "TARGET DATE": "original_due",
        "Status / Update": "progress",
    }
    assert [a.ref for a in report.actions] == ["269/19", "236/19", "267/19"]
    assert "missing-column" not in _rules(report)
    assert [a.ref for a in report.actions if a.complete] == ["236/19", "267/19"]
    assert report.overdue == []  # the closed and complete ones are not overdue
    assert "269/19" not in report.tracker.legend.codes

    meetings = [
        ["Meeting", "Item", "Action", "Progress"],
        ["Board 02/09/08", "Children's services", "A visit to CAMHS", "Champions to attend."],
        ["Board 07/10/08", "Older people's services", "Keep the Board informed.", "CE's report."],
    ]
    report = check_tracker(write_rows(tmp_path / "meetings.xlsx", meetings), date(2009, 8, 11))
    assert _read_as(report)["Meeting"] == "extra:Meeting"
    assert report.tracker.legend.codes == ()
    assert [f.rule for f in report.findings if f.rule == "no-status"] == ["no-status"]


def test_a_status_word_starting_an_update_or_comments_column_is_the_status(
    tmp_path: Path,
) -> None:
    for header in ("Update", "Comments"):
        rows = [
            [*LOG_HEADER, header],
            ["236/19", "Confirm the 2WW share", "COO", date(2019, 12, 5), "Closed. It is 8.5%."],
            ["267/19", "Falls wording to change", "CN", date(2019, 12, 31), "Complete"],
            ["269/19", "Comms strategy", "CEO", date(2019, 12, 31), "To the committee in March."],
        ]
        report = check_tracker(write_rows(tmp_path / f"{header}.xlsx", rows), date(2020, 1, 31))
        assert report.tracker.shapes[0].status_in == "progress", header
        assert [a.ref for a in report.overdue] == ["269/19"], header
        unclear = [f for f in report.findings if f.rule == "status-unclear"]
        assert [f.cell for f in unclear] == ["E4"], header
        assert "no-status" not in _rules(report)


def test_a_yearless_date_takes_its_year_from_the_position_line_whatever_its_place(
    tmp_path: Path,
) -> None:
    lines = [
        "Inspection November 2016 – reports published 30 March 2017",
        "Position at 31 August 2017",
    ]
    due = {}
    for order, titles in enumerate((lines, lines[::-1])):
        rows = [
            ["CQC Action Plan"], *([t] for t in titles), [],
            ["Ref", "Action", "Responsible Officer", "Due by", "Update", "BRAG"],
            ["P2", "FTSU guardian to visit every team", "DHR", "30 Sept", "60% visited", "A"],
            ["AW2", "Seclusion recording template", "CD", "June", "Template live", "A"],
        ]  # fmt: skip
        report = check_tracker(write_rows(tmp_path / f"{order}.xlsx", rows), date(2030, 1, 1))
        due[order] = {a.ref: a.due_date for a in report.actions}
        assert {a.year_source for a in report.actions} == {"the title 'Position at 31 August 2017'"}
    assert due[0] == due[1] == {"P2": date(2017, 9, 30), "AW2": date(2017, 6, 30)}


def test_closed_actions_on_a_second_sheet_use_the_scale_of_both_sheets(tmp_path: Path) -> None:
    header = ["Ref", "Action", "Lead", "Due Date", "Status", "Proposed to Open/ Close"]
    open_rows = [
        header,
        ["5", "FTSU report as % of staff", "FTSUG", date(2023, 11, 8), "Report drafted.", "O"],
    ]
    closed_rows = [
        header,
        ["90.13", "IPR tracking of the plan", "DoF", date(2023, 5, 10), "Tracked monthly.", "C"],
    ]
    path = write_rows(
        tmp_path / "log.xlsx", open_rows, title="Action Tracker",
        extra_sheets={"Closed actions": closed_rows},
    )  # fmt: skip
    report = check_tracker(path, date(2023, 11, 30))
    legend = report.tracker.legend
    assert legend.codes == ("O", "C")
    assert legend.get("C").complete and not legend.get("O").complete
    assert "rag-unknown" not in _rules(report)
    assert [a.ref for a in report.overdue] == ["5"]
    assert "'Action Tracker'" in legend.source and "'Closed actions'" in legend.source


def test_a_key_and_a_note_under_the_table_are_neither_groups_nor_actions(tmp_path: Path) -> None:
    note = "Note: completed actions are removed once the Board has noted them."
    rows = [
        ["Ref", "Action", "Lead", "Due Date", "Status", "Proposed to Open/ Close"],
        ["5", "FTSU report as % of staff", "FTSUG", date(2023, 11, 8),
         "Report drafted; to the People Committee in December.", "O"],
        ["68.4", "Key contracts identified and KPIs monitored", "DoF", date(2023, 11, 8),
         "Head of Procurement raised at EPAG; list agreed.", "Proposed for Closure"],
        [],
        ["Key:  O – Open    C – Closed    Proposed for Closure – Board to agree closure"],
        [note],
    ]  # fmt: skip
    path = write_rows(tmp_path / "log.xlsx", rows, title="Action Tracker")
    report = check_tracker(path, date(2023, 11, 30))
    shape = report.tracker.shapes[0]
    assert shape.groups == []
    assert shape.notes == [note]
    assert shape.scale_rows == [5]
    legend = report.tracker.legend
    assert [(e.code, e.meaning, e.complete) for e in legend.entries] == [
        ("O", "Open", False),
        ("C", "Closed", True),
        ("Proposed for Closure", "Board to agree closure", False),
    ]
    assert legend.source == "the key on 'Action Tracker' (row 5)"
    assert len(report.actions) == 2
    paper = build_board_paper(path, date(2023, 11, 30), output=tmp_path / "paper.xlsx")
    table = read_sheets(Path(paper.paths["xlsx"]))["Board paper"]
    texts = [str(v) for row in table for v in row if v]
    assert note in texts  # kept, under the table
    assert not any(t.startswith("Key:") for t in texts)  # the key became the legend


def test_a_job_title_is_one_lead_and_initials_or_names_are_several() -> None:
    assert split_leads("Director of Finance and Performance") == (
        "Director of Finance and Performance",
    )
    assert split_leads("Service Director, Community") == ("Service Director, Community",)
    assert split_leads("Director of Nursing, Midwifery and AHPs") == (
        "Director of Nursing, Midwifery and AHPs",
    )
    assert split_leads("KD and PG") == ("KD", "PG")
    assert split_leads("RG, TL") == ("RG", "TL")
    assert split_leads("DoF & DoN") == ("DoF", "DoN")
    assert split_leads("Chief Nurse and Medical Director") == ("Chief Nurse", "Medical Director")
    assert split_leads("John Smith and Jane Doe") == ("John Smith", "Jane Doe")
    assert split_leads("DMc / AK / MS") == ("DMc", "AK", "MS")
    assert split_leads("Director of Finance / Deputy CEO") == ("Director of Finance", "Deputy CEO")
