"""`adopt`: every real-tracker fixture into the controlled tracker, and validation round-trips.

The adopted workbook is read back with python-calamine (an independent reader) for its
registers and values, and validated again: the same actions, due dates, overdue list and
findings on the leads' values (rule, value, suggestion) as the original gives.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from real_trackers import FIXTURES
from trackers import read_sheets, run_cli

from wellled_xl.importing.adopt import adopt_tracker
from wellled_xl.pipeline import build_board_paper, check
from wellled_xl.read import read_tracker
from wellled_xl.report import Report

# Findings about the workbook's registers: the adopted tracker has them all.
REGISTER_RULES = {"no-legend", "no-leads-register", "no-kloe-list", "no-settings"}
# The source's date fields are the controlled tracker's three date columns.
DATE_COLUMNS = {"timescale", "original_due", "revised_due", "previous_revisions"}
AS_AT = (date(2013, 1, 31), date(2019, 9, 30), date(2023, 6, 30))


def _actions(report: Report) -> list[tuple]:
    return [
        (a.part, a.ref, a.action, a.lead, a.rag, a.due_date, a.complete, a.slipped, a.progress)
        for a in report.actions
    ]


def _groups(report: Report, kloe_sheets: set[str]) -> list[str]:
    return [a.kloe if a.sheet in kloe_sheets else a.group for a in report.actions]


def _source_fields(report: Report) -> dict[str, set[str]]:
    """The fields each part's sheet had a column for (a date field stands for all three),
    and the field statuses were read from inside."""
    fields: dict[str, set[str]] = {}
    for record in report.tracker.records:
        names = set(record.columns)
        if names & DATE_COLUMNS:
            names |= DATE_COLUMNS
        fields.setdefault(record.part, set()).update(names)
    for shape in report.tracker.shapes:
        if shape.status_in:
            fields.setdefault(shape.part, set()).add(shape.status_in)
    return fields


def _row_findings(report: Report, parts: dict[str, str], fields: dict[str, set[str]]) -> Counter:
    """(rule, value, suggestion with its cell as {cell}) of the findings on leads' values."""
    found = Counter()
    for f in report.findings:
        if f.rule in REGISTER_RULES or f.row is None:
            continue
        if f.field not in fields[parts[f.sheet]]:
            continue  # a column the source had none of: asked for now, not lost
        suggestion = f.suggestion.replace(f.cell, "{cell}") if f.cell else f.suggestion
        found[(f.rule, str(f.value), suggestion)] += 1
    return found


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_adopting_a_fixture_round_trips_through_validation(tmp_path: Path, name: str) -> None:
    build, _ = FIXTURES[name]
    source = build(tmp_path / f"{name}.xlsx")
    before = source.read_bytes()
    adoption = adopt_tracker(source, tmp_path / "adopted.xlsx")
    assert source.read_bytes() == before  # the source is never written
    assert adoption.unplaced == []
    original_tracker, adopted_tracker = read_tracker(source), read_tracker(adoption.path)
    assert [s.controlled for s in adopted_tracker.shapes] == [True, True]
    kloe_sheets = {s.name for s in original_tracker.shapes if s.kloe_bands}
    for as_at in AS_AT:
        original, adopted = check(original_tracker, as_at), check(adopted_tracker, as_at)
        assert _actions(adopted) == _actions(original)
        assert _groups(adopted, {"Actions"} if kloe_sheets else set()) == _groups(
            original, kloe_sheets
        )
        overdue = [(a.part, a.ref, a.due_date, a.days_overdue) for a in original.overdue]
        assert [(a.part, a.ref, a.due_date, a.days_overdue) for a in adopted.overdue] == overdue
        fields = _source_fields(original)
        parts = {s.name: s.part for s in original_tracker.shapes + adopted_tracker.shapes}
        assert _row_findings(adopted, parts, fields) == _row_findings(original, parts, fields)
    assert not any(f.rule in REGISTER_RULES for f in adopted.findings)


def test_the_seed_legacy_tracker_is_adopted_with_its_registers_and_values_as_typed(
    tmp_path: Path,
) -> None:
    build, _ = FIXTURES["seed_legacy"]
    adoption = adopt_tracker(build(tmp_path / "legacy.xlsx"), tmp_path / "adopted.xlsx")
    sheets = read_sheets(adoption.path)
    assert list(sheets) == ["Actions", "Findings", "Leads", "Legend", "KLOE", "Settings"]
    actions = {row[0]: row for row in sheets["Actions"][1:] if row[0]}
    header = sheets["Actions"][0]
    assert header[:6] == ["Ref", "KLOE", "Planned action", "Original due", "Revised due",
                          "Previous revisions"]  # fmt: skip
    # W8a "January March April 2019": original, a previous revision, the latest.
    w8a = dict(zip(header, actions["W8a"], strict=True))
    assert w8a["Original due"] == date(2019, 1, 31)
    assert w8a["Revised due"] == date(2019, 4, 30)
    assert w8a["Previous revisions"] == "31/03/2019"
    assert w8a["KLOE"] == "W8"
    assert dict(zip(header, actions["W6a"], strict=True))["Progress update"].endswith(
        "UPDATE AWAITED"
    )
    findings = {row[0]: row for row in sheets["Findings"][1:] if row[0]}
    f_header = sheets["Findings"][0]
    assert dict(zip(f_header, findings["2."], strict=True))["RAG"] == "AG"  # as typed
    leads = [row[0] for row in sheets["Leads"][1:] if row[0]]
    assert {"RG", "TL", "DMc", "AK", "MS", "RW"} <= set(leads)
    assert "Varied" not in leads
    legend = [row[:4] for row in sheets["Legend"][1:] if row[0]]
    assert [(code, complete) for code, _, _, complete in legend] == [
        ("G", "Yes"), ("A/G", "No"), ("A/R", "No")
    ]  # fmt: skip
    assert legend[0][2] == "00B050"  # the fill of the trust's own G cells
    kloes = dict(row[:2] for row in sheets["KLOE"][1:] if row[0])
    assert kloes["W1"].startswith("Is there the leadership capacity")
    assert len(kloes) == 8
    settings = dict(row[:2] for row in sheets["Settings"][1:] if row[0])
    assert settings["As-at date"] == date(2019, 9, 30)
    assert settings["Paper title"] == "The well-led framework"
    assert (
        settings["Part A title"] == "PART A Board self-review against KLOEs: 2018/19 deliverables"
    )
    assert uuid.UUID(settings["Tracker id"]) == uuid.UUID(adoption.tracker_id)


def test_a_log_keeps_its_groups_and_extra_columns_and_the_paper_bands_by_them(
    tmp_path: Path,
) -> None:
    build, expected = FIXTURES["month_log"]
    adoption = adopt_tracker(build(tmp_path / "log.xlsx"), tmp_path / "adopted.xlsx")
    header = read_sheets(adoption.path)["Actions"][0]
    assert header[1] == "Group" and "PAPER" in header
    assert header[-1] == "Check"
    report = build_board_paper(adoption.path, date(2012, 7, 31), output=tmp_path / "paper.xlsx")
    rows = read_sheets(Path(report.paths["xlsx"]))["Part A"]
    singles = [[str(c) for c in row if c not in (None, "")] for row in rows]
    bands = [cells[0] for cells in singles if len(cells) == 1 and cells[0] in expected["groups"]]
    assert bands == expected["groups"]  # the log's month groups, in its order


def test_adopt_on_the_command_line_lists_what_it_wrote_as_json(tmp_path: Path) -> None:
    build, _ = FIXTURES["cqc_plan"]
    source = build(tmp_path / "plan.xlsx")
    (tmp_path / "plan_controlled.xlsx").write_bytes(b"")
    refused = run_cli("adopt", str(source), timeout=60)
    assert refused.returncode == 2 and "already exists" in refused.stderr
    done = run_cli("adopt", str(source), "--force", "--json", timeout=60)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["actions"] == {"A": 11, "B": 0}
    assert document["scale"]["codes"][0] == "Delivered"
    assert document["unplaced"] == []
    legend = read_sheets(tmp_path / "plan_controlled.xlsx")["Legend"]
    assert legend[1][:3] == ["Delivered", "", "0070C0"]  # the KEY cell's blue fill


# Fields a lead types, compared between a tracker and its adoption.
LEADS_TEXT = ("ref", "finding", "action", "lead", "success_measure", "progress", "rag")


@pytest.mark.parametrize(
    "case_id",
    [
        "control-characters-every-field",  # a vertical tab pasted from Word, and the like
        "text-beyond-32767-characters",  # openpyxl would cut it at 32,767
        "dates-1900-to-9999-and-beyond",  # numbers openpyxl's reader cannot convert either
        "control-rtl-emoji",
    ],
)
def test_adopting_a_hostile_tracker_keeps_every_text_as_typed(case_id: str, tmp_path: Path) -> None:
    """The adopted tracker, read back by python-calamine (not the openpyxl that wrote it),
    holds each lead's text exactly as the tracker it came from; one clean run, no warnings."""
    from hostile import build_case

    source = build_case(case_id, tmp_path)
    target = tmp_path / "adopted.xlsx"
    done = run_cli("adopt", str(source), "-o", str(target), timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert max(map(len, done.stdout.splitlines())) < 1_000
    before = check(read_tracker(source), date(2019, 9, 30)).actions
    after = check(read_tracker(target), date(2019, 9, 30)).actions
    assert len(after) == len(before)
    for was, now in zip(before, after, strict=True):
        for fld in LEADS_TEXT:
            if fld == "progress" and "\ufffe" in was.progress:
                continue  # a noncharacter no sheet can hold: Excel writes _xFFFE_ for it
            assert getattr(now, fld) == getattr(was, fld), (was.ref[:20], fld)
