"""Benchmark the history of positions at 10,000 actions: recording, movement, and `build`.

Run: ``.venv/bin/python benchmarks/history.py [--size 10000] [--runs 5]``.

In process (median of ``--runs``): turning a validated report into a position
(`entries_of`), recording it in a fresh file and over an existing position of the same
date (`record_position`: one transaction), reading the previous position and trend back
(`load_previous`), and the movement between two positions of which a tenth moved
(`movement`). As whole processes, alternating: ``build TRACKER -o OUT`` against
``build TRACKER -o OUT --history FILE`` with the previous position already recorded, so
the second reads it, compares, draws the extra column, section and chart, and records;
and ``build … --history NEW`` into a fresh file (recording only: nothing to compare).
The previous position is the same tracker, so every update is unchanged: the paper
gains 10,000 ``progress-unchanged`` findings on its Summary, the worst case.
The collector is paused in process, as the command line pauses it.
Figures are printed and go to ``benchmarks/results_history.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import run_once  # noqa: E402

from wellled_xl.history import entries_of  # noqa: E402
from wellled_xl.history.movement import Position, movement  # noqa: E402
from wellled_xl.history.store import load_previous, record_position  # noqa: E402
from wellled_xl.pipeline import check_tracker  # noqa: E402

PYTHON = sys.executable


def _median(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    gc.disable()  # as the command line runs (cli.run): the collector stays paused
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    tracker = generate(args.size, data)
    report = check_tracker(tracker)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        entries = entries_of(report)
        figures["entries_of_s"] = _median(lambda: entries_of(report), args.runs)
        fresh = iter(range(args.runs))
        figures["record_new_file_s"] = _median(
            lambda: record_position(folder / f"new{next(fresh)}.sqlite", "id:t", report.as_at,
                                    entries),
            args.runs,
        )  # fmt: skip
        history = folder / "history.sqlite"
        record_position(history, "id:t", date(2019, 6, 30), entries)
        figures["record_replacing_s"] = _median(
            lambda: record_position(history, "id:t", report.as_at, entries), args.runs
        )
        figures["load_previous_s"] = _median(
            lambda: load_previous(history, "id:t", report.as_at), args.runs
        )
        # A tenth of the actions moved: RAG, due date, lead or progress.
        moved = [
            e._replace(rag="A/R", due_date=date(2021, 3, 31), progress=e.progress + " More.")
            if i % 10 == 0
            else e
            for i, e in enumerate(entries)
        ]
        previous = Position("id:t", date(2019, 6, 30), tuple(entries))
        figures["movement_s"] = _median(lambda: movement(previous, moved), args.runs)
        figures["changes"] = len(movement(previous, moved).changes)

        build = [PYTHON, "-m", "wellled_xl", "build", str(tracker), "-o", str(folder / "p.xlsx")]
        with_history = [*build, "--history", str(history)]
        plain, first, recorded = [], [], []
        run_once(build)  # warm-up
        for run in range(args.runs):
            plain.append(run_once(build)[0])
            # The first position of a fresh file: reading nothing, recording 10,000 actions.
            first.append(run_once([*build, "--history", str(folder / f"first{run}.sqlite")])[0])
            recorded.append(run_once(with_history)[0])
        figures["build_s"] = statistics.median(plain)
        figures["build_first_position_s"] = statistics.median(first)
        figures["build_recording_added_s"] = figures["build_first_position_s"] - figures["build_s"]
        figures["build_with_history_s"] = statistics.median(recorded)
        figures["build_added_s"] = figures["build_with_history_s"] - figures["build_s"]
    figures["actions"] = len(report.actions)
    (HERE / "results_history.json").write_text(json.dumps(figures, indent=2) + "\n")
    for name, value in figures.items():
        print(f"{name:>22}: {value:.3f}" if isinstance(value, float) else f"{name:>22}: {value}")


if __name__ == "__main__":
    main()
