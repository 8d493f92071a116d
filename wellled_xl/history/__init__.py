"""Between papers: record each papered position, and what moved since the last one.

`store.py` is the SQLite file (I/O at the edge), `movement.py` the pure comparison of two
positions. This module joins them to a validated `Report`: `apply_history` reads the
previous position and adds the movement (changes, findings, trend) to the report;
`record_history` records the position once its paper is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from wellled_xl.history.movement import Entry, Movement, movement, rag_counts
from wellled_xl.history.store import (
    HISTORY_FILE_NAME,
    HistoryUnreadable,
    check_history,
    load_previous,
    record_position,
    tracker_identity,
)
from wellled_xl.report import Report
from wellled_xl.rules import RULES

TREND_POSITIONS = 8  # the RAG trend shows up to this many positions, this one last
_DUE_CELLS = ("revised_due", "previous_revisions", "original_due", "timescale")


def entries_of(report: Report) -> list[Entry]:
    """The report's actions as a position records them, with the cells they sit in now."""
    cells: dict[tuple[str, int], tuple[str, str]] = {}
    for record in report.tracker.records:
        columns, row = record.columns, record.row
        progress = columns.get("progress")
        due = next((columns[f] for f in _DUE_CELLS if f in columns), None)
        cells[(record.sheet, row)] = (
            f"{progress}{row}" if progress else "",
            f"{due}{row}" if due else "",
        )
    no_cells = ("", "")
    return [
        Entry(a.part, a.sheet, a.ref, a.group or a.kloe, a.lead, a.rag, a.complete,
              a.timescale.due_date, len(a.timescale.revisions), a.progress, a.row,
              *cells.get((a.sheet, a.row), no_cells))
        for a in report.actions
    ]  # fmt: skip


def identity_of(report: Report) -> str:
    tracker = report.tracker
    return tracker_identity(tracker.settings.tracker_id, tracker.path)


def apply_history(report: Report, path: str | os.PathLike[str]) -> Report:
    """Add the movement since the tracker's previous position in the history file at
    `path` to `report` (its changes, findings and trend), and mark the report to be
    recorded there once papered. A damaged or foreign file: one `history-unreadable`
    warning, no movement, no recording, and the file left as it was."""
    target = Path(path)
    try:
        check_history(target)
        previous, earlier = load_previous(
            target, identity_of(report), report.as_at, TREND_POSITIONS
        )
    except HistoryUnreadable as exc:
        report.findings.append(
            RULES["history-unreadable"].finding(value=str(target), problem=exc.problem)
        )
        return report
    entries = entries_of(report)
    moved: Movement = movement(previous, entries)
    legend = report.tracker.legend
    moved.trend = [(day, rag_counts(rags, legend)) for day, rags in earlier]
    moved.trend.append((report.as_at, rag_counts((e.rag for e in entries), legend)))
    report.findings.extend(moved.findings)
    report.movement = moved
    report.history = str(target)
    return report


def record_history(report: Report) -> None:
    """Record the report's position in its history file (if `apply_history` set one). A
    file that cannot take it (locked beyond the busy timeout, a full disk) is said in the
    report's notices: the paper is already written."""
    if report.history is None:
        return
    try:
        record_position(
            report.history,
            identity_of(report),
            report.as_at,
            report.movement.current if report.movement else entries_of(report),
            label=str(report.tracker.path),
        )
    except (HistoryUnreadable, OSError) as exc:
        report.notices.append(f"the position was not recorded in the history file: {exc}")
        return
    report.paths["history"] = report.history


def default_history_path(folder: str | os.PathLike[str]) -> Path:
    """``wellled-history.sqlite`` in `folder`."""
    return Path(folder) / HISTORY_FILE_NAME


__all__ = [
    "HISTORY_FILE_NAME",
    "apply_history",
    "default_history_path",
    "entries_of",
    "record_history",
]
