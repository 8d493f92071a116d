"""Build trackers for tests the way trusts leave them: real .xlsx files written with openpyxl."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl
import python_calamine

REPO = Path(__file__).resolve().parent.parent
TRUST_HEADER = ["Ref:", "Planned\naction", "Timescale", "Owner", "Success measure", "Update", "RAG"]


def write_rows(
    path: Path,
    rows: Iterable[Sequence[object]],
    *,
    title: str = "Action plan",
    extra_sheets: dict[str, Iterable[Sequence[object]]] | None = None,
) -> Path:
    """One sheet of raw rows (title block, header, bands, data) plus optional extra sheets."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name, extra in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(list(row))
    book.save(path)
    return path


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float
) -> subprocess.CompletedProcess[str]:
    """``python -m wellled_xl ARGS`` as a child process, its output captured as text.

    `env` is laid over this process's environment; PYTHONPATH points at this checkout,
    so a child started in another folder (`cwd`) runs this code."""
    return subprocess.run(
        [sys.executable, "-m", "wellled_xl", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def read_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cells as python-calamine reads them, empty edges kept, in sheet order:
    the independent reader the tests check written workbooks with."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }
    finally:
        book.close()


def trust_tracker(path: Path, data: Iterable[Sequence[object]], **kwargs) -> Path:
    """A trust's own tracker: a title block, then the header, then the rows given."""
    rows = [["Trust Board: well-led action plan"], ["Position at end of September 2019"], []]
    return write_rows(path, [*rows, TRUST_HEADER, *data], **kwargs)


LEGEND = [
    ["Code", "Meaning", "Colour", "Complete"],
    ["G", "Action completed and improvement achieved", "00B050", "Yes"],
    ["A/G", "Clear plan for delivery but not yet completed", "FFC000", "No"],
    ["A/R", "We either lack a plan or confidence in that plan", "FF7C80", "No"],
]
LEADS = [["Initials", "Name", "Role", "Email"], ["RG", "", "", ""], ["TL", "", "DoF", ""]]
