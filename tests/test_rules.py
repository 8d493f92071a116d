"""Every rule, one at a time: a minimal tracker that trips it, and the same tracker without the
fault, which must come back clean. A rule added without a case here fails the last test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from wellled_xl.pipeline import check_tracker
from wellled_xl.rules import RULES

AS_AT = date(2019, 9, 30)
HEADER = [
    "Ref", "KLOE", "Planned action", "Original due", "Revised due", "Lead",
    "Success measure", "Progress update", "RAG", "Last updated",
]  # fmt: skip
# A row that breaks no rule: every other case changes one thing in it.
GOOD = {
    "Ref": "W1a",
    "KLOE": "W1",
    "Planned action": "Launch the coaching programme",
    "Original due": datetime(2019, 12, 31),
    "Revised due": None,
    "Lead": "RG",
    "Success measure": "75 enrolees",
    "Progress update": "80 people are receiving formal coaching.",
    "RAG": "A/G",
    "Last updated": datetime(2019, 9, 1),
}
SECOND = GOOD | {"Ref": "W1b", "Lead": "TL", "Planned action": "Succession plan"}
REGISTERS = {
    "Legend": [
        ["Code", "Meaning", "Colour", "Complete"],
        ["G", "Action completed and improvement achieved", "00B050", "Yes"],
        ["A/G", "Clear plan for delivery but not yet completed", "FFC000", "No"],
        ["A/R", "We either lack a plan or confidence in that plan", "FF7C80", "No"],
    ],
    "Leads": [["Initials", "Name", "Role", "Email"], ["RG", "", "", ""], ["TL", "", "", ""]],
    "KLOE": [["KLOE", "Question"], *[[f"W{n}", f"Question {n}"] for n in range(1, 9)]],
    "Settings": [["Setting", "Value"], ["As-at date", datetime(2019, 9, 30)]],
}


@dataclass
class Tracker:
    """What a case's workbook holds; `write` makes the .xlsx."""

    rows: list[dict] = field(default_factory=lambda: [dict(GOOD), dict(SECOND)])
    header: list[str] = field(default_factory=lambda: list(HEADER))
    registers: dict[str, list[list]] = field(default_factory=lambda: dict(REGISTERS))
    hidden_copy: bool = False
    merge: str | None = None
    # Cells of the Actions sheet given their text past openpyxl's cut at 32,767 characters,
    # as a program writing the XML itself leaves them.
    long_cells: dict[str, str] = field(default_factory=dict)
    hidden_columns: tuple[str, ...] = ()  # column letters of the Actions sheet Excel hides
    hidden_rows: tuple[int, ...] = ()

    def write(self, path: Path) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Actions"
        sheet.append(self.header)
        for row in self.rows:
            sheet.append([row.get(name) for name in self.header])
        if self.merge:
            sheet.merge_cells(self.merge)
        for address, text in self.long_cells.items():
            sheet[address]._value = text
        for letter in self.hidden_columns:
            sheet.column_dimensions[letter].hidden = True
        for number in self.hidden_rows:
            sheet.row_dimensions[number].hidden = True
        for name, rows in self.registers.items():
            other = book.create_sheet(name)
            for row in rows:
                other.append(row)
        if self.hidden_copy:
            copy = book.create_sheet("Old actions")
            copy.append(self.header)
            copy.append([GOOD.get(name) for name in self.header])
            copy.sheet_state = "hidden"
        book.save(path)
        return path


def change_first(**values: object) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        tracker.rows[0].update({k.replace("_", " "): v for k, v in values.items()})

    return apply


def set_cell(name: str, value: object) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        tracker.rows[0][name] = value

    return apply


def long_progress(tracker: Tracker) -> None:
    tracker.long_cells["H2"] = "Progress made. " * 2200  # 33,000 characters


def drop_register(name: str) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        del tracker.registers[name]

    return apply


def set_setting(name: str, value: object) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        settings = tracker.registers["Settings"] = [list(row) for row in REGISTERS["Settings"]]
        row = next((row for row in settings if row[0] == name), None)
        if row is None:
            settings.append([name, value])
        else:
            row[1] = value

    return apply


def drop_column(name: str) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        tracker.header.remove(name)

    return apply


def duplicate_column(name: str) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        tracker.header.append(name)

    return apply


def legend_cell(column: int, value: str) -> Callable[[Tracker], None]:
    """The Legend's first code's cell in `column` (0-based) set to `value`."""

    def apply(tracker: Tracker) -> None:
        legend = [list(row) for row in tracker.registers["Legend"]]
        legend[1][column] = value
        tracker.registers["Legend"] = legend

    return apply


def legend_colour(colour: str) -> Callable[[Tracker], None]:
    return legend_cell(2, colour)


def hide_a_copy(tracker: Tracker) -> None:
    tracker.hidden_copy = True


def hide_a_column(tracker: Tracker) -> None:
    """An internal column the trust keeps beside the actions, hidden in Excel (K)."""
    tracker.header.append("Exec sponsor (internal)")
    tracker.rows[0]["Exec sponsor (internal)"] = "CEO - under review"
    tracker.hidden_columns = ("K",)


def hide_a_row(tracker: Tracker) -> None:
    tracker.hidden_rows = (3,)


def stray_below(tracker: Tracker) -> None:
    """A word typed on its own at row 44, forty blank rows below the last action."""
    tracker.rows += [{}] * 40 + [{"Planned action": "x"}]


def merge_leads(tracker: Tracker) -> None:
    tracker.merge = "F2:F3"


def no_actions(tracker: Tracker) -> None:
    """A brand-new tracker: headers, no rows."""
    tracker.rows.clear()


def nobody_in_leads(tracker: Tracker) -> None:
    tracker.registers["Leads"] = [["Initials", "Name", "Role", "Email"]]


def no_status_anywhere(tracker: Tracker) -> None:
    """No RAG column and no Legend sheet: the tracker records no status at all."""
    tracker.header.remove("RAG")
    del tracker.registers["Legend"]


def status_in_comments(tracker: Tracker) -> None:
    """A STATUS/ COMMENT column (no progress column, no key): statuses are the words the
    comments start with."""
    tracker.header.remove("Progress update")
    tracker.header[tracker.header.index("RAG")] = "Status / comment"
    del tracker.registers["Legend"]
    tracker.rows[0]["Status / comment"] = "Complete – report taken to the June Board meeting"
    tracker.rows[1]["Status / comment"] = "Reorganised to August for lack of available time"


def second_ref(ref: str) -> Callable[[Tracker], None]:
    def apply(tracker: Tracker) -> None:
        tracker.rows[1]["Ref"] = ref

    return apply


# rule -> (what breaks it, the cell the finding names: "" for a workbook or sheet finding)
CASES: dict[str, tuple[Callable[[Tracker], None], str]] = {
    "required": (set_cell("Lead", None), "F2"),
    "ref-format": (second_ref("Coaching"), "A3"),
    "ref-duplicate": (second_ref("W1a"), "A2"),
    "kloe-unknown": (set_cell("KLOE", "W9"), "B2"),
    "kloe-mismatch": (change_first(Ref="W3a"), "B2"),
    "kloe-missing": (change_first(Ref="A1", KLOE=None), "B2"),
    "rag-unknown": (set_cell("RAG", "AG"), "I2"),
    "lead-not-person": (set_cell("Lead", "Varied"), "F2"),
    "lead-unknown": (set_cell("Lead", "ZZ"), "F2"),
    "lead-multiple": (set_cell("Lead", "RG / TL"), "F2"),
    "date-unreadable": (set_cell("Original due", "Marchh 2019"), "D2"),
    "date-not-a-date": (set_cell("Original due", "Ongoing"), "D2"),
    "date-order": (set_cell("Revised due", datetime(2019, 3, 31)), "E2"),
    "measure-missing": (set_cell("Success measure", None), "G2"),
    "progress-missing": (set_cell("Progress update", None), "H2"),
    "progress-placeholder": (set_cell("Progress update", "UPDATE AWAITED"), "H2"),
    "progress-cross-reference": (set_cell("Progress update", "As per W1b above."), "H2"),
    "progress-stale": (set_cell("Last updated", datetime(2019, 1, 15)), "J2"),
    "cell-error": (set_cell("Original due", "#N/A"), "D2"),
    # openpyxl saves a formula with no value, as a script's file is left: never calculated.
    "formula-no-value": (set_cell("Original due", "=DATE(2020,3,31)"), "D2"),
    # A program's number no date can be: python-calamine would stop the process on it.
    "number-unreadable": (set_cell("Original due", -1e308), "D2"),
    "text-too-long": (long_progress, "H2"),
    "merged-cells": (merge_leads, "F2:F3"),
    "hidden-sheet": (hide_a_copy, ""),
    "hidden-column": (hide_a_column, "K1"),
    "hidden-rows": (hide_a_row, "A3"),
    "stray-text": (stray_below, "C44"),
    "header-duplicate": (duplicate_column("Lead"), "K1"),
    "missing-column": (drop_column("Lead"), ""),
    "legend-colour": (legend_colour("green"), "C2"),
    "legend-complete": (legend_cell(3, "Maybe"), "D2"),
    "no-legend": (drop_register("Legend"), ""),
    "no-leads-register": (drop_register("Leads"), ""),
    "no-kloe-list": (drop_register("KLOE"), ""),
    "no-settings": (drop_register("Settings"), ""),
    "setting-unreadable": (set_setting("As-at date", "31/09/2019"), "B2"),
    "no-status": (no_status_anywhere, ""),
    "no-actions": (no_actions, ""),
    "leads-empty": (nobody_in_leads, ""),
    "status-unclear": (status_in_comments, "H3"),
}


def register_lead(**values: str) -> Callable[[Tracker], None]:
    """The Leads register's RG row with these cells (Name, Email)."""

    def apply(tracker: Tracker) -> None:
        leads = [list(row) for row in tracker.registers["Leads"]]
        header = leads[0]
        for name, value in values.items():
            leads[1][header.index(name)] = value
        tracker.registers["Leads"] = leads

    return apply


def owing(*changes: Callable[[Tracker], None]) -> Callable[[Tracker], None]:
    """RG owes an update (so RG is chased), and the register says what `changes` say."""

    def apply(tracker: Tracker) -> None:
        tracker.rows[0]["Progress update"] = "UPDATE AWAITED"
        tracker.registers["Leads"] = [list(row) for row in tracker.registers["Leads"]]
        tracker.registers["Leads"][2][3] = "tl@trust.nhs.uk"
        for change in changes:
            change(tracker)

    return apply


# The rules chasing applies (wellled_xl/chase): about the Leads register, found when the
# leads who owe something are written to. Their findings come from `chase_leads`.
CHASE_CASES: dict[str, tuple[Callable[[Tracker], None], str]] = {
    "lead-no-email": (owing(), "D2"),
    "lead-email-invalid": (owing(register_lead(Email="rg at trust")), "D2"),
    "lead-email-unsafe": (
        owing(register_lead(Name="Ravi\r\nBcc: all@elsewhere.example", Email="rg@trust.nhs.uk")),
        "B2",
    ),
}


def findings_of(tracker: Tracker, path: Path) -> list:
    return check_tracker(tracker.write(path), AS_AT).findings


def test_the_base_tracker_breaks_no_rule(tmp_path: Path) -> None:
    assert findings_of(Tracker(), tmp_path / "clean.xlsx") == []


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_fires_on_its_fault_and_only_there(code: str, tmp_path: Path) -> None:
    tracker = Tracker()
    breaks, cell = CASES[code][0], CASES[code][1]
    breaks(tracker)
    found = [f for f in findings_of(tracker, tmp_path / f"{code}.xlsx") if f.rule == code]
    assert found, f"{code} did not fire"
    finding = found[0]
    assert finding.cell == cell
    assert finding.severity == RULES[code].severity
    assert finding.message and "{" not in finding.message, finding.message
    assert "{" not in finding.suggestion


@pytest.mark.parametrize("code", list(CHASE_CASES))
def test_each_chase_rule_fires_on_its_fault_and_only_there(code: str, tmp_path: Path) -> None:
    from wellled_xl.chase.owed import chase_leads

    tracker = Tracker()
    breaks, cell = CHASE_CASES[code]
    breaks(tracker)
    report = check_tracker(tracker.write(tmp_path / f"{code}.xlsx"), AS_AT)
    found = chase_leads(report).findings
    assert [f.rule for f in found] == [code]
    (finding,) = found
    assert (finding.sheet, finding.cell, finding.ref) == ("Leads", cell, "RG")
    assert finding.severity == RULES[code].severity
    assert finding.message and "{" not in finding.message, finding.message
    assert "{" not in finding.suggestion
    # Without the fault, RG is chased at rg@trust.nhs.uk with no finding.
    clean = Tracker()
    owing(register_lead(Email="rg@trust.nhs.uk"))(clean)
    chase = chase_leads(check_tracker(clean.write(tmp_path / "clean.xlsx"), AS_AT))
    assert chase.findings == [] and [lead.address for lead in chase.leads] == ["rg@trust.nhs.uk"]


def test_every_rule_has_a_case() -> None:
    """A rule's case is here, or, for the rules that need a history of positions or the
    Leads register's emails, in test_history.py's HISTORY_CASES or CHASE_CASES above, run
    the same way on real files."""
    from test_history import HISTORY_CASES

    elsewhere = [set(CHASE_CASES), set(HISTORY_CASES)]
    assert not set(CASES) & set.union(*elsewhere)
    assert not set(CHASE_CASES) & set(HISTORY_CASES)
    assert set(CASES) | set.union(*elsewhere) == set(RULES)
