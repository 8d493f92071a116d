"""Benchmark validate and build end to end against their floors, at 200 to 50,000 actions.

Run: ``.venv/bin/python benchmarks/run.py [--sizes 200 1000 10000 50000] [--runs 5]``.
Each figure is a whole process (Python start-up included): the median wall time of
``--runs`` runs after one warm-up, and the peak resident memory of that process, read
from the kernel's accounting of the child (``os.wait4``). A floor and its subject run in
alternation, so both see the same machine noise. Every figure is printed as a
ratio to its floor measured in the same run on the same file:

- read floor: Python + pandas + pandera imports + python-calamine reading the sheets into
  DataFrames (``floors/read_floor.py``);
- build floor: python-calamine reading the cells + XlsxWriter writing them, unstyled
  (``floors/build_floor.py``).

Trackers are generated once into ``benchmarks/data/`` (git-ignored). The results go to
``benchmarks/results.json`` and the figures table in ``benchmarks/README.md``.
Benchmarks never run in CI and never fail on timing.

``--pdf-sizes 1000 10000`` also times ``build --pdf`` (LibreOffice printing the paper)
at those sizes, the sizes in alternation, and prints the growth; with ``--sizes`` and
``--trust-sizes`` given no values, only that is measured (results in
``benchmarks/results_pdf.json``, the README left as it is).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


PYTHON = sys.executable
MARK_START = "<!-- figures:start -->"
MARK_END = "<!-- figures:end -->"


def generated(function: str, size: int, data: Path) -> Path:
    """Write (once) a tracker of `size` actions in a child process, and return its path.

    Generating 100,000 rows takes a process to 800 MB; a command started from it would
    report that as its own peak (Linux keeps ru_maxrss across exec from fork).
    """
    code = (
        f"import sys; from pathlib import Path; sys.path.insert(0, {str(HERE)!r}); "
        f"from generate import {function}; print({function}({size}, Path({str(data)!r})))"
    )
    done = subprocess.run([PYTHON, "-c", code], check=True, capture_output=True, text=True)
    return Path(done.stdout.strip().splitlines()[-1])


def run_once(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "median_s": statistics.median(s[0] for s in samples),
        "min_s": min(s[0] for s in samples),
        "peak_mb": max(s[1] for s in samples),
    }


def measure_pair(
    floor: list[str], subject: list[str], runs: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Time a floor and its subject in alternation, so both see the same machine noise."""
    run_once(floor)  # warm-up: file cache, .pyc files
    run_once(subject)
    floor_samples, subject_samples = [], []
    for _ in range(runs):
        floor_samples.append(run_once(floor))
        subject_samples.append(run_once(subject))
    return _summary(floor_samples), _summary(subject_samples)


def pdf_pages(path: Path) -> int:
    """Pages of a PDF, counted from its page objects (LibreOffice writes one per page)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def measure_pdf(sizes: list[int], runs: int, data: Path, tmp: str) -> list[dict]:
    """``build --pdf`` as a whole process for each size, the sizes in alternation so each
    sees the same machine noise: median wall time, the CPU time of the process and of
    LibreOffice under it, pages printed."""
    env = os.environ | {"WELLLED_XL_PDF_TIMEOUT": "1800"}
    trackers = {size: str(generated("generate", size, data)) for size in sizes}
    samples: dict[int, list[tuple[float, float]]] = {size: [] for size in sizes}
    pages: dict[int, int] = {}
    for attempt in range(runs + 1):  # the first round warms the file cache and LibreOffice
        for size in sizes:
            out = Path(tmp) / f"paper_pdf_{size}.xlsx"
            start = time.perf_counter()
            process = subprocess.Popen(
                [PYTHON, "-m", "wellled_xl", "build", trackers[size], "-o", str(out), "--pdf"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
            )
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit(f"build --pdf of {size} failed: {process.stderr.read().decode()}")
            pages[size] = pdf_pages(out.with_suffix(".pdf"))
            if attempt:
                samples[size].append((elapsed, usage.ru_utime + usage.ru_stime))
            print(f"  pdf {size:>6} actions: {elapsed:.1f} s, {pages[size]} pages", flush=True)
    return [
        {
            "actions": size,
            "median_s": statistics.median(s[0] for s in samples[size]),
            "min_s": min(s[0] for s in samples[size]),
            "cpu_s": statistics.median(s[1] for s in samples[size]),
            "pages": pages[size],
        }
        for size in sizes
    ]


def pdf_table(rows: list[dict]) -> str:
    """The PDF figures: time, CPU, pages, and growth against the smallest size."""
    lines = [
        "| actions | pages | build --pdf (median) | CPU (median) | growth for the size |",
        "|---:|---:|---:|---:|---:|",
    ]
    base = rows[0]
    for r in rows:
        growth = (
            f"{r['median_s'] / base['median_s']:.1f}× for {r['actions'] // base['actions']}×"
            if r is not base
            else "–"
        )
        lines.append(
            f"| {r['actions']:,} | {r['pages']:,} | {r['median_s']:.1f} s | {r['cpu_s']:.1f} s "
            f"| {growth} |"
        )
    return "\n".join(lines)


def excel_operations(rows: int) -> int | None:
    """Excel operations the button makes for a tracker of this size (remote engine count)."""
    # In a child process, as the trackers are generated: counting at 100,000 rows takes a
    # process to 800 MB, which every command started after it would report as its peak.
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); "
        f"from excel_ops import count_excel_operations; print(count_excel_operations({rows}))"
    )
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:  # xlwings missing: no count
        return None
    return int(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README figures")
    parser.add_argument(
        "--trust-sizes",
        type=int,
        nargs="*",
        default=[10000, 100000],
        help="sizes of another trust's own log to measure too (no registers, status typos)",
    )
    parser.add_argument(
        "--pdf-sizes",
        type=int,
        nargs="*",
        default=[],
        help="sizes at which to time build --pdf too (LibreOffice), e.g. 1000 10000",
    )
    args = parser.parse_args()
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    results = []
    if args.pdf_sizes:
        with tempfile.TemporaryDirectory() as tmp:
            pdf = measure_pdf(sorted(args.pdf_sizes), args.runs, data, tmp)
        document = {"machine": machine(), "runs": args.runs, "date": time.strftime("%Y-%m-%d")}
        document["results"] = pdf
        (HERE / "results_pdf.json").write_text(json.dumps(document, indent=2) + "\n")
        print(pdf_table(pdf))
        if not args.sizes and not args.trust_sizes:
            return
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("controlled", size, generated("generate", size, data)) for size in args.sizes]
        runs += [
            ("trust", size, generated("generate_trust", size, data)) for size in args.trust_sizes
        ]
        for layout, size, path in runs:
            tracker = str(path)
            out = str(Path(tmp) / f"paper_{layout}_{size}.xlsx")
            floor_out = str(Path(tmp) / f"floor_{layout}_{size}.xlsx")
            # The trust's log has no Settings: paper it as at the controlled trackers' date,
            # not today (when every action of a 2019 log is overdue).
            position = ["--as-at", "2019-09-30"] if layout == "trust" else []
            read_floor, validate = measure_pair(
                [PYTHON, str(HERE / "floors/read_floor.py"), tracker],
                [PYTHON, "-m", "wellled_xl", "validate", tracker, "--json", *position],
                args.runs,
            )
            build_floor, build = measure_pair(
                [PYTHON, str(HERE / "floors/build_floor.py"), tracker, floor_out],
                [PYTHON, "-m", "wellled_xl", "build", tracker, "-o", out, *position],
                args.runs,
            )
            row = {
                "layout": layout,
                "actions": size,
                "read_floor": read_floor,
                "validate": validate,
                "build_floor": build_floor,
                "build": build,
                "excel_operations": excel_operations(size) if layout == "controlled" else None,
            }
            row["validate_ratio"] = row["validate"]["median_s"] / row["read_floor"]["median_s"]
            row["build_ratio"] = row["build"]["median_s"] / row["build_floor"]["median_s"]
            results.append(row)
            print(
                f"{layout:>10} {size:>6} actions  validate {row['validate']['median_s']:.2f}s "
                f"({row['validate_ratio']:.2f}x read floor {row['read_floor']['median_s']:.2f}s)  "
                f"build {row['build']['median_s']:.2f}s "
                f"({row['build_ratio']:.2f}x build floor {row['build_floor']['median_s']:.2f}s)  "
                f"peak {row['build']['peak_mb']:.0f} MB  "
                f"excel ops {row['excel_operations']}",
                flush=True,
            )
    document = {
        "machine": machine(),
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
    }
    (HERE / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    table = figures_table(document)
    print(table)
    if not args.no_readme:
        readme = HERE / "README.md"
        text = readme.read_text(encoding="utf-8")
        head, rest = text.split(MARK_START, 1)
        _, tail = rest.split(MARK_END, 1)
        readme.write_text(f"{head}{MARK_START}\n{table}\n{MARK_END}{tail}", encoding="utf-8")


def figures_table(document: dict) -> str:
    """The README table: medians, ratios to the floors, peak memory, growth, Excel ops."""
    rows = document["results"]
    lines = [
        f"Measured {document['date']} on {document['machine']}; median of "
        f"{document['runs']} runs after a warm-up, whole processes.",
        "",
        "| tracker | actions | read floor | validate | ratio | build floor | build | ratio | "
        "peak MB (validate / build) | Excel ops |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ops = (
            "–"
            if r["excel_operations"] is None or r.get("layout") == "trust"
            else (r["excel_operations"])
        )
        lines.append(
            f"| {r.get('layout', 'controlled')} | {r['actions']:,} | "
            f"{r['read_floor']['median_s']:.2f} s | "
            f"{r['validate']['median_s']:.2f} s | {r['validate_ratio']:.2f}× | "
            f"{r['build_floor']['median_s']:.2f} s | {r['build']['median_s']:.2f} s | "
            f"{r['build_ratio']:.2f}× | {r['validate']['peak_mb']:.0f} / "
            f"{r['build']['peak_mb']:.0f} | {ops} |"
        )
    growth = []
    for layout in ("controlled", "trust"):
        by_size = {r["actions"]: r for r in rows if r.get("layout", "controlled") == layout}
        sizes = sorted(by_size)
        for a, b in itertools.pairwise(sizes):
            if a >= 1000:
                v = by_size[b]["validate"]["median_s"] / by_size[a]["validate"]["median_s"]
                w = by_size[b]["build"]["median_s"] / by_size[a]["build"]["median_s"]
                growth.append(
                    f"- {layout}, {a:,} → {b:,} ({b / a:g}×): validate {v:.1f}×, build {w:.1f}×"
                )
    if growth:
        lines += ["", "Growth (time ratio for the size ratio; equal ratios mean linear):", ""]
        lines += growth
    return "\n".join(lines)


if __name__ == "__main__":
    main()
