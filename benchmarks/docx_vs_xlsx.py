"""Time writing the Word paper against writing the .xlsx paper, from one layout, in one run.

Run: ``.venv/bin/python benchmarks/docx_vs_xlsx.py [--sizes 1000 10000] [--runs 5]``.
For each size the tracker is generated (``generate.py``), validated and laid out once;
then ``write_paper`` (.xlsx) and ``write_docx`` (.docx) write that same layout in
alternation, ``--runs`` times each after a warm-up of both, with Python's cycle
collector paused as the program pauses it. The figure is each writer's median and the
ratio docx / xlsx (the target: under 2x at 10,000 actions). The results go to
``benchmarks/results_docx.json``; benchmarks never run in CI and never fail on timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import machine  # noqa: E402

from wellled_xl.paper.docx import write_docx  # noqa: E402
from wellled_xl.paper.layout import layout_paper  # noqa: E402
from wellled_xl.paper.xlsx import write_paper  # noqa: E402
from wellled_xl.pipeline import check_tracker  # noqa: E402
from wellled_xl.runtime import paused_gc  # noqa: E402

AS_AT = date(2019, 9, 30)


def _seconds(write: Callable[[], object]) -> float:
    start = time.perf_counter()
    write()
    return time.perf_counter() - start


def measure(size: int, runs: int, folder: Path) -> dict[str, float]:
    """Median seconds of each writer on one layout of `size` actions, and their ratio."""
    layout = layout_paper(check_tracker(generate(size, HERE / "data"), AS_AT))
    xlsx, docx = folder / f"paper_{size}.xlsx", folder / f"paper_{size}.docx"
    with paused_gc():
        write_paper(layout, xlsx)  # warm-up: imports, caches, the file system
        write_docx(layout, docx)
        xlsx_times, docx_times = [], []
        for _ in range(runs):
            xlsx_times.append(_seconds(lambda: write_paper(layout, xlsx)))
            docx_times.append(_seconds(lambda: write_docx(layout, docx)))
    row = {
        "actions": size,
        "xlsx_s": statistics.median(xlsx_times),
        "docx_s": statistics.median(docx_times),
        "xlsx_mb": xlsx.stat().st_size / 1e6,
        "docx_mb": docx.stat().st_size / 1e6,
    }
    row["ratio"] = row["docx_s"] / row["xlsx_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    (HERE / "data").mkdir(exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            row = measure(size, args.runs, Path(tmp))
            results.append(row)
            print(
                f"{size:>6} actions  xlsx {row['xlsx_s']:.2f}s ({row['xlsx_mb']:.1f} MB)  "
                f"docx {row['docx_s']:.2f}s ({row['docx_mb']:.1f} MB)  "
                f"ratio {row['ratio']:.2f}x",
                flush=True,
            )
    document = {
        "machine": machine(),
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    (HERE / "results_docx.json").write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
