"""Trackers NHS trusts really keep, re-keyed from public board papers, with the truth about each."""

# Each fixture is a `build_<name>(path)` that writes the workbook with openpyxl, and an
# `EXPECTED_<NAME>` that says, as plain data, what a careful governance officer reading the
# sheet would conclude. The expectations are ground truth for the product, never its output.
#
# Shape of every EXPECTED_<NAME>:
# - "sheet": the sheet holding actions (a list when there are several);
# - "title": the trust's own title lines as a reader takes them;
# - "scale": the status scale the trust wrote or used, {"code", "meaning", "complete"};
#   "scale_source": where that scale came from;
# - "groups": group / band / section texts in sheet order;
# - "actions": in sheet order; "row" is the 1-based Excel row; "action" holds the first 30
#   characters of the action text only; "status" is the value as typed ("" if none); "due" is
#   the ISO date a person takes as due (the latest revision, else the original), None when
#   no date can be read; "complete" follows the trust's own scale;
# - "overdue": per as-at date, (ref, days overdue) for actions not complete and due before
#   the as-at date, most overdue first, then sheet order;
# - "not_actions": every non-empty row that is not an action: "holds" is the first non-empty
#   cell's text, "why" starts with its kind (title, marking, header, group, key, legend);
#   blank rows are left out;
# - "columns": header as typed -> how the column is read (per sheet when there are several).
#
# Date rules applied (domain.md): day-first UK dates; a month alone is its last day; a quarter
# is the end of that NHS financial-year quarter (Q1 Apr-Jun ... Q4 Jan-Mar); a date typed
# without a year takes it from the group row above (the meeting it came from), else from the
# title's date, never from today, and is read as falling on or after that meeting.

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet


class Styled(NamedTuple):
    """A cell value with the fill colour or number format the trust gave it."""

    value: object
    fill: str | None = None
    number_format: str | None = None


BLUE, GREEN, AMBER, RED = "0070C0", "00B050", "FFC000", "FF0000"


def _write_sheet(
    sheet: Worksheet,
    rows: list[list[object]],
    *,
    widths: list[int],
    bold_rows: Collection[int] = (),
    merged_rows: Collection[int] = (),
) -> None:
    """Write rows from A1 as a person left them: text wrapped, dates shown day first."""
    for number, values in enumerate(rows, start=1):
        for column, raw in enumerate(values, start=1):
            styled = raw if isinstance(raw, Styled) else Styled(raw)
            if styled.value is None:
                continue
            cell = sheet.cell(row=number, column=column, value=styled.value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(styled.value, date):
                cell.number_format = styled.number_format or "dd/mm/yyyy"
            if styled.fill:
                cell.fill = PatternFill("solid", start_color=styled.fill, end_color=styled.fill)
            if number in bold_rows:
                cell.font = Font(bold=True)
        if number in merged_rows:
            sheet.merge_cells(
                start_row=number, start_column=1, end_row=number, end_column=len(widths)
            )
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width


# --- 1. month_log --------------------------------------------------------------------------
# Re-keyed from an acute trust's "Trust Board action tracking list" (Hull and East Yorkshire
# Hospitals NHS Trust, "Actions arising from Board meetings (compiled 4 July 2012)"), public
# board paper: NO / PAPER / ACTION / LEAD / TARGET DATE / NEW DATE / STATUS/COMMENT, month
# group rows newest first, no RAG. The May, April and March rows follow the paper; the June
# 2012 rows are written in the same style (the excerpt seen began at May).

MONTH_LOG_HEADER = [
    "NO",
    "PAPER",
    "ACTION",
    "LEAD",
    "TARGET DATE",
    "NEW DATE",
    "STATUS/ COMMENT",
]


def build_month_log(path: Path) -> Path:
    """The month-grouped board log of an acute trust, 2012."""
    rows: list[list[object]] = [
        ["HULL AND EAST YORKSHIRE HOSPITALS NHS TRUST"],
        ["TRUST BOARD ACTION TRACKING LIST"],
        ["Actions arising from Board meetings (compiled 4 July 2012)"],
        MONTH_LOG_HEADER,
        ["June 2012"],
        [
            "01.06",
            "Quality report",
            "Update on the pressure ulcer reduction plan to be brought to the Board",
            "DN",
            "Sept",
            None,
            "Not yet due",
        ],
        [
            "02.06",
            "Finance report",
            "Month 2 CIP recovery plan to be presented with the forecast outturn",
            "DoF",
            "17.7.12",
            None,
            "On agenda",
        ],
        [
            "03.06",
            "Mortality",
            "Medical Director to report the outcome of the HSMR coding review",
            "MD",
            "July 2012",
            None,
            "Verbal update to be given",
        ],
        [
            "04.06",
            "Clinical strategy",
            "Six-month review of the clinical strategy to be presented to the Board",
            "CEO",
            "Jan",
            None,
            None,
        ],
        ["May 2012"],
        [
            "01.05",
            "Action tracker",
            "Safeguarding training to be undertaken at a Board time out",
            "MW",
            "June",
            "14 Aug",
            "Reorganised to Aug due to lack of available time",
        ],
        [
            "02.05",
            "Inpatient survey",
            "Date to be agreed for resolving where patients are able to keep their belongings",
            "MW",
            "30 Sept",
            None,
            "Not yet due",
        ],
        [
            "05.05",
            "Business delivery",
            "Further discussion to be held with executive directors to clarify the "
            "organisational arrangements for business delivery and business development",
            "JB",
            "17.7.12",
            None,
            "Verbal update to be given",
        ],
        [
            "06.05",
            "Corporate performance",
            "Further information to be provided on nurse to bed ratio",
            "MW",
            date(2012, 8, 14),
            None,
            "Not yet due",
        ],
        ["April 2012"],
        [
            # typed as a number, as Excel keeps "4.01" unless told otherwise
            4.01,
            "Corp Perf",
            "Patient re-admission strategy to be developed",
            "MW/YO",
            "13 Nov",
            None,
            "Not yet due",
        ],
        [
            "4.02",
            "Board Assurance Framework",
            "Board Assurance Framework to be refreshed for the 2012/13 objectives",
            "CEO",
            date(2012, 6, 7),
            None,
            "Complete – report to June Board",
        ],
        ["March 2012"],
        [
            "3.01",
            "Major trauma",
            "A further update on major trauma centre designation to be received by the Board",
            "AP",
            "17 July",
            "11 Sep",
            "Not yet due",
        ],
        [
            "3.02",
            "Accreditation",
            "A business case to be developed for the accreditation of the stroke unit",
            "DoF",
            # a real date shown as "May-12": the reader sees a month, not 1 May
            Styled(date(2012, 5, 1), number_format="mmm-yy"),
            None,
            "Business case to July Investment Committee",
        ],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Action tracker"
    _write_sheet(
        sheet,
        rows,
        widths=[8, 18, 60, 9, 12, 10, 30],
        bold_rows={1, 2, 4, 5, 10, 15, 18},
        # the trust merged some month rows across the table and left others in one cell
        merged_rows={5, 15},
    )
    book.save(path)
    return path


_JUNE, _MAY, _APRIL, _MARCH = "June 2012", "May 2012", "April 2012", "March 2012"

EXPECTED_MONTH_LOG = {
    "sheet": "Action tracker",
    "title": [
        "HULL AND EAST YORKSHIRE HOSPITALS NHS TRUST",
        "TRUST BOARD ACTION TRACKING LIST",
        "Actions arising from Board meetings (compiled 4 July 2012)",
    ],
    # No RAG: the words leads typed are the scale. Only "Complete" closes an action;
    # "On agenda" means it comes to this meeting, not that it is done.
    "scale": [
        {"code": "Not yet due", "meaning": "target date not yet reached", "complete": False},
        {
            "code": "Verbal update to be given",
            "meaning": "the lead will update the Board at the meeting",
            "complete": False,
        },
        {
            "code": "On agenda",
            "meaning": "the item is on this meeting's agenda",
            "complete": False,
        },
        {"code": "Complete", "meaning": "the action is done", "complete": True},
    ],
    "scale_source": "status words",
    "groups": [_JUNE, _MAY, _APRIL, _MARCH],
    "actions": [
        {
            "sheet": "Action tracker",
            "row": 6,
            "ref": "01.06",
            "group": _JUNE,
            "action": "Update on the pressure ulcer r",
            "lead": "DN",
            "status": "Not yet due",
            # "Sept" under June 2012: September 2012, its last day
            "due": "2012-09-30",
            "original": "2012-09-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 7,
            "ref": "02.06",
            "group": _JUNE,
            "action": "Month 2 CIP recovery plan to b",
            "lead": "DoF",
            "status": "On agenda",
            "due": "2012-07-17",
            "original": "2012-07-17",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 8,
            "ref": "03.06",
            "group": _JUNE,
            "action": "Medical Director to report the",
            "lead": "MD",
            "status": "Verbal update to be given",
            "due": "2012-07-31",
            "original": "2012-07-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 9,
            "ref": "04.06",
            "group": _JUNE,
            "action": "Six-month review of the clinic",
            "lead": "CEO",
            "status": "",
            # Rollover: "Jan" set at the June 2012 board can only be the January after it,
            # so January 2013 (not January 2012, which had passed when the action was set).
            "due": "2013-01-31",
            "original": "2013-01-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 11,
            "ref": "01.05",
            "group": _MAY,
            "action": "Safeguarding training to be un",
            "lead": "MW",
            "status": "Reorganised to Aug due to lack of available time",
            # TARGET "June" and NEW DATE "14 Aug" under May 2012: both 2012
            "due": "2012-08-14",
            "original": "2012-06-30",
            "revisions": ["2012-08-14"],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 12,
            "ref": "02.05",
            "group": _MAY,
            "action": "Date to be agreed for resolvin",
            "lead": "MW",
            "status": "Not yet due",
            "due": "2012-09-30",
            "original": "2012-09-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 13,
            "ref": "05.05",
            "group": _MAY,
            "action": "Further discussion to be held ",
            "lead": "JB",
            "status": "Verbal update to be given",
            "due": "2012-07-17",
            "original": "2012-07-17",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 14,
            "ref": "06.05",
            "group": _MAY,
            "action": "Further information to be prov",
            "lead": "MW",
            "status": "Not yet due",
            "due": "2012-08-14",
            "original": "2012-08-14",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 16,
            "ref": "4.01",
            "group": _APRIL,
            "action": "Patient re-admission strategy ",
            "lead": "MW/YO",
            "status": "Not yet due",
            # "13 Nov" under April 2012: November 2012
            "due": "2012-11-13",
            "original": "2012-11-13",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 17,
            "ref": "4.02",
            "group": _APRIL,
            "action": "Board Assurance Framework to b",
            "lead": "CEO",
            "status": "Complete – report to June Board",
            "due": "2012-06-07",
            "original": "2012-06-07",
            "revisions": [],
            "complete": True,
        },
        {
            "sheet": "Action tracker",
            "row": 19,
            "ref": "3.01",
            "group": _MARCH,
            "action": "A further update on major trau",
            "lead": "AP",
            "status": "Not yet due",
            "due": "2012-09-11",
            "original": "2012-07-17",
            "revisions": ["2012-09-11"],
            "complete": False,
        },
        {
            "sheet": "Action tracker",
            "row": 20,
            "ref": "3.02",
            "group": _MARCH,
            "action": "A business case to be develope",
            "lead": "DoF",
            "status": "Business case to July Investment Committee",
            # the cell holds 1 May 2012 but shows "May-12": a reader takes the month, so its
            # last day; the comment names a later meeting but no NEW DATE was entered
            "due": "2012-05-31",
            "original": "2012-05-31",
            "revisions": [],
            "complete": False,
        },
    ],
    "overdue": {
        "2012-07-31": [("3.02", 61), ("02.06", 14), ("05.05", 14)],
        "2013-07-31": [
            ("3.02", 426),
            ("02.06", 379),
            ("05.05", 379),
            ("03.06", 365),
            ("01.05", 351),
            ("06.05", 351),
            ("3.01", 323),
            ("01.06", 304),
            ("02.05", 304),
            ("4.01", 260),
            ("04.06", 181),
        ],
    },
    "not_actions": [
        {
            "sheet": "Action tracker",
            "row": 1,
            "holds": "HULL AND EAST YORKSHIRE HOSPITALS NHS TRUST",
            "why": "title: the trust's name",
        },
        {
            "sheet": "Action tracker",
            "row": 2,
            "holds": "TRUST BOARD ACTION TRACKING LIST",
            "why": "title: the log's name",
        },
        {
            "sheet": "Action tracker",
            "row": 3,
            "holds": "Actions arising from Board meetings (compiled 4 July 2012)",
            "why": "title: compiled date (the fallback year for yearless dates)",
        },
        {"sheet": "Action tracker", "row": 4, "holds": "NO", "why": "header: column headings"},
        {
            "sheet": "Action tracker",
            "row": 5,
            "holds": _JUNE,
            "why": "group: board meeting month, merged across the row",
        },
        {"sheet": "Action tracker", "row": 10, "holds": _MAY, "why": "group: board meeting month"},
        {
            "sheet": "Action tracker",
            "row": 15,
            "holds": _APRIL,
            "why": "group: board meeting month, merged across the row",
        },
        {
            "sheet": "Action tracker",
            "row": 18,
            "holds": _MARCH,
            "why": "group: board meeting month",
        },
    ],
    "columns": {
        "NO": "ref",
        "PAPER": "source (the board paper the action arose from)",
        "ACTION": "action",
        "LEAD": "lead",
        "TARGET DATE": "original due date",
        "NEW DATE": "revised due date",
        "STATUS/ COMMENT": "progress (narrative; status words inside)",
    },
}


# --- 2. meeting_log ------------------------------------------------------------------------
# Re-keyed from an ambulance trust's public board paper "In Public Trust Board Action Tracker
# for the meeting on 10.05.2023" (East of England Ambulance Service NHS Trust): Ref / Source
# (agenda title / item / date / Action Ref) / Action / Lead / Due Date / Status / Proposed to
# Open/Close. Refs 85.6, 90.13, 92.5, 68.4 and 45.16 follow that paper; the stacked dates and
# the "Business Delegated to Committees/ Private Board" section follow the trust's November
# 2023 tracker; the group rows per source meeting and the other rows are written in its style.

MEETING_LOG_HEADER = [
    "Ref",
    "Source\n(agenda title / item /\ndate / Action Ref)",
    "Action",
    "Lead",
    "Due Date",
    "Status",
    "Proposed to Open/ Close",
]


def build_meeting_log(path: Path) -> Path:
    """The meeting-grouped board log of an ambulance trust, 2023."""
    rows: list[list[object]] = [
        ["In Public Trust Board Action Tracker for the meeting on 10.05.2023"],
        MEETING_LOG_HEADER,
        ["Actions from Board 15.03.2023"],
        [
            "85.6",
            "Public Board, 15.03.2023, PUB22/3/85, Patient Story",
            "NED-WT to work with the DoN to share local organisations who could support "
            "developments for those with different communication needs",
            "NED-WT/DoN",
            None,
            "Verbal update to be provided",
            "O",
        ],
        [
            "90.13",
            "Public Board, 15.03.2023, PUB22/3/90, Integrated Performance Report",
            "Report timeline for the next phase of IPR developments",
            "DoCAP",
            "10.05.2023",
            "July – proposed new metrics being agreed and processed at present.",
            "Proposed for Closure",
        ],
        [
            # typed as a number: Excel stored the ref 92.5 as one
            92.5,
            "Public Board, 15.03.2023, PUB22/3/92, Inclusivity Plan",
            "Request consideration be given to the leadership pipeline for all minority "
            "staffing groups.",
            "DoSCE",
            "10.05.2023",
            "An inclusion training plan for the next three years is being developed following "
            "the EDI surveys. It will set out how cultural competence is built with staff and "
            "leaders, and how staff with protected characteristics are supported.",
            "Proposed for Closure",
        ],
        [
            "93.2",
            "Public Board, 15.03.2023, PUB22/3/93, Finance Report",
            "Capital plan 2023/24 to be brought back once the ICB capital allocation is confirmed",
            "DoF",
            "May 2023",
            "Allocation confirmed in late April; capital plan is on the private Board agenda.",
            "Proposed for Closure",
        ],
        ["Actions from Board 11.01.2023"],
        [
            "78.9",
            "Public Board, 11.01.2023, PUB22/3/78, Quality Governance Committee Assurance Report",
            "Provide an update on the clinical validation of lower-acuity calls",
            "MD",
            "15.03.2023\n\n10.05.2023",
            "15.03.2023: validation pilot extended to all three EOCs. Reporting through the IPR "
            "from June.",
            "O",
        ],
        [
            "79.3",
            "Public Board, 11.01.2023, PUB22/3/79, Learning from Deaths Report",
            "Mortality review themes to be triangulated with complaints and incidents and "
            "reported back",
            "MD",
            "15.03.2023",
            "Update to come to the July Board with the Q4 Learning from Deaths report.",
            "O",
        ],
        [
            "80.4",
            "Public Board, 11.01.2023, PUB22/3/80, People Services Report",
            "Board development session on speaking-up culture to be scheduled",
            "CEO",
            "13.09.2023\n\n08.11.2023",
            "Moved to the November development session to follow the national staff survey "
            "results.",
            "O",
        ],
        ["Actions from Board 09.11.2022"],
        [
            "45.16",
            "Public Board, 09.11.2022, PB22/3/45, integrated performance report",
            "Request clarity on the actions taking place to manage non-compliance with "
            "appraisals\nRequest reporting on the impact of appraisals in 2023/24",
            "DoSCE",
            "Q2 2023/24",
            "Actions taken to date: revised appraisal paperwork and monthly compliance reports "
            "to directorates. A training needs analysis will report in Q2 2023/24.",
            "O",
        ],
        ["Business delegated to committees / private board"],
        [
            "68.4",
            "Public Board, 18.01.2022, PUB22/3/68, Board Assurance Framework",
            "Key strategic contracts to be identified and KPIs monitored at committee level",
            "DoF",
            "10.05.2023",
            "Head of Procurement to raise at EPAG to determine which contracts are considered "
            "‘key’ and which Committee should receive report of KPIs",
            "O",
        ],
        [
            "91.4",
            "Public Board, 15.03.2023, PUB22/3/91, Fleet Update",
            "Fleet replacement programme to be reviewed in detail by the Performance and "
            "Finance Committee",
            "DoF",
            None,
            "Referred to the Performance and Finance Committee.",
            "O",
        ],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Action Tracker"
    _write_sheet(
        sheet,
        rows,
        widths=[8, 30, 45, 12, 12, 50, 14],
        bold_rows={1, 2, 3, 8, 12, 14},
        merged_rows={1, 3, 8, 12, 14},
    )
    book.save(path)
    return path


_MAR23, _JAN23, _NOV22 = (
    "Actions from Board 15.03.2023",
    "Actions from Board 11.01.2023",
    "Actions from Board 09.11.2022",
)
_DELEGATED = "Business delegated to committees / private board"

EXPECTED_MEETING_LOG = {
    "sheet": "Action Tracker",
    "title": ["In Public Trust Board Action Tracker for the meeting on 10.05.2023"],
    # The open/close column is the scale. "Proposed for Closure" asks the Board to close the
    # action at this meeting: until the Board agrees it stays open, so not complete.
    "scale": [
        {"code": "O", "meaning": "open", "complete": False},
        {
            "code": "Proposed for Closure",
            "meaning": "the lead asks the Board to close it; open until the Board agrees",
            "complete": False,
        },
    ],
    "scale_source": "status words (the Proposed to Open/ Close column)",
    "groups": [_MAR23, _JAN23, _NOV22, _DELEGATED],
    "actions": [
        {
            "sheet": "Action Tracker",
            "row": 4,
            "ref": "85.6",
            "group": _MAR23,
            "action": "NED-WT to work with the DoN to",
            "lead": "NED-WT/DoN",
            "status": "O",
            # no due date given: never overdue, but a finding
            "due": None,
            "original": None,
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 5,
            "ref": "90.13",
            "group": _MAR23,
            "action": "Report timeline for the next p",
            "lead": "DoCAP",
            "status": "Proposed for Closure",
            "due": "2023-05-10",
            "original": "2023-05-10",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 6,
            "ref": "92.5",
            "group": _MAR23,
            "action": "Request consideration be given",
            "lead": "DoSCE",
            "status": "Proposed for Closure",
            "due": "2023-05-10",
            "original": "2023-05-10",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 7,
            "ref": "93.2",
            "group": _MAR23,
            "action": "Capital plan 2023/24 to be bro",
            "lead": "DoF",
            "status": "Proposed for Closure",
            "due": "2023-05-31",
            "original": "2023-05-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 9,
            "ref": "78.9",
            "group": _JAN23,
            "action": "Provide an update on the clini",
            "lead": "MD",
            "status": "O",
            # stacked dates: the first is the original, the one below it its revision
            "due": "2023-05-10",
            "original": "2023-03-15",
            "revisions": ["2023-05-10"],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 10,
            "ref": "79.3",
            "group": _JAN23,
            "action": "Mortality review themes to be ",
            "lead": "MD",
            "status": "O",
            # the narrative talks of July, but the date was never revised: 15.03.2023 stands
            "due": "2023-03-15",
            "original": "2023-03-15",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 11,
            "ref": "80.4",
            "group": _JAN23,
            "action": "Board development session on s",
            "lead": "CEO",
            "status": "O",
            "due": "2023-11-08",
            "original": "2023-09-13",
            "revisions": ["2023-11-08"],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 13,
            "ref": "45.16",
            "group": _NOV22,
            "action": "Request clarity on the actions",
            "lead": "DoSCE",
            "status": "O",
            # Q2 of 2023/24 is July-September 2023
            "due": "2023-09-30",
            "original": "2023-09-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 15,
            "ref": "68.4",
            "group": _DELEGATED,
            "action": "Key strategic contracts to be ",
            "lead": "DoF",
            "status": "O",
            "due": "2023-05-10",
            "original": "2023-05-10",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Action Tracker",
            "row": 16,
            "ref": "91.4",
            "group": _DELEGATED,
            "action": "Fleet replacement programme to",
            "lead": "DoF",
            "status": "O",
            "due": None,
            "original": None,
            "revisions": [],
            "complete": False,
        },
    ],
    # As at the meeting itself, actions due that day are not yet overdue.
    "overdue": {
        "2023-05-10": [("79.3", 56)],
        "2024-05-10": [
            ("79.3", 422),
            ("90.13", 366),
            ("92.5", 366),
            ("78.9", 366),
            ("68.4", 366),
            ("93.2", 345),
            ("45.16", 223),
            ("80.4", 184),
        ],
    },
    "not_actions": [
        {
            "sheet": "Action Tracker",
            "row": 1,
            "holds": "In Public Trust Board Action Tracker for the meeting on 10.05.2023",
            "why": "title: names the meeting (the as-at date)",
        },
        {"sheet": "Action Tracker", "row": 2, "holds": "Ref", "why": "header: column headings"},
        {
            "sheet": "Action Tracker",
            "row": 3,
            "holds": _MAR23,
            "why": "group: the board meeting the actions came from",
        },
        {
            "sheet": "Action Tracker",
            "row": 8,
            "holds": _JAN23,
            "why": "group: the board meeting the actions came from",
        },
        {
            "sheet": "Action Tracker",
            "row": 12,
            "holds": _NOV22,
            "why": "group: the board meeting the actions came from",
        },
        {
            "sheet": "Action Tracker",
            "row": 14,
            "holds": _DELEGATED,
            "why": "group: section of actions handed to committees or the private board",
        },
    ],
    "columns": {
        "Ref": "ref",
        "Source\n(agenda title / item /\ndate / Action Ref)": (
            "source (meeting, date, minute ref, agenda item)"
        ),
        "Action": "action",
        "Lead": "lead",
        "Due Date": "due date (stacked dates: original, then revisions)",
        "Status": "progress (narrative)",
        "Proposed to Open/ Close": "status",
    },
}


# --- 3. cqc_plan ---------------------------------------------------------------------------
# Re-keyed from an acute trust's special measures improvement plan (Colchester Hospital
# University NHS Foundation Trust, "Special Measures Quality Improvement Programme 2016-17
# Update", 13 April 2016, public board paper): a KEY of four coloured words (Delivered, On
# Track to deliver, Some issues – narrative disclosure, Not on track to deliver) above the
# plan. The must-do / should-do rows paraphrase the CQC findings such plans answer for
# urgent and emergency care, medical care and maternity.

CQC_PLAN_HEADER = [
    "Ref",
    "Must do / Should do",
    "Action",
    "Executive lead",
    "Target date",
    "Progress update",
    "Status",
]
KEY_WORDS = {
    "Delivered": BLUE,
    "On Track to deliver": GREEN,
    "Some issues – narrative disclosure": AMBER,
    "Not on track to deliver": RED,
}


def build_cqc_plan(path: Path) -> Path:
    """A CQC special measures improvement plan with a KEY block, 2016."""
    rows: list[list[object]] = [
        ["Colchester Hospital University NHS Foundation Trust"],
        ["Special Measures Quality Improvement Programme 2016-17 Update"],
        ["13th April 2016"],
        [],
        ["KEY"],
        *([Styled(word, fill=colour)] for word, colour in KEY_WORDS.items()),
        [],
        CQC_PLAN_HEADER,
        ["Urgent and emergency care"],
        [
            "UEC1",
            "Must do",
            "Ensure all patients arriving by ambulance are handed over and clinically assessed "
            "within 15 minutes",
            "COO",
            "31/03/2016",
            "Rapid assessment and treatment model in place; handover within 15 minutes was 78% "
            "in March.",
            Styled("Some issues – narrative disclosure", fill=AMBER),
        ],
        [
            "UEC2",
            "Must do",
            "Ensure sufficient numbers of suitably qualified, skilled and experienced nursing "
            "staff in the emergency department",
            "DoN",
            "Q1 2016/17",
            "Establishment review completed; 12 WTE band 5 nurses recruited, starting May to July.",
            Styled("On track to deliver", fill=GREEN),
        ],
        [
            "UEC3",
            "Must do",
            "Ensure bank and agency staff in ED receive a local induction and have their "
            "competencies checked",
            "DoN",
            date(2016, 3, 31),
            "Induction checklist in use for all temporary staff; March audit 96% compliant.",
            Styled("Delivered", fill=BLUE),
        ],
        [
            "UEC4",
            "Should do",
            "Improve the recording of pain scores and the timeliness of analgesia",
            "MD",
            "30 Sept",
            "Pain audit scheduled for Q2.",
            Styled("on track", fill=GREEN),
        ],
        ["Medical care"],
        [
            "MED1",
            "Must do",
            "Ensure patients in escalation areas are cared for in a suitable environment with "
            "enough staff",
            "COO",
            "30/09/2016 (revised from 31/03/2016)",
            "Escalation ward closed in February but re-opened during the March surge.",
            Styled("Not on track to deliver", fill=RED),
        ],
        [
            "MED2",
            "Must do",
            "Ensure DNACPR decisions are recorded, discussed with patients or those close to "
            "them, and reviewed",
            "MD",
            "Q4 2015/16",
            "Monthly DNACPR audit shows 92% of forms fully completed; audit continues.",
            Styled("Delivred", fill=BLUE),
        ],
        [
            "MED3",
            "Must do",
            "Ensure mandatory training, including safeguarding adults and children, meets the "
            "trust target",
            "DoW",
            "31/03/2017",
            "Compliance 84% against the 90% target; e-learning modules relaunched.",
            Styled("On Track to deliver", fill=GREEN),
        ],
        [
            "MED4",
            "Should do",
            "Review discharge planning so that more patients leave hospital earlier in the day",
            "COO",
            "Ongoing",
            "Discharge lounge open; discharges before midday remain at 18%.",
            Styled("Some issues – narrative disclosure", fill=AMBER),
        ],
        ["Maternity and gynaecology"],
        [
            "MAT1",
            "Must do",
            "Ensure all midwives and obstetricians complete annual CTG interpretation training",
            "DoN",
            "May 2016",
            "88% of midwives and 80% of obstetricians trained; extra sessions booked.",
            Styled("On Track to deliver", fill=GREEN),
        ],
        [
            "MAT2",
            "Must do",
            "Ensure the WHO surgical safety checklist is completed for every case in obstetric "
            "theatres",
            "MD",
            "30 Sept 2016",
            "Monthly observational audit; 100% compliance in February and March.",
            Styled("Delivered", fill=BLUE),
        ],
        [
            "MAT3",
            "Should do",
            "Ensure midwifery staffing maintains a birth to midwife ratio of 1:28",
            "DoN",
            "Q4 2016/17",
            "Birthrate Plus review reports a shortfall of 9 WTE; business case not yet agreed.",
            Styled("Not on track to deliver", fill=RED),
        ],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Improvement plan"
    _write_sheet(
        sheet,
        rows,
        widths=[8, 12, 50, 12, 20, 50, 22],
        bold_rows={1, 2, 5, 11, 12, 17, 22},
        merged_rows={12, 17, 22},
    )
    book.save(path)
    return path


_UEC, _MED, _MAT = "Urgent and emergency care", "Medical care", "Maternity and gynaecology"

EXPECTED_CQC_PLAN = {
    "sheet": "Improvement plan",
    "title": [
        "Colchester Hospital University NHS Foundation Trust",
        "Special Measures Quality Improvement Programme 2016-17 Update",
        "13th April 2016",
    ],
    "scale": [
        {"code": "Delivered", "meaning": "delivered", "complete": True},
        {"code": "On Track to deliver", "meaning": "on track to deliver", "complete": False},
        {
            "code": "Some issues – narrative disclosure",
            "meaning": "some issues, explained in the progress narrative",
            "complete": False,
        },
        {
            "code": "Not on track to deliver",
            "meaning": "not on track to deliver",
            "complete": False,
        },
    ],
    "scale_source": "key block",
    "groups": [_UEC, _MED, _MAT],
    "actions": [
        {
            "sheet": "Improvement plan",
            "row": 13,
            "ref": "UEC1",
            "group": _UEC,
            "action": "Ensure all patients arriving b",
            "lead": "COO",
            "status": "Some issues – narrative disclosure",
            "due": "2016-03-31",
            "original": "2016-03-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 14,
            "ref": "UEC2",
            "group": _UEC,
            "action": "Ensure sufficient numbers of s",
            "lead": "DoN",
            # the KEY's "On Track to deliver" in another case
            "status": "On track to deliver",
            "due": "2016-06-30",
            "original": "2016-06-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 15,
            "ref": "UEC3",
            "group": _UEC,
            "action": "Ensure bank and agency staff i",
            "lead": "DoN",
            "status": "Delivered",
            "due": "2016-03-31",
            "original": "2016-03-31",
            "revisions": [],
            "complete": True,
        },
        {
            "sheet": "Improvement plan",
            "row": 16,
            "ref": "UEC4",
            "group": _UEC,
            "action": "Improve the recording of pain ",
            "lead": "MD",
            # "on track": the KEY's "On Track to deliver", shortened and in lower case
            "status": "on track",
            # "30 Sept" with no year and no dated group: the title's 13th April 2016 gives the
            # year, the first 30 September on or after it
            "due": "2016-09-30",
            "original": "2016-09-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 18,
            "ref": "MED1",
            "group": _MED,
            "action": "Ensure patients in escalation ",
            "lead": "COO",
            "status": "Not on track to deliver",
            # "30/09/2016 (revised from 31/03/2016)": revision written first, original after
            "due": "2016-09-30",
            "original": "2016-03-31",
            "revisions": ["2016-09-30"],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 19,
            "ref": "MED2",
            "group": _MED,
            "action": "Ensure DNACPR decisions are re",
            "lead": "MD",
            # "Delivred" is a slip for the KEY's "Delivered" (same blue fill). A suggestion is
            # never applied: until the lead corrects it the action is not on the KEY, so it
            # is not complete (and overdue), with "Delivered" offered as the fix.
            "status": "Delivred",
            "due": "2016-03-31",
            "original": "2016-03-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 20,
            "ref": "MED3",
            "group": _MED,
            "action": "Ensure mandatory training, inc",
            "lead": "DoW",
            "status": "On Track to deliver",
            "due": "2017-03-31",
            "original": "2017-03-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 21,
            "ref": "MED4",
            "group": _MED,
            "action": "Review discharge planning so t",
            "lead": "COO",
            "status": "Some issues – narrative disclosure",
            # "Ongoing" is not a date
            "due": None,
            "original": None,
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 23,
            "ref": "MAT1",
            "group": _MAT,
            "action": "Ensure all midwives and obstet",
            "lead": "DoN",
            "status": "On Track to deliver",
            "due": "2016-05-31",
            "original": "2016-05-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Improvement plan",
            "row": 24,
            "ref": "MAT2",
            "group": _MAT,
            "action": "Ensure the WHO surgical safety",
            "lead": "MD",
            "status": "Delivered",
            "due": "2016-09-30",
            "original": "2016-09-30",
            "revisions": [],
            "complete": True,
        },
        {
            "sheet": "Improvement plan",
            "row": 25,
            "ref": "MAT3",
            "group": _MAT,
            "action": "Ensure midwifery staffing main",
            "lead": "DoN",
            "status": "Not on track to deliver",
            "due": "2017-03-31",
            "original": "2017-03-31",
            "revisions": [],
            "complete": False,
        },
    ],
    "overdue": {
        "2016-04-13": [("UEC1", 13), ("MED2", 13)],
        "2017-04-13": [
            ("UEC1", 378),
            ("MED2", 378),
            ("MAT1", 317),
            ("UEC2", 287),
            ("UEC4", 195),
            ("MED1", 195),
            ("MED3", 13),
            ("MAT3", 13),
        ],
    },
    "not_actions": [
        {
            "sheet": "Improvement plan",
            "row": 1,
            "holds": "Colchester Hospital University NHS Foundation Trust",
            "why": "title: the trust's name",
        },
        {
            "sheet": "Improvement plan",
            "row": 2,
            "holds": "Special Measures Quality Improvement Programme 2016-17 Update",
            "why": "title: the plan's name",
        },
        {
            "sheet": "Improvement plan",
            "row": 3,
            "holds": "13th April 2016",
            "why": "title: date of the update (the as-at date)",
        },
        {"sheet": "Improvement plan", "row": 5, "holds": "KEY", "why": "key: heading"},
        *(
            {
                "sheet": "Improvement plan",
                "row": row,
                "holds": word,
                "why": "key: a status word in its colour",
            }
            for row, word in enumerate(KEY_WORDS, start=6)
        ),
        {
            "sheet": "Improvement plan",
            "row": 11,
            "holds": "Ref",
            "why": "header: column headings",
        },
        {
            "sheet": "Improvement plan",
            "row": 12,
            "holds": _UEC,
            "why": "group: CQC core service",
        },
        {"sheet": "Improvement plan", "row": 17, "holds": _MED, "why": "group: CQC core service"},
        {"sheet": "Improvement plan", "row": 22, "holds": _MAT, "why": "group: CQC core service"},
    ],
    "columns": {
        "Ref": "ref",
        "Must do / Should do": "category (CQC must do or should do)",
        "Action": "action",
        "Executive lead": "lead",
        "Target date": "due date (a revision may be noted in the cell)",
        "Progress update": "progress (narrative)",
        "Status": "status",
    },
}


# --- 4. seed_legacy ------------------------------------------------------------------------
# The seed board paper itself (an acute trust's "The well-led framework", Part A board
# self-review against the KLOEs and Part B CQC well-led findings, "Position as at end of
# September 2019"; /work/shared/seed) kept as the legacy Excel tracker it was typed from:
# title rows, KLOE band rows, the status legend and header repeated for every printed page.
# Long progress text is shortened; the mess of the paper is kept as printed.

SEED_PART_A_HEADER = [
    "Ref:",
    "Planned action",
    "Timescale",
    "Lead",
    "Success measure",
    "Progress update",
    "RAG",
]
SEED_PART_B_HEADER = [None, "CQC finding", "Planned action", "Progress", "Lead", "RAG"]
SEED_LEGEND = [
    "Status",
    "G",
    "Action completed and improvement achieved",
    "A/G",
    "Clear plan for delivery but not yet completed",
    "A/R",
    "We either lack a plan or confidence in that plan",
]
RAG_FILL = {"G": GREEN, "A/G": AMBER, "AG": AMBER, "A/R": "FF7C80", "R": RED}

W1 = (
    "W1: Is there the leadership capacity and capability to deliver high quality, sustainable care?"
)
W2 = (
    "W2: Is there a clear vision and credible strategy to deliver high quality sustainable care "
    "to people who use services, and robust plans to deliver?"
)
W3 = "W3: Is there a culture of high quality, sustainable care?"
W4 = (
    "W4: Are there clear responsibilities, roles and systems of accountability to support good "
    "governance and management?"
)
W5 = "W5: Are there clear and effective processes for managing risks, issues and performance?"
W6 = "W6: Is robust and appropriate information being effectively processed and challenged?"
W7 = (
    "W7: Are the people who use services, the public, staff and external partners engaged and "
    "involved to support high quality sustainable services?"
)
W8 = "W8: Are there robust systems, processes for learning, continuous improvement and innovation?"


def _rag(code: str) -> Styled:
    """A RAG cell as the trust coloured it by hand."""
    return Styled(code, fill=RAG_FILL[code])


def build_seed_legacy(path: Path) -> Path:
    """The seed paper as a legacy workbook: sheets Part A and Part B."""
    part_a: list[list[object]] = [
        ["The well-led framework"],
        ["PART A Board self-review against KLOEs: 2018/19 deliverables"],
        ["PART B CQC Inspection findings: October 2018"],
        ["Position as at end of September 2019"],
        [],
        ["PART A: Board self-review against KLOEs – Delivery Status"],
        SEED_PART_A_HEADER,
        ["KLOE", W1],
        [
            "W1a",
            "Coaching and mentoring programme launches",
            "March 2019 July 2019",
            "RG",
            "75 enrolees commenced in formal coaching programme\n300 enrolees commenced in "
            "Accredited Manager Coaching and Mentoring Programme",
            "80 people are receiving formal coaching through ILM Level 5 and 7. 100 people "
            "attended Stepping Up. 500 people have undertaken the Accredited Manager module in "
            "coaching and mentoring to date, with more dates planned in Q3 and Q4.",
            _rag("A/G"),
        ],
        [
            "W1b",
            "Finalised succession plan for each director role",
            "February 2019",
            "TL",
            "Remuneration Committee agrees plan",
            "A revised plan has been accepted by the Remuneration Committee and recruitment at "
            "director and d/director level is pending for the next 8 weeks.",
            _rag("R"),
        ],
        SEED_LEGEND,
        SEED_PART_A_HEADER,
        [None, W2],
        [
            "W2a",
            "Continued delivery of quality, education and public health plans",
            "March 2019 July 2019",
            "Varied",
            "As per plan",
            "Quality plan deployment is progressing well, but refreshing the education and "
            "learning plans and implementing key aspects of the public health plan are running "
            "behind schedule – both are recoverable by March 2020",
            _rag("A/R"),
        ],
        [
            "W2b",
            "Full delivery of Board's IT turnaround plan",
            "January 2019",
            "TL",
            "As per plan: 10 weeks resilience",
            "P1 have reduced and replacement of ICM is expected to reduce it further. A "
            "definitive timetable must be in place for our other out-tage systems.",
            _rag("A/R"),
        ],
        [
            "W2c",
            "ICS mobilisation plan delivere",
            "March 2019",
            "RS",
            "2 provider alliances in place",
            "We have an agreed process to establish the alliances from November 2019 and a "
            "draft arrangement in place for contracting for 20-21",
            _rag("A/G"),
        ],
        ["KLOE", W3],
        [
            "W3a",
            "Tracking high potential individual's PDP execution",
            "March 2019 December 19",
            "RG",
            "70% of PDP aims delivered",
            "Detailed review of the 162 colleagues who scored A4 has been undertaken and "
            "reviewed by the People and OD Committee. Tracking to be developed for every "
            "colleague who scores an A in their PDR.",
            _rag("A/G"),
        ],
        SEED_LEGEND,
        SEED_PART_A_HEADER,
        [
            "W3b",
            "Delivery of we connect programme",
            "February 2019",
            "TL",
            "35% response rate achieved",
            "The programme is continuing well, with teams engaged and 3 rounds of surveys "
            "completed.",
            _rag("A/G"),
        ],
        [
            "W3c",
            "Improvements in mental wellbeing of workforce",
            "March 2019 May 2019",
            "RG",
            "New plan agreed at November 2019 board. Update being given at October 2019 Trust "
            "Board meeting",
            "New mental health support in place with improvements expected in Quarter 4. On "
            "board agenda for October 2019.",
            _rag("A/G"),
        ],
        SEED_LEGEND,
        SEED_PART_A_HEADER,
        # band text typed whole in one cell, merged across the table
        [f"KLOE {W4}"],
        [
            "W4a",
            None,
            "December 2019",
            "DMc / AK / MS",
            "Full supplier list in place",
            "Draft supplier code of conduct produced for review and development. Supplier list "
            "and contracts database established – 2,800 suppliers.",
            _rag("A/G"),
        ],
        ["KLOE", W5],
        [
            "W5a",
            "Refresh approach to PMO and improvement teams",
            "February June 2019",
            "RB",
            "All six PMOs operational",
            "Team development plan designed and in progress of delivery. Digital and estates "
            "plans to be documented by end of year.",
            _rag("A/G"),
        ],
        SEED_LEGEND,
        SEED_PART_A_HEADER,
        [
            "W5b",
            "Significant improvement in risk mitigation delivery",
            "March 2019",
            "KD",
            "50% cut in overdue risks",
            "At 27 September, we have 1003 open risks registered on Safeguard, with 80 "
            "outstanding risk reviews, showing a significant improvement.",
            _rag("A/G"),
        ],
        ["KLOE", W6],
        [
            "W6a",
            "Data quality plan to be finalised and executed",
            "March April 2019",
            "DB",
            "A&RM Committee satisfied",
            "A&RM happy with plan. On track to deliver the execution of the plan by end of "
            "April 2019 as per the plan. UPDATE AWAITED",
            _rag("G"),
        ],
        [
            "W6b",
            "Visible data at frontline level for safety and quality plans",
            "March May 2019",
            "DB",
            "Prototype operational",
            "Safety Plan agreed as prototype (quality plan metrics not yet agreed). Working "
            "plan to deliver pilot ward in April 2019. UPDATE AWAITED",
            _rag("A/G"),
        ],
        # band text typed whole in one cell, without the KLOE prefix
        [W7],
        [
            "W7a",
            "Friends and family data volumes increased to the West Midlands mean (25%)",
            "February 2019",
            "PG",
            "As per data",
            "SMS and IVM now implemented in Inpatients, Daycase, OP, Maternity and ED. "
            "Inpatient response rates in this quarter to date: 32% and 28%.",
            _rag("G"),
        ],
        SEED_LEGEND,
        SEED_PART_A_HEADER,
        ["KLOE", W8],
        [
            "W8a",
            "Full QIHD accreditation achieved",
            "January March April 2019",
            "KD",
            "Every team accredited",
            "A resource has commenced in post this month to support the administration of "
            "QIHDs. All QIHD teams will be accredited by the end of March 2020.",
            _rag("A/G"),
        ],
        [
            "W8b",
            "we learn programme agreed at Board level",
            "January 2019",
            "KD",
            "As left",
            "Progress has been limited since launching the we learn programme on June 4th. Work "
            "will be restarted, and the senior support post advertised.",
            _rag("A/R"),
        ],
        SEED_LEGEND,
    ]
    part_b: list[list[object]] = [
        ["PART B CQC Inspection provider well-led findings: October 2018: Delivery Status"],
        SEED_PART_B_HEADER,
        [
            "1.",
            "Not all leaders had the necessary experience, knowledge or capability to lead "
            "effectively.",
            "We will ensure PDR outcomes for 2018-19 and 2019-20 are available to the next "
            "inspection, and make structural and personnel changes in the one domain where "
            "red rated concerns were raised.",
            "Changes have been made within the paediatric directorate. An analysis of post "
            "moderation band 8 and above PDR outcomes will come to the January POD.",
            "TL",
            _rag("A/G"),
        ],
        [
            "2.",
            "Leaders were not always visible.",
            "We will take forward our we connect engagement strategy and aim for our ambitious "
            "target of an engagement score of 4/5 by 2021.",
            "First Friday is being reintroduced in November. Further work is needed in Q4 on "
            "the route to a 4 rating from weconnect.",
            "RW",
            _rag("AG"),
        ],
        SEED_LEGEND,
        SEED_PART_B_HEADER,
        [
            "3.",
            "Fit and Proper Person checks were not in place.",
            "Fit and Proper Person's file responsibility will be documented; file completion "
            "will be notified to the Chairman by June 30th.",
            "The files are now complete and have been subject to scrutiny. Arrangements to "
            "maintain them have been put in place.",
            "KD",
            _rag("G"),
        ],
        [
            "4.",
            "Leaders did not ensure the promotion of a positive culture across the trust.",
            "We will re-double efforts to demonstrate the work of leaders at each level to do "
            "this, including through the launch of our Code of Conduct.",
            "Through the balance of 2019-20 we will work to develop the Code of Conduct brand.",
            "TL",
            _rag("A/G"),
        ],
        [
            "5.",
            "Staff did not always feel supported and valued.",
            "We will take forward our we connect engagement strategy and aim for our ambitious "
            "target of an engagement score of 4/5 by 2021.",
            "As per item 2 above.",
            "RW",
            _rag("A/G"),
        ],
        [
            "6.",
            "The trust had appointed Freedom to Speak Up Guardians (FTSUG) but not provided "
            "them with sufficient resources and support. Feedback as to the effectiveness of "
            "the freedom to speak up function was varied.",
            "A FTSU strategy will be completed and go back to the Board in June for final sign "
            "off.",
            "The actions agreed are complete and we will track through ARM the FTSUG plan, and "
            "through Q&S the Freedom to Speak up plan.",
            "KD",
            _rag("A/G"),
        ],
        SEED_LEGEND,
        SEED_PART_B_HEADER,
        [
            "7.",
            "Whilst the arrangements for governance were well established we were not assured "
            "that the approach and flow of information was always effective.",
            "We will review and re-document the terms of reference, role and membership of all "
            "CLE and Board committees in time for August's Trust Board meeting.",
            "This work is very much in hand. It will presented to the December Board meeting.",
            "KD",
            _rag("A/G"),
        ],
        [
            "8.",
            "The trust did not have clear strategies for meeting the needs of patients with a "
            "mental health, or dementia diagnosis",
            "We will ensure that at the next CQC inspection the detailed plan we have in each "
            "area of vulnerability is presented in a form preferred by the regulator.",
            "CLE has considered in detail ideas on mental wellbeing and is expecting a final "
            "proposal at its November meeting.",
            "PG",
            _rag("A/R"),
        ],
        [
            "9.",
            "Appropriate governance arrangements were not in place in relation to Mental "
            "Health Act administration and Compliance.",
            "We will review and complete a Mental Health Act policy and operational guidance "
            "during June.",
            "New arrangements with B&SMHNHSFT have been commissioned and a policy approved. "
            "This will go green when data is visible and comprehensive.",
            "RB",
            _rag("A/G"),
        ],
        [
            "10.",
            "Systems to identify and reduce or eliminate risks were not always effective. "
            "Oversight and assurance of mitigation at board level was not always evident.",
            "We will revisit our SBAF arrangements and our arrangements for incident "
            "management and learning, as those for risk register mitigation.",
            "Inputs are being delivered but output success varies by directorate. In January we "
            "will review across all areas of risk our arrangements for the year ahead.",
            "KD",
            _rag("A/R"),
        ],
        SEED_LEGEND,
        SEED_PART_B_HEADER,
        [
            "11.",
            "Access to data was inhibited by the poor reliability of IT systems. The trust had "
            "recognised the information technology system was not fit for purpose.",
            "We will agree through the Digital MPA in June a strategy for IT governance "
            "reflecting both this report and the audit that we commissioned in February.",
            "Reliability data suggests material improvement, but we are not yet assured. We "
            "expect to be assured during Q4 2019-20.",
            "TL",
            _rag("A/R"),
        ],
        [
            "12.",
            "Information governance systems were not robust and the confidentiality of patient "
            "records was not assured.",
            "The Trust will implement the revised NHS wide governance arrangements and complete "
            "our self-assessment for 2019-20.",
            "We have not yet implemented all of the improvements in our Q1 self-assessment "
            "document, but expect to have done so by the end of Q3.",
            "KD",
            _rag("A/G"),
        ],
        [
            "13.",
            "The trust did not have a structured and systematic approach to engaging with "
            "people who use services, those close to them and their representatives.",
            "We will revisit our approach to the MLG, and work even more closely with "
            "Healthwatch to tackle involvement and participation deficits.",
            "Work in this area is due to report to the Board in November.",
            "PG",
            _rag("A/R"),
        ],
        SEED_LEGEND,
        SEED_PART_B_HEADER,
        [
            "14.",
            "Systems to identify and learn from unanticipated deaths were ineffective.",
            "The Trust will pursue its Learning from Deaths strategy, augmented by revised IT "
            "arrangements.",
            "The Board's Q&S Committee has oversight of work in this area, and by the end of "
            "2019-20 we expect to have delivered our ME plan in full.",
            "DC",
            _rag("A/G"),
        ],
        SEED_LEGEND,
    ]
    book = openpyxl.Workbook()
    sheet_a = book.active
    sheet_a.title = "Part A"
    _write_sheet(
        sheet_a,
        part_a,
        widths=[8, 30, 14, 10, 28, 60, 8],
        bold_rows={1, 2, 3, 4, 6, 7, 8, 12, 13, 17, 20, 24, 25, 27, 30, 32, 35, 38, 39},
        merged_rows={25, 35},
    )
    sheet_b = book.create_sheet("Part B")
    _write_sheet(
        sheet_b,
        part_b,
        widths=[6, 40, 40, 50, 8, 8],
        bold_rows={1, 2, 6, 12, 18, 23},
    )
    book.save(path)
    return path


def _part_a(row: int, ref: str, group: str, action: str, lead: str, rag: str) -> dict:
    """The fields every Part A action shares; dates and completeness are added per row."""
    return {
        "sheet": "Part A",
        "row": row,
        "ref": ref,
        "group": group,
        "action": action,
        "lead": lead,
        "status": rag,
    }


def _part_b(row: int, ref: str, lead: str, rag: str, action: str) -> dict:
    """A Part B finding: no group, no dates; G is the only complete code on the legend."""
    return {
        "sheet": "Part B",
        "row": row,
        "ref": ref,
        "group": None,
        "action": action,
        "lead": lead,
        "status": rag,
        "due": None,
        "original": None,
        "revisions": [],
        "complete": rag == "G",
    }


def _dates(original: str, *revisions: str) -> dict:
    """Original due date, its revisions in order, and the due date they give (the latest)."""
    return {
        "due": revisions[-1] if revisions else original,
        "original": original,
        "revisions": list(revisions),
    }


_LEGEND_WHY = "legend: the status legend, repeated on each printed page"
_REPEATED_HEADER_WHY = "header: repeated for each printed page"

EXPECTED_SEED_LEGACY = {
    "sheet": ["Part A", "Part B"],
    "title": [
        "The well-led framework",
        "PART A Board self-review against KLOEs: 2018/19 deliverables",
        "PART B CQC Inspection findings: October 2018",
        "Position as at end of September 2019",
        "PART A: Board self-review against KLOEs – Delivery Status",
        "PART B CQC Inspection provider well-led findings: October 2018: Delivery Status",
    ],
    # From the legend rows. R (W1b) and AG (Part B item 2) are not on it: R is not complete
    # (nothing says it is), AG is a slip for A/G, which is not complete either.
    "scale": [
        {"code": "G", "meaning": "Action completed and improvement achieved", "complete": True},
        {
            "code": "A/G",
            "meaning": "Clear plan for delivery but not yet completed",
            "complete": False,
        },
        {
            "code": "A/R",
            "meaning": "We either lack a plan or confidence in that plan",
            "complete": False,
        },
    ],
    "scale_source": "legend rows",
    "groups": [W1, W2, W3, W4, W5, W6, W7, W8],
    # Timescales hold the original and its revisions in one cell, read left to right; a
    # month without a year takes the year written after it ("February June 2019" is February
    # 2019 then June 2019); "December 19" is December 2019 (two-digit year).
    "actions": [
        {
            **_part_a(9, "W1a", W1, "Coaching and mentoring program", "RG", "A/G"),
            **_dates("2019-03-31", "2019-07-31"),
            "complete": False,
        },
        {
            **_part_a(10, "W1b", W1, "Finalised succession plan for ", "TL", "R"),
            **_dates("2019-02-28"),
            "complete": False,
        },
        {
            **_part_a(14, "W2a", W2, "Continued delivery of quality,", "Varied", "A/R"),
            **_dates("2019-03-31", "2019-07-31"),
            "complete": False,
        },
        {
            **_part_a(15, "W2b", W2, "Full delivery of Board's IT tu", "TL", "A/R"),
            **_dates("2019-01-31"),
            "complete": False,
        },
        {
            **_part_a(16, "W2c", W2, "ICS mobilisation plan delivere", "RS", "A/G"),
            **_dates("2019-03-31"),
            "complete": False,
        },
        {
            **_part_a(18, "W3a", W3, "Tracking high potential indivi", "RG", "A/G"),
            **_dates("2019-03-31", "2019-12-31"),
            "complete": False,
        },
        {
            **_part_a(21, "W3b", W3, "Delivery of we connect program", "TL", "A/G"),
            **_dates("2019-02-28"),
            "complete": False,
        },
        {
            **_part_a(22, "W3c", W3, "Improvements in mental wellbei", "RG", "A/G"),
            **_dates("2019-03-31", "2019-05-31"),
            "complete": False,
        },
        {
            # no planned-action text; three leads in one cell
            **_part_a(26, "W4a", W4, "", "DMc / AK / MS", "A/G"),
            **_dates("2019-12-31"),
            "complete": False,
        },
        {
            **_part_a(28, "W5a", W5, "Refresh approach to PMO and im", "RB", "A/G"),
            **_dates("2019-02-28", "2019-06-30"),
            "complete": False,
        },
        {
            **_part_a(31, "W5b", W5, "Significant improvement in ris", "KD", "A/G"),
            **_dates("2019-03-31"),
            "complete": False,
        },
        {
            # G is complete on the legend even though the progress ends "UPDATE AWAITED"
            **_part_a(33, "W6a", W6, "Data quality plan to be finali", "DB", "G"),
            **_dates("2019-03-31", "2019-04-30"),
            "complete": True,
        },
        {
            **_part_a(34, "W6b", W6, "Visible data at frontline leve", "DB", "A/G"),
            **_dates("2019-03-31", "2019-05-31"),
            "complete": False,
        },
        {
            **_part_a(36, "W7a", W7, "Friends and family data volume", "PG", "G"),
            **_dates("2019-02-28"),
            "complete": True,
        },
        {
            **_part_a(40, "W8a", W8, "Full QIHD accreditation achiev", "KD", "A/G"),
            **_dates("2019-01-31", "2019-03-31", "2019-04-30"),
            "complete": False,
        },
        {
            **_part_a(41, "W8b", W8, "we learn programme agreed at B", "KD", "A/R"),
            **_dates("2019-01-31"),
            "complete": False,
        },
        _part_b(3, "1.", "TL", "A/G", "We will ensure PDR outcomes fo"),
        _part_b(4, "2.", "RW", "AG", "We will take forward our we co"),
        _part_b(7, "3.", "KD", "G", "Fit and Proper Person's file r"),
        _part_b(8, "4.", "TL", "A/G", "We will re-double efforts to d"),
        _part_b(9, "5.", "RW", "A/G", "We will take forward our we co"),
        _part_b(10, "6.", "KD", "A/G", "A FTSU strategy will be comple"),
        _part_b(13, "7.", "KD", "A/G", "We will review and re-document"),
        _part_b(14, "8.", "PG", "A/R", "We will ensure that at the nex"),
        _part_b(15, "9.", "RB", "A/G", "We will review and complete a "),
        _part_b(16, "10.", "KD", "A/R", "We will revisit our SBAF arran"),
        _part_b(19, "11.", "TL", "A/R", "We will agree through the Digi"),
        _part_b(20, "12.", "KD", "A/G", "The Trust will implement the r"),
        _part_b(21, "13.", "PG", "A/R", "We will revisit our approach t"),
        _part_b(24, "14.", "DC", "A/G", "The Trust will pursue its Lear"),
    ],
    # Part B has no dates, so nothing there can be overdue.
    "overdue": {
        "2019-09-30": [
            ("W2b", 242),
            ("W8b", 242),
            ("W1b", 214),
            ("W3b", 214),
            ("W2c", 183),
            ("W5b", 183),
            ("W8a", 153),
            ("W3c", 122),
            ("W6b", 122),
            ("W5a", 92),
            ("W1a", 61),
            ("W2a", 61),
        ],
        "2020-09-30": [
            ("W2b", 608),
            ("W8b", 608),
            ("W1b", 580),
            ("W3b", 580),
            ("W2c", 549),
            ("W5b", 549),
            ("W8a", 519),
            ("W3c", 488),
            ("W6b", 488),
            ("W5a", 458),
            ("W1a", 427),
            ("W2a", 427),
            ("W3a", 274),
            ("W4a", 274),
        ],
    },
    "not_actions": [
        {"sheet": "Part A", "row": 1, "holds": "The well-led framework", "why": "title"},
        {
            "sheet": "Part A",
            "row": 2,
            "holds": "PART A Board self-review against KLOEs: 2018/19 deliverables",
            "why": "title",
        },
        {
            "sheet": "Part A",
            "row": 3,
            "holds": "PART B CQC Inspection findings: October 2018",
            "why": "title",
        },
        {
            "sheet": "Part A",
            "row": 4,
            "holds": "Position as at end of September 2019",
            "why": "title: the as-at date",
        },
        {
            "sheet": "Part A",
            "row": 6,
            "holds": "PART A: Board self-review against KLOEs – Delivery Status",
            "why": "title: Part A's table heading",
        },
        {"sheet": "Part A", "row": 7, "holds": "Ref:", "why": "header: column headings"},
        {"sheet": "Part A", "row": 8, "holds": "KLOE", "why": "group: KLOE band, text in B"},
        {"sheet": "Part A", "row": 11, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part A", "row": 12, "holds": "Ref:", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part A", "row": 13, "holds": W2, "why": "group: KLOE band, A left blank"},
        {"sheet": "Part A", "row": 17, "holds": "KLOE", "why": "group: KLOE band, text in B"},
        {"sheet": "Part A", "row": 19, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part A", "row": 20, "holds": "Ref:", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part A", "row": 23, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part A", "row": 24, "holds": "Ref:", "why": _REPEATED_HEADER_WHY},
        {
            "sheet": "Part A",
            "row": 25,
            "holds": f"KLOE {W4}",
            "why": "group: KLOE band typed whole in one merged cell",
        },
        {"sheet": "Part A", "row": 27, "holds": "KLOE", "why": "group: KLOE band, text in B"},
        {"sheet": "Part A", "row": 29, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part A", "row": 30, "holds": "Ref:", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part A", "row": 32, "holds": "KLOE", "why": "group: KLOE band, text in B"},
        {
            "sheet": "Part A",
            "row": 35,
            "holds": W7,
            "why": "group: KLOE band typed whole in one merged cell, no KLOE prefix",
        },
        {"sheet": "Part A", "row": 37, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part A", "row": 38, "holds": "Ref:", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part A", "row": 39, "holds": "KLOE", "why": "group: KLOE band, text in B"},
        {"sheet": "Part A", "row": 42, "holds": "Status", "why": _LEGEND_WHY},
        {
            "sheet": "Part B",
            "row": 1,
            "holds": "PART B CQC Inspection provider well-led findings: October 2018: "
            "Delivery Status",
            "why": "title: Part B's table heading",
        },
        {
            "sheet": "Part B",
            "row": 2,
            "holds": "CQC finding",
            "why": "header: column headings, the number column's header blank",
        },
        {"sheet": "Part B", "row": 5, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part B", "row": 6, "holds": "CQC finding", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part B", "row": 11, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part B", "row": 12, "holds": "CQC finding", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part B", "row": 17, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part B", "row": 18, "holds": "CQC finding", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part B", "row": 22, "holds": "Status", "why": _LEGEND_WHY},
        {"sheet": "Part B", "row": 23, "holds": "CQC finding", "why": _REPEATED_HEADER_WHY},
        {"sheet": "Part B", "row": 25, "holds": "Status", "why": _LEGEND_WHY},
    ],
    "columns": {
        "Part A": {
            "Ref:": "ref",
            "Planned action": "action",
            "Timescale": "due date (original then revisions in one cell)",
            "Lead": "lead",
            "Success measure": "success measure",
            "Progress update": "progress (narrative)",
            "RAG": "status",
        },
        "Part B": {
            "": "ref",
            "CQC finding": "finding",
            "Planned action": "action",
            "Progress": "progress (narrative)",
            "Lead": "lead",
            "RAG": "status",
        },
    },
}


# --- 5. summary_of_actions -----------------------------------------------------------------
# Re-keyed from a community and mental health trust's public "Summary of Actions from the
# Board meeting on 28 February 2018" (the items - CAMHS and IAPT waiting times, the
# Oxfordshire contract - point to Oxford Health NHS Foundation Trust): the item ref, the action
# and "Status: in progress" all inside one text per action, under section rows "Actions held
# over from previous meeting on ...". The paper has only a Responsibility column beside the
# text; the Due column here is the kind a trust adds when it moves the summary into Excel.

SUMMARY_HEADER = ["Relevant Item / Action", "Responsibility", "Due"]


def build_summary_of_actions(path: Path) -> Path:
    """The summary of actions of a community trust board, 2017-18."""
    rows: list[list[object]] = [
        ["PUBLIC"],
        ["Summary of Actions from the Board meeting on 28 February 2018"],
        SUMMARY_HEADER,
        ["Actions held over from previous meetings on 26 April and 24 May 2017"],
        [
            "BOD 60/17(h), BOD 21/17(b), BOD 32/17(b) Strategic Partnerships Report\n"
            "Future reporting to include more evaluation of whether progress achieved was as "
            "expected, the relative scale of the partnerships, the governance arrangements, "
            "the funding involved and the relative risk to the Trust.\n"
            "Status: in progress – pending the reworking of all performance reporting.",
            "MW",
            None,
        ],
        [
            "BOD 62/17(l) Proposed new structure for Operations\n"
            "To bring back for further review by the Board so the Board has an opportunity to "
            "input into the development of the new structure.\n"
            "Status: on hold – to keep on the Summary of Actions until completed",
            "DH",
            None,
        ],
        ["Actions held over from previous meeting on 25 October 2017"],
        [
            "BOD 180/17(b)-(c) Board Assurance Framework (BAF)\n"
            "To update the risk at SO 2.3 to separate out the risk relating to achievement of "
            "CIP, and the workforce risks at SO 5.1(A&B) and 5.2 to revise narrative and "
            "description.\n"
            "Status:in progress – for next BAF update April 2018.",
            "HS",
            "April 2018",
        ],
        [
            "BOD 181/17(c) Quality and Safety Report\n"
            "Safer staffing exception reporting to show the use of bank and agency staff by "
            "team.\n"
            "Status: in progress – first report to the Quality Committee.",
            "RB",
            "Jan",
        ],
        ["Action held over from previous meeting on 29 November 2017"],
        [
            "BOD 192/17(f) Performance Report\n"
            "Deep dive of specific performance areas at the Caring and Responsive Quality Sub "
            "Committee, reporting back to Quality Committee and Board: Out of Hours, CAMHS "
            "waiting times, IAPT waiting times and delayed transfers of care.\n"
            "Status: tbc in meeting",
            "MW",
            "March 2018",
        ],
        ["Actions from meeting on 28 February 2018"],
        [
            "BOD 24/18(b) Gender pay gap reporting\n"
            "The Trust to publish gender pay gap reporting by the end of March 2018.\n"
            "Status:in progress",
            "TB",
            date(2018, 3, 31),
        ],
        [
            "BOD 24/18(c) Workforce Report\n"
            "Development of workforce reporting to cover training levels and appraisal rates "
            "by team.\n"
            "Status: in progress",
            "TB",
            "Sept",
        ],
        [
            "BOD 21/18(a) Minutes of the meeting held on 29 November 2017\n"
            "Amend to include the Board's request for assurance on the winter plan.\n"
            "Status: complete",
            "HS",
            date(2018, 2, 28),
        ],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Summary of Actions"
    _write_sheet(
        sheet,
        rows,
        widths=[90, 14, 12],
        bold_rows={1, 2, 3, 4, 7, 10, 12},
        merged_rows={4, 7, 10, 12},
    )
    book.save(path)
    return path


_HELD_MAY17 = "Actions held over from previous meetings on 26 April and 24 May 2017"
_HELD_OCT17 = "Actions held over from previous meeting on 25 October 2017"
_HELD_NOV17 = "Action held over from previous meeting on 29 November 2017"
_FROM_FEB18 = "Actions from meeting on 28 February 2018"

EXPECTED_SUMMARY_OF_ACTIONS = {
    "sheet": "Summary of Actions",
    # "PUBLIC" above it is a protective marking, not a title line
    "title": ["Summary of Actions from the Board meeting on 28 February 2018"],
    # The status sits inside the action text after "Status:" (sometimes with no space);
    # "status" below is the scale word found there, the rest of the sentence is progress.
    "scale": [
        {"code": "in progress", "meaning": "work under way", "complete": False},
        {
            "code": "on hold",
            "meaning": "paused; kept on the summary until completed",
            "complete": False,
        },
        {
            "code": "tbc in meeting",
            "meaning": "to be confirmed at the meeting",
            "complete": False,
        },
        {"code": "complete", "meaning": "done", "complete": True},
    ],
    "scale_source": "status inside the action text ('Status: ...')",
    "groups": [_HELD_MAY17, _HELD_OCT17, _HELD_NOV17, _FROM_FEB18],
    "actions": [
        {
            "sheet": "Summary of Actions",
            "row": 5,
            # the first of three item refs on the first line; the others are earlier minutes
            "ref": "BOD 60/17(h)",
            "group": _HELD_MAY17,
            "action": "Future reporting to include mo",
            "lead": "MW",
            "status": "in progress",
            "due": None,
            "original": None,
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 6,
            "ref": "BOD 62/17(l)",
            "group": _HELD_MAY17,
            "action": "To bring back for further revi",
            "lead": "DH",
            "status": "on hold",
            "due": None,
            "original": None,
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 8,
            "ref": "BOD 180/17(b)-(c)",
            "group": _HELD_OCT17,
            "action": "To update the risk at SO 2.3 t",
            "lead": "HS",
            "status": "in progress",
            "due": "2018-04-30",
            "original": "2018-04-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 9,
            "ref": "BOD 181/17(c)",
            "group": _HELD_OCT17,
            "action": "Safer staffing exception repor",
            "lead": "RB",
            "status": "in progress",
            # Rollover: "Jan" set at the 25 October 2017 meeting is January 2018, the first
            # January after that meeting, not January 2017.
            "due": "2018-01-31",
            "original": "2018-01-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 11,
            "ref": "BOD 192/17(f)",
            "group": _HELD_NOV17,
            "action": "Deep dive of specific performa",
            "lead": "MW",
            "status": "tbc in meeting",
            "due": "2018-03-31",
            "original": "2018-03-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 13,
            "ref": "BOD 24/18(b)",
            "group": _FROM_FEB18,
            "action": "The Trust to publish gender pa",
            "lead": "TB",
            "status": "in progress",
            "due": "2018-03-31",
            "original": "2018-03-31",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 14,
            "ref": "BOD 24/18(c)",
            "group": _FROM_FEB18,
            "action": "Development of workforce repor",
            "lead": "TB",
            "status": "in progress",
            # "Sept" under the 28 February 2018 meeting: September 2018
            "due": "2018-09-30",
            "original": "2018-09-30",
            "revisions": [],
            "complete": False,
        },
        {
            "sheet": "Summary of Actions",
            "row": 15,
            "ref": "BOD 21/18(a)",
            "group": _FROM_FEB18,
            "action": "Amend to include the Board's r",
            "lead": "HS",
            "status": "complete",
            "due": "2018-02-28",
            "original": "2018-02-28",
            "revisions": [],
            "complete": True,
        },
    ],
    "overdue": {
        "2018-02-28": [("BOD 181/17(c)", 28)],
        "2019-02-28": [
            ("BOD 181/17(c)", 393),
            ("BOD 192/17(f)", 334),
            ("BOD 24/18(b)", 334),
            ("BOD 180/17(b)-(c)", 304),
            ("BOD 24/18(c)", 151),
        ],
    },
    "not_actions": [
        {
            "sheet": "Summary of Actions",
            "row": 1,
            "holds": "PUBLIC",
            "why": "marking: protective marking of the paper",
        },
        {
            "sheet": "Summary of Actions",
            "row": 2,
            "holds": "Summary of Actions from the Board meeting on 28 February 2018",
            "why": "title: names the meeting (the as-at date)",
        },
        {
            "sheet": "Summary of Actions",
            "row": 3,
            "holds": "Relevant Item / Action",
            "why": "header: column headings",
        },
        {
            "sheet": "Summary of Actions",
            "row": 4,
            "holds": _HELD_MAY17,
            "why": "group: section of actions held over",
        },
        {
            "sheet": "Summary of Actions",
            "row": 7,
            "holds": _HELD_OCT17,
            "why": "group: section of actions held over",
        },
        {
            "sheet": "Summary of Actions",
            "row": 10,
            "holds": _HELD_NOV17,
            "why": "group: section of actions held over",
        },
        {
            "sheet": "Summary of Actions",
            "row": 12,
            "holds": _FROM_FEB18,
            "why": "group: section of this meeting's actions",
        },
    ],
    "columns": {
        "Relevant Item / Action": (
            "ref, action and status in one text (item ref first, then 'Status: ...' inside)"
        ),
        "Responsibility": "lead",
        "Due": "due date",
    },
}


FIXTURES = {
    "month_log": (build_month_log, EXPECTED_MONTH_LOG),
    "meeting_log": (build_meeting_log, EXPECTED_MEETING_LOG),
    "cqc_plan": (build_cqc_plan, EXPECTED_CQC_PLAN),
    "seed_legacy": (build_seed_legacy, EXPECTED_SEED_LEGACY),
    "summary_of_actions": (build_summary_of_actions, EXPECTED_SUMMARY_OF_ACTIONS),
}
