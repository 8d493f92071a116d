"""`wellled-xl history`: each action's trail through the recorded positions, and seeding one."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from wellled_xl.history.store import load_positions, record_position, tracker_identity
from wellled_xl.report import Report, printable


def add_position(
    tracker: str | os.PathLike[str], as_at: date, history: str | os.PathLike[str]
) -> Report:
    """Record an old copy of a tracker as its position as at `as_at`, without building a
    paper (``history add``): a trust seeds last quarter so the next paper shows movement."""
    from wellled_xl.history import entries_of
    from wellled_xl.pipeline import check
    from wellled_xl.read import read_tracker

    report = check(read_tracker(tracker), as_at)
    identity = tracker_identity(report.tracker.settings.tracker_id, tracker)
    record_position(history, identity, report.as_at, entries_of(report), label=str(tracker))
    return report


def trail(
    tracker: str | os.PathLike[str], history: str | os.PathLike[str], ref: str | None = None
) -> dict[str, Any]:
    """The JSON document of ``history TRACKER``: the positions recorded and, per action
    (sheet and ref), its RAG, due date, lead and progress at each of them."""
    from wellled_xl.read import read_tracker

    read = read_tracker(tracker)
    identity = tracker_identity(read.settings.tracker_id, tracker)
    positions = load_positions(history, identity)
    actions: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for position in positions:
        for entry in position.entries:
            if not entry.ref or (ref is not None and entry.ref != ref):
                continue
            actions.setdefault(entry.key, []).append(
                {
                    "as_at": position.as_at.isoformat(),
                    "rag": entry.rag,
                    "complete": entry.complete,
                    "due_date": entry.due_date.isoformat() if entry.due_date else None,
                    "revision_count": entry.revision_count,
                    "lead": entry.lead,
                    "progress": entry.progress,
                }
            )
    return {
        "tracker": str(tracker),
        "identity": identity,
        "history": str(history),
        "positions": [
            {"as_at": p.as_at.isoformat(), "recorded_at": p.recorded_at, "actions": len(p.entries)}
            for p in positions
        ],
        "actions": [
            {"sheet": sheet, "part": part, "ref": action_ref, "trail": steps}
            for (sheet, part, action_ref), steps in actions.items()
        ],
    }


def render_text_line(step: dict[str, Any]) -> str:
    due = step["due_date"] or "no due date"
    words = " ".join(step["progress"].split())
    words = words if len(words) <= 60 else words[:59] + "…"
    return (
        f"    {step['as_at']}  {printable(step['rag']) or '-':<5} due {due:<10}  "
        f"{printable(step['lead']):<8} {printable(words)}"
    )


def render_trail(document: dict[str, Any]) -> str:
    """The trail for a person at a terminal: each action, then a line per position."""
    positions = document["positions"]
    if not positions:
        return (
            f"{printable(document['tracker'])}: no position recorded in "
            f"{printable(document['history'])} yet (`build --history` or `history add` "
            "records one)"
        )
    dates = ", ".join(p["as_at"] for p in positions)
    lines = [f"{printable(document['tracker'])}: {len(positions)} positions ({dates})"]
    for action in document["actions"]:
        part = ", Part B" if action["part"] == "B" else ""
        lines.append(f"  {printable(action['ref'])} ({printable(action['sheet'])}{part})")
        lines += [render_text_line(step) for step in action["trail"]]
    return "\n".join(lines)
