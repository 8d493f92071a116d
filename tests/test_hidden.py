"""Hidden columns and rows: a hidden column's entries are left off the paper and named, a
hidden row's action is read, papered and named; the pre-flight scan finds them however the
file writes them (issue: repro_10, a hidden "Exec sponsor (internal)" column printed)."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hostile import NS, RawSheet, raw_xlsx, sheet_data
from trackers import read_sheets, run_cli

from wellled_xl.importing.adopt import adopt_tracker
from wellled_xl.pipeline import build_board_paper, check_tracker
from wellled_xl.preflight import CHUNK, check_workbook
from wellled_xl.read import read_tracker
from wellled_xl.shape import rows_listed

AS_AT = date(2019, 9, 30)
HEADER = ["Ref", "Action", "Lead", "Due", "Update", "RAG", "Exec sponsor (internal)"]
ROWS = [
    ["W1a", "Coaching programme launches", "RG", "31/07/2019", "80 coached", "A/G", "Chair"],
    ["W1b", "Succession plan for each director role", "TL", "28/02/2019", "Plan accepted",
     "A/G", "CEO - under review"],
    ["W1c", "Board development sessions", "RG", "31/12/2019", "Two held", "G", "Chair"],
]  # fmt: skip
SPONSOR = "CEO - under review"


def trust_log(path: Path, *, columns: tuple[str, ...] = (), rows: tuple[int, ...] = ()) -> Path:
    """A trust's action log as Excel leaves it, with these columns and rows hidden."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Log"
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    for letter in columns:
        sheet.column_dimensions[letter].hidden = True
    for number in rows:
        sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


def by_rule(findings, rule: str) -> list:
    return [f for f in findings if f.rule == rule]


def table(path: Path) -> list[list[object]]:
    """The paper's table as python-calamine reads it: its header row (Ref …) and below."""
    (rows,) = [rows for name, rows in read_sheets(path).items() if name != "Summary"]
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Ref")
    return rows[start:]


def test_a_hidden_column_is_left_off_the_paper_and_a_hidden_row_kept(tmp_path: Path) -> None:
    tracker = trust_log(tmp_path / "log.xlsx", columns=("G",), rows=(3,))
    report = build_board_paper(tracker, AS_AT, output=tmp_path / "paper.xlsx")

    (column,) = by_rule(report.findings, "hidden-column")
    assert (column.sheet, column.cell, column.severity) == ("Log", "G1", "warning")
    assert column.message == (
        "Column G 'Exec sponsor (internal)' is hidden in the tracker: left off the paper."
    )
    assert column.suggestion == "Unhide it to print it on the paper."
    (row,) = by_rule(report.findings, "hidden-rows")
    assert (row.sheet, row.cell, row.ref, row.row) == ("Log", "A3", "W1b", None)
    assert row.message.startswith("Row 3 holds an action but is hidden in the tracker")

    paper = table(report.paths["xlsx"])
    assert paper[0] == ["Ref", "Action", "Lead", "Due", "Update", "RAG"]
    assert [line[0] for line in paper[1:4]] == ["W1a", "W1b", "W1c"]  # the hidden row too
    texts = {v for rows in read_sheets(report.paths["xlsx"]).values() for r in rows for v in r}
    assert SPONSOR not in texts and "Chair" not in texts
    assert "Hidden column" in texts and "Hidden rows with actions" in texts  # the Summary


def test_unhidden_the_same_column_is_printed(tmp_path: Path) -> None:
    report = build_board_paper(trust_log(tmp_path / "log.xlsx"), AS_AT, tmp_path / "paper.xlsx")
    assert not [f for f in report.findings if f.rule.startswith("hidden")]
    paper = table(report.paths["xlsx"])
    assert paper[0][-1] == "Exec sponsor (internal)" and paper[2][-1] == SPONSOR


def test_the_hidden_column_is_still_read_said_in_the_reading_and_kept_by_adopt(
    tmp_path: Path,
) -> None:
    """Left off the paper, not dropped: validate --json reads it, adopt carries it."""
    tracker = trust_log(tmp_path / "log.xlsx", columns=("G",))
    result = run_cli("validate", str(tracker), "--as-at", "2019-09-30", "--json", timeout=120)
    columns = json.loads(result.stdout)["reading"]["sheets"][0]["columns"]
    sponsor = next(c for c in columns if c["column"] == "G")
    assert sponsor["read_as"] == "extra:Exec sponsor (internal)" and sponsor["hidden"] is True
    assert not any(c["hidden"] for c in columns if c["column"] != "G")
    text = run_cli("validate", str(tracker), "--as-at", "2019-09-30", timeout=120).stdout
    assert "G Exec sponsor (internal) → left off the paper" in text

    adopted = adopt_tracker(tracker, tmp_path / "controlled.xlsx").path
    values = {v for rows in read_sheets(adopted).values() for row in rows for v in row}
    assert SPONSOR in values and "Exec sponsor (internal)" in values


def test_the_word_paper_leaves_the_hidden_column_off_too(tmp_path: Path) -> None:
    tracker = trust_log(tmp_path / "log.xlsx", columns=("G",))
    report = build_board_paper(tracker, AS_AT, tmp_path / "paper.xlsx", docx=True)
    with zipfile.ZipFile(report.paths["docx"]) as document:
        xml = document.read("word/document.xml").decode("utf-8")
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))
    assert "Succession plan for each director role" in text
    assert SPONSOR not in text and "Exec sponsor" in text  # named only in the findings


def test_a_hidden_column_the_paper_needs_is_printed_and_said(tmp_path: Path) -> None:
    """A hidden Lead column is still the lead: the paper prints it, and says it was hidden."""
    report = build_board_paper(
        trust_log(tmp_path / "log.xlsx", columns=("C", "G")), AS_AT, tmp_path / "paper.xlsx"
    )
    said = {f.cell: f for f in by_rule(report.findings, "hidden-column")}
    assert said.keys() == {"C1", "G1"}
    assert said["G1"].message.startswith("Column G 'Exec sponsor (internal)' is hidden")
    assert said["C1"].message == (
        "Column C 'Lead' is hidden in the tracker but read as the lead, which the paper "
        "shows: printed all the same."
    )
    paper = table(report.paths["xlsx"])
    assert paper[0] == ["Ref", "Action", "Lead", "Due", "Update", "RAG"]
    assert paper[1][2] == "RG"


def test_hidden_rows_are_listed_in_one_finding_a_sheet(tmp_path: Path) -> None:
    tracker = trust_log(tmp_path / "log.xlsx", rows=(2, 3, 4))
    (finding,) = by_rule(check_tracker(tracker, AS_AT).findings, "hidden-rows")
    assert finding.cell == "A2" and finding.ref == ""
    assert finding.message.startswith("Rows 2–4 hold 3 actions but are hidden in the tracker")
    assert len(read_tracker(tracker).records) == 3


def test_hidden_rows_and_columns_that_hold_nothing_say_nothing(tmp_path: Path) -> None:
    """A spacer row and the unused columns right of the table (K:XFD), hidden as trusts
    tidy a sheet, hold no entry: nothing to say."""
    path = trust_log(tmp_path / "log.xlsx", rows=(6, 7))
    book = openpyxl.load_workbook(path)
    book.active.column_dimensions.group("K", "XFD", hidden=True)
    book.save(path)
    assert check_workbook(path).hidden_cells["Log"].columns == ((11, 16384),)
    assert not [f for f in check_tracker(path, AS_AT).findings if f.rule.startswith("hidden")]


def test_rows_are_listed_compactly() -> None:
    assert rows_listed([7]) == "Row 7"
    assert rows_listed([15, 7, 9, 10, 11, 12]) == "Rows 7, 9–12 and 15"
    many = [*range(2, 40, 2), *range(100, 1100)]
    assert rows_listed(many) == "Rows 2, 4, 6, 8, 10, 12, 14, 16 and 1,011 more"


# --- The pre-flight scan, on parts written by hand ------------------------------------------


def _part(cols: str, rows: list[list[object]], hidden: dict[int, str]) -> str:
    """A worksheet part: `cols` before its data, rows hidden with the attribute given."""
    data = sheet_data(rows)
    for number, attribute in hidden.items():
        data = data.replace(f'<row r="{number}">', f'<row r="{number}" {attribute}>', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{cols}{data}</worksheet>'


@pytest.mark.parametrize(
    ("col", "row", "found"),
    [
        ('<col min="7" max="7" hidden="1"/>', 'hidden="1"', True),
        ("<col hidden='true' max='8' min='7' width='0'/>", "hidden = 'true' ht='0'", True),
        ('<col min="7" max="7" hidden="0"/>', 'hidden="false"', False),
    ],
)
def test_the_scan_reads_hidden_however_it_is_written(
    tmp_path: Path, col: str, row: str, found: bool
) -> None:
    xml = _part(f"<cols>{col}</cols>", [HEADER, *ROWS], {3: row})
    path = raw_xlsx(tmp_path / "log.xlsx", [RawSheet("Log", xml=xml)])
    hidden = check_workbook(path).hidden_cells.get("Log")
    if not found:
        assert hidden is None
        return
    assert hidden.columns[0][0] == 7 and hidden.rows == {3}
    rules = {f.rule: f.cell for f in check_tracker(path, AS_AT).findings}
    assert rules["hidden-column"] == "G1" and rules["hidden-rows"] == "A3"


def test_the_scan_finds_hidden_rows_in_every_chunk_of_a_big_part(tmp_path: Path) -> None:
    """Rows hidden throughout a part several chunks long, a filter's worth: each is found,
    wherever the chunks fall; a hidden-looking text in a cell is no hidden row."""
    rows = [HEADER, *[[f"X{n}", "Action text " * 4, "RG", "31/07/2019", "u", "G", "s"]
                      for n in range(2, 8_001)]]  # fmt: skip
    hidden = {n: 'spans="1:7" hidden="1" customHeight="1"' for n in range(5, 8_001, 97)}
    rows[10][4] = '<row r="11" hidden="1">'  # as text, escaped in the part
    xml = _part("", rows, hidden)
    assert len(xml) > 3 * CHUNK
    path = raw_xlsx(tmp_path / "big.xlsx", [RawSheet("Log", xml=xml)])
    assert check_workbook(path).hidden_cells["Log"].rows == set(hidden)
