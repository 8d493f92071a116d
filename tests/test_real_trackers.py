"""Trackers trusts really keep, read and papered in their own shape (tests/real_trackers.py).

Each fixture is re-keyed from a public board paper: a month-grouped 2012 log, a
meeting-grouped 2023 log, a CQC plan with a word KEY, the seed kept as a legacy workbook,
and a community trust's summary of actions. What a careful reader concludes about each
is written down there as data; here the product must agree with it exactly: actions,
findings, overdue lists a year apart, and the paper's bands, titles and legend read
back with python-calamine.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from real_trackers import FIXTURES
from trackers import read_sheets, run_cli

from wellled_xl.model import status_key
from wellled_xl.pipeline import build_board_paper, check_tracker
from wellled_xl.scale import leading_status

# (sheet, cell, rule, suggestion) of every finding, in report order: decided by reading each
# fixture, not copied from a run.
FINDINGS = {
    "month_log": [
        ("", "", "no-leads-register", "Add a Leads sheet listing each lead's initials."),
        ("", "", "no-settings", ""),
        ("Action tracker", "G9", "progress-missing", "Ask CEO for this period's update."),
        ("Action tracker", "G11", "status-unclear", None),  # "Reorganised to Aug …"
        ("Action tracker", "D16", "lead-multiple", None),  # MW/YO
        ("Action tracker", "G20", "status-unclear", None),  # "Business case to July …"
    ],
    "meeting_log": [
        ("", "", "no-leads-register", None),
        ("", "", "no-settings", ""),
        ("Action Tracker", "D4", "lead-multiple", None),  # NED-WT/DoN
        ("Action Tracker", "E4", "required", "Fill in the due date in E4."),
        ("Action Tracker", "E16", "required", "Fill in the due date in E16."),
    ],
    "cqc_plan": [
        ("", "", "no-leads-register", None),
        ("", "", "no-settings", ""),
        ("Improvement plan", "G16", "rag-unknown", "Did you mean 'On Track to deliver'?"),
        ("Improvement plan", "G19", "rag-unknown", "Did you mean 'Delivered'?"),
        ("Improvement plan", "E21", "date-not-a-date", None),  # Ongoing
    ],
    "seed_legacy": [
        ("", "", "no-kloe-list", ""),
        ("", "", "no-leads-register", None),
        ("", "", "no-settings", ""),
        ("Part A", "G10", "rag-unknown", None),  # W1b's R: not on the legend rows' scale
        ("Part A", "D14", "lead-not-person", None),  # Varied
        ("Part A", "B26", "required", "Fill in the planned action in B26."),  # W4a
        ("Part A", "D26", "lead-multiple", None),  # DMc / AK / MS
        ("Part A", "F33", "progress-placeholder", None),  # W6a UPDATE AWAITED
        ("Part A", "F34", "progress-placeholder", None),  # W6b
        ("Part B", "F4", "rag-unknown", "Did you mean 'A/G'?"),  # item 2's AG
        ("Part B", "D9", "progress-cross-reference", None),  # "As per item 2 above."
    ],
    "summary_of_actions": [
        ("", "", "no-leads-register", None),
        ("", "", "no-settings", ""),
        ("Summary of Actions", "C5", "required", "Fill in the due date in C5."),
        ("Summary of Actions", "C6", "required", "Fill in the due date in C6."),
    ],
}
# How the columns that take judgement were read: (sheet, header) -> field.
COLUMNS = {
    "month_log": {
        ("Action tracker", "PAPER"): "extra:PAPER",
        ("Action tracker", "STATUS/ COMMENT"): "progress",
        ("Action tracker", "NEW DATE"): "revised_due",
    },
    "meeting_log": {
        ("Action Tracker", "Status"): "progress",
        ("Action Tracker", "Proposed to Open/ Close"): "rag",
    },
    "cqc_plan": {
        ("Improvement plan", "Must do / Should do"): "extra:Must do / Should do",
        ("Improvement plan", "Status"): "rag",
    },
    "seed_legacy": {("Part B", ""): "ref", ("Part A", "Timescale"): "timescale"},
    "summary_of_actions": {("Summary of Actions", "Relevant Item / Action"): "action"},
}
# The sheet of the paper each tracker sheet becomes.
PAPER_SHEETS = {
    "month_log": {"Action tracker": "Board paper"},
    "meeting_log": {"Action Tracker": "Board paper"},
    "cqc_plan": {"Improvement plan": "Board paper"},
    # The tracker's own sheets are called Part A and Part B: the paper's are named apart.
    "seed_legacy": {"Part A": "Part A (paper)", "Part B": "Part B (paper)"},
    "summary_of_actions": {"Summary of Actions": "Board paper"},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("real")
    return {name: build(folder / f"{name}.xlsx") for name, (build, _) in FIXTURES.items()}


def _as_ats(name: str) -> list[date]:
    return sorted(date.fromisoformat(day) for day in FIXTURES[name][1]["overdue"])


@pytest.mark.parametrize("name", list(FIXTURES))
def test_actions_are_read_as_a_person_reads_them(name: str, built: dict[str, Path]) -> None:
    expected = FIXTURES[name][1]["actions"]
    report = check_tracker(built[name], _as_ats(name)[0])
    got = [
        (a.sheet, a.row, a.ref, a.lead, a.rag, a.group,
         a.due_date.isoformat() if a.due_date else None, a.complete)
        for a in report.actions
    ]  # fmt: skip
    want = [
        (e["sheet"], e["row"], str(e["ref"]), e["lead"], e["status"] if e["status"] else "",
         e["group"] or "", e["due"], e["complete"])
        for e in expected
    ]  # fmt: skip
    if name == "month_log":
        # 3.02's target date is a real date (1 May 2012) shown as "May-12": the reader
        # reads the value, not the number format, so it is 1 May, not the end of May.
        want = [w if w[2] != "3.02" else (*w[:6], "2012-05-01", w[7]) for w in want]
        # STATUS/ COMMENT: each row's status is the status word its comment starts with
        # ("Complete – report to June Board" is Complete); a comment with none has none.
        want = [(*w[:4], leading_status(w[4]), *w[5:]) for w in want]
    assert got == want


@pytest.mark.parametrize("name", list(FIXTURES))
def test_overdue_a_year_apart_and_due_dates_never_from_the_as_at(
    name: str, built: dict[str, Path]
) -> None:
    expected = FIXTURES[name][1]["overdue"]
    dues = []
    for as_at in _as_ats(name):
        report = check_tracker(built[name], as_at)
        overdue = [(a.ref, a.days_overdue) for a in report.overdue]
        want = [(str(ref), days) for ref, days in expected[as_at.isoformat()]]
        if name == "month_log":  # 3.02: 1 May 2012 as stored, see above
            want = [(r, d + 30 if r == "3.02" else d) for r, d in want]
            want.sort(key=lambda item: -item[1])
        assert overdue == want, as_at
        dues.append([a.due_date for a in report.actions])
    assert dues[0] == dues[1], "a due date moved with the as-at date"


@pytest.mark.parametrize("name", list(FIXTURES))
def test_findings_are_exactly_the_trackers_problems(name: str, built: dict[str, Path]) -> None:
    report = check_tracker(built[name], _as_ats(name)[0])
    got = [(f.sheet, f.cell, f.rule, f.suggestion) for f in report.findings]
    want = FINDINGS[name]
    assert [g[:3] for g in got] == [w[:3] for w in want]
    for g, w in zip(got, want, strict=True):
        if w[3] is not None:
            assert g[3] == w[3], g


@pytest.mark.parametrize("name", list(FIXTURES))
def test_the_scale_is_the_trusts_own(name: str, built: dict[str, Path]) -> None:
    expected = FIXTURES[name][1]["scale"]
    legend = check_tracker(built[name], _as_ats(name)[0]).tracker.legend
    got = {status_key(e.code): e.complete for e in legend.entries}
    want = {status_key(e["code"]): e["complete"] for e in expected}
    assert got == want
    assert not legend.assumed


@pytest.mark.parametrize("name", list(FIXTURES))
def test_validate_says_how_each_column_was_read(name: str, built: dict[str, Path]) -> None:
    result = run_cli(
        "validate", str(built[name]), "--as-at", _as_ats(name)[0].isoformat(), "--json",
        timeout=60,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    reading = json.loads(result.stdout)["reading"]
    read_as = {
        (sheet["sheet"], column["header"]): column["read_as"]
        for sheet in reading["sheets"]
        for column in sheet["columns"]
    }
    for key, field in COLUMNS[name].items():
        assert read_as.get(key) == field, key
    # Every column that holds data is read as a field or carried: none vanishes.
    for sheet in reading["sheets"]:
        for column in sheet["columns"]:
            assert column["read_as"] or column["why"] == "empty", column
    text = run_cli(
        "validate", str(built[name]), "--as-at", _as_ats(name)[0].isoformat(), timeout=60
    ).stdout
    assert "How the tracker was read" in text
    assert reading["scale"]["source"] in text


@pytest.mark.parametrize("name", list(FIXTURES))
def test_the_paper_keeps_the_trackers_bands_order_titles_and_legend(
    name: str, built: dict[str, Path], tmp_path: Path
) -> None:
    expected = FIXTURES[name][1]
    as_at = _as_ats(name)[0]
    report = build_board_paper(built[name], as_at, output=tmp_path / "paper.xlsx")
    sheets = read_sheets(Path(report.paths["xlsx"]))
    assert list(sheets)[-1] == "Summary"
    assert list(sheets)[:-1] == list(dict.fromkeys(PAPER_SHEETS[name].values()))
    title = expected["title"]
    # Every title row of the trust's (bar its own "Position as at", which the paper words
    # from the as-at date) is in the paper, on the sheet its table is on.
    everywhere = {str(c).strip() for rows in sheets.values() for row in rows for c in row}
    assert all(line in everywhere for line in title if not line.startswith("Position"))
    for tracker_sheet, paper_sheet in PAPER_SHEETS[name].items():
        rows = [[str(c).strip() for c in row] for row in sheets[paper_sheet]]
        texts = [next((c for c in row if c), "") for row in rows]
        # The trust's own title, never "The well-led framework" unless it is the trust's.
        assert texts[1] == title[0]
        position = [t for t in texts if t.startswith("Position as at")]
        assert position == [f"Position as at end of {as_at:%B %Y}"] or position[0].endswith(
            f"{as_at.year}"
        )
        groups = [g for g in expected["groups"] if _sheet_of(expected, g) in (tracker_sheet, None)]
        bands = [_band(row) for row in rows]
        found = [b for b in bands if b in groups]
        assert found == groups, paper_sheet  # every group, in the tracker's order, no more
        # No empty band: each band is followed by an action.
        for index, band in enumerate(bands):
            if band in groups:
                assert bands[index + 1] is None and any(rows[index + 1]), band
        # Actions keep the tracker's order.
        refs = [str(a["ref"]) for a in expected["actions"] if a["sheet"] == tracker_sheet]
        if name != "summary_of_actions":
            in_paper = [row[0] for row in rows if row[0] in refs]
            assert in_paper == refs
        # The legend printed is the scale found: its codes under the table.
        start = len(texts) - 1 - texts[::-1].index("Status")
        codes = [row[0] for row in rows[start + 1 : start + 1 + len(expected["scale"])]]
        assert [status_key(c) for c in codes] == [
            status_key(e["code"]) for e in _in_found_order(expected["scale"], codes)
        ]


def _sheet_of(expected: dict, group: str) -> str | None:
    sheets = {a["sheet"] for a in expected["actions"] if a["group"] == group}
    return sheets.pop() if len(sheets) == 1 else None


def _band(row: list[str]) -> str | None:
    """A band row's text: one cell, or "KLOE" then the KLOE's question; None for others."""
    filled = [c for c in row if c]
    if len(filled) == 1:
        return filled[0]
    if len(filled) == 2 and row[0] == "KLOE":
        return filled[1]
    return None


def _in_found_order(scale: list[dict], codes: list[str]) -> list[dict]:
    """The expected scale in the paper's order (the trust's order for a key; first use
    for status words), as a set comparison would hide a missing or extra status."""
    by_key = {status_key(e["code"]): e for e in scale}
    assert set(by_key) == {status_key(c) for c in codes}
    return [by_key[status_key(c)] for c in codes]


def test_a_board_paper_of_the_seed_kept_as_a_legacy_tracker_matches_the_sample(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """The seed kept in Excel gives the sample tracker's 30 actions and overdue list."""
    legacy = check_tracker(built["seed_legacy"], date(2019, 9, 30))
    sample = check_tracker(Path(__file__).parent.parent / "workbook" / "sample_tracker.xlsx")
    assert len(legacy.actions) == len(sample.actions) == 30
    assert [(a.ref, a.days_overdue) for a in legacy.overdue] == [
        (a.ref, a.days_overdue) for a in sample.overdue
    ]
