"""Validation rules on trusts' trackers: every finding placed, worded and coded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trackers import LEADS, LEGEND, trust_tracker

from wellled_xl.actions import split_leads
from wellled_xl.model import DEFAULT_LEGEND, Legend, LegendEntry
from wellled_xl.read import read_tracker
from wellled_xl.rules import RULES
from wellled_xl.scale import suggest_status as suggest_rag
from wellled_xl.validate import validate

AS_AT = date(2019, 9, 30)
REGISTERS = {"Legend": LEGEND, "Leads": LEADS}


def findings_for(tmp_path: Path, rows, registers=REGISTERS):
    tracker = read_tracker(trust_tracker(tmp_path / "t.xlsx", rows, extra_sheets=registers))
    return validate(tracker, AS_AT)


def rules_at(report) -> set[tuple[str, str]]:
    return {(f.cell, f.rule) for f in report.findings if f.row is not None}


def test_a_clean_row_has_no_findings(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path, [["W1a", "Coaching", "March 2020", "RG", "75 enrolees", "On track", "A/G"]]
    )
    assert rules_at(report) == set()
    assert report.exit_code == 0


def test_rag_not_in_legend_is_an_error_with_a_suggestion_never_applied(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "March 2020", "RG", "m", "p", "AG"],
            ["W1b", "b", "March 2020", "RG", "m", "p", "green"],
            ["W1c", "c", "March 2020", "RG", "m", "p", "R"],
        ],
    )
    rag = {f.ref: f for f in report.findings if f.rule == "rag-unknown"}
    assert rag["W1a"].cell == "G5" and rag["W1a"].suggestion == "Did you mean 'A/G'?"
    assert rag["W1b"].suggestion == "Did you mean 'G'?"
    assert "add 'R' to the Legend sheet" in rag["W1c"].suggestion
    assert all(f.severity == "error" for f in rag.values())
    assert [a.rag for a in report.actions] == ["AG", "green", "R"]  # never changed
    assert report.exit_code == 1


def test_leads_are_split_and_checked_against_the_register(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "March 2020", "RG / TL", "m", "p", "G"],
            ["W1b", "b", "March 2020", "RG & XX", "m", "p", "G"],
            ["W1c", "c", "March 2020", "Varied", "m", "p", "G"],
            ["W1d", "d", "March 2020", "DoF", "m", "p", "G"],
            ["W1e", "e", "March 2020", "rg", "m", "p", "G"],
        ],
    )
    assert rules_at(report) == {
        ("D5", "lead-multiple"),
        ("D6", "lead-multiple"),
        ("D6", "lead-unknown"),
        ("D7", "lead-not-person"),
    }
    unknown = next(f for f in report.findings if f.rule == "lead-unknown")
    assert "'XX'" in unknown.message


def test_without_a_register_leads_are_not_checked_but_people_still_are(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "March 2020", "ZZ", "m", "p", "G"],
            ["W1b", "b", "March 2020", "All", "m", "p", "G"],
        ],
        registers={"Legend": LEGEND},
    )
    assert rules_at(report) == {("D6", "lead-not-person")}
    assert "no-leads-register" in {f.rule for f in report.findings}


def test_dates_that_cannot_be_read_are_quoted(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "Soonish", "RG", "m", "p", "A/G"],
            ["W1b", "b", "Ongoing", "RG", "m", "p", "A/G"],
            ["W1c", "c", "", "RG", "m", "p", "A/G"],
        ],
    )
    assert rules_at(report) == {
        ("C5", "date-unreadable"),
        ("C6", "date-not-a-date"),
        ("C7", "required"),
    }
    unreadable = next(f for f in report.findings if f.rule == "date-unreadable")
    assert '"Soonish"' in unreadable.message and unreadable.value == "Soonish"


def test_revised_date_before_original(tmp_path: Path) -> None:
    report = findings_for(tmp_path, [["W1a", "a", "July 2019 March 2019", "RG", "m", "p", "A/G"]])
    assert rules_at(report) == {("C5", "date-order")}


def test_progress_placeholders_and_cross_references(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "March 2020", "RG", "m", "UPDATE AWAITED", "A/G"],
            ["W1b", "b", "March 2020", "RG", "m", "Work began. UPDATE AWAITED", "A/G"],
            ["W1c", "c", "March 2020", "RG", "m", "-", "A/G"],
            ["W1d", "d", "March 2020", "RG", "m", "As per item W1a above.", "A/G"],
            ["W1e", "e", "March 2020", "RG", "m", "See item 99", "A/G"],
            ["W1f", "f", "March 2020", "RG", "m", "", "A/G"],
        ],
    )
    assert rules_at(report) == {
        ("F5", "progress-placeholder"),
        ("F6", "progress-placeholder"),
        ("F7", "progress-placeholder"),
        ("F8", "progress-cross-reference"),
        ("F9", "progress-cross-reference"),
        ("F10", "progress-missing"),
    }
    missing_target = next(f for f in report.findings if f.ref == "W1e")
    assert "does not exist" in missing_target.message
    assert all(f.severity == "warning" for f in report.findings)


def test_refs_duplicate_format_and_kloe(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["KLOE W1: Is there leadership?"],
            ["W1a", "a", "March 2020", "RG", "m", "p", "G"],
            ["W1a", "b", "March 2020", "RG", "m", "p", "G"],
            ["W2a", "c", "March 2020", "RG", "m", "p", "G"],
            ["Action 4", "d", "March 2020", "RG", "m", "p", "G"],
        ],
    )
    assert rules_at(report) == {
        ("A6", "ref-duplicate"),
        ("A7", "ref-duplicate"),
        ("A8", "kloe-mismatch"),
        ("A9", "ref-format"),
    }


def test_overdue_slipped_and_complete(tmp_path: Path) -> None:
    report = findings_for(
        tmp_path,
        [
            ["W1a", "a", "March 2019 July 2019", "RG", "m", "p", "A/G"],
            ["W1b", "b", "February 2019", "RG", "m", "p", "G"],
            ["W1c", "c", "September 2019", "RG", "m", "p", "A/R"],
            ["W1d", "d", "August 2019", "RG", "m", "p", "A/R"],
        ],
    )
    assert [(a.ref, a.due_date, a.days_overdue, a.slipped) for a in report.overdue] == [
        ("W1d", date(2019, 8, 31), 30, False),
        ("W1a", date(2019, 7, 31), 61, True),
    ][::-1]
    document = report.to_dict()
    # Only the two workbook warnings: no KLOE sheet, no Settings sheet.
    assert document["summary"] == {"actions": 4, "errors": 0, "warnings": 2, "overdue": 2}
    assert document["overdue"][0] == {
        "sheet": "Action plan",
        "ref": "W1a",
        "lead": "RG",
        "rag": "A/G",
        "due_date": "2019-07-31",
        "days_overdue": 61,
        "slipped": True,
    }


def test_stale_last_updated(tmp_path: Path) -> None:
    header = ["Ref", "Action", "Due date", "Lead", "Success measure", "Progress", "RAG", "Updated"]
    rows = [
        header,
        ["W1a", "a", date(2020, 3, 31), "RG", "m", "p", "A/G", date(2019, 1, 5)],
        ["W1b", "b", date(2020, 3, 31), "RG", "m", "p", "A/G", date(2019, 9, 1)],
    ]
    from trackers import write_rows

    path = write_rows(tmp_path / "t.xlsx", rows, extra_sheets=REGISTERS)
    report = validate(read_tracker(path), AS_AT)
    assert rules_at(report) == {("H2", "progress-stale")}


def test_every_rule_code_used_is_documented(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"`{code}`" in readme, f"rule {code} is not documented in README.md"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("AG", "A/G"),
        ("ag", "A/G"),
        ("A/G", "A/G"),
        ("amber/green", "A/G"),
        ("Amber-Green", "A/G"),
        ("Green", "G"),
        ("g", "G"),
        ("amber red", "A/R"),
        ("Amber", ""),
        ("Purple", ""),
    ],
)
def test_suggest_rag(typed: str, expected: str) -> None:
    legend = Legend(tuple(e for e in DEFAULT_LEGEND.entries if e.code != "R"))
    assert suggest_rag(typed, legend) == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["G", "A/G", "A/R", "R", "B"]), st.sampled_from([str.lower, str.upper]))
def test_suggestion_is_always_a_legend_code(code: str, case) -> None:
    legend = Legend(
        (
            *DEFAULT_LEGEND.entries,
            LegendEntry("B", "Complete and evidenced", "0070C0", True),
        )
    )
    assert suggest_rag(case(code), legend) in legend.codes


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.from_regex(r"[A-Z][A-Za-z]{1,3}", fullmatch=True), min_size=1, max_size=4),
    st.sampled_from([" / ", "/", ", ", " & ", " and "]),
)
def test_split_leads_round_trips(initials: list[str], joiner: str) -> None:
    initials = [i for i in initials if i.lower() != "and"] or ["RG"]
    assert split_leads(joiner.join(initials)) == tuple(initials)


def test_other_trusts_columns_and_date_styles(tmp_path: Path) -> None:
    """TARGET DATE / NEW DATE columns, day-first dates, quarters, a BRAG legend."""
    from trackers import write_rows

    rows = [
        ["Quality Committee: CQC action plan"],
        [],
        ["No", "Must do", "Action required", "Lead", "TARGET DATE", "NEW DATE", "Update", "BRAG"],
        ["May 2012"],
        ["1", "Staffing", "Recruit", "DoF", "17.7.12", "", "Done", "B"],
        ["2", "Records", "Audit", "NED-WT/DoN", "10.05.2023", "Q4 2023/24", "Begun", "A"],
        ["3", "Training", "Train", "DoN", "31/03/2020", "30 Sept", "Started", "A"],
    ]
    legend = [
        ["Code", "Meaning", "Colour", "Complete"],
        ["B", "Complete and evidenced", "0070C0", "Yes"],
        ["G", "Complete", "00B050", "Yes"],
        ["A", "On track", "FFC000", "No"],
        ["R", "Off track", "FF0000", "No"],
    ]
    leads = [
        ["Initials", "Name", "Role"],
        ["AB", "", "DoF"],
        ["CD", "", "DoN"],
        ["WT", "", "NED-WT"],
    ]
    path = write_rows(tmp_path / "t.xlsx", rows, extra_sheets={"Legend": legend, "Leads": leads})
    report = validate(read_tracker(path), AS_AT)
    by_ref = {a.ref: a for a in report.actions}
    assert [a.part for a in report.actions] == ["B", "B", "B"]
    assert by_ref["1"].timescale.dates == (date(2012, 7, 17),)
    assert by_ref["1"].complete and not by_ref["1"].is_overdue
    assert by_ref["2"].timescale.dates == (date(2023, 5, 10), date(2024, 3, 31))
    assert by_ref["2"].slipped
    # "30 Sept" revises 31/03/2020, so it takes the year that puts it after that date.
    assert by_ref["3"].timescale.dates == (date(2020, 3, 31), date(2020, 9, 30))
    assert not [f for f in report.findings if f.rule.startswith("date")]
    assert by_ref["2"].leads == ("NED-WT", "DoN")
    assert not [f for f in report.findings if f.rule == "lead-unknown"]


def test_a_yearless_revision_takes_the_year_after_the_date_it_revises(tmp_path: Path) -> None:
    from trackers import write_rows

    rows = [
        ["Ref", "Action", "Target date", "New date", "Lead", "Progress", "RAG"],
        ["W1a", "a", date(2019, 12, 31), "31 Mar", "RG", "p", "A/G"],
        ["W1b", "b", date(2019, 12, 31), "31 Mar 2019", "RG", "p", "A/G"],
    ]
    path = write_rows(tmp_path / "t.xlsx", rows, extra_sheets=REGISTERS)
    report = validate(read_tracker(path), AS_AT)
    assert report.actions[0].timescale.dates == (date(2019, 12, 31), date(2020, 3, 31))
    # A year typed by the lead is kept as typed, and the backwards revision is an error.
    assert report.actions[1].timescale.dates == (date(2019, 12, 31), date(2019, 3, 31))
    assert rules_at(report) == {("D3", "date-order")}


def test_a_sheet_without_optional_columns_gets_no_cell_less_findings(tmp_path: Path) -> None:
    from trackers import write_rows

    rows = [["Ref", "Action", "Lead", "RAG"], ["W1a", "a", "RG", "A/G"], ["W1b", "", "RG", "Q"]]
    path = write_rows(tmp_path / "t.xlsx", rows, extra_sheets=REGISTERS)
    report = validate(read_tracker(path), AS_AT)
    assert all(f.cell for f in report.findings if f.row is not None)
    assert rules_at(report) == {("B3", "required"), ("D3", "rag-unknown")}


def test_the_terminal_report_groups_a_rule_on_many_rows_and_counts_long_overdue_lists(
    tmp_path: Path,
) -> None:
    """One error a row: one block per rule and sheet with its cells listed compactly, and
    the 40 most overdue listed, the rest counted; the findings themselves all stay."""
    from trackers import write_rows

    rows = [["Ref", "Action", "Lead", "RAG", "Progress", "Target date"]]
    rows += [["W1a", f"Action {n}", "RG", "A/G", "Going", "March 2019"] for n in range(300)]
    report = validate(read_tracker(write_rows(tmp_path / "t.xlsx", rows)), AS_AT)
    assert sum(f.rule == "ref-duplicate" for f in report.findings) == 300
    text = report.render_text()
    assert "ref-duplicate on 300 rows: A2, A3, A4, A5, A6, A7, A8, A9 and 292 more" in text
    assert text.count("is used again in") == 1  # one example, not 300 messages
    assert len(report.overdue) == 300
    assert text.count("days overdue") == 40
    assert "… and 260 more: the paper's Summary and validate --json list every one" in text


def test_a_cell_of_30000_characters_is_quoted_short_and_kept_whole(tmp_path: Path) -> None:
    """A ref, lead, status, due date and header of 30,000 characters each: every message
    and every line of the terminal report stays short enough to read; each finding's value
    is still the whole cell."""
    from trackers import write_rows

    huge = "word " * 6_000
    rows = [["Ref", "Action", "Lead", "RAG", "Progress", "Target date", "Notes " + huge]]
    rows += [["W1a" + huge, "Act", "RG" + huge, "G" + huge, "Going", huge, "n"]]
    rows += [["W1b", "Act", "RG", "A/G", "Going", "March 2019", "n"]]
    report = validate(read_tracker(write_rows(tmp_path / "t.xlsx", rows)), AS_AT)
    quoting = [f for f in report.findings if isinstance(f.value, str) and len(f.value) >= 29_000]
    assert {f.rule for f in quoting} >= {"ref-format", "kloe-missing", "date-unreadable"}
    assert max(len(f.message) + len(f.suggestion) for f in report.findings) < 1_000
    assert max(map(len, report.render_text().splitlines())) < 1_000


def test_records_actions_and_findings_are_made_in_their_fields_order() -> None:
    """read_tracker_sheet, read_actions and Rule.worded pass a Record's, an Action's and
    a Finding's fields by position (by keyword costs 0.2 s more at 100,000 rows): a field
    added or moved in the dataclass must be added or moved in those calls too, and this
    says so."""
    from dataclasses import fields

    from wellled_xl.model import Action, Finding, Record

    assert [f.name for f in fields(Finding)] == [
        "sheet", "cell", "row", "ref", "field", "value", "rule", "severity", "message",
        "suggestion",
    ], "update the Finding(...) call in rules.Rule.worded to the new order"  # fmt: skip

    assert [f.name for f in fields(Record)] == [
        "part", "sheet", "row", "values", "columns", "kloe_band", "errors", "group",
        "year_context", "table",
    ], "update the Record(...) call in shape.read_tracker_sheet to the new order"  # fmt: skip
    assert [f.name for f in fields(Action)] == [
        "part", "sheet", "row", "ref", "kloe", "finding", "action", "timescale", "lead",
        "leads", "success_measure", "progress", "rag", "last_updated", "complete",
        "days_overdue", "has_errors", "group", "extras", "year_source", "rag_found_in",
        "table",
    ], "update the Action(...) call in actions.read_actions to the new order"  # fmt: skip
