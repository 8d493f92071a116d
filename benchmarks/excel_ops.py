"""How many operations the Excel button sends to Excel, for trackers of 50 to 10,000 rows.

Measured on xlwings' remote engine, which records each operation as an action
(``book.json()["actions"]``) instead of sending it: the button runs on a remote-engine
book holding a generated tracker's values (``generate.py``), and the actions are counted,
by kind. The count should hardly move with the rows: values go in one block per sheet,
and formats by range and conditional format, never row by row.

Also printed, computed rather than measured (there is no Excel here): the calls the same
run makes into desktop Excel on Windows, where the writer joins equal formats into
multi-area addresses, a conditional format takes a few calls, and part-of-cell
formatting (up to ``MAX_RICH_TEXT_CELLS`` cells a sheet), page setup and freeze panes
are added.

    python benchmarks/excel_ops.py [ROWS ...]      (default: 50 1000 10000)
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

DATA = Path(__file__).resolve().parent / "data"
# Calls per generated sheet that the Windows writer adds beyond the formats it plans:
# add the sheet, write its values, the print area, freeze panes (5), page setup (22).
WINDOWS_FIXED_CALLS = 1 + 1 + 1 + 5 + 22
CHART_CALLS = 14  # add it, axes (every label on the bar chart's), title, legend, series colours


@dataclass
class Measure:
    """One click of the button on a generated tracker: what it sent to Excel."""

    rows: int
    actions: list[dict[str, Any]]  # as xlwings' remote engine recorded them
    windows_calls: int  # computed: the same run through COM on Windows
    seconds: float

    @property
    def by_kind(self) -> Counter[str]:
        return Counter(action["func"] for action in self.actions)

    def set_values_per_sheet(self) -> dict[str, int]:
        """Each sheet the run added -> the value blocks written on it."""
        names = [action["args"][1] for action in self.actions if action["func"] == "addSheet"]
        first = min(a["args"][0] for a in self.actions if a["func"] == "addSheet")
        blocks = Counter(
            action["sheet_position"] for action in self.actions if action["func"] == "setValues"
        )
        return {name: blocks[first + i] for i, name in enumerate(names)}


def _remote_engine() -> Any:
    """xlwings with its remote engine (noncommercial licence; benchmarks and tests only)."""
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.pro import _xlremote  # checks the licence key as it is imported

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    return xw


def _json_value(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    return value


def _book_of(path: Path) -> Any:
    """A remote-engine book holding the tracker file's values, as Excel would send them."""
    import python_calamine

    xw = _remote_engine()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        sheets = [
            {
                "name": name,
                "values": [
                    [_json_value(v) for v in row]
                    for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                ],
                "pictures": [],
                "tables": [],
            }
            for name in workbook.sheet_names
        ]
    finally:
        workbook.close()
    return xw.Book(
        json={
            "client": "VBA",
            "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [],
            "sheets": sheets,
        }
    )


def measure(rows: int, folder: Path = DATA) -> Measure:
    """Run the button on a generated tracker of `rows` rows; what it sent, and how long."""
    from wellled_xl.excel.button import run_button
    from wellled_xl.excel.writer import (
        MAX_RICH_TEXT_CELLS,
        op_calls,
        plan_formats,
        rich_text_formats,
    )
    from wellled_xl.paper.layout import layout_paper, layout_validation

    folder.mkdir(parents=True, exist_ok=True)
    book = _book_of(generate(rows, folder))
    started = time.perf_counter()
    run = run_button(book)
    seconds = time.perf_counter() - started
    # The same paper, laid out again to count the calls the Windows writer would make.
    layout = layout_paper(run.report)
    layout = replace(layout, sheets=[*layout.sheets, layout_validation(run.report, layout.styles)])
    windows = 0
    for sheet in layout.sheets:
        windows += WINDOWS_FIXED_CALLS + CHART_CALLS * len(sheet.charts)
        windows += sum(op_calls(op) for op in plan_formats(sheet, layout, union=True))
        if len(sheet.rich_text) <= MAX_RICH_TEXT_CELLS:
            runs = rich_text_formats(sheet, layout)
            windows += len({r.cell for r in runs}) + sum(2 + len(r.changes) for r in runs)
    windows += len(run.checks) + 2  # the Check blocks, the alert, activating the Summary
    return Measure(rows, book.json()["actions"], windows, seconds)


def count_excel_operations(rows: int, folder: Path = DATA) -> int:
    """The operations the Excel button sends for a generated tracker of `rows` rows,
    measured: the actions xlwings' remote engine records for one click."""
    return len(measure(rows, folder).actions)


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [50, 1000, 10000]
    results = [measure(rows) for rows in sizes]
    print(f"{'rows':>6} {'measured':>9} {'setValues':>9} {'Windows (computed)':>19} {'seconds':>8}")
    for result in results:
        print(
            f"{result.rows:>6} {len(result.actions):>9} {result.by_kind['setValues']:>9} "
            f"{result.windows_calls:>19} {result.seconds:>8.2f}"
        )
    kinds = sorted({kind for r in results for kind in r.by_kind}, key=lambda k: (
        -max(r.by_kind[k] for r in results), k))  # fmt: skip
    print("\nMeasured actions by kind:")
    print(f"{'kind':<22}" + "".join(f"{r.rows:>8}" for r in results))
    for kind in kinds:
        print(f"{kind:<22}" + "".join(f"{r.by_kind[kind]:>8}" for r in results))


if __name__ == "__main__":
    main(sys.argv[1:])
