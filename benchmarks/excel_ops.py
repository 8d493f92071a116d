"""How many operations the Excel button sends to Excel, for trackers of 50 to 10,000 rows.

Measured on xlwings' remote engine, which records each operation as an action
(``book.json()["actions"]``) instead of sending it: the button runs on a remote-engine
book holding a generated tracker's values (``generate.py``), and the actions are counted.
Also printed, computed rather than measured (there is no Excel here): the calls the same
run makes into desktop Excel on Windows, where the writer joins equal formats into
multi-area addresses and adds part-of-cell formatting, page setup and freeze panes.

    python benchmarks/excel_ops.py [ROWS ...]      (default: 50 1000 10000)
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

DATA = Path(__file__).resolve().parent / "data"
# Calls per generated sheet that the Windows writer adds beyond the formats it plans:
# add the sheet, write its values, the print area, freeze panes (5), page setup (22).
WINDOWS_FIXED_CALLS = 1 + 1 + 1 + 5 + 22
CHART_CALLS = 12  # add it, axes, title, legend, three series colours


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


def measure(rows: int) -> dict[str, Any]:
    """Run the button on a generated tracker of `rows` rows; what it sent, and how long."""
    from wellled_xl.excel.button import run_button
    from wellled_xl.excel.writer import (
        MAX_RICH_TEXT_CELLS,
        op_calls,
        plan_formats,
        rich_text_formats,
    )
    from wellled_xl.paper.layout import layout_paper, layout_validation

    book = _book_of(generate(rows, DATA))
    started = time.perf_counter()
    run = run_button(book)
    seconds = time.perf_counter() - started
    actions = book.json()["actions"]
    # The same paper, laid out again to count the calls the Windows writer would make.
    layout = layout_paper(run.report)
    layout = replace(layout, sheets=[*layout.sheets, layout_validation(run.report, layout.styles)])
    windows = 0
    for sheet in layout.sheets:
        windows += WINDOWS_FIXED_CALLS + CHART_CALLS * len(sheet.charts)
        windows += sum(map(op_calls, plan_formats(sheet, layout, union=True)))
        if len(sheet.rich_text) <= MAX_RICH_TEXT_CELLS:
            runs = rich_text_formats(sheet, layout)
            windows += len({r.cell for r in runs}) + sum(2 + len(r.changes) for r in runs)
    windows += len(run.checks) + 2  # the Check blocks, the alert, activating the Summary
    return {
        "rows": rows,
        "actions": len(actions),
        "set_values": sum(1 for a in actions if a["func"] == "setValues"),
        "by_kind": Counter(a["func"] for a in actions),
        "windows_calls": windows,
        "seconds": seconds,
    }


def count_excel_operations(rows: int) -> int:
    """The operations the Excel button sends for a generated tracker of `rows` rows."""
    return measure(rows)["actions"]


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [50, 1000, 10000]
    print(f"{'rows':>6} {'actions':>8} {'setValues':>9} {'Windows calls':>13} {'seconds':>8}")
    for rows in sizes:
        result = measure(rows)
        print(
            f"{result['rows']:>6} {result['actions']:>8} {result['set_values']:>9} "
            f"{result['windows_calls']:>13} {result['seconds']:>8.2f}"
        )
        top = ", ".join(f"{kind} {n}" for kind, n in result["by_kind"].most_common(6))
        print(f"{'':>6} {top}")


if __name__ == "__main__":
    main(sys.argv[1:])
