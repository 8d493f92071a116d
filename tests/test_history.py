"""Between papers: real SQLite history files and real tracker workbooks, read back with sqlite3."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from trackers import REPO, read_sheets, run_cli

from wellled_xl.history.movement import Entry, Position, direction, movement
from wellled_xl.history.store import SCHEMA_VERSION
from wellled_xl.model import DEFAULT_LEGEND, Finding
from wellled_xl.paper.layout import layout_paper
from wellled_xl.pipeline import build_board_paper, check_tracker
from wellled_xl.rules import RULES
from wellled_xl.sample import (
    SAMPLE_ACTIONS,
    SAMPLE_FINDINGS,
    SAMPLE_LEADS,
    SAMPLE_LEGEND,
    SAMPLE_SETTINGS,
)
from wellled_xl.template import write_tracker

JUNE, SEPTEMBER, DECEMBER = date(2019, 6, 30), date(2019, 9, 30), date(2019, 12, 31)
EXTRA_W4B = {
    "ref": "W4b", "kloe": "W4", "action": "Review the committee structure",
    "original_due": "2019-12", "revised_due": None, "previous_revisions": "", "lead": "KD",
    "success_measure": "Approved",
    "progress": "Terms of reference drafted.", "rag": "A/G", "last_updated": None,
}  # fmt: skip


def position(
    path: Path,
    as_at: date,
    changes: dict[str, dict[str, object]] | None = None,
    drop: Sequence[str] = (),
    add: Sequence[dict[str, object]] = (),
) -> Path:
    """A copy of the sample as it stood at `as_at`: some rows changed, dropped or added."""
    changes = changes or {}
    actions = [
        {**row, **changes.get(str(row["ref"]), {})}
        for row in SAMPLE_ACTIONS
        if row["ref"] not in drop
    ]
    return write_tracker(
        path,
        settings=replace(SAMPLE_SETTINGS, as_at=as_at),
        legend=SAMPLE_LEGEND,
        leads=SAMPLE_LEADS,
        actions=[*actions, *add],
        findings=SAMPLE_FINDINGS,
        spare_rows=2,
    )


def june(path: Path) -> Path:
    """Last quarter: W1a was A/R with another update and not yet revised; W4b existed."""
    w1a = {"rag": "A/R", "revised_due": None, "progress": "Programme being procured."}
    return position(path, JUNE, {"W1a": w1a}, add=[EXTRA_W4B])


def december(path: Path) -> Path:
    """Next quarter: W1a complete, W5a has a new lead, a new action W8c."""
    w8c = {**EXTRA_W4B, "ref": "W8c", "kloe": "W8", "progress": "Started."}
    return position(path, DECEMBER, {"W1a": {"rag": "G"}, "W5a": {"lead": "TL"}}, add=[w8c])


def sqlite_positions(history: Path) -> list[tuple[str, int]]:
    """(as-at, actions) of every recorded position, read with sqlite3 alone."""
    with sqlite3.connect(history) as db:
        return db.execute(
            "SELECT p.as_at, count(a.seq) FROM positions p LEFT JOIN actions a "
            "ON a.position = p.id GROUP BY p.id ORDER BY p.as_at"
        ).fetchall()


def changes_of(report) -> set[tuple[str, str, object, object]]:
    return {(c.ref, c.kind, c.before, c.after) for c in report.movement.changes}


def rules_of(findings: Sequence[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.rule == code]


# ---------------------------------------------------------------- two and three positions


def test_two_positions_of_the_sample(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    report = build_board_paper(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history)
    assert report.movement.previous_as_at == JUNE
    changes = changes_of(report)
    assert ("W1a", "rag", "A/R", "A/G") in changes
    assert ("W1a", "due_date", date(2019, 3, 31), date(2019, 7, 31)) in changes
    assert ("W4b", "removed", "A/G", None) in changes
    assert {c[1] for c in changes} == {"rag", "due_date", "removed"}
    removed = rules_of(report.findings, "action-removed")
    assert [(f.ref, f.severity) for f in removed] == [("W4b", "error")]
    slipped = rules_of(report.findings, "slipped-again")
    assert [(f.ref, f.cell) for f in slipped] == [("W1a", "E2")]
    unchanged = {f.ref for f in rules_of(report.findings, "progress-unchanged")}
    assert "W1a" not in unchanged  # its update is new
    assert {"W1b", "W2a", "1", "14"} <= unchanged
    # JSON: changes with ISO dates; the trend of both positions
    document = report.to_dict()
    assert {"sheet": "Actions", "part": "A", "ref": "W1a", "kind": "due_date",
            "before": "2019-03-31", "after": "2019-07-31"} in document["changes"]  # fmt: skip
    assert [t["as_at"] for t in document["history"]["trend"]] == ["2019-06-30", "2019-09-30"]
    assert sqlite_positions(history) == [("2019-06-30", 31), ("2019-09-30", 30)]


def test_three_positions_closed_new_and_lead(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    build_board_paper(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history)
    report = build_board_paper(december(tmp_path / "dec.xlsx"), history=history)
    assert report.movement.previous_as_at == SEPTEMBER  # the latest before, not the first
    changes = changes_of(report)
    assert ("W1a", "closed", "A/G", "G") in changes
    assert ("W8c", "new", None, "A/G") in changes
    lead_before = next(row["lead"] for row in SAMPLE_ACTIONS if row["ref"] == "W5a")
    assert ("W5a", "lead", lead_before, "TL") in changes
    assert not any(c[1] == "removed" for c in changes)  # W4b went in September, not now
    trend = report.movement.trend
    assert [day for day, _ in trend] == [JUNE, SEPTEMBER, DECEMBER]
    assert trend[-1][1]["G"] == trend[-2][1]["G"] + 1
    assert [p for p, _ in sqlite_positions(history)] == ["2019-06-30", "2019-09-30", "2019-12-31"]


def test_an_earlier_as_at_compares_with_what_came_before_it(tmp_path: Path) -> None:
    """Seeding an old quarter after a later one: movement is to the latest *before* it."""
    history = tmp_path / "history.sqlite"
    build_board_paper(december(tmp_path / "dec.xlsx"), history=history)
    report = check_tracker(june(tmp_path / "june.xlsx"), history=history)
    assert report.movement.previous_as_at is None
    assert report.movement.changes == []


def test_the_same_position_again_replaces_it(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    build_board_paper(position(tmp_path / "a.xlsx", SEPTEMBER), history=history)
    again = position(tmp_path / "b.xlsx", SEPTEMBER, {"W1b": {"rag": "G"}}, drop=["W8b"])
    report = build_board_paper(again, history=history)
    assert report.movement.previous_as_at == JUNE  # not the September it replaces
    assert sqlite_positions(history) == [("2019-06-30", 31), ("2019-09-30", 29)]
    with sqlite3.connect(history) as db:
        (rag,) = db.execute(
            "SELECT a.rag FROM actions a JOIN positions p ON a.position = p.id "
            "WHERE p.as_at = '2019-09-30' AND a.ref = 'W1b'"
        ).fetchone()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert rag == "G"
    assert version == SCHEMA_VERSION
    assert journal == "delete"


def test_a_renamed_tracker_keeps_its_history_by_its_id(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    moved = tmp_path / "elsewhere" / "renamed.xlsx"
    moved.parent.mkdir()
    report = check_tracker(position(moved, SEPTEMBER), history=history)
    assert report.movement.previous_as_at == JUNE


def test_validate_reads_but_never_records(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    report = check_tracker(june(tmp_path / "june.xlsx"), history=history)
    assert report.movement.changes == [] and not history.exists()


# ---------------------------------------------------------------- damaged, foreign, newer


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.write_bytes(b"this is not a database\n" * 100),
        lambda p: _sqlite(p, "CREATE TABLE patients (nhs_number TEXT)"),
        lambda p: _sqlite(p, f"PRAGMA user_version = {SCHEMA_VERSION + 1}"),
    ],
    ids=["damaged", "foreign", "newer"],
)
def test_an_unusable_history_file_is_left_as_it_was(
    make: Callable[[Path], object], tmp_path: Path
) -> None:
    history = tmp_path / "history.sqlite"
    make(history)
    before = history.read_bytes()
    report = build_board_paper(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history)
    found = rules_of(report.findings, "history-unreadable")
    assert len(found) == 1 and found[0].severity == "warning"
    assert str(history) in found[0].message
    assert Path(report.paths["xlsx"]).exists() and "history" not in report.paths
    assert history.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "history" in p.name) == [history.name]


def _sqlite(path: Path, statement: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(statement)
    db.close()


def test_an_empty_sqlite_file_is_migrated_forward(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    _sqlite(history, "PRAGMA user_version = 0")
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    assert sqlite_positions(history) == [("2019-06-30", 31)]


# ---------------------------------------------------------------- killed, concurrent

_KILL_CHILD = """
import sys
from datetime import date
from wellled_xl.history.movement import Entry
from wellled_xl.history.store import record_position
history = sys.argv[1]
small = [Entry("A", "Actions", f"W{i}", "", "RG", "A/G", False, None, 0, "x") for i in range(50)]
record_position(history, "id:t", date(2019, 6, 30), small)
record_position(history, "id:t", date(2019, 9, 30), small[:40])
print("ready", flush=True)
huge = [Entry("A", "Actions", f"R{i}", "g", "RG", "A/G", False, date(2020, 3, 31), 1,
              "progress " * 20) for i in range(600_000)]
while True:
    record_position(history, "id:t", date(2019, 12, 31), huge)
"""


def test_killed_while_recording_the_previous_positions_are_intact(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    journal = tmp_path / "history.sqlite-journal"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(history)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while not journal.exists():  # the journal exists only inside a write transaction
            assert time.monotonic() < deadline, "the child never started recording"
            time.sleep(0.002)
        time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert journal.exists()  # a hot journal: the next opener rolls the half-recording back
    assert sqlite_positions(history) == [("2019-06-30", 50), ("2019-09-30", 40)]
    with sqlite3.connect(history) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_runs_at_once_both_record(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    trackers = [june(tmp_path / "june.xlsx"), position(tmp_path / "sept.xlsx", SEPTEMBER)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "wellled_xl", "build", "--history", str(history)]
    runs = [
        subprocess.Popen(
            [*command, str(t), "-o", str(tmp_path / f"paper{i}.xlsx")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i, t in enumerate(trackers)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode in (0, 1), err
        assert "not recorded" not in err
    assert sqlite_positions(history) == [("2019-06-30", 31), ("2019-09-30", 30)]


# ---------------------------------------------------------------- the command line


def test_cli_build_json_and_history_trail(tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite"
    old = june(tmp_path / "june.xlsx")
    now = position(tmp_path / "sept.xlsx", SEPTEMBER)
    added = run_cli("history", "add", str(old), "--as-at", "30/06/2019", "--history", str(history),
                    timeout=120)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "recorded 31 actions" in added.stdout
    built = run_cli("build", str(now), "--history", str(history), "--json", timeout=120)
    document = json.loads(built.stdout)
    kinds = {(c["ref"], c["kind"]) for c in document["changes"]}
    assert {("W1a", "rag"), ("W1a", "due_date"), ("W4b", "removed")} <= kinds
    assert document["paths"]["history"] == str(history)
    shown = run_cli("history", str(now), "--history", str(history), "--ref", "W1a", "--json",
                    timeout=120)  # fmt: skip
    trail = json.loads(shown.stdout)
    assert [p["as_at"] for p in trail["positions"]] == ["2019-06-30", "2019-09-30"]
    (w1a,) = trail["actions"]
    assert [(s["rag"], s["due_date"]) for s in w1a["trail"]] == [
        ("A/R", "2019-03-31"), ("A/G", "2019-07-31")
    ]  # fmt: skip
    text = run_cli("history", str(now), "--history", str(history), timeout=120)
    assert text.returncode == 0 and "2 positions" in text.stdout
    refused = run_cli("history", "add", str(old), "--history", str(history), timeout=120)
    assert refused.returncode == 2 and "--as-at" in refused.stderr


# ---------------------------------------------------------------- movement as pure code


def _entry(ref: str, **values: object) -> Entry:
    base = dict(part="A", sheet="Actions", ref=ref, group="W1", lead="RG", rag="A/G")
    base |= dict(complete=False, due_date=date(2020, 3, 31), revision_count=0, progress="Done x.")
    return Entry(**{**base, **values})


def test_movement_without_a_file() -> None:
    before = Position("id:t", JUNE, (_entry("a"), _entry("b", rag="G", complete=True), _entry("c")))
    now = [_entry("a", progress="Done  x.\n"), _entry("c", rag="A/R")]
    moved = movement(before, now)
    assert [(c.ref, c.kind) for c in moved.changes] == [("b", "removed"), ("c", "rag")]
    assert [f.rule for f in moved.findings] == ["progress-unchanged", "progress-unchanged"]
    assert movement(None, now).changes == []


def test_a_part_a_and_a_part_b_action_of_one_ref_on_one_sheet_are_two_actions() -> None:
    """A sheet holding Part A, then Part B, each numbered from 1: each action is followed
    from paper to paper on its own, neither taken for the other or dropped."""
    before = Position("id:t", JUNE, (_entry("1"), _entry("1", part="B", rag="R")))
    now = [_entry("1", rag="A/R"), _entry("1", part="B", rag="G", complete=True)]
    moved = movement(before, now)
    assert [(c.part, c.ref, c.kind, c.before, c.after) for c in moved.changes] == [
        ("B", "1", "closed", "R", "G"),
        ("A", "1", "rag", "A/G", "A/R"),
    ]
    assert moved.previous_rag == {("Actions", "A", "1"): "A/G", ("Actions", "B", "1"): "R"}
    assert direction("A/R", "A/G", DEFAULT_LEGEND) == 1
    assert direction("A/G", "R", DEFAULT_LEGEND) == -1
    assert direction("AG", "G", DEFAULT_LEGEND) == 0  # off the legend: no arrow


# ---------------------------------------------------------------- one case per history rule
# test_rules.py counts these as the history rules' cases: each scenario trips its rule on
# real files, and the finding must name the cell given here.


def _unchanged(tmp_path: Path) -> list[Finding]:
    history = tmp_path / "h.sqlite"
    build_board_paper(position(tmp_path / "june.xlsx", JUNE), history=history)
    return check_tracker(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history).findings


def _removed(tmp_path: Path) -> list[Finding]:
    history = tmp_path / "h.sqlite"
    build_board_paper(position(tmp_path / "june.xlsx", JUNE, add=[EXTRA_W4B]), history=history)
    return check_tracker(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history).findings


def _slipped(tmp_path: Path) -> list[Finding]:
    history = tmp_path / "h.sqlite"
    earlier = position(tmp_path / "june.xlsx", JUNE, {"W1a": {"revised_due": None}})
    build_board_paper(earlier, history=history)
    return check_tracker(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history).findings


def _unreadable(tmp_path: Path) -> list[Finding]:
    history = tmp_path / "h.sqlite"
    history.write_bytes(b"\0" * 4096)
    return check_tracker(position(tmp_path / "sept.xlsx", SEPTEMBER), history=history).findings


HISTORY_CASES: dict[str, tuple[Callable[[Path], list[Finding]], str]] = {
    "progress-unchanged": (_unchanged, "I2"),
    "action-removed": (_removed, ""),
    "slipped-again": (_slipped, "E2"),
    "history-unreadable": (_unreadable, ""),
}


@pytest.mark.parametrize("code", list(HISTORY_CASES))
def test_each_history_rule_fires(code: str, tmp_path: Path) -> None:
    scenario, cell = HISTORY_CASES[code]
    found = rules_of(scenario(tmp_path), code)
    assert found, f"{code} did not fire"
    assert found[0].cell == cell
    assert found[0].severity == RULES[code].severity
    assert found[0].message and "{" not in found[0].message + found[0].suggestion


def test_without_history_no_history_rule_fires(tmp_path: Path) -> None:
    report = check_tracker(position(tmp_path / "sept.xlsx", SEPTEMBER))
    assert report.movement is None and "changes" not in report.to_dict()
    assert not [f for f in report.findings if f.rule in HISTORY_CASES]


# ---------------------------------------------------------------- the paper


@pytest.fixture(scope="module")
def three_papers(tmp_path_factory: pytest.TempPathFactory):
    """The December paper of three positions: its layout and its .xlsx and .docx."""
    folder = tmp_path_factory.mktemp("papers")
    history = folder / "history.sqlite"
    build_board_paper(june(folder / "june.xlsx"), history=history)
    build_board_paper(position(folder / "sept.xlsx", SEPTEMBER), history=history)
    report = build_board_paper(
        december(folder / "dec.xlsx"), history=history, output=folder / "paper.xlsx", docx=True
    )
    return report, layout_paper(report), Path(report.paths["xlsx"]), Path(report.paths["docx"])


def test_every_row_shows_the_last_papers_rag_beside_this_one(three_papers) -> None:
    _, _, xlsx, _ = three_papers
    sheets = read_sheets(xlsx)
    for name in ("Part A", "Part B"):
        rows = sheets[name]
        header_at = next(i for i, row in enumerate(rows) if row[:1] in (["Ref"], ["No."]))
        header = rows[header_at]
        assert header[-2:] == ["Last paper", "RAG"], header
        by_ref = {row[0]: row for row in rows[header_at + 1 :] if row[0]}
        if name == "Part A":
            assert by_ref["W1a"][-2:] == ["A/G\n▲ better", "G"]
            assert by_ref["W8c"][-2:] == ["new", "A/G"]
            assert by_ref["W2a"][-2:] == ["A/R", "A/R"]
        else:
            assert all(row[-2] for ref, row in by_ref.items() if str(ref).isdigit())


def test_the_summary_lists_every_change_by_kind_and_the_trend(three_papers) -> None:
    _, _, xlsx, _ = three_papers
    rows = read_sheets(xlsx)["Summary"]
    texts = [str(row[0]) for row in rows]
    at = texts.index("Since the last paper (as at September 2019)")
    assert rows[at + 1][0] == "New actions: 1 · Closed (now complete): 1 · Lead changed: 1"
    # The header's cells, without the empty ones its merged "Before" and "Planned action" hide
    assert [cell for cell in rows[at + 2] if cell != ""] == [
        "Change", "Ref", "Sheet", "Lead", "Before", "After", "Planned action"
    ]  # fmt: skip
    listed = [(row[0], row[1]) for row in rows[at + 3 : at + 6]]
    assert listed == [("New actions", "W8c"), ("Closed (now complete)", "W1a"),
                      ("Lead changed", "W5a")]  # fmt: skip
    trend = texts.index("RAG trend over the last 3 position(s)")
    assert rows[trend + 1][:4] == ["As at", "G", "A/G", "A/R"]
    assert [row[:2] for row in rows[trend + 2 : trend + 5]] == [
        ["Jun 2019", 3.0], ["Sep 2019", 3.0], ["Dec 2019", 4.0]
    ]  # fmt: skip


def _chart_parts(path: Path, folder: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith(f"{folder}/charts/chart"))
        return [archive.read(n).decode("utf-8") for n in names]


def test_the_trend_is_a_second_native_chart_in_every_writer(
    three_papers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_excel import remote_book, use_remote_engine

    from wellled_xl.excel.writer import write_paper_xlwings

    _, layout, xlsx, docx = three_papers
    assert [c.kind for c in layout.sheet("Summary").charts] == ["bar", "column"]
    for parts in (_chart_parts(xlsx, "xl"), _chart_parts(docx, "word")):
        assert len(parts) == 2
        assert sum('<c:barDir val="col"/>' in part for part in parts) == 1
        trend = next(part for part in parts if '<c:barDir val="col"/>' in part)
        assert "RAG trend" in trend and '<c:grouping val="stacked"/>' in trend
    use_remote_engine(monkeypatch)
    book = remote_book([("Actions", [["Ref"]])], client="Office.js")
    write_paper_xlwings(layout, book)
    added = [a for a in book.json()["actions"] if a["func"] == "addChart"]
    assert len(added) == 2
    assert "ColumnStacked" in str(added[1]["args"])


# ---------------------------------------------------------------- the Excel button


def test_where_the_button_keeps_its_history(tmp_path: Path) -> None:
    from wellled_xl.excel.button import history_for_book

    book = tmp_path / "board" / "tracker.xlsx"
    assert history_for_book(str(book)) == (book.parent / "wellled-history.sqlite", "")
    assert history_for_book(str(book), "h/positions.sqlite") == (
        book.parent / "h/positions.sqlite",
        "",
    )
    shared = tmp_path / "shared.sqlite"
    url = "https://trust.sharepoint.com/sites/board/Shared Documents/tracker.xlsx"
    assert history_for_book(url, str(shared)) == (shared, "")
    where, why = history_for_book(url)
    assert where is None and "SharePoint or OneDrive" in why and "no movement" in why
    where, why = history_for_book("Book1")
    assert where is None and "not been saved" in why


class _BookAt:
    """A remote-engine book that says it lives at `fullname` (the engine's is its name)."""

    def __init__(self, book, fullname: str) -> None:
        self._book, self.fullname = book, fullname

    def __getattr__(self, name: str):
        return getattr(self._book, name)


def _open_in_excel(path: Path):
    from test_excel import calamine_sheets, remote_book

    return remote_book(calamine_sheets(path), name=path.name)


def test_the_button_shows_movement_and_records_beside_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_excel import use_remote_engine

    from wellled_xl.excel.button import run_button

    use_remote_engine(monkeypatch)
    history = tmp_path / "wellled-history.sqlite"
    build_board_paper(june(tmp_path / "june.xlsx"), history=history)
    tracker = position(tmp_path / "tracker.xlsx", SEPTEMBER)
    run = run_button(_BookAt(_open_in_excel(tracker), str(tracker)))
    assert run.report.movement.previous_as_at == JUNE
    assert any(n.startswith("Since the last paper (as at 30 June 2019)") for n in run.notes)
    assert any(str(history) in n for n in run.notes)
    assert sqlite_positions(history) == [("2019-06-30", 31), ("2019-09-30", 30)]


@pytest.mark.parametrize(
    "fullname",
    ["https://trust-my.sharepoint.com/personal/officer/Documents/tracker.xlsx", None],
    ids=["onedrive", "remote-engine-name-only"],
)
def test_a_workbook_with_no_local_folder_builds_without_movement(
    fullname: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_excel import use_remote_engine

    from wellled_xl.excel.button import run_button

    use_remote_engine(monkeypatch)
    monkeypatch.chdir(tmp_path)
    book = _open_in_excel(position(tmp_path / "tracker.xlsx", SEPTEMBER))
    run = run_button(_BookAt(book, fullname) if fullname else book)
    assert run.report.movement is None and "Summary" in run.paper_sheets
    assert any("no movement since the last paper" in note for note in run.notes)
    assert "no movement" in run.message()
    assert not list(tmp_path.rglob("*.sqlite"))
